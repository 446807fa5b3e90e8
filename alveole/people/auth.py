"""Authentication: the login's backend (accounts read with their person) and the API's
hashed, revocable tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja.security import HttpBearer

from alveole.people.models import ApiToken, User


class AccountBackend(ModelBackend):
    """Django's `ModelBackend`, reading each page's account with what every page needs, in
    one query: its person (the menu names the account) and whether it has a confirmed
    authenticator (`core.twofactor.requires_two_factor`); two queries fewer per page.

    Settings list it first and `ModelBackend` second, only so that sessions opened before
    it keep working (a session names the backend that logged it in). A refused password
    stops here: `ModelBackend` must not hash it a second time.
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kw: Any
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kw)
        if user is None and password is not None:
            raise PermissionDenied  # refused; `authenticate()` tries no other backend
        return user

    def get_user(self, user_id: Any) -> Any:
        # Whether the account has a confirmed authenticator comes with it, read afresh on
        # each request as before: the second-factor check needs no query of its own.
        user = (
            User.objects.select_related("person")
            .annotate(
                has_confirmed_device=Exists(
                    TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
                )
            )
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer alv_…` — a hashed, revocable token tied to a user and a role."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.startswith("alv_"):
            return None
        found = (
            ApiToken.objects.select_related("user", "user__person")
            .filter(token_hash=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        if found.role and found.role != found.user.role:
            return None  # scoped to the role it was issued for: a role change voids it
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user
