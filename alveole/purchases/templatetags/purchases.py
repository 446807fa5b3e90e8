"""Template filters of the purchases pages: rates, quantities, prices, amounts in a currency."""

from __future__ import annotations

from decimal import Decimal

from django import template

from alveole.core.formatting import NARROW_NBSP, format_cents

register = template.Library()


def _french(value: Decimal, min_places: int = 0) -> str:
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
def rate(value: Decimal | None) -> str:
    """20.00 → 20 %; 5.50 → 5,5 %; None → « non précisé »."""
    if value is None:
        return "—"
    return f"{_french(value)}{NARROW_NBSP}%"


@register.filter
def number(value: Decimal | None) -> str:
    """1.500000 → 1,5; a price keeps the decimals it needs."""
    return "" if value is None else _french(value)


@register.filter
def price(value: Decimal | None) -> str:
    """12.5 → 12,50 €."""
    return "" if value is None else f"{_french(value, 2)}{NARROW_NBSP}€"


@register.simple_tag
def money(cents: int | None, currency: str = "EUR") -> str:
    """Cents in a currency: 1 234,50 € for euros, 1 234,50 DKK otherwise."""
    if cents is None:
        return ""
    if currency in ("", "EUR"):
        return format_cents(cents)
    return f"{format_cents(cents, currency=False)}{NARROW_NBSP}{currency}"
