"""The generated permission test: every page and API route, as every persona, against the matrix.

Routes come from the URL configuration and the OpenAPI schema, so a new route without an
entry in alveole/core/permission_matrix.py fails here. Set ALVEOLE_MATRIX_RECORD=<file> to
write the outcomes seen (to review them, never to copy them blindly into the matrix).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from alveole.core import permission_matrix as matrix
from alveole.core.tests.route_world import build_world
from alveole.core.tests.routes import api_routes, api_url, page_routes, page_url

pytestmark = pytest.mark.django_db

REFUSALS = {"login", "401", "403", "404", "405"}


def outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith(reverse(settings.LOGIN_URL)):
            return "login"
        return "302"
    return str(response.status_code)


def _row_counts(app_labels: set[str]) -> dict[str, int]:
    counts = {}
    for label in (*sorted(app_labels), "core"):
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model._default_manager.count()
    return counts


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run a write in a savepoint that is always undone: the next persona sees the same data."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _app_of_path(path: str) -> set[str]:
    first = path.strip("/").split("/")[1 if path.startswith("/api/") else 0]
    known = {config.label for config in apps.get_app_configs()}
    aliases = {"cooperative": "coop", "report": "reports"}
    label = aliases.get(first, first)
    return {label} if label in known else set()


#: What only the entrepreneur persona's business shows: another entrepreneur's page must not.
ALICE_MARKERS = ("Atelier Alice", "alice@example.org", "Brasserie du Gers", "Alice Martin")


def _leaks(url: str, response, route: str = "") -> list[str]:
    if getattr(response, "streaming", False):
        return []
    body = response.content.decode("utf-8", errors="replace")
    markers = ALICE_MARKERS
    if route in matrix.BUSINESS_NAMES_SHOWN:
        markers = tuple(marker for marker in markers if marker != "Atelier Alice")
    return [
        f"GET {url} as other_entrepreneur shows « {marker} »"
        for marker in markers
        if marker in body
    ]


def _header_problems(url: str, name: str, response) -> list[str]:
    """Every HTML page carries the CSP (no inline script) and the other security headers."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    problems = []
    csp = response.get("Content-Security-Policy", "")
    script_src = next(
        (part for part in csp.split(";") if part.strip().startswith("script-src")), ""
    )
    if not script_src or "unsafe-inline" in script_src or "unsafe-eval" in script_src:
        problems.append(f"GET {url} as {name}: CSP script-src missing or unsafe: {csp!r}")
    if "frame-ancestors 'none'" not in csp:
        problems.append(f"GET {url} as {name}: CSP without frame-ancestors 'none'")
    expected = {
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    }
    for header, value in expected.items():
        if response.get(header) != value:
            problems.append(f"GET {url} as {name}: {header} is {response.get(header)!r}")
    if response.status_code == 200 and b"<script>" in response.content:
        problems.append(f"GET {url} as {name}: inline <script>")
    return problems


def _api_clients(personas) -> dict[str, Client]:
    from alveole.people.services import api_token_create

    clients = {}
    for persona in personas.all():
        if persona.user is None:
            clients[persona.name] = Client(raise_request_exception=False)
            continue
        _token, raw = api_token_create(actor=None, user=persona.user, name="matrice")
        clients[persona.name] = Client(
            headers={"authorization": f"Bearer {raw}"}, raise_request_exception=False
        )
    return clients


def test_every_route_answers_as_the_matrix_says(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    world = build_world(personas)
    by_name = {persona.name: persona for persona in personas.all()}
    for persona in personas.all():
        persona.client.raise_request_exception = False  # a crash is an outcome: "500"
    seen_pages: dict[str, dict[str, str]] = {}
    seen_api: dict[str, dict[str, str]] = {}
    problems: list[str] = []

    # Pages: GET (or an empty POST for the POST-only actions).
    for route in page_routes():
        url = page_url(route, world)
        post = route.name in matrix.PAGE_POSTS
        seen_pages[route.name] = {}
        for name in matrix.PERSONAS:
            client = by_name[name].client
            if post:
                before = _row_counts(_app_of_path(url))
                with rolled_back():
                    response = client.post(url, {})
                    got = outcome(response)
                    if got in REFUSALS and _row_counts(_app_of_path(url)) != before:
                        problems.append(f"POST {url} as {name}: refused ({got}) but wrote rows")
            else:
                response = client.get(url)
                got = outcome(response)
                problems.extend(_header_problems(url, name, response))
                if got == "200" and name == "other_entrepreneur":
                    problems.extend(_leaks(url, response, route.name))
                if got in REFUSALS - {"405"}:
                    # Refused on GET: an empty POST is refused as well and writes nothing.
                    before = _row_counts(_app_of_path(url))
                    with rolled_back():
                        posted = outcome(client.post(url, {}))
                        if posted not in REFUSALS:
                            problems.append(f"POST {url} as {name}: {posted} after GET {got}")
                        elif _row_counts(_app_of_path(url)) != before:
                            problems.append(f"POST {url} as {name}: refused but wrote rows")
            seen_pages[route.name][name] = got

    # API: reads first, then writes with an empty body, each rolled back.
    clients = _api_clients(personas)
    for route in api_routes():
        url = api_url(route, world)
        seen_api[route.operation_id] = {}
        for name in matrix.PERSONAS:
            client = clients[name]
            if not route.writes:
                response = client.get(url)
                got = outcome(response)
                if got == "200" and name == "other_entrepreneur":
                    problems.extend(_leaks(url, response))
            else:
                before = _row_counts(_app_of_path(url))
                with rolled_back():
                    response = client.generic(
                        route.method, url, "{}" if route.has_body else "", "application/json"
                    )
                    got = outcome(response)
                    if got[0] != "2" and _row_counts(_app_of_path(url)) != before:
                        problems.append(
                            f"{route.method} {url} as {name}: refused ({got}) but wrote rows"
                        )
            seen_api[route.operation_id][name] = got

    record = os.environ.get("ALVEOLE_MATRIX_RECORD")
    if record:
        with open(record, "w", encoding="utf-8") as out:
            out.write("PAGES = {\n")
            for key, row in seen_pages.items():
                out.write(f'    "{key}": "{" ".join(row[p] for p in matrix.PERSONAS)}",\n')
            out.write("}\nAPI = {\n")
            for key, row in seen_api.items():
                out.write(f'    "{key}": "{" ".join(row[p] for p in matrix.PERSONAS)}",\n')
            out.write("}\n")

    for kind, seen, expected in (
        ("page", seen_pages, matrix.PAGES),
        ("API operation", seen_api, matrix.API),
    ):
        for key, row in seen.items():
            if key not in expected:
                problems.append(f"{kind} {key} has no entry in the permission matrix")
                continue
            want = matrix.row(expected[key])
            for name in matrix.PERSONAS:
                if row[name] != want[name]:
                    problems.append(
                        f"{kind} {key} as {name}: got {row[name]}, matrix says {want[name]}"
                    )
        for key in expected.keys() - seen.keys():
            problems.append(f"{kind} {key} is in the matrix but no longer exists")
    assert not problems, "\n".join(problems)
