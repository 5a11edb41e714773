"""A FHIR R4 view of the directory under /fhir (issue 13): a Location per provider site
with `near` sorted by great-circle distance, a HealthcareService per care type the rules make
reimbursable there, an Organization per provider organisation, and a CapabilityStatement.
Flask-facing like web/; built on search/ranking.py, search/rules.py and search/directory.py
(never a copy of them) and on the services accessor the web layer uses."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register(api: Api, app: Flask) -> None:
    """Document and serve /fhir; any other /fhir path answers an OperationOutcome."""
    from directory_api.fhir import views

    api.register_blueprint(views.blp)
    app.register_blueprint(views.fallback)
