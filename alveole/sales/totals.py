"""Totals of a quote or an invoice, by DOMAIN.md's rounding rule (EN 16931 BR-CO-17).

Line net = quantity × unit price − discount, rounded half-up to the cent; VAT per rate =
the sum of the line nets of that rate × the rate, rounded half-up to the cent; the totals
are sums of integers. Rounding is alveole.core.money.round_cents and nothing else.

Prices entered incl. VAT (a B2C document, `prices_include_vat`): line amount incl. VAT =
quantity × unit price incl. VAT − discount, rounded half-up to the cent; per rate, the total
incl. VAT is the sum of those amounts, the base excl. VAT is that total ÷ (1 + rate) rounded
half-up to the cent, and the VAT is the difference — so what the customer reads incl. VAT is
exactly what they pay. The base of a rate is shared among its lines by the largest-remainder
method (each line net is its exact share rounded down or up), so the line nets add up to the
base as EN 16931 requires (BR-CO-10, BR-S-08); the VAT then differs from base × rate by at
most one cent, inside BR-CO-17's tolerance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Protocol

from alveole.core.money import CENT, round_cents

HUNDRED = Decimal(100)
UNIT_PRICE_QUANTUM = Decimal("0.000001")


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
    #: Prices entered incl. VAT: each line's amount incl. VAT (empty otherwise).
    line_incl_vat: tuple[int, ...] = ()
    prices_include_vat: bool = False


def line_net_cents(quantity: Decimal, unit_price: Decimal, discount_cents: int = 0) -> int:
    """Quantity × unit price − discount, rounded half-up to the cent (in cents)."""
    return round_cents(Decimal(quantity) * Decimal(unit_price) - Decimal(discount_cents) / HUNDRED)


def vat_cents(base_cents: int, rate: Decimal) -> int:
    """The VAT on a base at a rate in percent, rounded half-up to the cent."""
    return round_cents(Decimal(base_cents) * Decimal(rate) / (HUNDRED * HUNDRED))


def excl_vat_price(unit_price_incl_vat: Decimal, rate: Decimal) -> Decimal:
    """The unit price excl. VAT of a price incl. VAT, to 6 decimals (shown, and BT-146)."""
    price = Decimal(unit_price_incl_vat) * HUNDRED / (HUNDRED + Decimal(rate))
    return price.quantize(UNIT_PRICE_QUANTUM, rounding=ROUND_HALF_UP)


def _includes_vat(lines: list) -> bool:
    """A document's lines carry a unit price incl. VAT all, or none of them."""
    given = [getattr(line, "unit_price_incl_vat", None) is not None for line in lines]
    if any(given) and not all(given):
        raise ValueError("lines mix prices incl. and excl. VAT")
    return bool(given) and all(given)


def compute_totals(
    lines: Iterable[PricedLine], *, prices_include_vat: bool | None = None
) -> Totals:
    """Totals of priced lines (section titles are left out by the caller).

    Prices are read incl. VAT when `prices_include_vat` says so, or, when it is None, when
    the lines carry a `unit_price_incl_vat` (the stored lines of such a document do).
    """
    lines = list(lines)
    if prices_include_vat is None:
        prices_include_vat = _includes_vat(lines)
    if prices_include_vat:
        return _totals_incl_vat(lines)
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


def _totals_incl_vat(lines: list) -> Totals:
    grosses: list[int] = []
    rates: list[Decimal] = []
    totals_by_rate: dict[Decimal, int] = {}
    reasons: dict[Decimal, list[str]] = {}
    for line in lines:
        gross = line_net_cents(line.quantity, line.unit_price_incl_vat, line.discount_cents)
        rate = Decimal(line.vat_rate).quantize(CENT)
        grosses.append(gross)
        rates.append(rate)
        totals_by_rate[rate] = totals_by_rate.get(rate, 0) + gross
        reason = getattr(line, "vat_exemption_reason", "") or ""
        if reason and reason not in reasons.setdefault(rate, []):
            reasons[rate].append(reason)
    nets = [0] * len(lines)
    vat_lines = []
    for rate, total in sorted(totals_by_rate.items(), key=lambda item: -item[0]):
        base = round_cents(Decimal(total) / (HUNDRED + rate))  # total × 100 / (100 + rate), in €
        _share(base, rate, grosses, rates, nets)
        vat_lines.append(
            VatLine(
                rate=rate,
                base_cents=base,
                vat_cents=total - base,
                exemption_reasons=tuple(reasons.get(rate, ())),
            )
        )
    incl = sum(grosses)
    excl = sum(v.base_cents for v in vat_lines)
    return Totals(
        line_nets=tuple(nets),
        vat_lines=tuple(vat_lines),
        excl_vat_cents=excl,
        vat_cents=incl - excl,
        incl_vat_cents=incl,
        line_incl_vat=tuple(grosses),
        prices_include_vat=True,
    )


def _share(base: int, rate: Decimal, grosses: list[int], rates: list[Decimal], nets: list) -> None:
    """Split a rate's base among its lines: exact shares rounded down, then one more cent
    to the lines with the largest remainders (the first line first on a tie)."""
    exact = {
        index: Decimal(gross) * HUNDRED / (HUNDRED + rate)
        for index, gross in enumerate(grosses)
        if rates[index] == rate
    }
    floors = {i: int(v.to_integral_value(rounding=ROUND_FLOOR)) for i, v in exact.items()}
    extra = base - sum(floors.values())
    assert 0 <= extra <= len(exact), "the rounded base is within one cent per line"
    by_remainder = sorted(exact, key=lambda i: (-(exact[i] - floors[i]), i))
    for index in exact:
        nets[index] = floors[index]
    for index in by_remainder[:extra]:
        nets[index] += 1


def format_rate(rate: Decimal) -> str:
    """A rate or percentage the French way, without useless zeros: 20, 5,5, 2,1."""
    text = f"{Decimal(rate).normalize():f}"
    return text.replace(".", ",")
