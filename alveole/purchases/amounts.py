"""Amounts of supplier invoices: VAT per rate from line nets, VAT spread over the lines.

Pure functions on integers of cents and decimals, with the one rounding rule of
`alveole.core.money` (DOMAIN.md: VAT per rate = sum of the nets of that rate × rate,
half-up to the cent; totals are sums).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from alveole.core.money import round_cents

HUNDRED = Decimal(100)

#: VAT categories (UNTDID 5305) whose VAT the buyer may deduct when it is invoiced.
DEDUCTIBLE_CATEGORIES = frozenset({"S", "AA", "L", "M"})


def rate_key(category: str, rate: Decimal | None) -> tuple[str, Decimal | None]:
    """A (category, rate) key where 20, 20.0 and 20.00 are one rate."""
    return category or "", None if rate is None else rate.normalize()


@dataclass
class VatRow:
    """The VAT of one (category, rate): basis, VAT and the part the cooperative deducts."""

    category: str
    rate: Decimal | None
    basis_cents: int
    vat_cents: int
    deductible_vat_cents: int
    exemption_reason: str = ""


def vat_of(basis_cents: int, rate: Decimal | None) -> int:
    """VAT of a basis at a rate, half-up to the cent."""
    if rate is None:
        return 0
    return round_cents(Decimal(basis_cents) * rate / HUNDRED / 100)


def deductible(category: str, vat_cents: int) -> int:
    """The invoiced VAT of a deductible category is deducted in full; other categories carry none."""
    return vat_cents if (category or "S") in DEDUCTIBLE_CATEGORIES else 0


def vat_rows_from_lines(lines: Sequence[tuple[str, Decimal | None, int]]) -> list[VatRow]:
    """One row per (category, rate) of (category, rate, net) lines, in order of first use."""
    bases: dict[tuple[str, Decimal | None], int] = {}
    rates: dict[tuple[str, Decimal | None], Decimal | None] = {}
    for category, rate, net in lines:
        key = rate_key(category, rate)
        bases[key] = bases.get(key, 0) + net
        rates.setdefault(key, rate)
    rows = []
    for key, basis in bases.items():
        vat = vat_of(basis, rates[key])
        rows.append(VatRow(key[0], rates[key], basis, vat, deductible(key[0], vat)))
    return rows


def spread(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` cents in proportion to `weights` so that the parts add up exactly.

    Each part is the floor of its exact share; the cents left go to the largest fractional
    parts (ties to the earlier weight). With no weight (all zero) the first part takes all.
    """
    if not weights:
        return []
    whole = sum(weights)
    if whole == 0:
        return [total] + [0] * (len(weights) - 1)
    shares = [Fraction(total * w, whole) for w in weights]
    parts = [math.floor(share) for share in shares]
    left = total - sum(parts)  # the fractional parts add up to this whole number of cents
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - parts[i]), i))
    for index in order[:left]:
        parts[index] += 1
    return parts


def line_vats(
    lines: Sequence[tuple[str, Decimal | None, int]], rows: Sequence[VatRow]
) -> list[int]:
    """Each line's share of its rate's VAT, so that the lines of a rate add up to that VAT.

    A line whose rate has no row gets the VAT of its own net.
    """
    result = [0] * len(lines)
    groups: dict[tuple[str, Decimal | None], list[int]] = {}
    for index, (category, rate, _net) in enumerate(lines):
        groups.setdefault(rate_key(category, rate), []).append(index)
    by_key = {rate_key(row.category, row.rate): row for row in rows}
    for key, indexes in groups.items():
        row = by_key.get(key)
        if row is None:
            for index in indexes:
                result[index] = vat_of(lines[index][2], lines[index][1])
            continue
        shares = spread(row.vat_cents, [lines[i][2] for i in indexes])
        for index, share in zip(indexes, shares, strict=True):
            result[index] = share
    return result
