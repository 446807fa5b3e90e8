"""Sales post their entries to the ledger, in the same transaction (issue #5, ADR 10):
issue, credit note, internal sale, payment and import; balanced, on the expected accounts,
into the open period; a failed issue leaves neither number nor entry."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from alveole.coop.selectors import cooperative_get
from alveole.core.dates import today
from alveole.ledger import chart
from alveole.ledger.models import Account, Entry, Line
from alveole.ledger.services import account_update, period_close
from alveole.ledger.treasury import business_treasury
from alveole.sales.models import Invoice, InvoiceStatus, NumberingCounter
from alveole.sales.services import (
    credit_note_create,
    internal_customer_for,
    invoice_import,
    invoice_issue,
    payment_record,
)
from alveole.sales.tests.conftest import LINES_EXCL, LINES_INCL, company, draft, issued

pytestmark = pytest.mark.django_db
D = datetime.date
#: A year whose months are all over, so that they can be closed.
LAST_YEAR = today().year - 1
SERVICES_1000 = [{"description": "Conseil", "quantity": 1, "unit_price": Decimal("1000")}]


def assert_balanced() -> None:
    """Debit = credit over the whole ledger and in every entry (lines and stored totals)."""
    totals = Line.objects.aggregate(
        d=Sum("debit_cents", default=0), c=Sum("credit_cents", default=0)
    )
    assert totals["d"] == totals["c"]
    for entry in Entry.objects.all():
        lines = entry.lines.aggregate(d=Sum("debit_cents"), c=Sum("credit_cents"))
        assert lines["d"] == lines["c"] == entry.debit_cents == entry.credit_cents


def movements(entry: Entry) -> dict[str, int]:
    """Account → debit − credit of an entry's lines."""
    result: dict[str, int] = {}
    for line in entry.lines.all():
        result[line.account_id] = (
            result.get(line.account_id, 0) + line.debit_cents - line.credit_cents
        )
    return result


def balance(account: str, business) -> int:
    totals = Line.objects.filter(account_id=account, business=business).aggregate(
        d=Sum("debit_cents", default=0), c=Sum("credit_cents", default=0)
    )
    return totals["d"] - totals["c"]


def entry_of(invoice: Invoice) -> Entry:
    return Entry.objects.get(
        document_id=str(invoice.pk), document_kind__in=("invoice", "credit_note")
    )


def test_issue_posts_customer_turnover_and_vat_split_by_nature(alice):
    invoice = issued(alice.business, issue_date=D(LAST_YEAR, 3, 10))
    entry = entry_of(invoice)
    # 200.00 of services at 20 % (VAT on receipts), 36.04 of goods at 5.5 % (VAT at issue).
    assert movements(entry) == {
        chart.CUSTOMERS: LINES_INCL,
        chart.SERVICES_SOLD: -20_000,
        chart.GOODS_SOLD: -3_604,
        chart.VAT_COLLECTED: -198,
        chart.VAT_COLLECTED_PENDING: -4_000,
    }
    assert (entry.journal_id, entry.date, entry.event) == (
        "VE",
        D(LAST_YEAR, 3, 10),
        "invoice_issued",
    )
    assert entry.document_number == invoice.number
    customer_line = entry.lines.get(account_id=chart.CUSTOMERS)
    assert customer_line.match_ref == invoice.number
    assert customer_line.auxiliary_label == "Brasserie du Gers"
    assert set(entry.lines.values_list("business_id", flat=True)) == {alice.business.pk}
    assert_balanced()


def test_vat_on_debits_collects_the_services_vat_at_issue(alice):
    coop = cooperative_get()
    coop.vat_on_debits = True
    coop.save()
    invoice = issued(alice.business, issue_date=D(LAST_YEAR, 3, 10))
    assert movements(entry_of(invoice))[chart.VAT_COLLECTED] == -4_198
    assert chart.VAT_COLLECTED_PENDING not in movements(entry_of(invoice))
    # The payment has no VAT left to make due.
    payment_record(actor=None, invoice=invoice, amount_cents=LINES_INCL, method="transfer")
    bank = Entry.objects.get(journal_id="BQ")
    assert movements(bank) == {chart.BANK: LINES_INCL, chart.CUSTOMERS: -LINES_INCL}


