"""Treasury identity on a scenario computed by hand: the available balance is what the
business's ledger lines say, figure by figure, month by month, and for all businesses."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext

from alveole.coop.models import FiscalYear
from alveole.ledger import posting, selectors, services, treasury
from alveole.ledger.models import ClosingBalance, Line
from alveole.ledger.posting import DocumentRef, ExpenseItem, Party
from alveole.ledger.tests.conftest import (
    assert_balanced,
    bill,
    bill_paid,
    contribution,
    invoice,
    payment,
    post,
    salary,
)
from tests.factories import make_business, make_entrepreneur

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def scenario(personas, support):
    alice = personas.entrepreneur.business
    bob = personas.other_entrepreneur.business
    # January: a service invoice (VAT on receipts) and a goods invoice (VAT at issue).
    invoice(alice, "A-1", D(2026, 1, 10), services=100_000, services_vat=20_000)
    invoice(alice, "A-2", D(2026, 1, 15), goods=50_000, goods_vat=10_000)
    # The support structure is granted 1 000 €.
    post(
        posting.grant_recognised(
            document=DocumentRef("grant", "SUB-1", D(2026, 1, 20)),
            support_business_id=support.pk,
            funder=Party("REGION", "Région Occitanie"),
            amount_cents=100_000,
        )
    )
    # February: A-1 paid in full; goods for resale bought and paid; a bill left unpaid;
    # the month's salary and contribution.
    payment(alice, "A-1", D(2026, 2, 5), 120_000, excl_vat=100_000, pending_vat=20_000)
    bill(alice, "F-1", D(2026, 2, 10), 20_000, 4_000, category="goods_for_resale")
    bill_paid(alice, "F-1", D(2026, 2, 20), 24_000)
    bill(alice, "F-2", D(2026, 2, 25), 10_000, 2_000)
    salary(alice, D(2026, 2, 28), gross=50_000, employer=20_000, reduction=5_000, employee=11_000)
    contribution(alice, support, D(2026, 2, 28), 12_000)
    # March: an expense report validated and reimbursed; Alice buys 300 € from Bob.
    report = DocumentRef("expense_report", "NDF-1", D(2026, 3, 3))
    post(
        posting.expense_report_validated(
            document=report,
            business_id=alice.pk,
            person=Party("P1", "Alice Martin"),
            items=[ExpenseItem("transport", 6_000, 1_000)],
        )
    )
    post(
        posting.expense_report_paid(
            document=DocumentRef("expense_payment", "VIR-NDF-1", D(2026, 3, 10)),
            business_id=alice.pk,
            person=Party("P1", "Alice Martin"),
            amount_cents=6_000,
            settles="NDF-1",
        )
    )
    internal = DocumentRef("invoice", "BOB-FI2026-0001", D(2026, 3, 5))
    post(
        posting.internal_sale_issued(
            document=internal, seller_id=bob.pk, buyer_code=alice.code, services_net_cents=30_000
        )
    )
    post(
        posting.internal_purchase_validated(
            document=internal,
            buyer_id=alice.pk,
            seller_code=bob.code,
            category="subcontracting",
            excl_vat_cents=30_000,
        )
    )
    post(
        posting.grant_received(
            document=DocumentRef("grant_payment", "VIR-REG", D(2026, 3, 15)),
            support_business_id=support.pk,
            funder=Party("REGION", "Région Occitanie"),
            amount_cents=100_000,
            settles="SUB-1",
        )
    )
    # Carol had 500 € in December and paid a 200 € bill in February: falling.
    carol = make_business(make_entrepreneur(first_name="Carol"), name="Carol Design", code="CAROL")
    invoice(carol, "C-1", D(2025, 11, 20), services=50_000)
    payment(carol, "C-1", D(2025, 12, 10), 50_000, excl_vat=50_000)
    bill(carol, "F-9", D(2026, 2, 1), 20_000, 0)
    bill_paid(carol, "F-9", D(2026, 2, 2), 20_000)
    assert_balanced()
    return {"alice": alice, "bob": bob, "support": support, "carol": carol}


def figures(result: treasury.Treasury) -> dict[str, int]:
    return {figure.key: figure.value_cents for figure in result.figures}


def test_treasury_of_a_business_figure_by_figure(scenario, personas):
    result = selectors.treasury_of(
        user=personas.entrepreneur.user, business=scenario["alice"], day=D(2026, 3, 31)
    )
    assert figures(result) == {
        "received": 120_000,
        "vat_collected": 30_000,  # 10 000 on the goods at issue + 20 000 on A-1 when paid
        "vat_deductible": 7_000,
        "purchases_paid": 24_000,
        "expenses_paid": 6_000,
        "salaries": 65_000,  # 50 000 + 20 000 − 5 000
        "contribution": 12_000,
        "internal": -30_000,
        "other_bank": 0,
        "receivable": 60_000,
        "pending_vat": 0,
        "payable": 12_000,
        "expenses_due": 0,
        "pending_deductible": 0,
        "grants_receivable": 0,
    }
    # 120 000 − 30 000 + 7 000 − 24 000 − 6 000 − 65 000 − 12 000 − 30 000 = −40 000
    assert result.available_cents == -40_000
    # − 40 000 + 60 000 (A-2 unpaid) − 12 000 (F-2 to pay) = 8 000
    assert result.projected_cents == 8_000


def test_available_balance_is_what_the_lines_say(scenario):
    """The identity, by construction: bank − VAT collected + deductible − salaries −
    contribution + internal; and the projection equals the analytic result less the
    contributions (every entry but payroll and contribution balances per business)."""
    for key in ("alice", "bob", "support", "carol"):
        business = scenario[key]
        lines = Line.objects.filter(business=business).exclude(journal_id="AN")

        def net(*prefixes, lines=lines):
            query = Q()
            for prefix in prefixes:
                query |= Q(account__number__startswith=prefix)
            sums = lines.filter(query).aggregate(
                d=Sum("debit_cents", default=0), c=Sum("credit_cents", default=0)
            )
            return sums["d"] - sums["c"]

        result = treasury.business_treasury(business, D(2026, 12, 31))
        assert result.available_cents == (
            net("512") + net("44571") + net("44566") - net("641", "645") - net("1811") + net("1812")
        )
        analytic_result = -net("6", "7")
        assert result.projected_cents == analytic_result - net("1811")


def test_support_structure_receives_the_contributions_and_grants(scenario):
    result = treasury.business_treasury(scenario["support"], D(2026, 3, 31))
    values = figures(result)
    assert values["contribution"] == -12_000 and values["other_bank"] == 100_000
    assert result.available_cents == 112_000
    february = treasury.business_treasury(scenario["support"], D(2026, 2, 28))
    assert (february.available_cents, february.projected_cents) == (12_000, 112_000)


def test_month_by_month(scenario, personas):
    months = selectors.treasury_months(
        user=personas.staff.user, business=scenario["alice"], year=2026
    )
    assert len(months) == 12
    assert [(m.month, m.available_cents, m.projected_cents) for m in months[:4]] == [
        (D(2026, 1, 1), -10_000, 150_000),
        (D(2026, 2, 1), -5_000, 43_000),
        (D(2026, 3, 1), -40_000, 8_000),
        (D(2026, 4, 1), -40_000, 8_000),
    ]
    assert months[-1].available_cents == -40_000
    february = {figure.key: figure.value_cents for figure in months[1].movements.figures}
    assert february["received"] == 120_000 and february["salaries"] == 65_000
    assert february["receivable"] == -120_000
    assert treasury.business_treasury_months(scenario["carol"], 2026)[0].available_cents == 50_000


def test_all_businesses_riskiest_first_in_constant_queries(scenario, personas):
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.treasuries_all(user=personas.staff.user, day=D(2026, 3, 31))
    # The businesses, the last closings (now and three months ago), the lines after them.
    assert len(queries) == 3
    assert [(row.business.code, row.treasury.available_cents, row.risk) for row in rows] == [
        ("ALICE", -40_000, "negative"),
        ("CAROL", 30_000, "falling"),
        ("BOB", 30_000, ""),
        ("CAE", 112_000, ""),
    ]
    assert rows[1].available_before_cents == 50_000 and rows[1].trend_cents == -20_000
    for _ in range(3):
        make_business(make_entrepreneur())
    with CaptureQueriesContext(connection) as queries:
        assert len(selectors.treasuries_all(user=personas.director.user, day=D(2026, 3, 31))) == 7
    assert len(queries) == 3


def test_a_few_businesses_read_their_own_lines_with_the_same_figures(
    scenario, personas, monkeypatch
):
    """An entrepreneur's dashboard asks for one business: the query reads its lines only
    (a WHERE on the business), and every figure is that of the cooperative-wide list."""
    day = D(2026, 3, 31)
    everyone = {
        row.business.pk: row for row in selectors.treasuries_all(user=personas.staff.user, day=day)
    }
    businesses = [personas.entrepreneur.business, personas.other_entrepreneur.business]
    with CaptureQueriesContext(connection) as queries:
        few = treasury.all_treasuries(businesses, day)
    assert any('business_id" IN' in q["sql"] for q in queries.captured_queries)
    for row in few:
        same = everyone[row.business.pk]
        assert row.treasury == same.treasury
        assert (row.available_before_cents, row.risk) == (same.available_before_cents, same.risk)
    monkeypatch.setattr(treasury, "FEW_BUSINESSES", 1)  # more than that: every line is read
    with CaptureQueriesContext(connection) as queries:
        again = treasury.all_treasuries(businesses, day)
    assert not any('business_id" IN' in q["sql"] for q in queries.captured_queries)
    assert [row.treasury for row in again] == [row.treasury for row in few]


def test_treasury_scoping(scenario, personas):
    with pytest.raises(PermissionDenied):
        selectors.treasury_of(
            user=personas.other_entrepreneur.user, business=scenario["alice"], day=D(2026, 3, 31)
        )
    for who in ("entrepreneur", "other_entrepreneur", "anonymous"):
        with pytest.raises(PermissionDenied):
            selectors.treasuries_all(user=getattr(personas, who).user, day=D(2026, 3, 31))


def test_salary_lines_are_shown_as_monthly_amounts_to_non_bookkeepers(scenario, personas):
    alice = scenario["alice"]
    shown = selectors.treasury_component_lines(
        user=personas.entrepreneur.user, business=alice, key="salaries", day=D(2026, 3, 31)
    )
    assert [(row["month"], row["amount_cents"]) for row in shown] == [(D(2026, 2, 1), 65_000)]
    lines = selectors.treasury_component_lines(
        user=personas.accountant.user, business=alice, key="salaries", day=D(2026, 3, 31)
    )
    assert [(line.account_id, line.debit_cents, line.credit_cents) for line in lines] == [
        ("641", 50_000, 0),
        ("645", 20_000, 0),
        ("6459", 0, 5_000),
    ]
    other = selectors.treasury_component_lines(
        user=personas.accountant.user,
        business=scenario["support"],
        key="other_bank",
        day=D(2026, 3, 31),
    )
    assert [(line.account_id, line.debit_cents) for line in other] == [("512", 100_000)]
    received = selectors.treasury_component_lines(
        user=personas.entrepreneur.user, business=alice, key="received", day=D(2026, 3, 31)
    )
    assert [(line.account_id, line.credit_cents) for line in received] == [("411", 120_000)]


def test_closings_keep_the_sums_and_change_no_figure(scenario, personas, monkeypatch):
    """A closing stores each business's sums up to its date; every treasury read after it
    (one business, month by month, all businesses, three months back) gives the same
    figures as from the lines alone."""
    monkeypatch.setattr(services, "today", lambda: D(2026, 11, 26))
    days = [D(2025, 12, 31), D(2026, 1, 31), D(2026, 2, 15), D(2026, 3, 31), D(2026, 6, 30)]

    def snapshot():
        return (
            {
                (key, day): figures(treasury.business_treasury(scenario[key], day))
                for key in ("alice", "bob", "support", "carol")
                for day in days
            },
            [
                (m.available_cents, m.projected_cents)
                for m in treasury.business_treasury_months(scenario["alice"], 2026)
            ],
            [
                (
                    row.business.code,
                    row.treasury.available_cents,
                    row.available_before_cents,
                    row.risk,
                )
                for day in days
                for row in selectors.treasuries_all(user=personas.staff.user, day=day)
            ],
        )

    from_lines = snapshot()
    services.fiscal_year_close(
        actor=None, fiscal_year=FiscalYear.objects.get(start_date=D(2025, 1, 1))
    )
    services.period_close(actor=None, through=D(2026, 1, 31))
    assert snapshot() == from_lines
    services.period_close(actor=None, through=D(2026, 2, 28))
    assert snapshot() == from_lines
    kept = ClosingBalance.objects.get(closing__through=D(2026, 2, 28), business=scenario["alice"])
    assert kept.sums() == treasury.component_sums_of_lines(scenario["alice"], D(2026, 2, 28))
    assert (kept.received_cents, kept.salaries_cents, kept.bank_cents) == (-120_000, 65_000, 96_000)
    # Carol's December balance comes from the 2025 closing.
    assert (
        ClosingBalance.objects.get(
            closing__through=D(2025, 12, 31), business=scenario["carol"]
        ).bank_cents
        == 50_000
    )
