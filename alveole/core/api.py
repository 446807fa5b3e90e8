"""Shared pieces of the REST API: the one error schema, pagination, write permission."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import WithJsonSchema

from alveole.core.permissions import can_manage

#: The largest page a list route serves, whatever the client asks.
MAX_PAGE_SIZE = 200


def inline_enum(choices: type[Enum]) -> Any:
    """A model's choices as an enum written inline in the OpenAPI schema.

    django-ninja keeps one component per name, and several models have a `Kind` or a
    `Status`: as components, one would stand for the others in the documented answers.
    Inline, every field documents its own values; validation still gives the model's enum.
    """
    values = [member.value for member in choices]
    return Annotated[choices, WithJsonSchema({"type": "string", "enum": values})]


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorDetail


#: Error responses every route documents.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PageQuery(Schema):
    """The pagination query of every list route: `?page=1&page_size=50` (at most 200)."""

    page: int = Field(1, ge=1, description="Numéro de page, à partir de 1.")
    page_size: int | None = Field(
        None, ge=1, le=MAX_PAGE_SIZE, description="Résultats par page (200 au plus)."
    )


def paginate(queryset: QuerySet, *, page: int, page_size: int | None) -> dict[str, Any]:
    """One page of a queryset: `{count, page, page_size, results}` in two queries."""
    size = page_size or min(settings.ALVEOLE_API_PAGE_SIZE, MAX_PAGE_SIZE)
    offset = (page - 1) * size
    return {
        "count": queryset.count(),
        "page": page,
        "page_size": size,
        "results": list(queryset[offset : offset + size]),
    }


def require_manager(request: HttpRequest) -> None:
    """Writes are for support staff and direction: anyone else gets a 403."""
    if not can_manage(request.user):
        raise PermissionDenied


@contextmanager
def api_field_names(names: dict[str, str]) -> Iterator[None]:
    """Report a service's field errors under the names the API uses (`office` → `office_id`)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(name, name): errors for name, errors in error.error_dict.items()}
        ) from None
