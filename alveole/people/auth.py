"""API authentication by hashed, revocable tokens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from alveole.people.models import ApiToken


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
