"""Amounts computed from the lines, with Alvéole's rounding (DOMAIN.md, matching BR-CO-17).

`complete` fills the VAT breakdown (BG-23) and totals (BG-22) of an invoice being issued;
`discrepancies` compares what a received invoice declares with what its lines add up to.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from alveole.core.formatting import format_cents
from alveole.core.money import round_cents
from alveole.einvoicing.document import Invoice, Line, Totals, VatBreakdown

HUNDRED = Decimal(100)


def line_net_amount(line: Line) -> int | None:
    """BT-131 = quantity × net price ÷ base quantity − line allowances + line charges."""
    if line.quantity is None or line.net_price is None:
        return None
    base = line.price_base_quantity or Decimal(1)
    amount = round_cents(line.quantity * line.net_price / base)
    for allowance in line.allowances_charges:
        amount += allowance.amount if allowance.is_charge else -allowance.amount
    return amount


def vat_breakdown(invoice: Invoice) -> list[VatBreakdown]:
    """BG-23 per (category, rate): basis from lines and document allowances/charges.

    The exemption reasons already present on the invoice for a category are kept.
    """
    bases: dict[tuple[str | None, Decimal | None], int] = {}
    rates: dict[tuple[str | None, Decimal | None], Decimal | None] = {}
    entries = [(line.vat_category, line.vat_rate, line.net_amount or 0) for line in invoice.lines]
    entries += [
        (a.vat_category, a.vat_rate, a.amount if a.is_charge else -a.amount)
        for a in invoice.allowances_charges
    ]
    for category, rate, amount in entries:
        key = (category, _normal(rate))
        bases[key] = bases.get(key, 0) + amount
        rates.setdefault(key, rate)
    reasons = {
        (b.category, _normal(b.rate)): (b.exemption_reason, b.exemption_reason_code)
        for b in invoice.vat_breakdown
    }
    result = []
    for key, basis in bases.items():
        category, rate = key[0], rates[key]
        amount = round_cents(Decimal(basis) * (rate or 0) / HUNDRED / 100)
        reason, code = reasons.get(key, (None, None))
        result.append(
            VatBreakdown(
                basis=basis,
                amount=amount,
                category=category,
                rate=rate,
                exemption_reason=reason,
                exemption_reason_code=code,
            )
        )
    return result


def totals(invoice: Invoice, breakdown: list[VatBreakdown] | None = None) -> Totals:
    """BG-22 from the lines, document allowances/charges, breakdown, prepaid and rounding."""
    breakdown = vat_breakdown(invoice) if breakdown is None else breakdown
    line_total = sum((line.net_amount or 0) for line in invoice.lines)
    allowances = [a.amount for a in invoice.allowances_charges if not a.is_charge]
    charges = [a.amount for a in invoice.allowances_charges if a.is_charge]
    allowance_total = sum(allowances) if allowances else None
    charge_total = sum(charges) if charges else None
    tax_exclusive = line_total - (allowance_total or 0) + (charge_total or 0)
    vat_total = sum((b.amount or 0) for b in breakdown)
    tax_inclusive = tax_exclusive + vat_total
    prepaid = invoice.totals.prepaid
    rounding = invoice.totals.rounding
    return Totals(
        line_total=line_total,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive=tax_exclusive,
        vat_total=vat_total,
        vat_total_accounting_currency=invoice.totals.vat_total_accounting_currency,
        tax_inclusive=tax_inclusive,
        prepaid=prepaid,
        rounding=rounding,
        due=tax_inclusive - (prepaid or 0) + (rounding or 0),
    )


def complete(invoice: Invoice) -> Invoice:
    """A copy of the invoice with line nets (where missing), BG-23 and BG-22 computed."""
    lines = [
        line
        if line.net_amount is not None
        else dataclasses.replace(line, net_amount=line_net_amount(line))
        for line in invoice.lines
    ]
    draft = dataclasses.replace(invoice, lines=lines)
    breakdown = vat_breakdown(draft)
    return dataclasses.replace(draft, vat_breakdown=breakdown, totals=totals(draft, breakdown))


@dataclass(frozen=True)
class Discrepancy:
    """A declared amount that differs from the amount computed from the lines."""

    term: str  # "BT-131 ligne 3", "BT-109"…
    declared: int
    computed: int

    @property
    def message(self) -> str:
        """French text for the person who handles a received invoice."""
        return (
            f"{self.term} : montant déclaré {format_cents(self.declared)}, "
            f"montant recalculé {format_cents(self.computed)} (écart {format_cents(self.declared - self.computed)})"
        )


def discrepancies(invoice: Invoice) -> list[Discrepancy]:
    """Every declared total (and line net) that the lines do not add up to; empty when all agree.

    Totals absent from the document (MINIMUM profile) are not compared; neither are lines
    without quantity or price.
    """
    found: list[Discrepancy] = []
    for line in invoice.lines:
        computed_line = line_net_amount(line)
        if (
            line.net_amount is not None
            and computed_line is not None
            and computed_line != line.net_amount
        ):
            found.append(Discrepancy(f"BT-131 ligne {line.id}", line.net_amount, computed_line))
    if not invoice.lines:
        return found
    computed = totals(invoice, invoice.vat_breakdown)
    declared = invoice.totals
    for term, declared_value, computed_value in (
        ("BT-106", declared.line_total, computed.line_total),
        ("BT-107", declared.allowance_total or 0, computed.allowance_total or 0),
        ("BT-108", declared.charge_total or 0, computed.charge_total or 0),
        ("BT-109", declared.tax_exclusive, computed.tax_exclusive),
        ("BT-110", declared.vat_total, computed.vat_total),
        ("BT-112", declared.tax_inclusive, _sum(declared.tax_exclusive, declared.vat_total)),
        ("BT-115", declared.due, _due(declared)),
    ):
        if (
            declared_value is not None
            and computed_value is not None
            and declared_value != computed_value
        ):
            found.append(Discrepancy(term, declared_value, computed_value))
    for breakdown in invoice.vat_breakdown:
        if breakdown.basis is None or breakdown.amount is None or breakdown.rate is None:
            continue
        expected = round_cents(Decimal(breakdown.basis) * breakdown.rate / HUNDRED / 100)
        if abs(expected - breakdown.amount) > 1:  # EN 16931 tolerates one cent per breakdown
            found.append(
                Discrepancy(
                    f"BT-117 ({breakdown.category} {breakdown.rate} %)", breakdown.amount, expected
                )
            )
    return found


def _sum(*values: int | None) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _due(declared: Totals) -> int | None:
    if declared.tax_inclusive is None:
        return None
    return declared.tax_inclusive - (declared.prepaid or 0) + (declared.rounding or 0)


def _normal(rate: Decimal | None) -> Decimal | None:
    """Rates as keys: 20, 20.0 and 20.00 are one rate."""
    return None if rate is None else rate.normalize()
