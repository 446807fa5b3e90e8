"""Who may see and do what in governance: one place for the views, selectors and tests.

- Support staff and the direction manage (register, assemblies, board).
- The accountant reads the register, the capital and the board.
- An associate (a person whose associateship runs today) reads the register and the board,
  their own shares, and takes part in the assemblies they are convened to.
- Anyone else — an entrepreneur who is not an associate, for instance — sees nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from alveole.core.dates import today
from alveole.core.permissions import can_manage, is_cooperative_wide
from alveole.people.models import Associateship


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_associate(user: Any, at: datetime.date | None = None) -> bool:
    """Whether the user's person is an associate at the date (today by default); cached per user."""
    if not _active(user) or not user.person_id:
        return False
    day = at or today()
    cache = user.__dict__.setdefault("_governance_associate", {})
    if day not in cache:
        cache[day] = (
            Associateship.objects.filter(person_id=user.person_id, start_date__lte=day)
            .exclude(end_date__lte=day)
            .exists()
        )
    return cache[day]


def can_manage_governance(user: Any) -> bool:
    """Support staff and the direction prepare assemblies and keep the register."""
    return can_manage(user)


def can_read_register(user: Any) -> bool:
    """The register is a legal register open to associates; staff roles read it too."""
    return is_cooperative_wide(user) or is_associate(user)


def can_see_assemblies(user: Any) -> bool:
    return can_manage(user) or is_associate(user)


def has_governance_access(user: Any) -> bool:
    """Whether governance exists at all for the user (else every page answers 403)."""
    return can_read_register(user)
