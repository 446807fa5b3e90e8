"""Template context shared by every page."""

from django.conf import settings

from alveole.core.roles import Role


def alveole(request):
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    return {
        "ROLE": Role,
        "user_role": role,
        "is_manager": role in (Role.STAFF, Role.DIRECTOR),
        "is_cooperative_wide": role in (Role.STAFF, Role.ACCOUNTANT, Role.DIRECTOR),
        "ALVEOLE_ENVIRONMENT": settings.ENVIRONMENT,
    }
