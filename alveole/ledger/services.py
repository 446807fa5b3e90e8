"""Writes of the ledger: posting entries (the API the other apps' services call inside their
own transactions), reversals, manual entries, the chart, VAT returns and period closings."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.businesses.models import Business
from alveole.coop.models import FiscalYear
from alveole.coop.services import fiscal_year_create
from alveole.core.dates import add_months, today
from alveole.core.formatting import format_cents, format_date
from alveole.core.services import audit_record, model_changes
from alveole.ledger import chart, posting, treasury
from alveole.ledger.models import (
    BOOKKEEPER_ROLES,
    Account,
    Entry,
    Event,
    Journal,
    JournalSequence,
    Line,
    PeriodClosing,
    account_number_validator,
)
from alveole.ledger.posting import Balance, DocumentRef, EntryDraft, LineDraft

# --- who may keep the books ---------------------------------------------------------------


def can_keep_books(user: Any) -> bool:
    """The accountant and the direction post manual entries, edit the chart, close periods."""
    if user is None:
        return True  # the system itself: the demo, data repairs, the export command
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in BOOKKEEPER_ROLES
    )


def require_bookkeeper(actor: Any) -> None:
    if not can_keep_books(actor):
        raise PermissionDenied(_("Seuls la comptable et la direction tiennent les comptes."))


# --- fiscal years and closed periods ------------------------------------------------------


def lock_date() -> datetime.date | None:
    """The last closed day: nothing may be posted on or before it."""
    closing = PeriodClosing.objects.order_by("-through").values_list("through", flat=True).first()
    return closing


def first_open_day() -> datetime.date | None:
    """The first day after the last closing (None when nothing was ever closed)."""
    closed = lock_date()
    return closed + datetime.timedelta(days=1) if closed else None


def open_date(day: datetime.date) -> datetime.date:
    """The day itself when its period is open, else the first open day: where the services
    date an entry for a document of a closed period (corrections go to the open period)."""
    closed = lock_date()
    return day if closed is None or day > closed else closed + datetime.timedelta(days=1)


def fiscal_year_for(day: datetime.date, *, actor: Any = None) -> FiscalYear:
    """The fiscal year a day belongs to; the calendar year is opened when none covers it."""
    year = FiscalYear.objects.filter(start_date__lte=day, end_date__gte=day).first()
    if year is not None:
        return year
    start, end = datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    if FiscalYear.objects.filter(start_date__lte=end, end_date__gte=start).exists():
        # Another posting may have opened the calendar year since the first read.
        year = FiscalYear.objects.filter(start_date__lte=day, end_date__gte=day).first()
        if year is not None:
            return year
        raise ValidationError(
            _(
                "Aucun exercice ne couvre le %(date)s : ouvrez-le dans les paramètres de la "
                "coopérative avant d'y passer une écriture."
            )
            % {"date": format_date(day)},
            code="no_fiscal_year",
        )
    try:
        return fiscal_year_create(actor=actor, start_date=start, end_date=end)
    except (IntegrityError, ValidationError):
        # Another transaction opened it meanwhile (unique start date): use theirs.
        year = FiscalYear.objects.filter(start_date__lte=day, end_date__gte=day).first()
        if year is None:
            raise
        return year


def _share_lock(year: FiscalYear) -> None:
    """Postings hold the fiscal year's row in share mode; closing it takes it exclusively,
    and the year's `closed` is read again under the lock (one query).

    So a closing waits for the postings in progress and no posting slips into a period
    that was just closed. SQLite's IMMEDIATE transactions serialise writers already: the
    year read in this transaction is current.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT closed FROM {FiscalYear._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608
                [year.pk],
            )
            year.closed = bool(cursor.fetchone()[0])


