"""Request middleware of the core: the second factor before any page; a lost database."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from alveole.core.twofactor import confirmed_device, requires_two_factor

#: Paths reachable with a password only: the 2FA pages themselves, logging out, the API
#: (token-authenticated, no session), static files, the language switch, the health check.
EXEMPT_PREFIXES = ("/static/", "/api/", "/i18n/", "/health/", "/logout/", "/account/2fa/")


class TwoFactorMiddleware:
    """Send a logged-in user who must pass a TOTP code to set it up or type it first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The path first: reading `user` loads the session and the account, which an API
        # call (its token names the user) or a static file never needs.
        if request.path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and requires_two_factor(user)
        ):
            target = "two_factor_verify" if confirmed_device(user) else "two_factor_setup"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(target)}?{query}")
        return self.get_response(request)


logger = logging.getLogger("alveole.database")

#: Seconds a client is told to wait before trying again after a lost database.
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """Answer 503 in French when the database is lost during a request (restart, failover).

    The service that was writing ran in `transaction.atomic()`: PostgreSQL rolled it back
    when the connection dropped, so nothing is half-written and trying again is safe. The
    broken connection is closed here, so that the next request opens a fresh one (Django
    also drops it at the end of the request; `CONN_HEALTH_CHECKS` checks a reused one).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error(
            "database unavailable during %s %s: %s",
            request.method,
            request.path,
            exception,
            exc_info=exception,
        )
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
        message = _("Service momentanément indisponible, réessayez dans un instant.")
        response: HttpResponse
        if request.path.startswith("/api/"):
            # The API's one error shape (docs/api.md).
            body = {"error": {"code": "unavailable", "message": message, "fields": {}}}
            response = JsonResponse(body, status=503)
        else:
            # Rendered without the request: the context processors would query the database.
            html = render_to_string("core/unavailable.html", {"message": message})
            response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
