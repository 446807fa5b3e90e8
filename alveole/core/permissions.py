"""Permission helpers for views: one way to say which roles may open a page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from alveole.core.roles import COOPERATIVE_WIDE_ROLES, MANAGER_ROLES, SENSITIVE_DATA_ROLES


def role_required(*roles: str) -> Callable:
    """Restrict a view to logged-in users whose role is one of `roles` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def can_manage(user: Any) -> bool:
    """Support staff and direction manage people's paths and businesses."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.role in MANAGER_ROLES
    )


def can_see_sensitive(user: Any) -> bool:
    """Situation-at-entry data (RSA, job seeker) is for support work only."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in SENSITIVE_DATA_ROLES
    )


def is_cooperative_wide(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in COOPERATIVE_WIDE_ROLES
    )
