"""/fhir: metadata, Location, HealthcareService and Organization (read and search)."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import MethodNotAllowed, NotFound

from directory_api.fhir import resources as res
from directory_api.fhir.bundle import answer, bundle, cached, encode, entry, not_modified, outcome
from directory_api.fhir.capability import (
    MEDIA_TYPE,
    FhirBundleSchema,
    OperationOutcomeSchema,
    ResourceSchema,
    capability_statement,
    openapi_parameters,
)
from directory_api.fhir.care import parse_service_id, search_services, service_at
from directory_api.fhir.params import (
    DEFAULT_COUNT,
    PARAMS,
    READ_PARAMS,
    FhirError,
    parse_query,
    token_codes,
)
from directory_api.fhir.search import derived, search_locations, search_orgs
from directory_api.models import CATEGORIES
from directory_api.search.directory import Directory
from directory_api.services import Services
from directory_api.web.context import get_services, request_directory

blp = Blueprint(
    "fhir",
    __name__,
    url_prefix="/fhir",
    description="FHIR R4 view (application/fhir+json): Location near search sorted by "
    "great-circle distance, HealthcareService per reimbursable care, Organization.",
)
fallback = FlaskBlueprint("fhir_fallback", __name__)
ERRORS = {400: "Malformed or unknown search parameter", 404: "Unknown id"}


def documented(kind: str, search: bool) -> Any:
    """flask-smorest documentation of one FHIR operation: its query parameters, its answer
    and its OperationOutcome errors, all application/fhir+json."""
    params = PARAMS[kind] if search else READ_PARAMS

    def wrap(func: Any) -> Any:
        func = blp.doc(parameters=openapi_parameters(params))(func)
        for status in (400,) if search or kind == "metadata" else (400, 404):
            func = blp.alt_response(
                status,
                schema=OperationOutcomeSchema,
                content_type=MEDIA_TYPE,
                description=ERRORS[status],
            )(func)
        schema = FhirBundleSchema if search else ResourceSchema
        return blp.response(200, schema, content_type=MEDIA_TYPE)(func)

    return wrap


@blp.errorhandler(FhirError)
def _fhir_error(error: FhirError) -> Response:
    return outcome(error)


@blp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def lang() -> str:
    return request.accept_languages.best_match(("nl", "en")) or "nl"


def current() -> tuple[Services, Directory]:
    services = get_services()
    return services, request_directory(services=services)


def location_bytes(services: Services, directory: Directory, position: int) -> bytes:
    provider = directory.providers[position]
    return cached(
        directory,
        ("L", position),
        lambda: res.location(
            provider, derived(directory).org_of(position), directory.data_version, services.rules
        ),
    )


def paging(args: dict[str, Any]) -> tuple[int, int]:
    return args.get("_offset", 0), args.get("_count", DEFAULT_COUNT)


@blp.route("/metadata")
class Metadata(MethodView):
    @documented("metadata", search=False)
    def get(self) -> Any:
        """CapabilityStatement: the resources, interactions and search parameters served."""
        parse_query("metadata", request.args.to_dict(flat=False), READ_PARAMS)
        try:
            version = metadata.version("directory-api")
        except metadata.PackageNotFoundError:
            version = "unknown"
        return answer(encode(capability_statement(version)))


@blp.route("/Location")
class LocationSearch(MethodView):
    @documented("Location", search=True)
    def get(self) -> Any:
        """Search Locations; `near` sorts by great-circle distance (location-distance)."""
        args = parse_query("Location", request.args.to_dict(flat=False))
        if "type" in args:
            args["type"] = tuple(token_codes(args["type"], res.CATEGORY_SYSTEM, CATEGORIES, "type"))
        services, directory = current()
        if (cached_response := not_modified(directory.data_version)) is not None:
            return cached_response
        offset, count = paging(args)
        found = search_locations(directory, args, offset, count)
        base = request.url_root.rstrip("/") + "/fhir"
        near = args.get("near")
        entries = [
            entry(
                base,
                "Location",
                directory.providers[i].id,
                location_bytes(services, directory, i),
                km,
                near,
            )
            for i, km in found.items
        ]
        version = directory.data_version
        return answer(bundle("Location", found, entries, args, offset, count, version), version)


@blp.route("/Location/<string:location_id>")
class LocationRead(MethodView):
    @documented("Location", search=False)
    def get(self, location_id: str) -> Any:
        """One Location by id."""
        parse_query("Location", request.args.to_dict(flat=False), READ_PARAMS)
        services, directory = current()
        position = directory.by_id.get(location_id)
        if position is None:
            raise FhirError(404, f"Location/{location_id} is not known", code="not-found")
        return not_modified(directory.data_version) or answer(
            location_bytes(services, directory, position), directory.data_version
        )


def service_bytes(services: Services, directory: Directory, item: Any, language: str) -> bytes:
    position, rule, terms, _ = item
    provider = directory.providers[position]
    return cached(
        directory,
        ("H", position, rule.care, rule.scheme, language),
        lambda: res.healthcare_service(
            provider,
            derived(directory).org_of(position),
            rule,
            terms,
            services.rules,
            directory.data_version,
            language,
        ),
    )


@blp.route("/HealthcareService")
class ServiceSearch(MethodView):
    @documented("HealthcareService", search=True)
    def get(self) -> Any:
        """Search reimbursable care; `location.near` sorts by distance."""
        args = parse_query("HealthcareService", request.args.to_dict(flat=False))
        services, directory = current()
        rules = services.rules
        if "service-type" in args:
            args["service-type"] = token_codes(
                args["service-type"], res.CARE_SYSTEM, tuple(rules.care_types), "service-type"
            )
        if "scheme" in args:
            args["scheme"] = token_codes(
                args["scheme"], res.SCHEME_SYSTEM, tuple(rules.schemes), "scheme"
            )
        if (cached_response := not_modified(directory.data_version)) is not None:
            return cached_response
        offset, count = paging(args)
        found = search_services(directory, rules, args, offset, count)
        base = request.url_root.rstrip("/") + "/fhir"
        language, near = lang(), args.get("location.near")
        entries = [
            entry(
                base,
                "HealthcareService",
                res.service_id(directory.providers[x[0]], x[1].care, x[1].scheme),
                service_bytes(services, directory, x, language),
                x[3],
                near,
            )
            for x in found.items
        ]
        version = directory.data_version
        return answer(
            bundle("HealthcareService", found, entries, args, offset, count, version), version
        )


@blp.route("/HealthcareService/<string:service_id>")
class ServiceRead(MethodView):
    @documented("HealthcareService", search=False)
    def get(self, service_id: str) -> Any:
        """One HealthcareService by id ({location id}-{care}-{scheme})."""
        parse_query("HealthcareService", request.args.to_dict(flat=False), READ_PARAMS)
        services, directory = current()
        parsed = parse_service_id(services.rules, directory, service_id)
        terms = None if parsed is None else service_at(directory, parsed[0], parsed[1])
        if parsed is None or terms is None:
            raise FhirError(404, f"HealthcareService/{service_id} is not known", code="not-found")
        item = (parsed[0], parsed[1], terms, None)
        return not_modified(directory.data_version) or answer(
            service_bytes(services, directory, item, lang()), directory.data_version
        )


def org_bytes(directory: Directory, org: Any) -> bytes:
    version = directory.data_version
    if org is None:
        return encode(res.network(version))
    sites = [directory.providers[i] for i in org.sites]
    return cached(
        directory, ("O", org.id), lambda: res.organization(org.id, org.name, sites, version)
    )


@blp.route("/Organization")
class OrganizationSearch(MethodView):
    @documented("Organization", search=True)
    def get(self) -> Any:
        """Search provider organisations (and the CAK network) by name or id."""
        args = parse_query("Organization", request.args.to_dict(flat=False))
        _, directory = current()
        if (cached_response := not_modified(directory.data_version)) is not None:
            return cached_response
        offset, count = paging(args)
        found = search_orgs(directory, args, offset, count)
        base = request.url_root.rstrip("/") + "/fhir"
        entries = [
            entry(
                base,
                "Organization",
                o.id if o else res.NETWORK_ID,
                org_bytes(directory, o),
                None,
                None,
            )
            for o in found.items
        ]
        version = directory.data_version
        return answer(bundle("Organization", found, entries, args, offset, count, version), version)


@blp.route("/Organization/<string:organization_id>")
class OrganizationRead(MethodView):
    @documented("Organization", search=False)
    def get(self, organization_id: str) -> Any:
        """One Organization by id (cak-network: the CAK's contract network)."""
        parse_query("Organization", request.args.to_dict(flat=False), READ_PARAMS)
        _, directory = current()
        if organization_id == res.NETWORK_ID:
            org = None
        else:
            org = derived(directory).orgs.get(organization_id)
            if org is None:
                msg = f"Organization/{organization_id} is not known"
                raise FhirError(404, msg, code="not-found")
        return not_modified(directory.data_version) or answer(
            org_bytes(directory, org), directory.data_version
        )


@fallback.route("/fhir", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
@fallback.route("/fhir/<path:rest>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str = "") -> Response:
    """Any other /fhir path or method: an OperationOutcome, not the /v1 error shape."""
    adapter = request.url_rule.map.bind("localhost")  # type: ignore[union-attr]
    try:
        endpoint, _ = adapter.match(request.path, method="GET")
    except (NotFound, MethodNotAllowed):
        endpoint = None
    if endpoint and endpoint != "fhir_fallback.unknown":
        return outcome(
            FhirError(
                405, f"{request.method} is not supported here: read-only", code="not-supported"
            )
        )
    return outcome(
        FhirError(
            404,
            f"/fhir/{rest} is not a resource type or interaction "
            "this server supports (see /fhir/metadata)",
            code="not-found",
        )
    )
