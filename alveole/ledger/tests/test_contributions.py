"""Contributions from the ledger lines: each base, a rule change in the middle of the year,
yearly tiers, idempotence, corrections after a closing.

The rule lookup and amount function are payroll's, passed in as the wiring will (the test
imports payroll; the ledger code does not)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alveole.ledger import contributions, posting, selectors
from alveole.ledger import services as ledger_services
from alveole.ledger.contributions import Bases, contribution_bases, contributions_compute
from alveole.ledger.models import Entry
from alveole.ledger.posting import DocumentRef
from alveole.ledger.tests.conftest import assert_balanced, bill, invoice, payment, post
from alveole.payroll import services as payroll_services
from alveole.payroll.contributions import contribution_amount
from alveole.payroll.selectors import contribution_rule_for
from tests.factories import make_business, make_entrepreneur

pytestmark = pytest.mark.django_db
D = datetime.date


def rule(monkeypatch, on, **fields):
    """A rule created as the assembly would, the month it takes effect."""
    monkeypatch.setattr(payroll_services, "today", lambda: on)
    values = {
        "decision_reference": "AG, résolution 3",
        "decision_date": on,
        "effective_from": on.replace(day=1),
    }
    values.update(fields)
    return payroll_services.contribution_rule_create(actor=None, **values)


def compute(month):
    return contributions_compute(
        actor=None, month=month, rule_for=contribution_rule_for, amount=contribution_amount
    )


def posted(business, month):
    return contributions.contributions_posted(month).get(business.pk, 0)


@pytest.fixture
def businesses(personas, support):
    return personas.entrepreneur.business, personas.other_entrepreneur.business


def test_bases_from_the_ledger_lines(businesses):
    alice, _bob = businesses
    invoice(alice, "A-1", D(2026, 2, 10), services=40_000, services_vat=8_000)
    invoice(
        alice,
        "A-2",
        D(2026, 3, 1),
        services=100_000,
        services_vat=20_000,
        goods=50_000,
        goods_vat=10_000,
    )
    payment(alice, "A-1", D(2026, 3, 5), 24_000, excl_vat=20_000, pending_vat=4_000)
    bill(alice, "F-1", D(2026, 3, 2), 20_000, 4_000, category="goods_for_resale")
    bill(alice, "F-2", D(2026, 3, 3), 30_000, 6_000, category="subcontracting")
    bill(alice, "F-3", D(2026, 3, 4), 9_000, 1_800)  # other purchases do not reduce the margin
    march, before = contribution_bases(D(2026, 3, 1))[alice.pk]
    assert march == Bases(
        turnover_invoiced_cents=150_000,
        turnover_received_cents=20_000,
        goods_and_subcontracting_cents=50_000,
    )
    assert march.gross_margin_cents == 100_000
    assert before == Bases(turnover_invoiced_cents=40_000)


def test_each_base_and_a_rule_change_in_the_middle_of_the_year(businesses, monkeypatch):
    alice, bob = businesses
    rule(monkeypatch, D(2026, 1, 5), base="turnover_invoiced", rate=Decimal("10"))
    rule(monkeypatch, D(2026, 1, 5), business=bob, base="turnover_received", rate=Decimal("8"))
    rule(monkeypatch, D(2026, 4, 2), base="gross_margin", rate=Decimal("12"))
    # March, under the first default: 10 % of 1 500 € invoiced.
    invoice(
        alice,
        "A-1",
        D(2026, 3, 1),
        services=100_000,
        goods=50_000,
        goods_vat=10_000,
        services_vat=20_000,
    )
    bill(alice, "F-1", D(2026, 3, 2), 20_000, 4_000, category="goods_for_resale")
    # April, under the new default: 12 % of (1 000 € − 400 € of goods for resale).
    invoice(alice, "A-2", D(2026, 4, 3), services=100_000, services_vat=20_000)
    bill(alice, "F-2", D(2026, 4, 4), 40_000, 8_000, category="goods_for_resale")
    # Bob's own rule: 8 % of what his customers paid, excl. VAT.
    invoice(bob, "B-1", D(2026, 3, 10), services=50_000, services_vat=10_000)
    payment(bob, "B-1", D(2026, 4, 20), 30_000, excl_vat=25_000, pending_vat=5_000)

    march = compute(D(2026, 3, 1))
    assert march.due == {alice.pk: 15_000, bob.pk: 0}
    assert [entry.date for entry in march.entries] == [D(2026, 3, 31)]
    april = compute(D(2026, 4, 1))
    assert april.due == {alice.pk: 7_200, bob.pk: 2_000}
    assert (
        posted(alice, D(2026, 3, 1)),
        posted(alice, D(2026, 4, 1)),
        posted(bob, D(2026, 4, 1)),
    ) == (15_000, 7_200, 2_000)
    entry = Entry.objects.get(document_number=f"CONTRIB-{alice.code}-2026-04")
    assert [
        (line.account_id, line.business.code, line.debit_cents, line.credit_cents)
        for line in entry.lines.order_by("position")
    ] == [
        ("1811", "ALICE", 7_200, 0),
        ("1811", "CAE", 0, 7_200),
    ]
    assert selectors.contributions_total(2026) == 24_200
    assert_balanced()


def test_tiers_are_yearly_thresholds_read_from_the_year_to_date(businesses, monkeypatch):
    alice, _bob = businesses
    rule(
        monkeypatch,
        D(2026, 1, 5),
        base="turnover_invoiced",
        rate=Decimal("5"),
        tiers=[(100_000, Decimal("10"))],
    )
    invoice(alice, "A-1", D(2026, 1, 10), services=80_000)
    invoice(alice, "A-2", D(2026, 2, 10), services=50_000)
    assert compute(D(2026, 1, 1)).due[alice.pk] == 4_000
    # Year to date 1 300 €: 5 % of 1 000 € + 10 % of 300 € = 80 €, of which 40 € in January.
    assert compute(D(2026, 2, 1)).due[alice.pk] == 4_000


def test_computing_again_posts_only_the_difference(businesses, monkeypatch):
    alice, _bob = businesses
    rule(monkeypatch, D(2026, 1, 5), base="turnover_invoiced", rate=Decimal("10"))
    invoice(alice, "A-1", D(2026, 3, 1), services=100_000)
    compute(D(2026, 3, 1))
    again = compute(D(2026, 3, 1))
    assert again.entries == [] and again.due[alice.pk] == 10_000
    # A credit note dated in March, then March is closed: the correction goes to April.
    post(
        posting.credit_note_issued(
            document=DocumentRef("credit_note", "A-AV-1", D(2026, 3, 20)),
            business_id=alice.pk,
            customer=posting.Party("C1", "Brasserie du Gers"),
            amounts=posting.SaleAmounts(services_net_cents=30_000),
            vat_on_debits=False,
            credited_invoice_number="A-1",
        )
    )
    monkeypatch.setattr(ledger_services, "today", lambda: D(2026, 5, 10))
    ledger_services.period_close(actor=None, through=D(2026, 3, 31))
    correction = compute(D(2026, 3, 1))
    assert correction.due[alice.pk] == 7_000
    [entry] = correction.entries
    assert entry.date == D(2026, 4, 1) and "(régularisation)" in entry.label
    assert [
        (line.business.code, line.debit_cents, line.credit_cents)
        for line in entry.lines.order_by("position")
    ] == [
        ("ALICE", 0, 3_000),
        ("CAE", 3_000, 0),
    ]
    assert posted(alice, D(2026, 3, 1)) == 7_000


def test_businesses_without_a_rule_are_reported_not_charged(businesses):
    alice, _bob = businesses
    invoice(alice, "A-1", D(2026, 3, 1), services=100_000)
    run = compute(D(2026, 3, 1))
    assert run.entries == [] and {b.code for b in run.without_rule} == {"ALICE", "BOB"}


def test_only_finished_months_and_a_support_structure(personas, monkeypatch):
    with pytest.raises(ValidationError, match="structure d'accompagnement"):
        compute(D(2026, 3, 1))
    make_business(make_entrepreneur(), code="LATE")
    with pytest.raises(ValidationError, match="mois terminé"):
        monkeypatch.setattr(contributions, "today", lambda: D(2026, 3, 31))
        compute(D(2026, 3, 1))
