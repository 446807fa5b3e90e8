"""API fuzzing: schemathesis against Alvéole's own OpenAPI schema, as each role.

Every operation gets a few generated requests (bodies, query strings) through the WSGI
application, with a token of each role; path identifiers point at the route world's
objects so that the requests reach real records. Zero server errors and zero responses
outside the schema (status code, content type, body) are allowed. Each request runs in a
rolled-back savepoint. ALVEOLE_FUZZ_EXAMPLES raises the number of examples (CI: 2).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from pydantic import WithJsonSchema
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from alveole.core.tests.route_world import build_world
from alveole.core.tests.routes import API_PARAMS

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("ALVEOLE_FUZZ_EXAMPLES", "2"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app():
    """Django's WSGI application in this thread: it sees the test's transaction."""
    # As django.test.Client does: the test's connection must survive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _path_values(operation, world) -> dict[str, object]:
    values = {}
    for name in (
        operation.path_parameters.names
        if hasattr(operation.path_parameters, "names")
        else [p.name for p in operation.path_parameters]
    ):
        if name == "invoice_id":
            source = (
                "purchase_invoice" if operation.path.startswith("/api/purchases/") else "invoice"
            )
        else:
            source = API_PARAMS.get(name, "")
        if source.startswith("="):
            values[name] = source[1:]
        elif source:
            values[name] = world.pk(source)
    return values


def _fuzzer(
    operation, fixed: dict[str, object], headers: dict[str, str], sent: list[str], checks: list
):
    """A hypothesis test sending generated requests to one operation, each rolled back."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case) -> None:
        sent.append(operation.path)
        if case.path_parameters:
            case.path_parameters.update(fixed)
        with transaction.atomic():
            try:
                case.call_and_validate(headers=headers, checks=checks)
            finally:
                transaction.set_rollback(True)

    return fuzz


@pytest.mark.parametrize("role", ["entrepreneur", "staff", "accountant", "director"])
def test_api_answers_within_its_schema_and_never_fails(
    personas, role, wsgi_app, settings, tmp_path
):
    from alveole.people.services import api_token_create

    settings.MEDIA_ROOT = tmp_path / "files"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    world = build_world(personas)
    user = getattr(personas, role).user
    _token, raw = api_token_create(actor=None, user=user, name="fuzz")
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    failures: list[str] = []

    only = os.environ.get("ALVEOLE_FUZZ_ONLY", "")
    sent: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if only and not operation.path.startswith(only):
            continue
        try:
            _fuzzer(operation, _path_values(operation, world), headers, sent, CHECKS)()
        except Exception as error:
            failures.append(f"{operation.method.upper()} {operation.path} as {role}:\n{error}")
    assert not failures, "\n\n".join(failures)
    assert len(set(sent)) > (3 if only else 100)  # every operation was reached


def _shape(cls) -> object:
    """A schema without its descriptions: two classes of one shape may share a name."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("description", "title")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(cls.model_json_schema())


def _named_types() -> dict[str, set[tuple[str, object]]]:
    """name → {(where, shape)} of every schema class and choice enum the API documents."""
    import enum
    import typing

    from ninja import Schema

    from alveole.api import api

    components = set(api.get_openapi_schema()["components"]["schemas"])
    found: dict[str, set[tuple[str, object]]] = {}

    def enums(annotation: object) -> list[type]:
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return [annotation]
        args = typing.get_args(annotation)
        if typing.get_origin(annotation) is typing.Annotated and any(
            isinstance(arg, WithJsonSchema) for arg in args
        ):
            return []  # written inline (core.api.inline_enum): no component, no name
        return [e for arg in args for e in enums(arg)]

    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith("alveole."):
            continue
        if cls.__name__ in components:
            shape = repr(_shape(cls))
            found.setdefault(cls.__name__, set()).add((cls.__module__, shape))
        for field in cls.model_fields.values():
            if any(isinstance(meta, WithJsonSchema) for meta in field.metadata):
                continue  # Annotated at the top: pydantic keeps the marker aside
            for choice in enums(field.annotation):
                values = tuple(sorted(str(member.value) for member in choice))
                where = f"{choice.__module__}.{choice.__qualname__}"
                found.setdefault(choice.__name__, set()).add((where, values))
    return found


def _shared_names() -> dict[str, list[str]]:
    shared = {}
    for name, variants in _named_types().items():
        if len({shape for _where, shape in variants}) > 1:
            shared[name] = sorted(where for where, _shape in variants)
    return shared


def test_schema_names_are_unique():
    """django-ninja keeps one component per name: two `InvoiceOut` (or two `Status` enums)
    make the documented answer of one operation the other's (schemathesis found it)."""
    assert not _shared_names()


def test_choices_shared_by_several_models_are_inline():
    """`Kind` and `Status` exist in several models: none of them is a component, each field
    lists its own values."""
    from alveole.api import api

    schema = api.get_openapi_schema()
    assert not {"Kind", "Status"} & set(schema["components"]["schemas"])
    kind = schema["components"]["schemas"]["CustomerIn"]["properties"]["kind"]
    assert set(kind["enum"]) == {"company", "individual", "public_body", "association"}
