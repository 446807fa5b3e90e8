"""Every page and API route, with its parameters filled from the route world.

Shared by the generated permission test and the security-headers test: one walk of
`get_resolver()` for the pages, one of the OpenAPI schema of `alveole.api` for the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alveole.core.permission_matrix import IGNORED_PREFIXES
from alveole.core.tests.route_world import MISSING, World


@dataclass(frozen=True)
class PageRoute:
    name: str  # "namespace:name"
    pattern: str
    kwargs: tuple[str, ...] = field(default_factory=tuple)


def page_routes() -> list[PageRoute]:
    """Every named URL pattern outside the admin, the API and Django's own i18n view."""
    routes: dict[str, PageRoute] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[PageRoute]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                yield from walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                if pattern.startswith(IGNORED_PREFIXES):
                    continue
                if entry.name is None:
                    raise AssertionError(f"URL pattern without a name: {pattern}")
                kwargs = tuple(re.findall(r"<(?:\w+:)?(\w+)>", pattern))
                yield PageRoute(namespace + entry.name, pattern, kwargs)

    for route in walk(get_resolver(), "", ""):
        routes.setdefault(route.name, route)  # two patterns, one name: reverse() picks one
    return sorted(routes.values(), key=lambda route: route.name)


def all_callbacks() -> list:
    """The view of every URL pattern, the admin's and the API's included."""
    found = []

    def walk(resolver: URLResolver) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry)
            else:
                found.append(entry.callback)

    walk(get_resolver())
    return found


#: URL parameter → world object, per route when the name alone is ambiguous.
PAGE_PARAMS: dict[str, dict[str, str]] = {
    "report": {"year": "year"},
    "report_pdf": {"year": "year"},
    "coop:grant_edit": {"pk": "grant"},
    "coop:grant_delete": {"pk": "grant"},
    "people:detail": {"pk": "person"},
    "people:edit": {"pk": "person"},
    "people:event": {"pk": "person", "kind": "=cape"},
    "businesses:detail": {"pk": "business"},
    "businesses:edit": {"pk": "business"},
    "businesses:membership_add": {"pk": "business"},
    "sales:customer_detail": {"pk": "customer"},
    "sales:customer_edit": {"pk": "customer"},
    "sales:quote_detail": {"pk": "quote"},
    "sales:quote_edit": {"pk": "quote"},
    "sales:quote_pdf": {"pk": "quote"},
    "sales:quote_action": {"pk": "quote", "action": "=send"},
    "sales:invoice_detail": {"pk": "invoice"},
    "sales:invoice_edit": {"pk": "draft_invoice"},
    "sales:invoice_pdf": {"pk": "invoice"},
    "sales:invoice_einvoice": {"pk": "invoice", "fmt": "=cii"},
    "sales:invoice_action": {"pk": "draft_invoice", "action": "=issue"},
    "sales:settings": {"business_id": "business"},
    "ledger:account_edit": {"number": "account_number"},
    "ledger:entry": {"pk": "entry"},
    "ledger:entry_reverse": {"pk": "entry"},
    "ledger:treasury": {"pk": "business"},
    "ledger:treasury_lines": {"pk": "business", "key": "=sales"},
    "ledger:export": {"year_pk": "fiscal_year", "kind": "=fec"},
    "ledger:fiscal_year_close": {"pk": "fiscal_year"},
    "purchases:invoice_detail": {"pk": "purchase_invoice"},
    "purchases:invoice_edit": {"pk": "purchase_invoice"},
    "purchases:invoice_file": {"pk": "purchase_invoice"},
    "purchases:invoice_action": {"pk": "purchase_invoice", "action": "=validate"},
    "purchases:supplier_detail": {"pk": "supplier"},
    "purchases:supplier_edit": {"pk": "supplier"},
    "purchases:report_detail": {"pk": "expense_report"},
    "purchases:report_add_line": {"pk": "expense_report"},
    "purchases:report_add_trip": {"pk": "expense_report"},
    "purchases:report_delete_line": {"pk": "expense_report", "line_pk": "expense_line"},
    "purchases:report_receipt": {"pk": "expense_report", "line_pk": "expense_line"},
    "purchases:report_action": {"pk": "expense_report", "action": "=submit"},
    "payroll:edit": {"pk": "payroll_record"},
    "payroll:delete": {"pk": "payroll_record"},
    "payroll:rule_end": {"pk": "contribution_rule"},
    "payroll:rule_delete": {"pk": "contribution_rule"},
    "support:workshop_detail": {"pk": "workshop"},
    "support:workshop_edit": {"pk": "workshop"},
    "support:workshop_results": {"pk": "workshop"},
    "support:session_create": {"workshop_pk": "workshop"},
    "support:session_detail": {"pk": "session"},
    "support:session_edit": {"pk": "session"},
    "support:session_cancel": {"pk": "session"},
    "support:slot_add": {"pk": "session"},
    "support:slot_remove": {"pk": "slot"},
    "support:session_enrol": {"pk": "session"},
    "support:session_enrol_me": {"pk": "session"},
    "support:enrolment_cancel": {"pk": "enrolment"},
    "support:attendance_sheet": {"pk": "session"},
    "support:certificate": {"pk": "enrolment"},
    "support:survey_send": {"pk": "session"},
    "support:session_results": {"pk": "session"},
    "support:sign_board": {"pk": "slot"},
    "support:sign_trainer": {"pk": "slot"},
    "support:sign_trainee": {"pk": "slot", "enrolment_pk": "enrolment"},
    "support:signing_links_create": {"pk": "slot"},
    "support:signing_links": {"pk": "slot"},
    "support:absence_record": {"pk": "slot", "enrolment_pk": "enrolment"},
    "support:appointment_detail": {"pk": "appointment"},
    "support:appointment_edit": {"pk": "appointment"},
    "support:appointment_status": {"pk": "appointment"},
    "support:next_step_add": {"pk": "appointment"},
    "support:next_step_toggle": {"pk": "next_step"},
    "governance:subscription": {"pk": "subscription"},
    "governance:release": {"pk": "subscription"},
    "governance:refund": {"person_pk": "person"},
    "governance:assembly": {"pk": "assembly"},
    "governance:assembly_edit": {"pk": "assembly"},
    "governance:agenda_add": {"pk": "assembly"},
    "governance:agenda_delete": {"pk": "assembly", "item_pk": "agenda_item"},
    "governance:document_add": {"pk": "assembly"},
    "governance:convene": {"pk": "assembly"},
    "governance:assembly_open": {"pk": "assembly"},
    "governance:assembly_close": {"pk": "assembly"},
    "governance:attendance": {"pk": "assembly"},
    "governance:attendance_sign": {"pk": "assembly", "person_pk": "person"},
    "governance:proxy_add": {"pk": "assembly"},
    "governance:resolution_add": {"pk": "assembly"},
    "governance:minutes": {"pk": "assembly"},
    "governance:participate": {"pk": "assembly"},
    "governance:participate_sign": {"pk": "assembly"},
    "governance:participate_proxy": {"pk": "assembly"},
    "governance:participate_proxy_revoke": {"pk": "assembly"},
    "governance:participate_minutes": {"pk": "assembly"},
    "privacy:export_json": {"pk": "person"},
    "privacy:export_pdf": {"pk": "person"},
    "privacy:erase": {"pk": "person"},
}
#: Parameters that mean the same object on every route that has them.
GENERIC_PARAMS = {"year": "year", "business_id": "business", "person_pk": "person"}
#: Parameters whose object is not made by the route world: an identifier found nowhere.
UNKNOWN_TOKEN = "no-such-token"