def check_open(day: datetime.date, year: FiscalYear | None = None) -> None:
    """Refuse a date in a closed period, with the first day one may post to instead."""
    closed = lock_date()
    if closed is not None and day <= closed:
        raise ValidationError(
            _(
                "La période est clôturée jusqu'au %(closed)s : aucune écriture ne peut être "
                "datée du %(date)s. Passez la correction dans la période ouverte, à partir du "
                "%(open)s."
            )
            % {
                "closed": format_date(closed),
                "date": format_date(day),
                "open": format_date(closed + datetime.timedelta(days=1)),
            },
            code="closed_period",
        )
    if year is not None and year.closed:
        raise ValidationError(
            _(
                "L'exercice %(year)s est clôturé : aucune écriture ne peut y être passée. "
                "Passez la correction dans l'exercice ouvert."
            )
            % {"year": year},
            code="closed_period",
        )


# --- posting --------------------------------------------------------------------------------


def _check_draft(draft: EntryDraft) -> None:
    if len(draft.lines) < 2:
        raise ValidationError(_("Une écriture comporte au moins deux lignes."), code="lines")
    for line in draft.lines:
        if line.debit_cents < 0 or line.credit_cents < 0:
            raise ValidationError(_("Un montant au débit ou au crédit est positif."))
        if (line.debit_cents > 0) == (line.credit_cents > 0):
            raise ValidationError(
                _("Chaque ligne porte un montant soit au débit, soit au crédit."), code="lines"
            )
    if not draft.is_balanced:
        raise ValidationError(
            _("L'écriture n'est pas équilibrée : %(debit)s au débit, %(credit)s au crédit.")
            % {
                "debit": format_cents(draft.debit_cents),
                "credit": format_cents(draft.credit_cents),
            },
            code="unbalanced",
        )
    if not draft.label.strip():
        raise ValidationError(_("Une écriture a un libellé."), code="label")
    numbers = {line.account for line in draft.lines}
    business_ids = {line.business_id for line in draft.lines if line.business_id is not None}
    rows = _references(draft.journal, numbers, business_ids)
    journal_known = (
        bool(rows[0][2]) if rows else Journal.objects.filter(code=draft.journal).exists()
    )
    if not journal_known:
        raise ValidationError(
            _("Journal inconnu : %(code)s.") % {"code": draft.journal}, code="journal"
        )
    accounts = {number: active for number, active, _journal, _found in rows}
    missing = sorted(numbers - set(accounts))
    if missing:
        raise ValidationError(
            _("Compte absent du plan comptable : %(accounts)s.") % {"accounts": ", ".join(missing)},
            code="account",
        )
    closed = sorted(number for number, active in accounts.items() if not active)
    if closed:
        raise ValidationError(
            _("Compte fermé aux écritures : %(accounts)s.") % {"accounts": ", ".join(closed)},
            code="account",
        )
    if business_ids and rows[0][3] != len(business_ids):
        raise ValidationError(_("Activité inconnue pour le code analytique."), code="business")


