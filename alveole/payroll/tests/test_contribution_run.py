"""The monthly run of the books (contributions and grants) and the treasury identity of
issue 5: a business's available balance, on a scenario computed by hand through the
services, equals what its ledger lines say."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Q, Sum
from django.urls import reverse

from alveole.businesses.models import Business
from alveole.businesses.services import business_create
from alveole.coop.models import Grant
from alveole.coop.services import grant_create, grant_delete, grant_update
from alveole.ledger import posting, treasury
from alveole.ledger.contributions import contributions_posted
from alveole.ledger.grants import grant_record, grants_post
from alveole.ledger.models import Entry, Line
from alveole.ledger.services import entry_post
from alveole.payroll import services as payroll_services
from alveole.payroll import tasks
from alveole.payroll.contribution_run import monthly_run, months_not_computed
from alveole.payroll.selectors import ContributionRulesOfTheDay, contribution_rule_for
from alveole.purchases import services as purchases
from alveole.purchases.tests.conftest import jpeg_bytes, manual_invoice

from .helpers import make_record, make_rule

pytestmark = pytest.mark.django_db

D = datetime.date
MARCH = D(2026, 3, 1)


@pytest.fixture
def support(cooperative):
    return business_create(
        actor=None,
        name="Structure d'accompagnement",
        code="CAE",
        kind=Business.Kind.SUPPORT_STRUCTURE,
        start_date=D(2020, 1, 1),
    )


def _sale_paid(business, *, net: int, vat: int) -> None:
    """An invoice of services issued and paid in March, posted as sales posts it."""
    customer = posting.Party("C000001", "Brasserie du Gers")
    entry_post(
        actor=None,
        draft=posting.invoice_issued(
            document=posting.DocumentRef("invoice", "ALICE-2026-001", D(2026, 3, 2), "1"),
            business_id=business.pk,
            customer=customer,
            amounts=posting.SaleAmounts(services_net_cents=net, services_vat_cents=vat),
            vat_on_debits=False,
        ),
    )
    entry_post(
        actor=None,
        draft=posting.payment_received(
            document=posting.DocumentRef("payment", "REG-1", D(2026, 3, 20), "1"),
            business_id=business.pk,
            customer=customer,
            amount_cents=net + vat,
            settles="ALICE-2026-001",
            shares=posting.PaymentShares(excl_vat_cents=net, pending_vat_cents=vat),
        ),
    )


def _scenario(personas, support) -> None:
    """Alice's March 2026, by the services: a sale of 3 000 € + 600 € VAT paid, a supplier
    invoice of 88,88 € (10,34 € VAT) paid, an expense report of 27,50 € (2,50 € VAT)
    reimbursed, a month's pay costing 1 867,81 €, the contribution at 10 % of invoiced."""
    alice = personas.entrepreneur
    make_rule(rate=Decimal(10), effective_from=D(2026, 1, 1), decision_date=D(2025, 12, 10))
    _sale_paid(alice.business, net=300_000, vat=60_000)
    bill = manual_invoice(alice.business)
    purchases.supplier_invoice_validate(actor=personas.staff.user, invoice=bill)
    purchases.supplier_invoice_pay(
        actor=personas.staff.user, invoice=bill, method="transfer", date=D(2026, 3, 25)
    )
    report = purchases.expense_report_create(
        actor=alice.user, person=alice.person, business=alice.business, month=MARCH
    )
    purchases.expense_line_add(
        actor=alice.user, report=report, date=D(2026, 3, 12), category="meals",
        description="Déjeuner client", amount_cents=2750, vat_cents=250,
        receipt=jpeg_bytes(), receipt_filename="ticket.jpg",
    )  # fmt: skip
    purchases.expense_report_submit(actor=alice.user, report=report)
    purchases.expense_report_validate(actor=personas.accountant.user, report=report)
    purchases.expense_report_pay(
        actor=personas.accountant.user, report=report, method="transfer", date=D(2026, 3, 31)
    )
    make_record(alice.person, month=MARCH)
    monthly_run(actor=personas.accountant.user, month=MARCH)