def page_url(route: PageRoute, world: World) -> str:
    wanted = PAGE_PARAMS.get(route.name, {})
    kwargs: dict[str, Any] = {}
    for name in route.kwargs:
        source = wanted.get(name)
        source = source or GENERIC_PARAMS.get(name)
        if source is None:
            value: Any = UNKNOWN_TOKEN if name in ("token", "uidb64") else MISSING
            if name in ("kind", "action", "fmt", "key", "slug"):
                value = "unknown"
        elif source.startswith("="):
            value = source[1:]
        else:
            value = world.pk(source)
        kwargs[name] = value
    return reverse(route.name, kwargs=kwargs)


@dataclass(frozen=True)
class ApiRoute:
    operation_id: str
    method: str
    path: str  # "/api/people/{person_id}"
    has_body: bool

    @property
    def writes(self) -> bool:
        return self.method != "GET"


def api_routes() -> list[ApiRoute]:
    from alveole.api import api

    schema = api.get_openapi_schema()
    routes = [
        ApiRoute(operation["operationId"], method.upper(), path, "requestBody" in operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]
    return sorted(routes, key=lambda route: (route.writes, route.operation_id))


API_PARAMS: dict[str, str] = {
    "person_id": "person",
    "business_id": "business",
    "customer_id": "customer",
    "quote_id": "quote",
    "entry_id": "entry",
    "number": "account_number",
    "year_id": "fiscal_year",
    "year": "year",
    "record_id": "payroll_record",
    "rule_id": "contribution_rule",
    "supplier_id": "supplier",
    "report_id": "expense_report",
    "line_id": "expense_line",
    "grant_id": "grant",
    "session_id": "session",
    "enrolment_id": "enrolment",
    "appointment_id": "appointment",
    "assembly_id": "assembly",
    "fmt": "=cii",
}


def api_url(route: ApiRoute, world: World) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "invoice_id":
            source = "purchase_invoice" if route.path.startswith("/api/purchases/") else "invoice"
        else:
            source = API_PARAMS.get(name, "")
        if source.startswith("="):
            return source[1:]
        return str(world.pk(source) if source else MISSING)

    return re.sub(r"\{(\w+)\}", value, route.path)
