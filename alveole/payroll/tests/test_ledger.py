"""What payroll posts in the ledger (docs/adr/0010): a month's pay is posted with its record,
a correction reverses it and posts it anew, a deletion reverses it, an import posts every
line or nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Sum

from alveole.core.importing import run_import
from alveole.ledger import services as ledger_services
from alveole.ledger.models import Entry, Line
from alveole.payroll.models import PayrollRecord
from alveole.payroll.services import payroll_record_delete, payroll_record_update
from tests.factories import make_business

from .helpers import MARCH_2026, make_record
from .test_import import GOOD_CSV, HEADER

pytestmark = pytest.mark.django_db

D = datetime.date
COST = 182_303 + 77_053 - 72_575  # gross + employer contributions − reduction


def _lines(entry: Entry) -> list[tuple[str, int, int, str | None]]:
    return [
        (line.account_id, line.debit_cents, line.credit_cents, line.business and line.business.code)
        for line in entry.lines.select_related("business").order_by("position")
    ]


def assert_balanced() -> None:
    totals = Line.objects.aggregate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    assert totals["debit"] == totals["credit"]
    for entry in Entry.objects.all():
        sums = entry.lines.aggregate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        assert sums["debit"] == sums["credit"] == entry.debit_cents == entry.credit_cents


def _charged(business_code: str) -> int:
    """What the salaries cost a business in the ledger: 641 + 645 − 6459."""
    sums = Line.objects.filter(
        business__code=business_code, account__number__startswith="64"
    ).aggregate(debit=Sum("debit_cents", default=0), credit=Sum("credit_cents", default=0))
    return sums["debit"] - sums["credit"]


def test_a_month_of_pay_is_posted_with_its_record(personas):
    record = make_record(personas.entrepreneur.person)
    entry = Entry.objects.get()
    assert (entry.journal_id, entry.date, entry.event) == ("PA", D(2026, 3, 31), "payroll_month")
    assert (entry.document_kind, entry.document_id) == ("payroll", str(record.pk))
    assert _lines(entry) == [
        ("641", 182_303, 0, "ALICE"),
        ("645", 77_053, 0, "ALICE"),
        ("6459", 0, 72_575, "ALICE"),
        ("421", 0, 144_309, None),
        ("431", 0, 37_994 + 77_053 - 72_575, None),
    ]
    assert _charged("ALICE") == COST == record.employer_cost_cents
    assert_balanced()


def test_a_pay_shared_between_two_businesses_costs_each_its_part(personas):
    alice = personas.entrepreneur
    second = make_business(alice.person, code="ALICE2")
    make_record(alice.person, charges=[(alice.business, 100_000), (second, COST - 100_000)])
    assert (_charged("ALICE"), _charged("ALICE2")) == (100_000, COST - 100_000)
    assert_balanced()


def test_a_correction_reverses_the_entry_and_posts_the_new_one(personas):
    record = make_record(personas.entrepreneur.person)
    payroll_record_update(actor=None, record=record, gross_cents=190_000, net_cents=150_000)
    original, reversal, corrected = Entry.objects.order_by("pk")
    assert reversal.reverses == original and reversal.date == D(2026, 3, 31)
    assert corrected.lines.get(account_id="641").debit_cents == 190_000
    assert _charged("ALICE") == 190_000 + 77_053 - 72_575
    # Only the hours changed: nothing to post.
    payroll_record_update(actor=None, record=record, paid_hours="150")
    assert Entry.objects.count() == 3
    # Moved to April: reversed in March, posted at the end of April.
    payroll_record_update(actor=None, record=record, month=D(2026, 4, 1))
    assert [(e.date, e.reverses_id) for e in Entry.objects.order_by("pk")][3:] == [
        (D(2026, 3, 31), corrected.pk),
        (D(2026, 4, 30), None),
    ]
    assert_balanced()


def test_a_deleted_record_is_reversed_in_the_open_period(personas):
    record = make_record(personas.entrepreneur.person, month=MARCH_2026)
    ledger_services.period_close(actor=personas.accountant.user, through=D(2026, 3, 31))
    payroll_record_delete(actor=personas.accountant.user, record=record)
    original, reversal = Entry.objects.order_by("pk")
    assert reversal.reverses == original and reversal.date == D(2026, 4, 1)
    assert _charged("ALICE") == 0
    assert not PayrollRecord.objects.exists()
    assert_balanced()


def test_a_month_of_a_closed_period_is_posted_on_the_first_open_day(personas):
    ledger_services.fiscal_year_for(D(2026, 1, 1))
    ledger_services.period_close(actor=personas.accountant.user, through=D(2026, 3, 31))
    make_record(personas.entrepreneur.person, month=MARCH_2026)
    entry = Entry.objects.get()
    assert entry.date == D(2026, 4, 1) and entry.document_number.startswith("PAIE-2026-03-")
    assert_balanced()


def test_an_import_posts_every_line_or_nothing(personas):
    result = run_import(kind="payroll", content=GOOD_CSV.encode(), filename="paie.csv", actor=None)
    assert result.ok and Entry.objects.filter(journal_id="PA").count() == 2
    assert (_charged("ALICE"), _charged("BOB")) == (186_781, 130_050)
    assert_balanced()

    bad = f"{HEADER}\n2026-04;alice@example.org;;1823,03;379,94;770,53;725,75;1443,09;151,67;\n"
    bad += "2026-04;bob@example.org;;1000;210;300;;1200;70;\n"  # net above gross
    result = run_import(kind="payroll", content=bad.encode(), filename="paie.csv", actor=None)
    assert not result.ok
    assert Entry.objects.count() == 2  # the good line of the refused file posted nothing
