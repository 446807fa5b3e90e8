"""The support structure's grants in the ledger: each year's part recognised, the money
received — brought in line with the grants as recorded (docs/adr/0012).

Grants live in `coop`, below the ledger: `coop.services` cannot post, so the ledger reads
the grants and posts what they say, like the contributions: idempotent, each document
compared with what was already posted for it, a difference reversed and posted anew in the
open period. The monthly run, the button of the closing page and the demo call it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alveole.businesses.models import Business
from alveole.coop.models import Grant
from alveole.core.dates import today
from alveole.core.services import audit_record
from alveole.ledger import posting
from alveole.ledger.models import Entry, Event
from alveole.ledger.services import (
    document_entries_reverse,
    entry_post_if_any,
    open_date,
    require_bookkeeper,
)

GRANT_DOCUMENT = "grant"


@dataclass(frozen=True)
class _Due:
    grant: Grant
    day: datetime.date
    amount_cents: int
    received: bool


@dataclass
class GrantsRun:
    """What bringing the grants in line did: entries posted and reversed."""

    posted: list[Entry] = field(default_factory=list)
    reversed: list[Entry] = field(default_factory=list)


def grant_reference(grant: Grant) -> str:
    """The grant's document in the ledger, the same for its yearly parts and its payment
    so that the funder's account 441 is lettered once it is all received."""
    return f"SUB-{grant.pk}"


def recognition_date(grant: Grant, year: int) -> datetime.date:
    """A year's part is recognised on 1 January, or on the decision when it comes later."""
    first = datetime.date(year, 1, 1)
    return max(first, grant.decision_date) if grant.decision_date else first


def _due(through: datetime.date) -> dict[str, _Due]:
    due: dict[str, _Due] = {}
    for grant in Grant.objects.prefetch_related("allocations").order_by("pk"):
        for allocation in grant.allocations.all():
            day = recognition_date(grant, allocation.year)
            if allocation.amount_cents > 0 and day <= through:
                due[f"{grant.pk}:{allocation.year}"] = _Due(
                    grant, day, allocation.amount_cents, False
                )
        if grant.received_date and grant.received_date <= through:
            due[f"{grant.pk}:received"] = _Due(grant, grant.received_date, grant.amount_cents, True)
    return due


def _posted() -> dict[str, Entry]:
    """The grant entries in force: neither reversals nor reversed."""
    reversed_ids = Entry.objects.filter(reverses__isnull=False).values("reverses_id")
    entries = (
        Entry.objects.filter(document_kind=GRANT_DOCUMENT)
        .exclude(event=Event.REVERSAL)
        .exclude(pk__in=reversed_ids)
        .order_by("pk")
    )
    return {entry.document_id: entry for entry in entries}


def _draft(due: _Due, document_id: str, support: Business) -> posting.EntryDraft | None:
    grant = due.grant
    funder = posting.Party(
        number=f"SUB{grant.pk:05d}",
        label=(grant.funder_name or grant.get_funder_kind_display())[:150],
    )
    document = posting.DocumentRef(
        kind=GRANT_DOCUMENT,
        number=grant_reference(grant),
        date=open_date(due.day),
        id=document_id,
    )
    if due.received:
        return posting.grant_received(
            document=document,
            support_business_id=support.pk,
            funder=funder,
            amount_cents=due.amount_cents,
            settles=grant_reference(grant),
        )
    return posting.grant_recognised(
        document=document,
        support_business_id=support.pk,
        funder=funder,
        amount_cents=due.amount_cents,
    )


@transaction.atomic
def grants_post(*, actor: Any, through: datetime.date | None = None) -> GrantsRun:
    """Post every grant's yearly parts (441 / 740) and payments (512 / 441) due by a day
    (today by default) that are not in the books as recorded; reverse what no longer is."""
    require_bookkeeper(actor)
    through = through or today()
    due = _due(through)
    posted = _posted()
    run = GrantsRun()
    if not due and not posted:
        return run
    support = Business.objects.filter(kind=Business.Kind.SUPPORT_STRUCTURE).first()
    if support is None:
        raise ValidationError(
            _("La structure d'accompagnement n'existe pas : créez-la parmi les activités.")
        )
    for document_id in sorted(due.keys() | posted.keys()):
        wanted, entry = due.get(document_id), posted.get(document_id)
        if entry is not None and wanted is not None and entry.debit_cents == wanted.amount_cents:
            continue
        if entry is not None:
            run.reversed += document_entries_reverse(
                actor=actor,
                document_kind=GRANT_DOCUMENT,
                document_id=document_id,
                date=open_date(entry.date),
            )
        if wanted is not None:
            new = entry_post_if_any(actor=actor, draft=_draft(wanted, document_id, support))
            if new is not None:
                run.posted.append(new)
    if run.posted or run.reversed:
        audit_record(
            actor=actor,
            action="create",
            target_type="ledger.grants",
            target_id=f"{through:%Y-%m-%d}",
            summary=f"Subventions : {len(run.posted)} écriture(s) passée(s), "
            f"{len(run.reversed)} contre-passée(s)",
        )
    return run
