"""Two-factor authentication (TOTP): required for staff, accountant and director.

After the password, a user whose role requires it (settings.ALVEOLE_2FA_REQUIRED_ROLES)
or who turned it on sets up or types the code of an authenticator application before any
other page (core.middleware.TwoFactorMiddleware). django-otp keeps the devices, checks the
codes (with its own growing delay after wrong codes) and marks the session as verified.
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from alveole.core.forms import TotpCodeForm
from alveole.core.services import audit_record


def requires_two_factor(user: Any) -> bool:
    """True when this account must pass a TOTP code: its role requires it or it turned it on."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in settings.ALVEOLE_2FA_REQUIRED_ROLES:
        return True
    known = getattr(user, "has_confirmed_device", None)  # read with the page's account
    if known is not None:
        return bool(known)
    return confirmed_device(user) is not None


def role_requires_two_factor(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role in settings.ALVEOLE_2FA_REQUIRED_ROLES
    )


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def verify_session(request: HttpRequest, device: TOTPDevice) -> None:
    """Mark the session as having passed the second factor with `device`."""
    otp_login(request, device)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _qr_svg(device: TOTPDevice, user: Any) -> str:
    """The otpauth:// URI of the device as an inline SVG QR code."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title=user.email)


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Show a new secret (QR code and text) and confirm it with a first code."""
    user = request.user
    if confirmed_device(user) is not None and not user.is_verified():
        return redirect("two_factor_verify")
    if confirmed_device(user) is not None:
        messages.info(request, _("La double authentification est déjà activée."))
        return redirect("two_factor")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Application", confirmed=False)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = _check_code(device, form.cleaned_data["code"])
        if error is None:
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(
                    actor=user,
                    action="update",
                    target=user,
                    summary=f"Double authentification activée pour {user.email}",
                )
            verify_session(request, device)
            messages.success(request, _("Double authentification activée."))
            return redirect(_next_url(request))
        form.add_error("code", error)
    return render(
        request,
        "core/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device, user),
            "secret": _base32(device),
            "next": _next_url(request),
        },
    )


def _check_code(device: TOTPDevice, code: str) -> str | None:
    """None when `code` is right; else the French reason (wrong, or too many wrong codes)."""
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        return _("Trop de codes incorrects : attendez quelques secondes avant de réessayer.")
    if device.verify_token(code):
        return None
    return _("Code incorrect : vérifiez l'heure de votre téléphone.")


def _base32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Ask the code of the confirmed device after the password."""
    device = confirmed_device(request.user)
    if device is None:
        return redirect("two_factor_setup")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = _check_code(device, form.cleaned_data["code"])
        if error is None:
            verify_session(request, device)
            return redirect(_next_url(request))
        form.add_error("code", error)
    return render(
        request, "core/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
def status(request: HttpRequest) -> HttpResponse:
    """The account's second factor: on or off, set up, turn off (when the role allows it)."""
    return render(
        request,
        "core/two_factor.html",
        {
            "device": confirmed_device(request.user),
            "required": role_requires_two_factor(request.user),
        },
    )


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Entrepreneurs may turn the second factor off again; other roles may not."""
    user = request.user
    if role_requires_two_factor(user):
        messages.error(request, _("Votre rôle impose la double authentification."))
        return redirect("two_factor")
    with transaction.atomic():
        deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
        if deleted:
            audit_record(
                actor=user,
                action="update",
                target=user,
                summary=f"Double authentification désactivée pour {user.email}",
            )
    messages.success(request, _("Double authentification désactivée."))
    return redirect("two_factor")


def force_login_verified(client: Any, user: Any) -> None:
    """Log a test client (or a benchmark's) in as `user` with the second factor passed.

    For code that drives pages without a phone: tests' personas and benchmark commands.
    The user gets a confirmed TOTP device when their role requires one.
    """
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    if not role_requires_two_factor(user):
        return
    device = confirmed_device(user) or TOTPDevice.objects.create(
        user=user, name="Application", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