def test_payments_make_the_pending_vat_due_pro_rata_and_letter_the_invoice(alice):
    invoice = issued(alice.business, issue_date=D(LAST_YEAR, 3, 10))
    half = LINES_INCL // 2
    first = payment_record(
        actor=None, invoice=invoice, amount_cents=half, method="transfer",
        date=D(LAST_YEAR, 4, 1), reference="VIR-1",
    )  # fmt: skip
    entry = Entry.objects.get(document_kind="payment", document_id=str(first.pk))
    assert (entry.journal_id, entry.date, entry.document_number) == (
        "BQ",
        D(LAST_YEAR, 4, 1),
        "VIR-1",
    )
    assert movements(entry) == {
        chart.BANK: half,
        chart.CUSTOMERS: -half,
        chart.VAT_COLLECTED_PENDING: 2_000,
        chart.VAT_COLLECTED: -2_000,
    }
    assert entry.lines.get(account_id=chart.CUSTOMERS).base_cents == LINES_EXCL // 2
    invoice.refresh_from_db()
    payment_record(
        actor=None, invoice=invoice, amount_cents=LINES_INCL - half, method="cheque",
        date=D(LAST_YEAR, 4, 2),
    )  # fmt: skip
    # Paid in full: the whole VAT is collected, nothing waits, the customer's lines lettered.
    assert balance(chart.VAT_COLLECTED_PENDING, alice.business) == 0
    assert balance(chart.VAT_COLLECTED, alice.business) == -4_198
    assert balance(chart.CUSTOMERS, alice.business) == 0
    customer_lines = Line.objects.filter(account_id=chart.CUSTOMERS)
    assert customer_lines.count() == 3
    assert len(set(customer_lines.values_list("lettering", flat=True))) == 1
    assert customer_lines.first().lettering != ""
    base = customer_lines.filter(entry__journal_id="BQ").aggregate(s=Sum("base_cents"))["s"]
    assert base == LINES_EXCL
    assert_balanced()


def test_treasury_reflects_the_payment_received(alice):
    invoice = issued(alice.business, issue_date=D(LAST_YEAR, 3, 10))
    day = D(LAST_YEAR, 12, 31)
    before = business_treasury(alice.business, day)
    assert before.available_cents == -198  # the goods VAT, due at issue, before any cash
    assert before.projected_cents == LINES_EXCL
    payment_record(
        actor=None, invoice=invoice, amount_cents=LINES_INCL, method="transfer",
        date=D(LAST_YEAR, 4, 1),
    )  # fmt: skip
    after = business_treasury(alice.business, day)
    assert after.value("received") == LINES_INCL
    assert after.available_cents == LINES_EXCL  # what was received, less the VAT collected
    assert after.projected_cents == LINES_EXCL


def test_credit_note_on_half_paid_invoice_cancels_the_vat_still_pending(alice):
    invoice = issued(alice.business, lines=SERVICES_1000, issue_date=D(LAST_YEAR, 3, 10))
    payment_record(
        actor=None, invoice=invoice, amount_cents=60_000, method="transfer",
        date=D(LAST_YEAR, 3, 20),
    )  # fmt: skip
    half = [{"description": "Conseil (annulé)", "quantity": 1, "unit_price": Decimal("500")}]
    note = credit_note_create(actor=None, invoice=invoice, lines=half)
    note = invoice_issue(actor=None, invoice=note, issue_date=D(LAST_YEAR, 3, 25))
    entry = entry_of(note)
    assert (entry.event, entry.document_kind) == ("credit_note_issued", "credit_note")
    # The half still unpaid carried the VAT still pending: it comes off 44574.
    assert movements(entry) == {
        chart.CUSTOMERS: -60_000,
        chart.SERVICES_SOLD: 50_000,
        chart.VAT_COLLECTED_PENDING: 10_000,
    }
    assert entry.lines.get(account_id=chart.CUSTOMERS).match_ref == invoice.number
    assert balance(chart.VAT_COLLECTED_PENDING, alice.business) == 0
    assert balance(chart.VAT_COLLECTED, alice.business) == -10_000  # the half received
    assert balance(chart.CUSTOMERS, alice.business) == 0
    assert_balanced()


