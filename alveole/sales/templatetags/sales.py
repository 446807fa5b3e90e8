"""Template filters of the sales pages and PDFs: amounts, quantities, prices, rates, dates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template

from alveole.core.formatting import NARROW_NBSP, format_cents, format_date
from alveole.sales.totals import format_rate

register = template.Library()


@register.filter
def cents(value: int | None) -> str:
    """12345 → 123,45 €."""
    return format_cents(value)


@register.filter
def cents_plain(value: int | None) -> str:
    """12345 → 123,45 (no currency sign, for tables)."""
    return format_cents(value, currency=False)


def _french_number(value: Decimal, min_places: int) -> str:
    text = f"{Decimal(value).normalize():f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.ljust(min_places, "0")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    number = sign + NARROW_NBSP.join(groups or ["0"])
    return f"{number},{fraction}" if fraction else number


@register.filter
def quantity(value: Decimal | None) -> str:
    """1.5000 → 1,5; 3.0000 → 3."""
    return "" if value is None else _french_number(value, 0)


@register.filter
def price(value: Decimal | None) -> str:
    """12.500000 → 12,50 €; 0.123456 → 0,123456 € (at least two decimals)."""
    return "" if value is None else f"{_french_number(value, 2)}{NARROW_NBSP}€"


@register.filter
def rate(value: Decimal | None) -> str:
    """20.00 → 20 %; 5.50 → 5,5 %."""
    return "" if value is None else f"{format_rate(value)}{NARROW_NBSP}%"


@register.filter
def fdate(value: datetime.date | str | None) -> str:
    """A date (or an ISO string from a snapshot) as 31/12/2026."""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value) if value else None
    return format_date(value)
