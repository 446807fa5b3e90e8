"""Posting many entries at once: the batch twin of `alveole.ledger.services.entry_post`.

An import of thousands of historical documents posts thousands of entries. `entries_post`
keeps every rule of `entry_post` — each entry balanced, with at least two lines, each line
on one side; journal, accounts (open) and analytic codes known; fiscal year opened when
missing and held in share mode; period open; numbers continuous per journal and fiscal
year, drawn under the journal's lock; open items lettered once they net to zero; one audit
event per entry — with a number of queries that depends on the journals, fiscal years
and dates touched, not on the number of entries: the numbers of a journal's entries are
drawn together (one UPDATE … RETURNING adds their count to its counter, whose row stays
locked to the commit), entries, lines and audit events are inserted in bulk.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from alveole.businesses.models import Business
from alveole.coop.models import FiscalYear
from alveole.core.bulk import insert_rows
from alveole.core.models import AuditEvent
from alveole.core.services import audit_records
from alveole.ledger.models import Account, Entry, Journal, JournalSequence, Line
from alveole.ledger.posting import EntryDraft
from alveole.ledger.services import _check_draft, _share_lock, check_open, fiscal_year_for

#: (account, document) pairs per lettering query.
LETTERING_CHUNK = 2_000


def _shape_ok(draft: EntryDraft) -> bool:
    """The checks of `entry_post` that need no query."""
    if len(draft.lines) < 2 or not draft.label.strip():
        return False
    debit = credit = 0
    for line in draft.lines:
        if line.debit_cents < 0 or line.credit_cents < 0:
            return False
        if (line.debit_cents > 0) == (line.credit_cents > 0):
            return False
        debit += line.debit_cents
        credit += line.credit_cents
    return debit == credit


def _check_references(drafts: Sequence[EntryDraft]) -> None:
    """Journals, accounts (open) and businesses of every draft exist: one query each.

    On a failure, the first draft at fault is checked by `entry_post`'s own check, which
    raises its French message."""
    journals = {draft.journal for draft in drafts}
    accounts = {line.account for draft in drafts for line in draft.lines}
    business_ids = {
        line.business_id for draft in drafts for line in draft.lines if line.business_id
    }
    known_journals = set(Journal.objects.filter(code__in=journals).values_list("code", flat=True))
    open_accounts = set(
        Account.objects.filter(number__in=accounts, active=True).values_list("number", flat=True)
    )
    known_businesses = (
        set(Business.objects.filter(pk__in=business_ids).values_list("pk", flat=True))
        if business_ids
        else set()
    )
    if (
        journals <= known_journals
        and accounts <= open_accounts
        and business_ids <= known_businesses
    ):
        return
    for draft in drafts:
        if (
            draft.journal not in known_journals
            or any(line.account not in open_accounts for line in draft.lines)
            or any(
                line.business_id and line.business_id not in known_businesses
                for line in draft.lines
            )
        ):
            _check_draft(draft)  # raises the message entry_post would raise
    raise AssertionError("a reference was missing but no draft was refused")  # pragma: no cover


def _fiscal_years(drafts: Sequence[EntryDraft], actor: Any) -> dict[datetime.date, FiscalYear]:
    """The fiscal year of each date (opened when missing), held in share mode, its period
    open: queries per fiscal year, not per entry."""
    days = sorted({draft.date for draft in drafts})
    years = list(
        FiscalYear.objects.filter(start_date__lte=days[-1], end_date__gte=days[0]).order_by(
            "start_date"
        )
    )
    by_day: dict[datetime.date, FiscalYear] = {}
    for day in days:
        year = next((y for y in years if y.start_date <= day <= y.end_date), None)
        if year is None:
            year = fiscal_year_for(day, actor=actor)
            years.append(year)
        by_day[day] = year
    first_day: dict[int, datetime.date] = {}
    for day, year in by_day.items():
        first_day.setdefault(year.pk, day)
    for year in {year.pk: year for year in by_day.values()}.values():
        _share_lock(year)
        # A period is closed up to a date: the year's earliest day tells for all of them.
        check_open(first_day[year.pk], year)
    return by_day


def _draw_numbers(journal: str, year: FiscalYear, count: int) -> int:
    """Take `count` consecutive numbers of a journal for a fiscal year; returns the first.

    One UPDATE … RETURNING whose row lock lasts to the commit, as `entry_post`'s draw."""
    table = JournalSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + %s "  # noqa: S608
            "WHERE journal_id = %s AND fiscal_year_id = %s RETURNING last_number",
            [count, journal, year.pk],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0]) - count + 1
    sequence, _created = JournalSequence.objects.select_for_update().get_or_create(
        journal_id=journal, fiscal_year=year
    )
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.save(update_fields=["last_number"])
    return first


