"""The ledger in the admin: read-only. Accounts are edited on the ledger's pages and entries
are only ever posted by the services, so the admin offers no second write path."""

from django.contrib import admin

from alveole.core.admin import DirectorAdmin
from alveole.ledger.models import Account, Entry, Journal, Line, PeriodClosing


class ReadOnlyAdmin(DirectorAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("number", "label", "active")
    search_fields = ("number", "label")


@admin.register(Journal)
class JournalAdmin(ReadOnlyAdmin):
    list_display = ("code", "label")


class LineInline(admin.TabularInline):
    model = Line
    fields = (
        "position",
        "account",
        "business",
        "label",
        "debit_cents",
        "credit_cents",
        "lettering",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("date", "journal", "number", "label", "debit_cents")
    list_filter = ("journal", "event")
    search_fields = ("label", "document_number")
    inlines = [LineInline]


@admin.register(PeriodClosing)
class PeriodClosingAdmin(ReadOnlyAdmin):
    list_display = ("through", "kind", "closed_at", "closed_by")
