"""Admin access for the director: reference data, and the audit trail read-only."""

from django.contrib import admin

from alveole.core.models import AuditEvent
from alveole.core.roles import Role


class DirectorAdmin(admin.ModelAdmin):
    """Reference data is edited by the director (and superusers) only."""

    def _is_director(self, request) -> bool:
        user = request.user
        return user.is_active and (
            user.is_superuser or getattr(user, "role", None) == Role.DIRECTOR
        )

    def has_module_permission(self, request) -> bool:
        return self._is_director(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_director(request)

    def has_add_permission(self, request) -> bool:
        return self._is_director(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_director(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_director(request)


@admin.register(AuditEvent)
class AuditEventAdmin(DirectorAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id", "summary")
    list_filter = ("action", "target_type")
    search_fields = ("summary", "target_id", "actor__email")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