def _references(journal: str, numbers: set[str], business_ids: set[int]) -> list[tuple]:
    """The draft's accounts (number, active), each with whether the journal exists and how
    many of the businesses do: one query, written out (the ORM's compilation of it cost as
    much Python as the three queries it replaces). No account found: no row."""
    accounts, journals = Account._meta.db_table, Journal._meta.db_table
    businesses = Business._meta.db_table
    ids: list[int | None] = [*sorted(business_ids)] or [None]  # IN (NULL) counts none
    sql = (
        f"SELECT number, active, EXISTS (SELECT 1 FROM {journals} WHERE code = %s), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {businesses} WHERE id IN ({', '.join(['%s'] * len(ids))})) "
        f"FROM {accounts} WHERE number IN ({', '.join(['%s'] * len(numbers))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [journal, *ids, *sorted(numbers)])
        return cursor.fetchall()


def _letters(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA: the lettering code of a group, from its first line's id."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


#: (account, document) pairs per lettering query: an OR of pairs stays far below SQLite's
#: expression depth limit, and an opening entry may carry thousands of open documents.
_LETTERING_CHUNK = 200


def _letter_matches(entry: Entry, lines: Sequence[Line]) -> None:
    """Letter the open lines of a document on a third-party account once they net to zero.

    Within the fiscal year: an open item of a closed year is carried into the next one by
    its opening entry (with its document), and lettered there. One grouped query per chunk
    of documents; `match_ref != ""` is spelled out so that the partial index of open items
    serves it (SQLite uses a partial index only when the query repeats its condition).
    """
    keys = sorted({(line.account_id, line.match_ref) for line in lines if line.match_ref})
    for start in range(0, len(keys), _LETTERING_CHUNK):
        pairs = Q()
        for account, match_ref in keys[start : start + _LETTERING_CHUNK]:
            pairs |= Q(account_id=account, match_ref=match_ref)
        open_items = Line.objects.filter(
            pairs, lettering="", entry__fiscal_year_id=entry.fiscal_year_id
        ).exclude(match_ref="")
        groups = (
            open_items.values("account_id", "match_ref")
            .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
            .order_by("account_id", "match_ref")
        )
        settled = [row for row in groups if row["debit"] and row["debit"] == row["credit"]]
        for row in settled:
            group = open_items.filter(account_id=row["account_id"], match_ref=row["match_ref"])
            ids = list(group.order_by("pk").values_list("pk", "date"))
            code = _letters(ids[0][0])
            last = max(day for _pk, day in ids)
            Line.objects.filter(pk__in=[pk for pk, _day in ids]).update(
                lettering=code, lettering_date=last
            )


@dataclass(frozen=True)
class PreparedPosting:
    """What `entry_prepare` checked of a draft: where it goes and what it touches."""

    journal: str
    date: datetime.date
    fiscal_year: FiscalYear
    accounts: frozenset[str]
    business_ids: frozenset[int]

    def covers(self, draft: EntryDraft) -> bool:
        return (
            draft.journal == self.journal
            and draft.date == self.date
            and {line.account for line in draft.lines} <= self.accounts
            and {line.business_id for line in draft.lines if line.business_id is not None}
            <= self.business_ids
        )


def entry_prepare(*, actor: Any, draft: EntryDraft) -> PreparedPosting:
    """Every check and lookup of `entry_post` but the number: journal, accounts open,
    businesses known, fiscal year (opened if need be, then held in share mode), period open.

    A service that draws a document number under a lock calls this before the draw, with a
    draft that has the right journal, date, accounts and businesses (its number may be a
    placeholder), then `entry_post(prepared=…)` after it, in the same transaction: the
    queries stay out of the time its lock is held.
    """
    _check_draft(draft)
    year = _open_year(draft.date, actor)
    return PreparedPosting(
        journal=draft.journal,
        date=draft.date,
        fiscal_year=year,
        accounts=frozenset(line.account for line in draft.lines),
        business_ids=frozenset(
            line.business_id for line in draft.lines if line.business_id is not None
        ),
    )


def _open_year(day: datetime.date, actor: Any) -> FiscalYear:
    year = _year_share_locked(day)
    if year is None:
        year = fiscal_year_for(day, actor=actor)
        _share_lock(year)
    check_open(day, year)
    return year


def _year_share_locked(day: datetime.date) -> FiscalYear | None:
    """The fiscal year of a day, read and held in share mode in one query on PostgreSQL
    (as `fiscal_year_for` then `_share_lock`: a row locked by a closing is waited for and
    then read as committed); None when no year covers the day yet."""
    if connection.vendor != "postgresql":
        return FiscalYear.objects.filter(start_date__lte=day, end_date__gte=day).first()
    table = FiscalYear._meta.db_table
    found = FiscalYear.objects.raw(
        f"SELECT * FROM {table} WHERE start_date <= %s AND end_date >= %s "  # noqa: S608
        "ORDER BY start_date LIMIT 1 FOR SHARE",
        [day, day],
    )
    return next(iter(found), None)


def _check_shape(draft: EntryDraft) -> None:
    """The checks of a draft that need no query (the rest were done by `entry_prepare`)."""
    if len(draft.lines) < 2 or not draft.is_balanced or not draft.label.strip():
        _check_draft(draft)  # raises the French message
    for line in draft.lines:
        if line.debit_cents < 0 or line.credit_cents < 0:
            _check_draft(draft)
        if (line.debit_cents > 0) == (line.credit_cents > 0):
            _check_draft(draft)


def _next_number(journal: str, year: FiscalYear) -> int:
    """The journal's next entry number for the year, in one UPDATE … RETURNING whose row
    lock lasts to the commit (the counter row is created on the year's first entry)."""
    table = JournalSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608
            "WHERE journal_id = %s AND fiscal_year_id = %s RETURNING last_number",
            [journal, year.pk],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    sequence, _created = JournalSequence.objects.select_for_update().get_or_create(
        journal_id=journal, fiscal_year=year
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def entry_post(
    *,
    actor: Any,
    draft: EntryDraft,
    prepared: PreparedPosting | None = None,
    letter: bool = True,
) -> Entry:
    """Post an entry: check it balances and its period is open, number it, write it.

    Called by the services of sales, purchases, payroll, coop and by the ledger's own, inside
    their transaction: if they fail afterwards, the entry and its number roll back with them.
    The number is the next of the journal for the fiscal year, drawn under a row lock, after
    every check (`prepared`: done beforehand by `entry_prepare` in this transaction — the
    caller's own, so no savepoint of its own is needed: an error rolls back the caller's).
    `letter=False` when the entry opens its documents (a new invoice's number): no earlier
    line can carry them, so there is nothing to letter and no query to ask it.
    """
    with transaction.atomic(savepoint=prepared is None):
        return _entry_write(actor=actor, draft=draft, prepared=prepared, letter=letter)


def _entry_write(
    *, actor: Any, draft: EntryDraft, prepared: PreparedPosting | None, letter: bool
) -> Entry:
    if prepared is not None and prepared.covers(draft):
        _check_shape(draft)
        year = prepared.fiscal_year
    else:
        _check_draft(draft)
        year = _open_year(draft.date, actor)
    entry = Entry.objects.create(
        journal_id=draft.journal,
        fiscal_year=year,
        number=_next_number(draft.journal, year),
        date=draft.date,
        label=draft.label[:200],
        event=draft.event,
        document_kind=draft.document.kind[:40],
        document_number=draft.document.number[:100],
        document_date=draft.document.date,
        document_id=str(draft.document.id)[:64],
        reverses_id=draft.reverses_id,
        validated_at=timezone.now(),
        posted_by=actor if getattr(actor, "is_authenticated", False) else None,
        debit_cents=draft.debit_cents,
        credit_cents=draft.credit_cents,
    )
    lines = Line.objects.bulk_create(
        Line(
            entry=entry,
            position=position,
            date=draft.date,
            journal_id=draft.journal,
            account_id=line.account,
            business_id=line.business_id,
            label=(line.label or draft.label)[:200],
            debit_cents=line.debit_cents,
            credit_cents=line.credit_cents,
            auxiliary_number=line.auxiliary_number[:40],
            auxiliary_label=line.auxiliary_label[:150],
            base_cents=line.base_cents,
            match_ref=line.match_ref[:100],
        )
        for position, line in enumerate(draft.lines, start=1)
    )
    if letter:
        _letter_matches(entry, lines)
    audit_record(
        actor=actor,
        action="create",
        target=entry,
        summary=f"Écriture {entry.reference} : {entry.label}",
        changes={"debit_cents": entry.debit_cents, "event": entry.event},
    )
    return entry


def entry_post_if_any(
    *,
    actor: Any,
    draft: EntryDraft | None,
    prepared: PreparedPosting | None = None,
    letter: bool = True,
) -> Entry | None:
    """Post a draft a posting function built, or nothing when the event moved no money."""
    if draft is None:
        return None
    return entry_post(actor=actor, draft=draft, prepared=prepared, letter=letter)


def _line_drafts(entry: Entry) -> list[LineDraft]:
    return [
        LineDraft(
            account=line.account_id,
            debit_cents=line.debit_cents,
            credit_cents=line.credit_cents,
            business_id=line.business_id,
            label=line.label,
            auxiliary_number=line.auxiliary_number,
            auxiliary_label=line.auxiliary_label,
            base_cents=line.base_cents,
            match_ref=line.match_ref,
        )
        for line in entry.lines.order_by("position")
    ]


@transaction.atomic
def entry_reverse(
    *, actor: Any, entry: Entry, date: datetime.date | None = None, reason: str = ""
) -> Entry:
    """Cancel an entry by its counter-entry, dated in the open period (today by default)."""
    require_bookkeeper(actor)
    if Entry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("Cette écriture est déjà contre-passée."), code="reversed")
    if entry.event == Event.REVERSAL:
        raise ValidationError(_("Une contre-passation ne se contre-passe pas."))
    day = date or today()
    draft = posting.reversal(
        document=DocumentRef(
            kind=entry.document_kind or "entry",
            number=entry.document_number or entry.reference,
            date=day,
            id=entry.document_id,
        ),
        original_label=f"{entry.reference} {entry.label}"
        + (f" ({reason.strip()})" if reason.strip() else ""),
        lines=_line_drafts(entry),
        journal=entry.journal_id,
    )
    assert draft is not None  # a posted entry has lines
    return entry_post(
        actor=actor,
        draft=EntryDraft(**{**draft.__dict__, "reverses_id": entry.pk}),
    )


@transaction.atomic
def document_entries_reverse(
    *, actor: Any, document_kind: str, document_id: str, date: datetime.date | None = None
) -> list[Entry]:
    """Cancel what a document posted, when the document itself is corrected or deleted
    (a payroll record, a grant): every entry of it not yet reversed gets its counter-entry,
    in the open period. Called by the services that own the document, inside their
    transaction, after their own permission checks; the new entry is then posted anew.
    """
    if not document_kind or not str(document_id):
        raise ValueError("a document is named by its kind and id")
    day = date or today()
    reversed_ids = Entry.objects.filter(reverses__isnull=False).values("reverses_id")
    entries = (
        Entry.objects.filter(document_kind=document_kind, document_id=str(document_id))
        .exclude(event=Event.REVERSAL)
        .exclude(pk__in=reversed_ids)
        .order_by("pk")
    )
    reversals = []
    for entry in entries:
        draft = posting.reversal(
            document=DocumentRef(
                kind=entry.document_kind,
                number=entry.document_number or entry.reference,
                date=day,
                id=entry.document_id,
            ),
            original_label=f"{entry.reference} {entry.label}",
            lines=_line_drafts(entry),
            journal=entry.journal_id,
        )
        assert draft is not None
        reversals.append(
            entry_post(actor=actor, draft=EntryDraft(**{**draft.__dict__, "reverses_id": entry.pk}))
        )
    return reversals


@transaction.atomic
def entry_create_manual(
    *,
    actor: Any,
    journal: str,
    date: datetime.date,
    label: str,
    lines: Sequence[LineDraft],
    document_number: str = "",
) -> Entry:
    """A miscellaneous entry written by the accountant (corrections, bank fees…)."""
    require_bookkeeper(actor)
    if journal == chart.OPENING_JOURNAL:
        raise ValidationError(
            {"journal": _("Les à-nouveaux sont passés par la clôture de l'exercice.")}
        )
    draft = EntryDraft(
        journal=journal,
        date=date,
        label=label.strip(),
        event=Event.MANUAL,
        document=DocumentRef(kind="manual", number=document_number.strip(), date=date),
        lines=tuple(lines),
    )
    return entry_post(actor=actor, draft=draft)


# --- the chart of accounts ------------------------------------------------------------------


@transaction.atomic
def account_create(*, actor: Any, number: str, label: str) -> Account:
    """Open an account (a PCG account or a sub-account of ours)."""
    require_bookkeeper(actor)
    number = number.strip()
    account = Account(number=number, label=label.strip())
    try:
        account_number_validator(number)
    except ValidationError as error:
        raise ValidationError({"number": error.messages}) from None
    if Account.objects.filter(number=number).exists():
        raise ValidationError({"number": _("Ce compte existe déjà.")})
    account.full_clean()
    account.save()
    audit_record(actor=actor, action="create", target=account, summary=f"Compte {account}")
    return account


@transaction.atomic
def account_update(
    *, actor: Any, account: Account, label: str | None = None, active: bool | None = None
) -> Account:
    """Rename an account or close it to new entries (its number never changes)."""
    require_bookkeeper(actor)
    account = Account.objects.select_for_update().get(pk=account.pk)
    fields: dict[str, Any] = {}
    if label is not None:
        fields["label"] = label.strip()
    if active is not None:
        fields["active"] = active
    changes = model_changes(account, fields)
    for name, value in fields.items():
        setattr(account, name, value)
    account.full_clean()
    account.save()
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=account,
            summary=f"Compte {account}",
            changes=changes,
        )
    return account


# --- VAT returns ----------------------------------------------------------------------------


def vat_movements(start: datetime.date, end: datetime.date) -> tuple[int, int]:
    """VAT collected and deductible that became due between two dates (one query)."""
    totals = (
        Line.objects.filter(date__gte=start, date__lte=end)
        .exclude(entry__event=Event.VAT_RETURN)
        .aggregate(
            collected_credit=Sum("credit_cents", filter=Q(account_id=chart.VAT_COLLECTED)),
            collected_debit=Sum("debit_cents", filter=Q(account_id=chart.VAT_COLLECTED)),
            deductible_debit=Sum("debit_cents", filter=Q(account_id=chart.VAT_DEDUCTIBLE)),
            deductible_credit=Sum("credit_cents", filter=Q(account_id=chart.VAT_DEDUCTIBLE)),
        )
    )
    collected = (totals["collected_credit"] or 0) - (totals["collected_debit"] or 0)
    deductible = (totals["deductible_debit"] or 0) - (totals["deductible_credit"] or 0)
    return collected, deductible


def vat_return_periods() -> list[tuple[datetime.date, datetime.date]]:
    """The (start, end) of the VAT returns already posted."""
    periods = []
    for document_id in Entry.objects.filter(event=Event.VAT_RETURN).values_list(
        "document_id", flat=True
    ):
        start, _sep, end = document_id.partition("/")
        periods.append((datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)))
    return sorted(periods)


