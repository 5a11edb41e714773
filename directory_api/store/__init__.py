"""Storage: the only code that speaks SQL. `store.Store` over SQLAlchemy (SQLite embedded,
PostgreSQL for several instances) with its reading helpers (`queries`) and bulk inserts
(`publish`), the tables (`tables`), engines and locks (`engine`), the Alembic migrations
(`migrations/`) and the locked upgrade that runs them at start-up (`migrate`)."""
