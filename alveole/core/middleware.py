"""Request middleware of the core: the second factor before any page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from alveole.core.twofactor import confirmed_device, requires_two_factor

#: Paths reachable with a password only: the 2FA pages themselves, logging out, the API
#: (token-authenticated, no session), static files, the language switch, the health check.
EXEMPT_PREFIXES = ("/static/", "/api/", "/i18n/", "/health/", "/logout/", "/account/2fa/")


class TwoFactorMiddleware:
    """Send a logged-in user who must pass a TOTP code to set it up or type it first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
            and requires_two_factor(user)
        ):
            target = "two_factor_verify" if confirmed_device(user) else "two_factor_setup"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(target)}?{query}")
        return self.get_response(request)
