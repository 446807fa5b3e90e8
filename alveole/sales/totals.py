"""Totals of a quote or an invoice, by DOMAIN.md's rounding rule (EN 16931 BR-CO-17).

Line net = quantity × unit price − discount, rounded half-up to the cent; VAT per rate =
the sum of the line nets of that rate × the rate, rounded half-up to the cent; the totals
are sums of integers. Rounding is alveole.core.money.round_cents and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from alveole.core.money import CENT, round_cents

HUNDRED = Decimal(100)


class PricedLine(Protocol):
    quantity: Decimal
    unit_price: Decimal
    discount_cents: int
    vat_rate: Decimal


@dataclass(frozen=True)
class VatLine:
    """The base and the VAT of one rate (the exemption reasons when the rate is 0)."""

    rate: Decimal
    base_cents: int
    vat_cents: int
    exemption_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Totals:
    """Net of each item line, VAT per rate, and the three totals, all in cents."""

    line_nets: tuple[int, ...]
    vat_lines: tuple[VatLine, ...]
    excl_vat_cents: int
    vat_cents: int
    incl_vat_cents: int


def line_net_cents(quantity: Decimal, unit_price: Decimal, discount_cents: int = 0) -> int:
    """Quantity × unit price − discount, rounded half-up to the cent (in cents)."""
    return round_cents(Decimal(quantity) * Decimal(unit_price) - Decimal(discount_cents) / HUNDRED)


def vat_cents(base_cents: int, rate: Decimal) -> int:
    """The VAT on a base at a rate in percent, rounded half-up to the cent."""
    return round_cents(Decimal(base_cents) * Decimal(rate) / (HUNDRED * HUNDRED))


def compute_totals(lines: Iterable[PricedLine]) -> Totals:
    """Totals of priced lines (section titles are left out by the caller)."""
    nets: list[int] = []
    bases: dict[Decimal, int] = {}
    reasons: dict[Decimal, list[str]] = {}
    for line in lines:
        net = line_net_cents(line.quantity, line.unit_price, line.discount_cents)
        nets.append(net)
        rate = Decimal(line.vat_rate).quantize(CENT)
        bases[rate] = bases.get(rate, 0) + net
        reason = getattr(line, "vat_exemption_reason", "") or ""
        if reason and reason not in reasons.setdefault(rate, []):
            reasons[rate].append(reason)
    vat_lines = tuple(
        VatLine(
            rate=rate,
            base_cents=base,
            vat_cents=vat_cents(base, rate),
            exemption_reasons=tuple(reasons.get(rate, ())),
        )
        for rate, base in sorted(bases.items(), key=lambda item: -item[0])
    )
    excl = sum(nets)
    vat = sum(v.vat_cents for v in vat_lines)
    return Totals(
        line_nets=tuple(nets),
        vat_lines=vat_lines,
        excl_vat_cents=excl,
        vat_cents=vat,
        incl_vat_cents=excl + vat,
    )


def format_rate(rate: Decimal) -> str:
    """A rate or percentage the French way, without useless zeros: 20, 5,5, 2,1."""
    text = f"{Decimal(rate).normalize():f}"
    return text.replace(".", ",")
