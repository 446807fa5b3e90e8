"""Template context for the navigation: whether governance exists for the user.

To register in settings.TEMPLATES (core cannot import governance: the arrow points the
other way). Lazy: no query unless a template reads it.
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from alveole.governance import access


def governance(request):
    user = getattr(request, "user", None)
    return {
        "governance_access": SimpleLazyObject(lambda: access.has_governance_access(user)),
        "governance_is_associate": SimpleLazyObject(lambda: access.is_associate(user)),
    }
