"""Admin for governance reference data: the quorum rules (director only).

Nothing else is registered: every other write goes through the services and their pages,
and secret ballots must never be listed anywhere.
"""

from django.contrib import admin

from alveole.core.admin import DirectorAdmin
from alveole.governance.models import QuorumRule


@admin.register(QuorumRule)
class QuorumRuleAdmin(DirectorAdmin):
    list_display = (
        "kind",
        "convocation_round",
        "numerator",
        "denominator",
        "valid_from",
        "valid_until",
    )
    list_filter = ("kind", "convocation_round")
