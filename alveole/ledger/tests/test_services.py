"""Posting, numbering, balance, immutability, lettering, reversals, VAT returns, closings."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alveole.coop.models import FiscalYear
from alveole.coop.services import fiscal_year_create
from alveole.core.models import AuditEvent
from alveole.ledger import posting, services
from alveole.ledger.models import Account, Entry, LedgerImmutableError, Line, PeriodClosing
from alveole.ledger.posting import (
    DocumentRef,
    EntryDraft,
    ExpenseItem,
    LineDraft,
    Party,
    PaymentShares,
    SaleAmounts,
)
from alveole.ledger.tests.conftest import (
    assert_balanced,
    bill,
    bill_paid,
    contribution,
    invoice,
    ledger_totals,
    payment,
    salary,
)
from tests.factories import make_business, make_entrepreneur

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def alice(personas):
    return personas.entrepreneur.business


def manual(day, lines, journal="OD", label="Frais bancaires"):
    return EntryDraft(
        journal=journal,
        date=day,
        label=label,
        event="manual",
        document=DocumentRef("manual", "", day),
        lines=tuple(lines),
    )


def state():
    return (Entry.objects.count(), Line.objects.count(), ledger_totals())


def test_entries_are_numbered_per_journal_and_fiscal_year(alice):
    first = invoice(alice, "A-1", D(2025, 12, 30), services=1_000)
    second = invoice(alice, "A-2", D(2026, 1, 2), services=1_000)
    third = invoice(alice, "A-3", D(2026, 1, 3), services=1_000)
    bank = payment(alice, "A-2", D(2026, 1, 4), 1_000, excl_vat=1_000)
    assert [
        (e.journal_id, e.fiscal_year.start_date.year, e.number)
        for e in (first, second, third, bank)
    ] == [
        ("VE", 2025, 1),
        ("VE", 2026, 1),
        ("VE", 2026, 2),
        ("BQ", 2026, 1),
    ]
    assert third.reference == "VE000002"
    # The calendar years were opened by the first entries dated in them.
    assert list(FiscalYear.objects.values_list("start_date", "end_date")) == [
        (D(2025, 1, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), D(2026, 12, 31)),
    ]
    event = AuditEvent.objects.filter(target_type="ledger.entry", target_id=str(third.pk)).get()
    assert event.summary.startswith("Écriture VE000002")
    assert third.validated_at <= timezone.now()
    assert_balanced()


def test_a_fiscal_year_that_is_not_the_calendar_year_is_used(alice):
    year = fiscal_year_create(actor=None, start_date=D(2025, 7, 1), end_date=D(2026, 6, 30))
    entry = invoice(alice, "A-1", D(2026, 2, 1), services=1_000)
    assert entry.fiscal_year == year
    with pytest.raises(ValidationError, match="Aucun exercice ne couvre le 01/08/2026"):
        invoice(alice, "A-2", D(2026, 8, 1), services=1_000)


def test_unbalanced_entries_are_refused_and_nothing_is_written(alice):
    before = state()
    with pytest.raises(ValidationError, match="n'est pas équilibrée"):
        services.entry_post(
            actor=None,
            draft=manual(
                D(2026, 3, 1),
                [LineDraft("627", 1_000, business_id=alice.pk), LineDraft("512", 0, 999)],
            ),
        )
    with pytest.raises(ValidationError, match="au moins deux lignes"):
        services.entry_post(actor=None, draft=manual(D(2026, 3, 1), [LineDraft("627", 1_000)]))
    with pytest.raises(ValidationError, match="soit au débit, soit au crédit"):
        services.entry_post(
            actor=None,
            draft=manual(D(2026, 3, 1), [LineDraft("627", 1_000, 1_000), LineDraft("512", 0, 0)]),
        )
    assert state() == before


def test_the_database_refuses_an_unbalanced_entry_too(alice):
    year = fiscal_year_create(actor=None, start_date=D(2026, 1, 1), end_date=D(2026, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            journal_id="OD", fiscal_year=year, number=1, date=D(2026, 1, 1), label="x", event="manual",
            document_date=D(2026, 1, 1), validated_at=timezone.now(), debit_cents=10, credit_cents=9,
        )  # fmt: skip
    entry = services.entry_post(
        actor=None,
        draft=manual(D(2026, 3, 1), [LineDraft("627", 1_000), LineDraft("512", 0, 1_000)]),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.bulk_create(
            [
                Line(
                    entry=entry,
                    position=9,
                    date=entry.date,
                    journal_id="OD",
                    account_id="512",
                    label="x",
                    debit_cents=5,
                    credit_cents=5,
                )
            ]
        )


def test_unknown_or_closed_accounts_and_unknown_journals_are_refused(alice):
    with pytest.raises(ValidationError, match="Compte absent du plan comptable : 999"):
        services.entry_post(
            actor=None, draft=manual(D(2026, 3, 1), [LineDraft("999", 10), LineDraft("512", 0, 10)])
        )
    services.account_update(actor=None, account=Account.objects.get(number="627"), active=False)
    with pytest.raises(ValidationError, match="Compte fermé aux écritures : 627"):
        services.entry_post(
            actor=None, draft=manual(D(2026, 3, 1), [LineDraft("627", 10), LineDraft("512", 0, 10)])
        )
    with pytest.raises(ValidationError, match="Journal inconnu : ZZ"):
        services.entry_post(
            actor=None,
            draft=manual(
                D(2026, 3, 1), [LineDraft("628", 10), LineDraft("512", 0, 10)], journal="ZZ"
            ),
        )

    with pytest.raises(ValidationError, match="Journal inconnu : ZZ"):
        services.entry_post(
            actor=None,
            draft=manual(
                D(2026, 3, 1), [LineDraft("998", 10), LineDraft("999", 0, 10)], journal="ZZ"
            ),
        )
    with pytest.raises(ValidationError, match="Activité inconnue pour le code analytique"):
        services.entry_post(
            actor=None,
            draft=manual(
                D(2026, 3, 1),
                [LineDraft("628", 10, business_id=alice.pk), LineDraft("512", 0, 10, 999_999)],
            ),
        )


def test_an_entry_is_checked_and_written_in_nine_queries(alice, django_assert_max_num_queries):
    """Journal, accounts and businesses are checked in one query; the fiscal year is read
    and held in share mode in one (savepoint, checks, year, closing, number, entry, lines,
    audit, release)."""
    lines = [LineDraft("628", 10, business_id=alice.pk), LineDraft("512", 0, 10)]
    services.entry_post(actor=None, draft=manual(D(2026, 3, 1), lines))  # the year's first
    with django_assert_max_num_queries(9):
        entry = services.entry_post(actor=None, draft=manual(D(2026, 3, 2), lines))
    assert entry.number == 2 and entry.lines.count() == 2


def test_posted_entries_never_change(alice):
    entry = invoice(alice, "A-1", D(2026, 3, 1), services=1_000)
    entry.label = "autre"
    with pytest.raises(LedgerImmutableError):
        entry.save()
    with pytest.raises(LedgerImmutableError):
        entry.delete()
    with pytest.raises(LedgerImmutableError):
        Entry.objects.filter(pk=entry.pk).update(label="autre")
    with pytest.raises(LedgerImmutableError):
        Line.objects.filter(entry=entry).update(debit_cents=1)
    with pytest.raises(LedgerImmutableError):
        Line.objects.filter(entry=entry).delete()
    line = entry.lines.first()
    line.debit_cents = 1
    with pytest.raises(LedgerImmutableError):
        line.save()
    # Lettering is the one thing that changes on a posted line.
    Line.objects.filter(pk=line.pk).update(lettering="ZZ")
    assert Line.objects.get(pk=line.pk).lettering == "ZZ"


def test_customer_lines_are_lettered_once_the_invoice_is_paid(alice):
    issue = invoice(alice, "A-1", D(2026, 3, 1), services=10_000, services_vat=2_000)
    first = payment(alice, "A-1", D(2026, 3, 10), 5_000, excl_vat=4_167, pending_vat=833)
    open_lines = Line.objects.filter(account_id="411")
    assert set(open_lines.values_list("lettering", flat=True)) == {""}
    last = payment(alice, "A-1", D(2026, 3, 20), 7_000, excl_vat=5_833, pending_vat=1_167)
    customer_lines = Line.objects.filter(account_id="411").order_by("pk")
    codes = set(customer_lines.values_list("lettering", flat=True))
    assert len(codes) == 1 and "" not in codes
    assert set(customer_lines.values_list("lettering_date", flat=True)) == {D(2026, 3, 20)}
    assert {line.entry_id for line in customer_lines} == {issue.pk, first.pk, last.pk}
    # Another invoice's lines stay open.
    invoice(alice, "A-2", D(2026, 3, 21), services=1_000)
    assert Line.objects.filter(account_id="411", match_ref="A-2").get().lettering == ""


def test_posting_into_a_closed_month_is_refused_with_a_french_message(alice, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2026, 5, 10))
    invoice(alice, "A-1", D(2026, 3, 1), services=1_000)
    closing = services.period_close(actor=None, through=D(2026, 3, 31))
    assert closing.kind == "month" and services.lock_date() == D(2026, 3, 31)
    before = state()
    with pytest.raises(ValidationError) as refused:
        invoice(alice, "A-2", D(2026, 3, 31), services=1_000)
    assert refused.value.messages == [
        "La période est clôturée jusqu'au 31/03/2026 : aucune écriture ne peut être datée du "
        "31/03/2026. Passez la correction dans la période ouverte, à partir du 01/04/2026."
    ]
    assert state() == before
    assert invoice(alice, "A-2", D(2026, 4, 1), services=1_000).number == 2
    with pytest.raises(ValidationError, match="déjà clôturée"):
        services.period_close(actor=None, through=D(2026, 2, 28))
    with pytest.raises(ValidationError, match="dernier jour de mois"):
        services.period_close(actor=None, through=D(2026, 4, 15))
    with pytest.raises(ValidationError, match="mois terminé"):
        services.period_close(actor=None, through=D(2026, 5, 31))
    with pytest.raises(ValidationError):
        PeriodClosing.objects.get().delete()


def test_a_fiscal_year_closed_elsewhere_refuses_entries(alice):
    year = fiscal_year_create(actor=None, start_date=D(2024, 1, 1), end_date=D(2024, 12, 31))
    FiscalYear.objects.filter(pk=year.pk).update(closed=True)
    with pytest.raises(ValidationError, match="L'exercice 2024 est clôturé"):
        invoice(alice, "A-1", D(2024, 6, 1), services=1_000)


def test_reversal_cancels_an_entry_in_the_open_period(alice, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2026, 5, 10))
    entry = bill(alice, "F-1", D(2026, 3, 5), 10_000, 2_000)
    services.period_close(actor=None, through=D(2026, 3, 31))
    reversal = services.entry_reverse(actor=None, entry=entry, reason="doublon")
    assert reversal.date == D(2026, 5, 10) and reversal.reverses == entry
    assert reversal.label == f"Contre-passation : {entry.reference} {entry.label} (doublon)"
    lines = [
        (line.account_id, line.debit_cents, line.credit_cents)
        for line in reversal.lines.order_by("position")
    ]
    assert lines == [("606", 0, 10_000), ("44566", 0, 2_000), ("401", 12_000, 0)]
    # The two 401 lines of the bill now net to zero: lettered together.
    assert Line.objects.filter(account_id="401").exclude(lettering="").count() == 2
    with pytest.raises(ValidationError, match="déjà contre-passée"):
        services.entry_reverse(actor=None, entry=entry)
    assert_balanced()


def test_bookkeeping_services_are_for_the_accountant_and_the_direction(personas, alice):
    entry = invoice(alice, "A-1", D(2026, 3, 1), services=1_000)
    for who in ("entrepreneur", "staff"):
        user = getattr(personas, who).user
        with pytest.raises(PermissionDenied):
            services.entry_reverse(actor=user, entry=entry)
        with pytest.raises(PermissionDenied):
            services.period_close(actor=user, through=D(2026, 3, 31))
        with pytest.raises(PermissionDenied):
            services.account_create(actor=user, number="6251", label="x")
    assert (
        services.entry_reverse(actor=personas.accountant.user, entry=entry).posted_by
        == personas.accountant.user
    )


def test_chart_of_accounts_is_loaded_and_editable():
    assert Account.objects.get(number="44571").label == "TVA collectée"
    assert {
        "411",
        "401",
        "706",
        "707",
        "740",
        "44571",
        "44566",
        "44551",
        "512",
        "421",
        "431",
        "437",
        "641",
        "645",
        "1013",
    } <= set(Account.objects.values_list("number", flat=True))
    account = services.account_create(
        actor=None, number="6228", label="Rémunérations d'intermédiaires"
    )
    assert account.account_class == 6
    with pytest.raises(ValidationError):
        services.account_create(actor=None, number="6228", label="doublon")
    with pytest.raises(ValidationError):
        services.account_create(actor=None, number="9A", label="invalide")
    services.account_update(actor=None, account=account, label="Commissions")
    assert Account.objects.get(number="6228").label == "Commissions"


def test_vat_return_settles_collected_against_deductible(alice, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2026, 5, 10))
    invoice(alice, "A-1", D(2026, 3, 1), goods=10_000, goods_vat=2_000)
    invoice(alice, "A-2", D(2026, 3, 2), services=50_000, services_vat=10_000)
    payment(alice, "A-2", D(2026, 4, 2), 60_000, excl_vat=50_000, pending_vat=10_000)
    bill(alice, "F-1", D(2026, 3, 5), 5_000, 1_000)
    march = services.vat_return_post(actor=None, start=D(2026, 3, 1), end=D(2026, 3, 31))
    lines = [
        (line.account_id, line.debit_cents, line.credit_cents)
        for line in march.lines.order_by("position")
    ]
    assert lines == [("44571", 2_000, 0), ("44566", 0, 1_000), ("44551", 0, 1_000)]
    april = services.vat_return_post(actor=None, start=D(2026, 4, 1), end=D(2026, 4, 30))
    assert [
        (line.account_id, line.debit_cents, line.credit_cents)
        for line in april.lines.order_by("position")
    ] == [
        ("44571", 10_000, 0),
        ("44551", 0, 10_000),
    ]
    with pytest.raises(ValidationError, match="déjà déclarée"):
        services.vat_return_post(actor=None, start=D(2026, 2, 1), end=D(2026, 3, 31))
    assert_balanced()


def test_closing_a_fiscal_year_carries_the_balances_forward(alice, support, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2026, 2, 10))
    invoice(alice, "A-1", D(2025, 3, 1), services=100_000, services_vat=20_000)
    payment(alice, "A-1", D(2025, 4, 1), 60_000, excl_vat=50_000, pending_vat=10_000)
    bill(alice, "F-1", D(2025, 3, 5), 10_000, 2_000)
    bill_paid(alice, "F-1", D(2025, 3, 25), 12_000)
    salary(alice, D(2025, 4, 30), 20_000, 8_000, 1_000, 4_400)
    contribution(alice, support, D(2025, 4, 30), 5_000)
    year = FiscalYear.objects.get(start_date=D(2025, 1, 1))
    opening = services.fiscal_year_close(actor=None, fiscal_year=year)
    year.refresh_from_db()
    assert year.closed and services.lock_date() == D(2025, 12, 31)
    assert opening.journal_id == "AN" and opening.number == 1 and opening.date == D(2026, 1, 1)
    assert opening.fiscal_year.start_date == D(2026, 1, 1)
    carried = {
        (line.account_id, line.business_id): (line.debit_cents - line.credit_cents)
        for line in opening.lines.all()
    }
    # Revenue 100 000 − purchases 10 000 − personnel 27 000 = 63 000 profit; the liaison
    # 1811 nets to zero across the two codes but is carried per business.
    assert carried == {
        ("1811", alice.pk): 5_000,
        ("1811", support.pk): -5_000,
        ("411", alice.pk): 60_000,
        ("421", None): -15_600,
        ("431", None): -11_400,
        ("44566", alice.pk): 2_000,
        ("44571", alice.pk): -10_000,
        ("44574", alice.pk): -10_000,
        ("512", alice.pk): 48_000,
        ("120", None): -63_000,
    }
    with pytest.raises(ValidationError, match="clôturée jusqu'au 31/12/2025"):
        invoice(alice, "A-2", D(2025, 12, 31), services=1_000)
    with pytest.raises(ValidationError, match="déjà clôturé"):
        services.fiscal_year_close(actor=None, fiscal_year=year)
    assert_balanced()


def test_the_ledger_balances_after_every_service(alice, support, monkeypatch):
    """Every posting function through `entry_post`, then the ledger's own services."""
    monkeypatch.setattr(services, "today", lambda: D(2026, 3, 10))
    bob = make_business(make_entrepreneur(first_name="Bob"), code="BOBBY")
    doc = DocumentRef("doc", "D-1", D(2025, 12, 1))
    customer, supplier, person = (
        Party("C", "Client"),
        Party("F", "Fournisseur"),
        Party("P", "Alice"),
    )
    amounts = SaleAmounts(10_000, 20_000, 2_000, 4_000)
    drafts = [
        posting.invoice_issued(document=doc, business_id=alice.pk, customer=customer, amounts=amounts, vat_on_debits=False),
        posting.credit_note_issued(document=doc, business_id=alice.pk, customer=customer, amounts=SaleAmounts(services_net_cents=1_000, services_vat_cents=200), vat_on_debits=False, credited_invoice_number="D-1"),
        posting.internal_sale_issued(document=doc, seller_id=alice.pk, buyer_code=bob.code, services_net_cents=5_000),
        posting.internal_purchase_validated(document=doc, buyer_id=bob.pk, seller_code=alice.code, category="subcontracting", excl_vat_cents=5_000),
        posting.payment_received(document=doc, business_id=alice.pk, customer=customer, amount_cents=10_000, settles="D-1", shares=PaymentShares(8_000, 1_000)),
        posting.supplier_invoice_validated(document=doc, business_id=alice.pk, supplier=supplier, category="subcontracting", excl_vat_cents=3_000, deductible_vat_cents=600, deductible_on_payment=True),
        posting.supplier_invoice_paid(document=doc, business_id=alice.pk, supplier=supplier, amount_cents=3_600, settles="D-1", pending_vat_cents=600),
        posting.expense_report_validated(document=doc, business_id=alice.pk, person=person, items=[ExpenseItem("meals", 2_400, 218)]),
        posting.expense_report_paid(document=doc, business_id=alice.pk, person=person, amount_cents=2_400, settles="D-1"),
        posting.payroll_month(document=doc, person=person, gross_cents=100_000, employee_contributions_cents=22_000, employer_contributions_cents=40_000, reduction_cents=12_000, net_cents=78_000, charges=[(alice.pk, 100_000), (bob.pk, 28_000)], other_bodies_cents=5_000),
        posting.payroll_paid(document=doc, person=person, amount_cents=78_000, settles="D-1"),
        posting.grant_recognised(document=doc, support_business_id=support.pk, funder=Party("R", "Région"), amount_cents=50_000),
        posting.grant_received(document=doc, support_business_id=support.pk, funder=Party("R", "Région"), amount_cents=50_000, settles="D-1"),
        posting.contribution(document=doc, business_id=alice.pk, business_code=alice.code, support_business_id=support.pk, amount_cents=3_000, period_label="12/2025"),
    ]  # fmt: skip
    for draft in drafts:
        services.entry_post(actor=None, draft=draft)
        assert_balanced()
    services.vat_return_post(actor=None, start=D(2025, 12, 1), end=D(2025, 12, 31))
    assert_balanced()
    services.entry_reverse(actor=None, entry=Entry.objects.filter(event="contribution").get())
    assert_balanced()
    services.fiscal_year_close(
        actor=None, fiscal_year=FiscalYear.objects.get(start_date=D(2025, 1, 1))
    )
    assert_balanced()
    services.period_close(actor=None, through=D(2026, 2, 28))
    assert Entry.objects.count() == len(drafts) + 3


def test_a_corrected_document_has_its_entries_reversed(alice, monkeypatch):
    """A payroll record corrected after posting: its entry is reversed, whoever the actor
    (the payroll service checked its own permissions), then posted anew."""
    monkeypatch.setattr(services, "today", lambda: D(2026, 5, 10))
    first = salary(
        alice, D(2026, 3, 31), gross=50_000, employer=20_000, reduction=5_000, employee=11_000
    )
    [reversal] = services.document_entries_reverse(
        actor=None, document_kind="payroll", document_id=first.document_id
    )
    assert reversal.reverses == first and reversal.date == D(2026, 5, 10)
    assert (
        services.document_entries_reverse(
            actor=None, document_kind="payroll", document_id=first.document_id
        )
        == []
    )
    assert_balanced()
