"""Helpers shared by the support pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The signer's IP: behind the production proxy, the address it appended last."""
    if settings.PRODUCTION:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:500]


def message_page(
    request: HttpRequest, *, title: str, message: str, status: int, level: str = "warning"
) -> HttpResponse:
    """A short page that says why something cannot be done."""
    return render(
        request,
        "support/message.html",
        {"title": title, "message": message, "level": level},
        status=status,
    )


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()
