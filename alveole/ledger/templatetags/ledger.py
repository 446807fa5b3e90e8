"""Template helpers of the ledger pages: read one figure of a treasury."""

from __future__ import annotations

from django import template

from alveole.core.formatting import format_cents
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


@register.filter
def signed(cents: int) -> str:
    """An effect on a balance: + 1 200,00 € or − 650,00 €."""
    return f"{'−' if cents < 0 else '+'} {format_cents(abs(cents))}"
