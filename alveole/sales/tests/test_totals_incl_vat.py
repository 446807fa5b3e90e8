"""Prices entered incl. VAT (B2C): totals checked against values computed by hand."""

from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from alveole.sales.totals import compute_totals, excl_vat_price, vat_cents


@dataclass
class Line:
    quantity: D
    unit_price_incl_vat: D | None
    discount_cents: int = 0
    vat_rate: D = D("20")
    vat_exemption_reason: str = ""
    unit_price: D = D(0)


def test_half_cent_base_rounds_up_and_vat_is_the_difference():
    # 12.03 TTC at 20 %: 12.03 / 1.2 = 10.025 → 10.03 (half-up), VAT = 12.03 − 10.03 = 2.00.
    totals = compute_totals([Line(D("1"), D("12.03"))])
    assert (totals.excl_vat_cents, totals.vat_cents, totals.incl_vat_cents) == (1003, 200, 1203)
    assert totals.line_nets == (1003,) and totals.line_incl_vat == (1203,)
    assert totals.prices_include_vat
    # base × rate would say 2.01: the customer would pay 12.04 for a price shown 12.03.
    # BR-CO-17 tolerates the one cent; the total incl. VAT stays what was entered.
    assert vat_cents(1003, D("20")) == 201


def test_line_amount_incl_vat_rounds_half_up_before_the_split():
    # 3 × 0.335 = 1.005 → 1.01 TTC; 1.01 / 1.2 = 0.841666… → 0.84, VAT 0.17.
    totals = compute_totals([Line(D("3"), D("0.335"))])
    assert (totals.excl_vat_cents, totals.vat_cents, totals.incl_vat_cents) == (84, 17, 101)


def test_the_base_of_a_rate_is_shared_by_largest_remainder():
    # Two lines of 10.00 TTC at 20 %: 20.00 / 1.2 = 16.666… → 16.67, VAT 3.33.
    # Each line is 8.333…: floors 8.33 + 8.33 = 16.66, the missing cent goes to the first.
    totals = compute_totals([Line(D("1"), D("10")), Line(D("1"), D("10"))])
    assert totals.line_nets == (834, 833)
    assert (totals.excl_vat_cents, totals.vat_cents, totals.incl_vat_cents) == (1667, 333, 2000)


def test_mixed_rates_decimals_discount_and_negative_line():
    lines = [
        # 2.5 × 3.99 = 9.975 → 9.98 TTC at 10 %: 9.98 / 1.1 = 9.0727… → 9.07, VAT 0.91
        Line(D("2.5"), D("3.99"), vat_rate=D("10")),
        # 3 × 7.00 − 1.00 discount TTC = 20.00 at 20 %
        Line(D("3"), D("7.00"), discount_cents=100),
        # 21.10 TTC at 5.5 %: 21.10 / 1.055 = 20.00 exactly, VAT 1.10
        Line(D("1"), D("21.10"), vat_rate=D("5.5")),
        # −5.00 TTC at 20 % (a deduction)
        Line(D("-1"), D("5.00")),
    ]
    totals = compute_totals(lines)
    # 20 %: 20.00 − 5.00 = 15.00 TTC → 15.00 / 1.2 = 12.50, VAT 2.50;
    # shares 16.666… (floor 16.66, remainder .667) and −4.1666… (floor −4.17, remainder
    # .333): 16.66 − 4.17 = 12.49, the missing cent goes to the larger remainder → 16.67.
    assert totals.line_incl_vat == (998, 2000, 2110, -500)
    assert totals.line_nets == (907, 1667, 2000, -417)
    assert [(v.rate, v.base_cents, v.vat_cents) for v in totals.vat_lines] == [
        (D("20.00"), 1250, 250), (D("10.00"), 907, 91), (D("5.50"), 2000, 110),
    ]  # fmt: skip
    assert (totals.excl_vat_cents, totals.vat_cents, totals.incl_vat_cents) == (4157, 451, 4608)
    # What every TTC total keeps: per rate, TTC = base + VAT and the nets add up to the base.
    for vat in totals.vat_lines:
        pairs = zip(totals.line_nets, lines, strict=True)
        nets = [n for n, line in pairs if line.vat_rate == vat.rate]
        assert sum(nets) == vat.base_cents
        assert abs(vat.vat_cents - vat_cents(vat.base_cents, vat.rate)) <= 1


def test_exempt_lines_incl_vat_equal_excl_vat():
    totals = compute_totals(
        [Line(D("7"), D("60"), vat_rate=D("0"), vat_exemption_reason="Formation")]
    )
    assert (totals.excl_vat_cents, totals.vat_cents, totals.incl_vat_cents) == (42000, 0, 42000)
    assert totals.vat_lines[0].exemption_reasons == ("Formation",)


def test_mode_is_read_from_the_lines_and_never_mixed():
    excl = Line(D("1"), None, unit_price=D("10"))
    assert compute_totals([excl]).incl_vat_cents == 1200
    assert not compute_totals([excl]).prices_include_vat
    with pytest.raises(ValueError):
        compute_totals([excl, Line(D("1"), D("12"))])


def test_excl_vat_unit_price_is_kept_to_six_decimals():
    assert excl_vat_price(D("12.03"), D("20")) == D("10.025000")
    assert excl_vat_price(D("3.99"), D("10")) == D("3.627273")
    assert excl_vat_price(D("21.10"), D("5.5")) == D("20.000000")