@transaction.atomic
def vat_return_post(*, actor: Any, start: datetime.date, end: datetime.date) -> Entry | None:
    """Settle a month's or quarter's VAT: collected against deductible, the rest due."""
    require_bookkeeper(actor)
    if end < start:
        raise ValidationError(_("La fin de la période précède son début."))
    if end >= today():
        raise ValidationError(_("Une période de TVA se déclare une fois terminée."))
    for other_start, other_end in vat_return_periods():
        if other_start <= end and other_end >= start:
            raise ValidationError(
                _("La TVA du %(start)s au %(end)s est déjà déclarée.")
                % {"start": format_date(other_start), "end": format_date(other_end)},
                code="vat_declared",
            )
    collected, deductible = vat_movements(start, end)
    if collected < 0 or deductible < 0:
        raise ValidationError(
            _(
                "La TVA de la période est négative (avoirs supérieurs aux ventes) : "
                "passez la régularisation par une écriture manuelle."
            )
        )
    label = f"{format_date(start)} – {format_date(end)}"
    draft = posting.vat_return(
        document=DocumentRef(
            kind="vat_return", number=f"TVA {label}", date=end, id=f"{start}/{end}"
        ),
        collected_cents=collected,
        deductible_cents=deductible,
        period_label=label,
    )
    return entry_post_if_any(actor=actor, draft=draft)


