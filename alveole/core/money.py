"""Money: integer cents in the database, Decimal in arithmetic, one rounding rule."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def round_cents(amount: Decimal) -> int:
    """Round a euro amount half-up to the cent and return it as integer cents."""
    return int((amount / CENT).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def to_cents(value: str | int | Decimal) -> int:
    """Parse a euro amount ("1 234,56", "1234.56", Decimal) into integer cents."""
    if isinstance(value, int):
        return value * 100
    if isinstance(value, str):
        cleaned = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        cleaned = cleaned.replace("€", "").replace(",", ".")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    return round_cents(value)


def from_cents(cents: int) -> Decimal:
    """Return integer cents as a Decimal amount in euros."""
    return (Decimal(cents) * CENT).quantize(CENT)
