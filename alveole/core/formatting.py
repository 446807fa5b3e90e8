"""French formatting of amounts and dates, in one place."""

from __future__ import annotations

import datetime
from decimal import Decimal

from alveole.core.money import from_cents

NARROW_NBSP = "\u202f"


def format_amount(amount: Decimal, *, currency: bool = True) -> str:
    """Format an amount the French way: 2 582 855,00 €."""
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = f"{sign}{NARROW_NBSP.join(groups)},{fraction}"
    return f"{text}{NARROW_NBSP}€" if currency else text


def format_cents(cents: int | None, *, currency: bool = True) -> str:
    """Format integer cents as a French amount; None gives an empty string."""
    if cents is None:
        return ""
    return format_amount(from_cents(cents), currency=currency)


def format_date(value: datetime.date | None) -> str:
    """Format a date as 31/12/2021."""
    return value.strftime("%d/%m/%Y") if value else ""


def format_hours(hours: Decimal | None) -> str:
    """Hours the French way, without useless decimals: 70, 151,67."""
    if hours is None:
        return ""
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