# --- closing ----------------------------------------------------------------------------


def _month_end(day: datetime.date) -> datetime.date:
    return add_months(day.replace(day=1), 1) - datetime.timedelta(days=1)


@transaction.atomic
def period_close(*, actor: Any, through: datetime.date) -> PeriodClosing:
    """Close the books up to the end of a month: no entry can be dated on or before it."""
    require_bookkeeper(actor)
    if through != _month_end(through):
        raise ValidationError(
            {"through": _("Une clôture mensuelle s'arrête un dernier jour de mois.")}
        )
    if through >= today():
        raise ValidationError({"through": _("On ne clôture qu'un mois terminé.")})
    closed = lock_date()
    if closed is not None and through <= closed:
        raise ValidationError(
            {
                "through": _("La période est déjà clôturée jusqu'au %(date)s.")
                % {"date": format_date(closed)}
            }
        )
    year = FiscalYear.objects.filter(start_date__lte=through, end_date__gte=through).first()
    if year is None:
        raise ValidationError({"through": _("Aucun exercice ne couvre cette date.")})
    year = FiscalYear.objects.select_for_update().get(pk=year.pk)
    closing = PeriodClosing.objects.create(
        kind=PeriodClosing.Kind.MONTH,
        through=through,
        fiscal_year=year,
        closed_at=timezone.now(),
        closed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    treasury.closing_balances_write(closing)
    audit_record(
        actor=actor,
        action="create",
        target=closing,
        summary=f"Clôture des comptes jusqu'au {format_date(through)}",
    )
    return closing


def closing_balances(year: FiscalYear) -> list[Balance]:
    """Balance-sheet balances (classes 1 to 5) at the end of a fiscal year, per account,
    business, third party and open document, summed by the database."""
    rows = (
        Line.objects.filter(entry__fiscal_year=year)
        .filter(
            Q(account__number__startswith="1")
            | Q(account__number__startswith="2")
            | Q(account__number__startswith="3")
            | Q(account__number__startswith="4")
            | Q(account__number__startswith="5")
        )
        .values("account_id", "business_id", "auxiliary_number", "auxiliary_label", "match_ref")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .order_by("account_id", "business_id", "auxiliary_number", "auxiliary_label", "match_ref")
    )
    balances = []
    for row in rows:
        amount = (row["debit"] or 0) - (row["credit"] or 0)
        if amount:
            balances.append(
                Balance(
                    account=str(row["account_id"]),
                    amount_cents=amount,
                    business_id=row["business_id"],
                    auxiliary_number=row["auxiliary_number"],
                    auxiliary_label=row["auxiliary_label"],
                    match_ref=row["match_ref"],
                )
            )
    return balances


def _next_fiscal_year(year: FiscalYear, actor: Any) -> FiscalYear:
    start = year.end_date + datetime.timedelta(days=1)
    following = FiscalYear.objects.filter(start_date=start).first()
    if following is not None:
        return following
    end = add_months(start, 12) - datetime.timedelta(days=1)
    return fiscal_year_create(actor=actor, start_date=start, end_date=end)


@transaction.atomic
def fiscal_year_close(*, actor: Any, fiscal_year: FiscalYear) -> Entry | None:
    """Close a fiscal year: lock its dates, mark it closed and open the next one with its
    à-nouveaux (balance-sheet balances and the year's result), returned."""
    require_bookkeeper(actor)
    year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    if year.closed:
        raise ValidationError(_("L'exercice %(year)s est déjà clôturé.") % {"year": year})
    if year.end_date >= today():
        raise ValidationError(_("On ne clôture un exercice qu'une fois terminé."))
    earlier = FiscalYear.objects.filter(end_date__lt=year.start_date, closed=False).first()
    if earlier is not None:
        raise ValidationError(
            _("Clôturez d'abord l'exercice %(year)s.") % {"year": earlier}, code="order"
        )
    following = _next_fiscal_year(year, actor)
    check_open(following.start_date, following)
    closed = lock_date()
    if closed is None or closed < year.end_date:
        closing = PeriodClosing.objects.create(
            kind=PeriodClosing.Kind.FISCAL_YEAR,
            through=year.end_date,
            fiscal_year=year,
            closed_at=timezone.now(),
            closed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        treasury.closing_balances_write(closing)
    FiscalYear.objects.filter(pk=year.pk).update(closed=True, updated_at=timezone.now())
    draft = posting.opening_entry(
        document=DocumentRef(
            kind="opening",
            number=str(following),
            date=following.start_date,
            id=str(year.pk),
        ),
        balances=closing_balances(year),
    )
    entry = entry_post_if_any(actor=actor, draft=draft)
    audit_record(
        actor=actor,
        action="update",
        target=year,
        summary=f"Clôture de l'exercice {year}",
        changes={"closed": [False, True]},
    )
    return entry


__all__ = [
    "account_create",
    "account_update",
    "can_keep_books",
    "check_open",
    "closing_balances",
    "document_entries_reverse",
    "entry_create_manual",
    "entry_post",
    "entry_post_if_any",
    "entry_prepare",
    "entry_reverse",
    "first_open_day",
    "fiscal_year_close",
    "fiscal_year_for",
    "lock_date",
    "open_date",
    "period_close",
    "vat_movements",
    "vat_return_post",
]
