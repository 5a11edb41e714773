"""Storage: the only code that speaks SQL. The `Store` over SQLAlchemy (SQLite embedded,
PostgreSQL for several instances), its tables, the Alembic migrations (`migrations/`) and
the locked upgrade that runs them at start-up."""
