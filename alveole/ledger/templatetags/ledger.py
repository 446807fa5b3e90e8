"""Template helpers of the ledger pages: read one figure of a treasury."""

from __future__ import annotations

from django import template

from alveole.ledger.treasury import Treasury

register = template.Library()


@register.filter
def figure(treasury: Treasury, key: str) -> int:
    """The value of one figure of a treasury (`received`, `salaries`…)."""
    return treasury.value(key)


@register.filter
def paid(treasury: Treasury) -> int:
    """Supplier invoices and expense reports paid."""
    return treasury.value("purchases_paid") + treasury.value("expenses_paid")