def _net(business, *prefixes: str) -> int:
    query = Q()
    for prefix in prefixes:
        query |= Q(account__number__startswith=prefix)
    sums = (
        Line.objects.filter(business=business)
        .exclude(journal_id="AN")
        .filter(query)
        .aggregate(d=Sum("debit_cents", default=0), c=Sum("credit_cents", default=0))
    )
    return sums["d"] - sums["c"]


def test_treasury_identity_on_a_scenario_computed_by_hand(personas, support):
    _scenario(personas, support)
    business = personas.entrepreneur.business
    result = treasury.business_treasury(business, D(2026, 3, 31))
    # By hand: the bank received 3 600,00 and paid 88,88 and 27,50 → 3 483,62; less the
    # VAT collected 600,00, plus the VAT deductible 10,34 + 2,50; less the pay's employer
    # cost 1 823,03 + 770,53 − 725,75 = 1 867,81; less the contribution 300,00.
    assert result.available_cents == 348_362 - 60_000 + 1_284 - 186_781 - 30_000 == 72_865
    # And what the lines say.
    assert result.available_cents == (
        _net(business, "512")
        + _net(business, "44571")
        + _net(business, "44566")
        - _net(business, "641", "645")
        - _net(business, "1811")
        + _net(business, "1812")
    )
    # Nothing left to receive or to pay: the projection is the analytic result less the
    # contribution.
    assert result.projected_cents == result.available_cents == -_net(business, "6", "7") - 30_000
    assert contributions_posted(MARCH) == {business.pk: 30_000}
    # The support structure received the contribution; the ledger balances.
    assert treasury.business_treasury(support, D(2026, 3, 31)).available_cents == 30_000
    totals = Line.objects.aggregate(d=Sum("debit_cents"), c=Sum("credit_cents"))
    assert totals["d"] == totals["c"]


def test_every_finished_month_is_computed_once(personas, support):
    make_rule(rate=Decimal(10), effective_from=D(2026, 1, 1), decision_date=D(2025, 12, 10))
    _sale_paid(personas.entrepreneur.business, net=100_000, vat=20_000)
    assert months_not_computed(D(2026, 6, 15)) == [D(2026, 3, 1), D(2026, 4, 1), D(2026, 5, 1)]
    run = monthly_run(actor=None)
    # Today (the machine's date) decides the finished months: March and every month after.
    assert run.months[0].month == MARCH and run.months[0].due == {
        personas.entrepreneur.business.pk: 10_000,
        personas.other_entrepreneur.business.pk: 0,
    }
    assert months_not_computed() == []
    assert monthly_run(actor=None).months == []  # nothing twice
    # A month computed again posts only the difference (here none).
    again = monthly_run(actor=None, month=MARCH)
    assert again.months[0].entries == [] and Entry.objects.filter(event="contribution").count() == 1


