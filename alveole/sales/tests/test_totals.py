"""Totals by DOMAIN.md's rule, checked against values computed by hand."""

from dataclasses import dataclass
from decimal import Decimal as D

from alveole.sales.totals import compute_totals, format_rate, line_net_cents, vat_cents


@dataclass
class Line:
    quantity: D
    unit_price: D
    discount_cents: int = 0
    vat_rate: D = D("20")
    vat_exemption_reason: str = ""


def test_line_net_rounds_half_up_to_the_cent():
    # 3 × 0.335 = 1.005 → 1.01 (half-up), not banker's 1.00
    assert line_net_cents(D("3"), D("0.335")) == 101
    # 1.5 h × 33.333333 = 49.9999995 → 50.00
    assert line_net_cents(D("1.5"), D("33.333333")) == 5000
    # 0.3333 × 100 = 33.33 exactly
    assert line_net_cents(D("0.3333"), D("100")) == 3333
    # discount is taken before rounding: 7 × 12.345 = 86.415 − 10.00 = 76.415 → 76.42
    assert line_net_cents(D("7"), D("12.345"), 1000) == 7642


def test_negative_lines_round_symmetrically():
    # −1 × 0.005 = −0.005 → −0.01 (half away from zero, the mirror of +0.005 → 0.01)
    assert line_net_cents(D("-1"), D("0.005")) == -1
    assert line_net_cents(D("1"), D("0.005")) == 1


def test_vat_is_computed_per_rate_on_the_sum_of_nets_not_per_line():
    # Three lines of 0.05 € at 5.5 %: per line VAT would be 3 × round(0.00275) = 0,
    # on the sum: 0.15 × 5.5 % = 0.00825 → 0.01.
    lines = [Line(D("1"), D("0.05"), vat_rate=D("5.5")) for _ in range(3)]
    totals = compute_totals(lines)
    assert totals.excl_vat_cents == 15
    assert totals.vat_cents == 1
    assert totals.incl_vat_cents == 16


def test_mixed_rates_discounts_decimal_quantities_and_a_negative_line():
    lines = [
        Line(D("2.5"), D("123.456789")),  # 308.6419725 → 308.64 at 20 %
        Line(D("3"), D("19.99"), discount_cents=500),  # 59.97 − 5 = 54.97 at 20 %
        Line(D("1"), D("45.555"), vat_rate=D("10")),  # 45.555 → 45.56 at 10 %
        Line(D("12"), D("1.075"), vat_rate=D("5.5")),  # 12.90 at 5.5 %
        Line(D("1"), D("9.99"), vat_rate=D("2.1")),  # 9.99 at 2.1 %
        Line(
            D("4"),
            D("250"),
            vat_rate=D("0"),
            vat_exemption_reason="Exonération de TVA, art. 261-4-4° a du CGI",
        ),
        Line(D("-1"), D("50")),  # a deposit deducted: −50.00 at 20 %
    ]
    totals = compute_totals(lines)
    assert totals.line_nets == (30864, 5497, 4556, 1290, 999, 100000, -5000)
    by_rate = {v.rate: (v.base_cents, v.vat_cents) for v in totals.vat_lines}
    # 20 %: 308.64 + 54.97 − 50.00 = 313.61 × 0.2 = 62.722 → 62.72
    assert by_rate[D("20.00")] == (31361, 6272)
    # 10 %: 45.56 × 0.1 = 4.556 → 4.56
    assert by_rate[D("10.00")] == (4556, 456)
    # 5.5 %: 12.90 × 0.055 = 0.7095 → 0.71
    assert by_rate[D("5.50")] == (1290, 71)
    # 2.1 %: 9.99 × 0.021 = 0.20979 → 0.21
    assert by_rate[D("2.10")] == (999, 21)
    assert by_rate[D("0.00")] == (100000, 0)
    assert [v.rate for v in totals.vat_lines] == [
        D("20.00"),
        D("10.00"),
        D("5.50"),
        D("2.10"),
        D("0.00"),
    ]
    assert totals.vat_lines[-1].exemption_reasons == ("Exonération de TVA, art. 261-4-4° a du CGI",)
    assert totals.excl_vat_cents == 31361 + 4556 + 1290 + 999 + 100000 == 138206
    assert totals.vat_cents == 6272 + 456 + 71 + 21 == 6820
    assert totals.incl_vat_cents == 145026


def test_half_cent_vat():
    # 0.25 € at 10 % = 0.025 → 0.03; 0.15 € at 2.1 % ... = 0.00315 → 0.00
    assert vat_cents(25, D("10")) == 3
    assert vat_cents(15, D("2.1")) == 0
    assert vat_cents(-25, D("10")) == -3


def test_empty_document_totals_zero():
    totals = compute_totals([])
    assert (totals.excl_vat_cents, totals.vat_cents, totals.incl_vat_cents) == (0, 0, 0)


def test_format_rate():
    assert format_rate(D("20.00")) == "20"
    assert format_rate(D("5.50")) == "5,5"
    assert format_rate(D("2.1")) == "2,1"