def test_full_credit_note_of_a_paid_invoice_takes_the_vat_off_collected(alice):
    invoice = issued(alice.business, lines=SERVICES_1000, issue_date=D(LAST_YEAR, 3, 10))
    payment_record(actor=None, invoice=invoice, amount_cents=120_000, method="transfer",
                   date=D(LAST_YEAR, 3, 20))  # fmt: skip
    note = invoice_issue(
        actor=None, invoice=credit_note_create(actor=None, invoice=invoice),
        issue_date=D(LAST_YEAR, 3, 25),
    )  # fmt: skip
    assert movements(entry_of(note)) == {
        chart.CUSTOMERS: -120_000,
        chart.SERVICES_SOLD: 100_000,
        chart.VAT_COLLECTED: 20_000,
    }
    for account in (chart.VAT_COLLECTED, chart.VAT_COLLECTED_PENDING, chart.SERVICES_SOLD):
        assert balance(account, alice.business) == 0
    # The customer is owed the refund: 411 stands at −1 200 €.
    assert balance(chart.CUSTOMERS, alice.business) == -120_000
    assert_balanced()


def test_credit_note_of_an_unpaid_invoice_reverses_it_entirely(alice):
    invoice = issued(alice.business, issue_date=D(LAST_YEAR, 3, 10))
    note = invoice_issue(
        actor=None, invoice=credit_note_create(actor=None, invoice=invoice),
        issue_date=D(LAST_YEAR, 3, 11),
    )  # fmt: skip
    assert movements(entry_of(note)) == {k: -v for k, v in movements(entry_of(invoice)).items()}
    for account in (chart.CUSTOMERS, chart.VAT_COLLECTED, chart.VAT_COLLECTED_PENDING):
        assert balance(account, alice.business) == 0
    assert set(
        Line.objects.filter(account_id=chart.CUSTOMERS).values_list("lettering", flat=True)
    ) != {""}


def test_internal_sale_posts_turnover_against_the_liaison_without_vat(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    customer = internal_customer_for(actor=None, seller=alice.business, buyer=bob.business)
    invoice = issued(alice.business, customer, issue_date=D(LAST_YEAR, 5, 5))
    entry = entry_of(invoice)
    assert movements(entry) == {
        chart.LIAISON_INTERNAL: LINES_EXCL,
        chart.SERVICES_SOLD: -20_000,
        chart.GOODS_SOLD: -3_604,
    }
    assert set(entry.lines.values_list("business_id", flat=True)) == {alice.business.pk}
    # Its payment is an internal compensation: nothing more to post.
    payment_record(actor=None, invoice=invoice, amount_cents=invoice.remaining_cents, method="transfer",
                   date=D(LAST_YEAR, 5, 6))  # fmt: skip
    assert not Entry.objects.filter(journal_id="BQ").exists()
    note = invoice_issue(
        actor=None, invoice=credit_note_create(actor=None, invoice=invoice),
        issue_date=D(LAST_YEAR, 5, 7),
    )  # fmt: skip
    assert movements(entry_of(note)) == {k: -v for k, v in movements(entry).items()}
    assert_balanced()


def test_a_failed_issue_leaves_neither_number_nor_entry(alice):
    invoice = draft(alice.business)
    account_update(
        actor=None, account=Account.objects.get(number=chart.SERVICES_SOLD), active=False
    )
    with pytest.raises(ValidationError, match="706"):
        invoice_issue(actor=None, invoice=invoice, issue_date=D(LAST_YEAR, 3, 10))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number) == (InvoiceStatus.DRAFT, None)
    assert not NumberingCounter.objects.filter(last_value__gt=0).exists()
    assert not Entry.objects.exists()


