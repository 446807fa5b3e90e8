"""The support structure's grants in the ledger: each year's part recognised, the money
received — written in the same transaction as the grant (docs/adr/0012).

Grants live in `coop`, below the ledger: `coop.services` cannot post. So the services that
record, change and remove a grant live here, above both: `grant_record`, `grant_change`,
`grant_remove` run the `coop.services` write and bring that grant's entries in line, in one
transaction; the pages and API routes of grants call them. `grants_post` brings every grant
in line (idempotent: each document compared with what is in the books, a difference
reversed and posted anew in the open period): the monthly run calls it as a catch-up, for
the yearly parts whose year has since begun.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alveole.businesses.models import Business
from alveole.coop import services as coop_services
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


def _due(through: datetime.date, grant_id: int | None = None) -> dict[str, _Due]:
    """What the grants say should be in the books by a day. Their rows stay locked to the
    commit (PostgreSQL): a grant being changed meanwhile is read once its change and its
    entries are committed, never before them while its entries are read after."""
    grants = Grant.objects.select_for_update().prefetch_related("allocations").order_by("pk")
    if grant_id is not None:
        grants = grants.filter(pk=grant_id)
    due: dict[str, _Due] = {}
    for grant in grants:
        for allocation in grant.allocations.all():
            day = recognition_date(grant, allocation.year)
            if allocation.amount_cents > 0 and day <= through:
                due[f"{grant.pk}:{allocation.year}"] = _Due(
                    grant, day, allocation.amount_cents, False
                )
        if grant.received_date and grant.received_date <= through:
            due[f"{grant.pk}:received"] = _Due(grant, grant.received_date, grant.amount_cents, True)
    return due


def _posted(grant_id: int | None = None) -> dict[str, Entry]:
    """The grant entries in force (of one grant, or all): neither reversals nor reversed."""
    reversed_ids = Entry.objects.filter(reverses__isnull=False).values("reverses_id")
    entries = Entry.objects.filter(document_kind=GRANT_DOCUMENT)
    if grant_id is not None:
        # Its documents are "<grant id>:<year>" and "<grant id>:received".
        entries = entries.filter(document_id__startswith=f"{grant_id}:")
    entries = entries.exclude(event=Event.REVERSAL).exclude(pk__in=reversed_ids).order_by("pk")
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


def _in_force(entry: Entry, wanted: _Due) -> bool:
    """The entry says what the grant says: same amount, same day once moved out of the closed
    periods (an entry moved to the first open day by a closing stays where it is)."""
    return entry.debit_cents == wanted.amount_cents and open_date(entry.date) == open_date(
        wanted.day
    )


def _bring_in_line(
    *, actor: Any, due: dict[str, _Due], posted: dict[str, Entry], run: GrantsRun
) -> GrantsRun:
    """Reverse the entries the grants no longer say, post what they say and the books lack."""
    if not due and not posted:
        return run
    support = None
    for document_id in sorted(due.keys() | posted.keys()):
        wanted, entry = due.get(document_id), posted.get(document_id)
        if entry is not None and wanted is not None and _in_force(entry, wanted):
            continue
        if entry is not None:
            run.reversed += document_entries_reverse(
                actor=actor,
                document_kind=GRANT_DOCUMENT,
                document_id=document_id,
                date=open_date(entry.date),
            )
        if wanted is not None:
            if support is None:
                support = _support_structure()
            new = entry_post_if_any(actor=actor, draft=_draft(wanted, document_id, support))
            if new is not None:
                run.posted.append(new)
    return run


def _support_structure() -> Business:
    support = Business.objects.filter(kind=Business.Kind.SUPPORT_STRUCTURE).order_by("pk").first()
    if support is None:
        raise ValidationError(
            _("La structure d'accompagnement n'existe pas : créez-la parmi les activités."),
            code="no_support_structure",
        )
    return support


@transaction.atomic
def grants_post(*, actor: Any, through: datetime.date | None = None) -> GrantsRun:
    """Post every grant's yearly parts (441 / 740) and payments (512 / 441) due by a day
    (today by default) that are not in the books as recorded; reverse what no longer is.

    The catch-up of the monthly run: the services below post a grant when it is recorded,
    so this finds only the yearly parts whose year has begun since, and grants recorded
    before their entries were written with them."""
    require_bookkeeper(actor)
    through = through or today()
    run = _bring_in_line(actor=actor, due=_due(through), posted=_posted(), run=GrantsRun())
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


def _grant_post(*, actor: Any, grant_id: int, refused: str) -> GrantsRun:
    """Bring one grant's entries in line with it (or reverse them all once it is deleted),
    inside the caller's transaction. A posting the ledger refuses (no support structure, a
    fiscal year that does not cover the date…) is raised as `refused` followed by the reason,
    so that the caller's transaction rolls back whole."""
    try:
        with transaction.atomic():
            return _bring_in_line(
                actor=actor,
                due=_due(today(), grant_id),
                posted=_posted(grant_id),
                run=GrantsRun(),
            )
    except ValidationError as error:
        raise ValidationError(
            f"{refused} {' '.join(error.messages)}", code="grant_posting_refused"
        ) from error


@transaction.atomic
def grant_record(
    *, actor: Any, allocations: Mapping[int, int] | None = None, **fields: Any
) -> Grant:
    """Record a grant and write its entries in the same transaction: each year's part already
    begun recognised 441 / 740, the payment 512 / 441 once received (docs/adr/0012)."""
    require_bookkeeper(actor)
    grant = coop_services.grant_create(actor=actor, allocations=allocations, **fields)
    _grant_post(
        actor=actor,
        grant_id=grant.pk,
        refused=_("La subvention n'est pas enregistrée : la comptabilité refuse ses écritures."),
    )
    return grant


@transaction.atomic
def grant_change(
    *, actor: Any, grant: Grant, allocations: Mapping[int, int] | None = None, **fields: Any
) -> Grant:
    """Correct a grant or record its reception; the entries that no longer match it are
    reversed and posted anew, in the same transaction."""
    require_bookkeeper(actor)
    grant = coop_services.grant_update(actor=actor, grant=grant, allocations=allocations, **fields)
    _grant_post(
        actor=actor,
        grant_id=grant.pk,
        refused=_(
            "La modification de la subvention n'est pas enregistrée : la comptabilité refuse "
            "ses écritures."
        ),
    )
    return grant


@transaction.atomic
def grant_remove(*, actor: Any, grant: Grant) -> None:
    """Remove a grant recorded by mistake and reverse its entries, in the same transaction."""
    require_bookkeeper(actor)
    grant_id = grant.pk
    coop_services.grant_delete(actor=actor, grant=grant)
    _grant_post(
        actor=actor,
        grant_id=grant_id,
        refused=_(
            "La subvention n'est pas supprimée : la comptabilité refuse la contre-passation de "
            "ses écritures."
        ),
    )
