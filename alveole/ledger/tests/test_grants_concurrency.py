"""On PostgreSQL: the monthly run's catch-up and a grant being changed at the same time do not
post the grant twice or post its old version (the run locks the grants it reads)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections, transaction

from alveole.businesses.services import business_create
from alveole.coop.models import Grant
from alveole.ledger import grants
from alveole.ledger.grants import grant_change, grant_record, grants_post
from alveole.ledger.models import Entry, Event

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]
D = datetime.date


def test_the_catch_up_waits_for_a_grant_being_changed(monkeypatch):
    business_create(
        actor=None, name="Structure", code="CAE", kind="support_structure", start_date=D(2020, 1, 1)
    )
    grant = grant_record(
        actor=None, funder_kind="region", programme="Création", amount_cents=1_000_000,
        start_year=2026, end_year=2026, decision_date=D(2026, 2, 1),
    )  # fmt: skip
    changing, changed = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    posted = grants._posted

    def posted_once_the_change_is_committed(grant_id=None):
        # The run reads the books only after the change committed: had it read the grant
        # before (no lock), it would now see entries newer than the grant it read.
        if threading.current_thread().name == "run":
            assert changed.wait(10)
        return posted(grant_id)

    monkeypatch.setattr(grants, "_posted", posted_once_the_change_is_committed)

    def change() -> None:
        try:
            with transaction.atomic():
                grant_change(actor=None, grant=grant, amount_cents=1_500_000)
                changing.set()
                threading.Event().wait(0.5)  # the run starts meanwhile
            changed.set()
        except BaseException as error:
            errors.append(error)
            changing.set()
            changed.set()
        finally:
            connections.close_all()

    def run() -> None:
        try:
            assert changing.wait(10)
            grants_post(actor=None)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change), threading.Thread(target=run, name="run")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    reversed_ids = Entry.objects.filter(reverses__isnull=False).values("reverses_id")
    in_force = (
        Entry.objects.filter(document_kind="grant")
        .exclude(event=Event.REVERSAL)
        .exclude(pk__in=reversed_ids)
        .values_list("document_id", "debit_cents")
    )
    assert list(in_force) == [(f"{grant.pk}:2026", 1_500_000)]
    assert Entry.objects.filter(document_kind="grant").count() == 3  # posted, reversed, anew
    assert Grant.objects.get().amount_cents == 1_500_000
