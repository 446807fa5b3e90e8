"""What every governance page shares: the access decorators and the generic form page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alveole.governance import access


def governance_access(test: Callable[[Any], bool] = access.has_governance_access) -> Callable:
    """Logged-in users who pass `test` (else 403: non-associates see nothing of governance)."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


manager_required = governance_access(access.can_manage_governance)
reader_required = governance_access(access.can_read_register)
assemblies_required = governance_access(access.can_see_assemblies)


def form_page(
    request: HttpRequest,
    *,
    form: Any,
    title: str,
    back_url: str,
    submit: str,
    intro: str = "",
    multipart: bool = False,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A page with one form; 400 when a posted form comes back with errors."""
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form, "title": title, "back_url": back_url, "submit": submit, "intro": intro,
        "multipart": multipart, **(extra or {}),
    }  # fmt: skip
    return render(request, "governance/form.html", context, status=status)