def _letters(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA: the lettering code of a group, from its first line's id."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def letter_documents(documents: set[tuple[int, str, str]]) -> None:
    """Letter the open items of the lines' documents that now net to zero, within each
    fiscal year, as `entry_post` does entry by entry: two queries per chunk of documents
    (`documents`: fiscal year id, account, document).

    The open items are read by account and document among the partial index of open items
    (`_open_items`), then the exact (account, document) pairs are kept and summed in Python,
    on integers."""
    by_year: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for year_id, account, match_ref in documents:
        by_year[year_id].add((account, match_ref))
    for year_id, pairs in by_year.items():
        keys = sorted(pairs)
        for start in range(0, len(keys), LETTERING_CHUNK):
            chunk = set(keys[start : start + LETTERING_CHUNK])
            items = _open_items(
                year_id,
                sorted({account for account, _ref in chunk}),
                sorted({ref for _account, ref in chunk}),
            )
            groups: dict[tuple[Any, Any], list[tuple[Any, ...]]] = defaultdict(list)
            for row in items:
                if (row[1], row[2]) in chunk:
                    groups[(row[1], row[2])].append((row[0], row[3], row[4], row[5]))
            settled: list[tuple[str, datetime.date, int]] = []
            for members in groups.values():
                debit = sum(member[2] for member in members)
                if not debit or debit != sum(member[3] for member in members):
                    continue
                code = _letters(members[0][0])
                last = max(member[1] for member in members)
                settled.extend((code, last, pk) for pk, _day, _debit, _credit in members)
            if settled:
                _set_lettering(settled)


def _open_items(
    year_id: int, accounts: Sequence[str], refs: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The unlettered lines of a fiscal year on these accounts whose document is one of
    `refs`: (id, account, document, date, debit, credit), by id.

    Read through the partial index of open items (account, document), which the query
    names on SQLite: without statistics, SQLite preferred the plain index of the account
    when the chunk has a single account (a customer account for a file of invoices) and
    read every line of that account; on the benchmark's million invoices, 1.2 s per chunk
    instead of a few milliseconds. The WHERE clause repeats the index's condition, which
    SQLite needs to use a partial index. PostgreSQL's planner has its statistics.
    """
    if not accounts or not refs:
        return []
    line = connection.ops.quote_name(Line._meta.db_table)
    entry = connection.ops.quote_name(Entry._meta.db_table)
    hint = " INDEXED BY ledger_line_open_items_idx" if connection.vendor == "sqlite" else ""
    sql = (
        f"SELECT l.id, l.account_id, l.match_ref, l.date, l.debit_cents, l.credit_cents "  # noqa: S608
        f"FROM {line} l{hint} INNER JOIN {entry} e ON l.entry_id = e.id "
        f"WHERE l.lettering = '' AND NOT (l.match_ref = '') AND e.fiscal_year_id = %s "
        f"AND l.account_id IN ({', '.join(['%s'] * len(accounts))}) "
        f"AND l.match_ref IN ({', '.join(['%s'] * len(refs))}) ORDER BY l.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year_id, *accounts, *refs])
        return cursor.fetchall()


def _set_lettering(rows: Sequence[tuple[str, datetime.date, int]]) -> None:
    """Write (lettering, lettering date, line id) rows: one prepared UPDATE run for them all.
    The lettering is the one thing of a posted line that changes (`LETTERING_FIELDS`)."""
    table = connection.ops.quote_name(Line._meta.db_table)
    sql = f"UPDATE {table} SET lettering = %s, lettering_date = %s WHERE id = %s"  # noqa: S608
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(code, adapt(day), pk) for code, day, pk in rows])


ENTRY_FIELDS = (
    "journal_id", "fiscal_year_id", "number", "date", "label", "event", "document_kind",
    "document_number", "document_date", "document_id", "reverses_id", "validated_at",
    "posted_by_id", "debit_cents", "credit_cents",
)  # fmt: skip
LINE_FIELDS = (
    "entry_id", "position", "date", "journal_id", "account_id", "business_id", "label",
    "debit_cents", "credit_cents", "auxiliary_number", "auxiliary_label", "base_cents",
    "match_ref", "lettering",
)  # fmt: skip


def entries_post(*, actor: Any, drafts: Sequence[EntryDraft], letter: bool = True) -> list[int]:
    """Post many entries, in the given order, with `entry_post`'s rules (see the module).

    Runs inside the caller's transaction (a savepoint of its own otherwise): a refused draft
    raises `entry_post`'s ValidationError and nothing of the batch is written. The numbers
    of a journal follow the drafts' order. `letter=False` when no entry settles a document.
    Returns the new entries' ids, in the drafts' order.
    """
    drafts = list(drafts)
    if not drafts:
        return []
    with transaction.atomic():
        for draft in drafts:
            if not _shape_ok(draft):
                _check_draft(draft)  # raises the message entry_post would raise
        _check_references(drafts)
        years = _fiscal_years(drafts, actor)
        counts: dict[tuple[str, int], int] = defaultdict(int)
        for draft in drafts:
            counts[(draft.journal, years[draft.date].pk)] += 1
        year_of = {year.pk: year for year in years.values()}
        next_numbers = {
            (journal, year_id): _draw_numbers(journal, year_of[year_id], count)
            for (journal, year_id), count in sorted(counts.items())  # always locked in one order
        }
        now = timezone.now()
        posted_by = actor.pk if getattr(actor, "is_authenticated", False) else None
        entries = []
        for draft in drafts:
            year_id = years[draft.date].pk
            key = (draft.journal, year_id)
            number = next_numbers[key]
            next_numbers[key] = number + 1
            debit = sum(line.debit_cents for line in draft.lines)
            entries.append(
                (
                    draft.journal, year_id, number, draft.date, draft.label[:200], draft.event,
                    draft.document.kind[:40], draft.document.number[:100], draft.document.date,
                    str(draft.document.id)[:64], draft.reverses_id, now, posted_by, debit, debit,
                )
            )  # fmt: skip
        ids = insert_rows(Entry, ENTRY_FIELDS, entries, with_ids=True)
        lines = [
            (
                entry_id, position, draft.date, draft.journal, line.account, line.business_id,
                (line.label or draft.label)[:200], line.debit_cents, line.credit_cents,
                line.auxiliary_number[:40], line.auxiliary_label[:150], line.base_cents,
                line.match_ref[:100], "",
            )
            for entry_id, draft in zip(ids, drafts, strict=True)
            for position, line in enumerate(draft.lines, start=1)
        ]  # fmt: skip
        insert_rows(Line, LINE_FIELDS, lines)
        if letter:
            year_of_entry = {
                entry_id: entry[1] for entry_id, entry in zip(ids, entries, strict=True)
            }
            letter_documents(
                {(year_of_entry[line[0]], line[4], line[12]) for line in lines if line[12]}
            )
        audit_records(
            actor=actor,
            action=AuditEvent.Action.CREATE.value,
            target_type=Entry._meta.label_lower,
            events=(
                # As `Entry.reference` and `entry_post`'s audit event.
                (entry_id, f"Écriture {entry[0]}{entry[2]:06d} : {entry[4]}",
                 {"debit_cents": entry[13], "event": entry[5]})
                for entry_id, entry in zip(ids, entries, strict=True)
            ),
            at=now,
        )  # fmt: skip
    return ids


__all__ = ["entries_post"]
