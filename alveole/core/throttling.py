"""Login throttling: after N failed passwords an address is locked for a while.

A small counter table rather than a package: one rule (N failures, then a lockout of
ALVEOLE_LOGIN_LOCKOUT_SECONDS), shared by every process through the database, and
independent of how the test client logs in. While locked, even the right password is
refused, with a French message giving the delay.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alveole.core.models import LoginThrottle


def _key(email: str) -> str:
    return (email or "").strip().lower()[:254]


def locked_for(email: str) -> int:
    """Seconds left on the lockout of this address (0 when it may try to log in)."""
    row = LoginThrottle.objects.filter(email=_key(email)).only("locked_until").first()
    if row is None or row.locked_until is None:
        return 0
    left = (row.locked_until - timezone.now()).total_seconds()
    return max(0, math.ceil(left))


@transaction.atomic
def record_failure(email: str) -> int:
    """Count one failed login; returns the lockout seconds it triggered (0 if none)."""
    now = timezone.now()
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(email=_key(email))
    window = datetime.timedelta(seconds=settings.ALVEOLE_LOGIN_LOCKOUT_SECONDS)
    if row.last_failure_at is None or now - row.last_failure_at > window:
        row.failures = 0  # old failures are forgotten after one lockout period
    row.failures += 1
    row.last_failure_at = now
    locked = 0
    if row.failures >= settings.ALVEOLE_LOGIN_MAX_FAILURES:
        row.locked_until = now + window
        row.failures = 0
        locked = settings.ALVEOLE_LOGIN_LOCKOUT_SECONDS
    row.save()
    return locked


def record_success(email: str) -> None:
    LoginThrottle.objects.filter(email=_key(email)).delete()


def lockout_message(seconds: int) -> str:
    from django.utils.translation import ngettext

    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Trop de tentatives de connexion échouées : ce compte est bloqué pendant encore "
        "%(minutes)d minute. Réessayez plus tard ou utilisez « Mot de passe oublié ».",
        "Trop de tentatives de connexion échouées : ce compte est bloqué pendant encore "
        "%(minutes)d minutes. Réessayez plus tard ou utilisez « Mot de passe oublié ».",
        minutes,
    ) % {"minutes": minutes}