def test_command_and_task(personas, support, capsys, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    make_rule(rate=Decimal(10), effective_from=D(2026, 1, 1), decision_date=D(2025, 12, 10))
    _sale_paid(personas.entrepreneur.business, net=100_000, vat=20_000)
    call_command("contributions", "--month", "2026-03")
    assert "03/2026 : 100,00\u202f€ dus, 1 écriture(s)" in capsys.readouterr().out
    assert tasks.contributions_monthly.enqueue().return_value == 0  # April…: nothing due
    assert months_not_computed() == []
    call_command("contributions")
    assert "Aucun mois à calculer." in capsys.readouterr().out
    with pytest.raises(Exception, match="mois invalide"):
        call_command("contributions", "--month", "mars")


def test_grants_are_posted_by_the_run(personas, support):
    grant_create(
        actor=None, funder_kind="region", funder_name="Région Occitanie",
        programme="Pass Création", amount_cents=4_100_000, start_year=2026, end_year=2026,
        decision_date=D(2026, 3, 10), received_date=D(2026, 5, 4),
    )  # fmt: skip
    run = monthly_run(actor=None)
    assert run.grants is not None and len(run.grants.posted) == 2
    assert treasury.business_treasury(support, D(2026, 6, 30)).available_cents == 4_100_000
    assert monthly_run(actor=None).entry_count == 0


def test_a_grant_recorded_is_in_the_books_before_the_run(personas, support):
    grant_record(
        actor=None, funder_kind="region", funder_name="Région Occitanie",
        programme="Pass Création", amount_cents=4_100_000, start_year=2026, end_year=2026,
        decision_date=D(2026, 3, 10), received_date=D(2026, 5, 4),
    )  # fmt: skip
    assert treasury.business_treasury(support, D(2026, 6, 30)).available_cents == 4_100_000
    run = monthly_run(actor=None)
    assert run.grants is not None
    assert run.grants.posted == [] and run.grants.reversed == []
    assert treasury.business_treasury(support, D(2026, 6, 30)).available_cents == 4_100_000


def test_a_grant_corrected_or_deleted_is_reversed_and_posted_anew(personas, support):
    grant = grant_create(
        actor=None, funder_kind="fse", funder_name="FSE+", programme="Accompagnement",
        amount_cents=6_000_000, start_year=2025, end_year=2026, decision_date=D(2025, 2, 3),
    )  # fmt: skip
    first = grants_post(actor=None)
    assert [(e.date, e.debit_cents, e.journal_id) for e in first.posted] == [
        (D(2025, 2, 3), 3_000_000, "OD"),
        (D(2026, 1, 1), 3_000_000, "OD"),
    ]
    assert grants_post(actor=None).posted == []
    grant_update(
        actor=None, grant=grant, amount_cents=7_000_000, received_date=D(2026, 4, 2),
    )  # fmt: skip
    second = grants_post(actor=None)
    assert len(second.reversed) == 2 and len(second.posted) == 3
    assert _net(support, "740") == -7_000_000 and _net(support, "512") == 7_000_000
    # Recognised (half in 2025, half in 2026) and received: the funder's account is settled
    # (lettering works within a fiscal year: 2025's part is lettered once 2025 is closed and
    # carried forward by its à-nouveaux).
    assert _net(support, "441") == 0
    grant_delete(actor=None, grant=Grant.objects.get())
    grants_post(actor=None)
    assert _net(support, "740") == _net(support, "512") == 0
    totals = Line.objects.aggregate(d=Sum("debit_cents"), c=Sum("credit_cents"))
    assert totals["d"] == totals["c"]


def test_the_button_of_the_closing_page(personas, support):
    make_rule(rate=Decimal(10), effective_from=D(2026, 1, 1), decision_date=D(2025, 12, 10))
    _sale_paid(personas.entrepreneur.business, net=100_000, vat=20_000)
    url = reverse("payroll:contributions_run")
    for persona in (personas.entrepreneur, personas.staff):
        assert persona.client.post(url).status_code == 403
    assert not Entry.objects.filter(event="contribution").exists()
    page = personas.accountant.client.get(reverse("ledger:closing"))
    assert url in page.text and "Aucun mois calculé." in page.text
    response = personas.accountant.client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("ledger:closing")
    assert "Contributions de mars 2026 : 1 écriture(s), 100,00\u202f€ dus." in response.text
    assert "Dernier mois calculé" in response.text
    assert personas.director.client.post(url, follow=True).status_code == 200
    assert Entry.objects.filter(event="contribution").count() == 1


def test_the_rules_of_the_day_choose_as_contribution_rule_for(personas, monkeypatch):
    alice, bob = personas.entrepreneur.business, personas.other_entrepreneur.business
    make_rule(rate=Decimal(10), effective_from=D(2025, 1, 1), decision_date=D(2024, 12, 10))
    monkeypatch.setattr(payroll_services, "today", lambda: D(2026, 2, 10))
    make_rule(rate=Decimal(12), effective_from=D(2026, 2, 1), decision_date=D(2026, 2, 10))
    make_rule(
        business=bob, base="turnover_received", rate=Decimal(8),
        effective_from=D(2026, 3, 1), decision_date=D(2026, 2, 10),
    )  # fmt: skip
    rules = ContributionRulesOfTheDay()
    for day in (D(2024, 6, 1), D(2025, 6, 1), D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)):
        for business in (alice, bob):
            assert rules(business, day) == contribution_rule_for(business, day)
    assert rules(bob, D(2026, 4, 1)).rate == Decimal(8)
    assert rules(alice, D(2024, 6, 1)) is None
