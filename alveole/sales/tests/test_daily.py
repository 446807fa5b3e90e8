"""The daily maintenance of sales: quote expiry, late invoices, first reminders; idempotent."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from alveole.core.formatting import format_cents
from alveole.core.models import AuditEvent
from alveole.sales import tasks
from alveole.sales.models import Quote, Reminder
from alveole.sales.services import quote_create, quote_send, sales_daily

from .conftest import LINES, LINES_INCL, company, individual, issued

pytestmark = pytest.mark.django_db


def _sent_quote(business, customer, validity_date):
    quote = quote_create(
        actor=None,
        business=business,
        customer=customer,
        lines=LINES,
        issue_date=validity_date - datetime.timedelta(days=30),
        validity_date=validity_date,
    )
    return quote_send(actor=None, quote=quote, email=False)


def test_daily_expires_quotes_counts_late_invoices_and_is_idempotent(alice):
    day = datetime.date.today()
    customer = company(alice.business)
    old = _sent_quote(alice.business, customer, day - datetime.timedelta(days=1))
    still_valid = _sent_quote(alice.business, customer, day)
    late = issued(alice.business, customer, issue_date=day - datetime.timedelta(days=40))
    issued(alice.business, customer)  # due in 30 days: not late

    first = sales_daily(day=day)
    assert (first.expired_quotes, first.late_invoices, first.late_cents) == (1, 1, LINES_INCL)
    assert first.reminders == 0
    old.refresh_from_db()
    still_valid.refresh_from_db()
    assert old.status == Quote.Status.EXPIRED
    assert still_valid.status == Quote.Status.SENT
    assert list(old.state_changes.values_list("from_status", "to_status"))[-1] == (
        "sent",
        "expired",
    )
    assert AuditEvent.objects.filter(
        target_type="sales.quote", target_id=str(old.pk), summary__contains="expiré"
    ).exists()

    second = sales_daily(day=day)
    assert (second.expired_quotes, second.late_invoices, second.reminders) == (0, 1, 0)
    assert old.state_changes.count() == 3  # draft, sent, expired: nothing more
    assert not Reminder.objects.filter(invoice=late).exists()


def test_daily_remind_sends_one_first_reminder_only(alice, django_capture_on_commit_callbacks):
    day = datetime.date.today()
    late = issued(alice.business, issue_date=day - datetime.timedelta(days=40))
    no_mail = issued(
        alice.business,
        individual(alice.business, email=""),
        issue_date=day - datetime.timedelta(days=40),
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = sales_daily(day=day, remind=True)
        second = sales_daily(day=day, remind=True)
    assert (first.late_invoices, first.reminders) == (2, 1)
    assert (second.late_invoices, second.reminders) == (2, 0)
    assert [m.subject for m in mail.outbox] == [f"Relance : facture {late.number}"]
    assert list(Reminder.objects.values_list("invoice", "level")) == [(late.pk, 1)]
    assert not no_mail.reminders.exists()


def test_command_prints_the_summary_and_refuses_a_bad_date(alice):
    day = datetime.date.today()
    _sent_quote(alice.business, company(alice.business), day - datetime.timedelta(days=2))
    out = StringIO()
    call_command("sales_daily", "--date", day.isoformat(), stdout=out)
    assert out.getvalue().strip() == (
        f"{day:%d/%m/%Y} : 1 devis expiré(s), 0 facture(s) en retard ({format_cents(0)}), "
        "0 relance(s) envoyée(s)"
    )
    out = StringIO()
    call_command("sales_daily", stdout=out)
    assert "0 devis expiré(s)" in out.getvalue()
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("sales_daily", "--date", "26/11/2026")


def test_the_task_runs_the_same_maintenance(alice):
    day = datetime.date.today()
    quote = _sent_quote(alice.business, company(alice.business), day - datetime.timedelta(days=1))
    result = tasks.sales_daily.call(day.isoformat(), False)
    assert result == {"expired_quotes": 1, "late_invoices": 0, "reminders": 0}
    quote.refresh_from_db()
    assert quote.status == Quote.Status.EXPIRED