def test_documents_of_a_closed_period_post_into_the_open_period(alice):
    invoice = issued(alice.business, issue_date=D(LAST_YEAR, 3, 10))
    period_close(actor=None, through=D(LAST_YEAR, 3, 31))
    # A payment received in March, recorded after March was closed: it keeps its date,
    # its entry goes to the first open day.
    payment = payment_record(
        actor=None, invoice=invoice, amount_cents=1_000, method="cheque", date=D(LAST_YEAR, 3, 30)
    )
    assert payment.date == D(LAST_YEAR, 3, 30)
    bank = Entry.objects.get(document_kind="payment")
    assert bank.date == bank.document_date == D(LAST_YEAR, 4, 1)
    # An invoice dated in the closed month (same series, chronological) likewise.
    late = issued(alice.business, invoice.customer, issue_date=D(LAST_YEAR, 3, 31))
    assert late.issue_date == D(LAST_YEAR, 3, 31)
    assert entry_of(late).date == D(LAST_YEAR, 4, 1)
    assert (
        not Line.objects.filter(date__lte=D(LAST_YEAR, 3, 31))
        .exclude(entry=entry_of(invoice))
        .exists()
    )
    assert_balanced()


def test_import_posts_on_its_date_unless_its_period_is_closed(alice):
    customer = company(alice.business)
    lines = [{"description": "Conseil", "quantity": 1, "unit_price": Decimal("100")}]
    issued(alice.business, customer, issue_date=D(LAST_YEAR, 2, 10))
    period_close(actor=None, through=D(LAST_YEAR, 2, 28))
    old = invoice_import(
        actor=None, business=alice.business, customer=customer, number="OLD-2",
        kind="invoice", issue_date=D(LAST_YEAR, 2, 1), due_date=None, lines=lines,
    )  # fmt: skip
    recent = invoice_import(
        actor=None, business=alice.business, customer=customer, number="OLD-3",
        kind="invoice", issue_date=D(LAST_YEAR, 3, 1), due_date=None, lines=lines,
    )  # fmt: skip
    assert not Entry.objects.filter(document_id=str(old.pk)).exists()
    entry = entry_of(recent)
    assert (entry.date, entry.document_number) == (D(LAST_YEAR, 3, 1), "OLD-3")
    assert movements(entry) == {
        chart.CUSTOMERS: 12_000,
        chart.SERVICES_SOLD: -10_000,
        chart.VAT_COLLECTED_PENDING: -2_000,
    }
    # Its payment then letters it as for an invoice issued here.
    payment_record(actor=None, invoice=recent, amount_cents=12_000, method="transfer",
                   date=D(LAST_YEAR, 3, 5))  # fmt: skip
    assert balance(chart.VAT_COLLECTED_PENDING, alice.business) == -4_000  # the 2 still open
    assert_balanced()


def test_deposit_for_goods_waits_for_its_payment(alice):
    goods = [
        {"description": "Table", "quantity": 1, "unit_price": Decimal("100"), "nature": "goods"}
    ]
    invoice = issued(alice.business, lines=goods, kind="deposit", issue_date=D(LAST_YEAR, 6, 1))
    assert movements(entry_of(invoice)) == {
        chart.CUSTOMERS: 12_000,
        chart.GOODS_SOLD: -10_000,
        chart.VAT_COLLECTED_PENDING: -2_000,
    }


def test_prices_incl_vat_post_the_invoice_totals_rate_by_rate(alice):
    from alveole.sales.tests.conftest import individual
    from alveole.sales.tests.test_b2c_internal import TTC_INCL, TTC_LINES

    invoice = issued(
        alice.business,
        individual(alice.business),
        lines=TTC_LINES,
        prices_include_vat=True,
        issue_date=D(LAST_YEAR, 7, 1),
    )
    # 10 %: goods 9.07 + VAT 0.91; 20 %: services 16.67 + 10.02 = 26.69 + VAT 5.34.
    assert movements(entry_of(invoice)) == {
        chart.CUSTOMERS: TTC_INCL,
        chart.GOODS_SOLD: -907,
        chart.SERVICES_SOLD: -2_669,
        chart.VAT_COLLECTED: -91,
        chart.VAT_COLLECTED_PENDING: -534,
    }
