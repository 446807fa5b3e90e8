"""A grant's entries are written in the same transaction as the grant (docs/adr/0012): through
its page and its API route, corrected and reversed with it, refused whole with it; the
monthly run's catch-up (`grants_post`) then finds nothing to do."""

from __future__ import annotations

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse

from alveole.coop.models import FiscalYear, Grant, GrantAllocation
from alveole.core.models import AuditEvent
from alveole.ledger import grants
from alveole.ledger.grants import grant_change, grant_record, grant_remove, grants_post
from alveole.ledger.models import Entry, Event, Line
from alveole.ledger.selectors import trial_balance_rows
from alveole.ledger.services import fiscal_year_for, period_close
from tests.api_client import PersonaApi

pytestmark = pytest.mark.django_db

D = datetime.date

#: 45 000 € over 2025–2026, decided on 3 March 2025, received on 15 April 2026 (today is
#: later: every part is due).
GRANT = {
    "funder_kind": "fse", "funder_name": "FSE+", "programme": "Inclusion",
    "amount_cents": 4_500_000, "start_year": 2025, "end_year": 2026,
    "decision_date": D(2025, 3, 3), "received_date": D(2026, 4, 15),
}  # fmt: skip
FORM = {
    "funder_kind": "fse", "funder_name": "FSE+", "programme": "Inclusion", "amount": "45000.00",
    "start_year": "2025", "end_year": "2026", "decision_date": "2025-03-03",
    "received_date": "2026-04-15", "notes": "", "allocations": "",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(grants, "today", lambda: D(2026, 11, 26))


def in_force() -> list[tuple]:
    """(document, date, journal, amount) of the grant entries neither reversal nor reversed."""
    reversed_ids = Entry.objects.filter(reverses__isnull=False).values("reverses_id")
    return list(
        Entry.objects.filter(document_kind="grant")
        .exclude(event=Event.REVERSAL)
        .exclude(pk__in=reversed_ids)
        .order_by("document_id", "pk")
        .values_list("document_id", "date", "journal_id", "debit_cents")
    )


RECEIVED = D(2026, 4, 15)


def expected(grant: Grant, amount: int = 4_500_000, received: datetime.date = RECEIVED):
    return [
        (f"{grant.pk}:2025", D(2025, 3, 3), "OD", amount // 2),
        (f"{grant.pk}:2026", D(2026, 1, 1), "OD", amount - amount // 2),
        (f"{grant.pk}:received", received, "BQ", amount),
    ]


def net(business, account: str) -> int:
    sums = Line.objects.filter(business=business, account_id=account).aggregate(
        d=Sum("debit_cents", default=0), c=Sum("credit_cents", default=0)
    )
    return sums["d"] - sums["c"]


def balanced() -> bool:
    totals = Line.objects.aggregate(d=Sum("debit_cents"), c=Sum("credit_cents"))
    return totals["d"] == totals["c"]


def trial(year: int, account: str) -> int:
    fiscal_year = FiscalYear.objects.get(start_date=D(year, 1, 1))
    rows = {row.number: row.balance_cents for row in trial_balance_rows(fiscal_year)}
    return rows.get(account, 0)


def nothing_written() -> tuple:
    return (
        Grant.objects.count(),
        GrantAllocation.objects.count(),
        Entry.objects.count(),
        Line.objects.count(),
    )


def test_the_page_records_a_grant_with_its_entries(personas, support):
    response = personas.accountant.client.post(reverse("coop:grant_create"), FORM)
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert in_force() == expected(grant)
    assert balanced()
    # The ledger shows it at once, without the monthly run: recognised per year, received.
    assert trial(2025, "740") == -2_250_000
    assert trial(2026, "740") == -2_250_000
    assert trial(2026, "512") == 4_500_000
    assert net(support, "441") == 0
    assert Line.objects.filter(business=support).count() == 6
    # The monthly run's catch-up finds the books in line.
    run = grants_post(actor=None)
    assert run.posted == [] and run.reversed == []


def test_the_api_records_a_grant_with_its_entries(personas, support):
    api = PersonaApi(personas)
    body = {key: str(value) if isinstance(value, D) else value for key, value in GRANT.items()}
    response = api("director", "post", "/api/cooperative/grants", body)
    assert response.status_code == 201, response.json()
    grant = Grant.objects.get(pk=response.json()["id"])
    assert in_force() == expected(grant)
    assert balanced() and net(support, "740") == -4_500_000
    response = api(
        "accountant", "patch", f"/api/cooperative/grants/{grant.pk}", {"amount_cents": 5_000_000}
    )
    assert response.status_code == 200, response.json()
    assert in_force() == expected(grant, 5_000_000)
    assert api("accountant", "delete", f"/api/cooperative/grants/{grant.pk}").status_code == 204
    assert in_force() == []
    assert net(support, "740") == net(support, "512") == net(support, "441") == 0
    assert grants_post(actor=None).posted == []


def test_changing_the_amount_reverses_and_posts_anew(support):
    grant = grant_record(actor=None, **GRANT)
    first = Entry.objects.filter(document_kind="grant").count()
    grant_change(actor=None, grant=grant, amount_cents=6_000_000)
    assert in_force() == expected(grant, 6_000_000)
    reversals = Entry.objects.filter(event=Event.REVERSAL, document_kind="grant")
    assert reversals.count() == first == 3
    # Each reversal is dated as the entry it cancels (both periods are open).
    assert sorted(reversals.values_list("date", flat=True)) == [
        D(2025, 3, 3),
        D(2026, 1, 1),
        D(2026, 4, 15),
    ]
    assert net(support, "740") == -6_000_000 and net(support, "512") == 6_000_000
    assert balanced()
    assert grants_post(actor=None).posted == []


def test_a_change_that_moves_nothing_posts_nothing(support):
    grant = grant_record(actor=None, **GRANT)
    count = Entry.objects.count()
    grant_change(actor=None, grant=grant, notes="Convention n° 12")
    assert Entry.objects.count() == count


def test_changing_the_received_date_moves_the_payment(support):
    grant = grant_record(actor=None, **GRANT)
    grant_change(actor=None, grant=grant, received_date=D(2026, 5, 20))
    assert in_force() == expected(grant, received=D(2026, 5, 20))
    assert Entry.objects.filter(event=Event.REVERSAL).count() == 1
    assert grants_post(actor=None).posted == []


def test_deleting_reverses(support):
    grant = grant_record(actor=None, **GRANT)
    grant_remove(actor=None, grant=grant)
    assert not Grant.objects.exists()
    assert in_force() == []
    assert Entry.objects.filter(event=Event.REVERSAL).count() == 3
    assert net(support, "740") == net(support, "512") == net(support, "441") == 0
    assert balanced()
    assert grants_post(actor=None).posted == []


def test_a_refused_posting_leaves_no_grant_and_no_entry(support, monkeypatch):
    before = nothing_written()
    audit = AuditEvent.objects.count()
    calls = []
    post = grants.entry_post_if_any

    def second_refused(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:  # the first entry is written, then the second is refused
            raise ValidationError("Écriture refusée pour l'essai.")
        return post(**kwargs)

    monkeypatch.setattr(grants, "entry_post_if_any", second_refused)
    with pytest.raises(ValidationError) as refused:
        grant_record(actor=None, **GRANT)
    assert refused.value.messages == [
        "La subvention n'est pas enregistrée : la comptabilité refuse ses écritures. "
        "Écriture refusée pour l'essai."
    ]
    assert len(calls) == 2
    assert nothing_written() == before
    assert AuditEvent.objects.count() == audit


def test_a_refused_posting_through_the_page_says_why_in_french(personas, support, monkeypatch):
    def refused(**kwargs):
        raise ValidationError("Écriture refusée pour l'essai.")

    monkeypatch.setattr(grants, "entry_post_if_any", refused)
    before = nothing_written()
    response = personas.director.client.post(reverse("coop:grant_create"), FORM)
    assert response.status_code == 400
    assert "la comptabilité refuse ses écritures. Écriture refusée pour l'essai." in (
        html.unescape(response.content.decode())
    )
    assert nothing_written() == before


def test_a_refused_change_or_removal_keeps_the_grant_and_its_entries(support, monkeypatch):
    grant = grant_record(actor=None, **GRANT)
    before = (in_force(), list(grant.allocations.values_list("year", "amount_cents")))
    count = Entry.objects.count()

    def refused(**kwargs):
        raise ValidationError("Écriture refusée pour l'essai.")

    monkeypatch.setattr(grants, "entry_post_if_any", refused)
    with pytest.raises(ValidationError, match="La modification de la subvention n'est pas"):
        grant_change(actor=None, grant=grant, amount_cents=1_000_000)
    monkeypatch.setattr(grants, "document_entries_reverse", refused)
    with pytest.raises(ValidationError, match="La subvention n'est pas supprimée"):
        grant_remove(actor=None, grant=grant)
    grant.refresh_from_db()
    assert grant.amount_cents == 4_500_000
    assert (in_force(), list(grant.allocations.values_list("year", "amount_cents"))) == before
    assert Entry.objects.count() == count


def test_without_a_support_structure_the_grant_is_refused_whole(cooperative):
    with pytest.raises(ValidationError) as refused:
        grant_record(actor=None, **GRANT)
    assert refused.value.messages == [
        "La subvention n'est pas enregistrée : la comptabilité refuse ses écritures. "
        "La structure d'accompagnement n'existe pas : créez-la parmi les activités."
    ]
    assert nothing_written() == (0, 0, 0, 0)


def test_a_grant_with_nothing_due_yet_needs_no_entry(cooperative):
    grant = grant_record(
        actor=None, **GRANT | {"start_year": 2027, "end_year": 2027, "received_date": None}
    )
    assert grant.pk and Entry.objects.count() == 0


def test_a_year_not_begun_is_left_to_the_monthly_run(support):
    grant = grant_record(actor=None, **GRANT | {"end_year": 2027, "received_date": None})
    assert [row[0] for row in in_force()] == [f"{grant.pk}:2025", f"{grant.pk}:2026"]
    run = grants_post(actor=None, through=D(2027, 1, 1))
    assert [(e.document_id, e.date, e.debit_cents) for e in run.posted] == [
        (f"{grant.pk}:2027", D(2027, 1, 1), 1_500_000)
    ]


def test_a_date_in_a_closed_period_goes_to_the_first_open_day(support):
    fiscal_year_for(D(2025, 1, 1))
    fiscal_year_for(D(2026, 1, 1))
    period_close(actor=None, through=D(2025, 12, 31))
    grant = grant_record(actor=None, **GRANT)
    assert in_force()[0] == (f"{grant.pk}:2025", D(2026, 1, 1), "OD", 2_250_000)
    # Closing more months does not make the catch-up move what is already in the books.
    period_close(actor=None, through=D(2026, 6, 30))
    run = grants_post(actor=None)
    assert run.posted == [] and run.reversed == []


def test_only_bookkeepers_record_grants(personas, support):
    before = nothing_written()
    for who in ("entrepreneur", "staff"):
        with pytest.raises(PermissionDenied):
            grant_record(actor=getattr(personas, who).user, **GRANT)
    assert nothing_written() == before
    assert grant_record(actor=personas.director.user, **GRANT).pk


def test_a_refused_posting_through_the_api_is_a_400_and_writes_nothing(
    personas, support, monkeypatch
):
    def refused(**kwargs):
        raise ValidationError("Écriture refusée pour l'essai.")

    monkeypatch.setattr(grants, "entry_post_if_any", refused)
    before = nothing_written()
    body = {key: str(value) if isinstance(value, D) else value for key, value in GRANT.items()}
    response = PersonaApi(personas)("accountant", "post", "/api/cooperative/grants", body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "La subvention n'est pas enregistrée : la comptabilité refuse ses écritures. "
        "Écriture refusée pour l'essai."
    )
    assert nothing_written() == before


def test_a_refused_removal_through_the_page_keeps_the_grant(personas, support, monkeypatch):
    grant = grant_record(actor=None, **GRANT)
    count = Entry.objects.count()

    def refused(**kwargs):
        raise ValidationError("Écriture refusée pour l'essai.")

    monkeypatch.setattr(grants, "document_entries_reverse", refused)
    client = personas.accountant.client
    response = client.post(reverse("coop:grant_delete", args=[grant.pk]), follow=True)
    assert response.redirect_chain == [(reverse("coop:grant_edit", args=[grant.pk]), 302)]
    assert "La subvention n'est pas supprimée" in html.unescape(response.content.decode())
    assert Grant.objects.filter(pk=grant.pk).exists()
    assert Entry.objects.count() == count
