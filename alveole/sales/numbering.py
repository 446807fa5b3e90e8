"""Document numbers: drawn from a locked counter inside the caller's transaction.

A number is drawn in the same transaction that issues the document: if the issue fails,
the counter rolls back with it, so no number is ever skipped nor given twice. On
PostgreSQL the counter row is locked with SELECT … FOR UPDATE; SQLite runs every
transaction as IMMEDIATE, which serialises writers (see docs/adr/0002).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from alveole.businesses.models import Business
from alveole.core.formatting import format_date
from alveole.sales.models import (
    NUMBER_RE,
    DocumentKind,
    NumberingCounter,
    NumberingSeries,
)

#: The series a fresh installation starts with; directors may change them.
DEFAULT_SERIES = {
    DocumentKind.QUOTE: ("{code}-D{year}-{seq:04d}", NumberingSeries.Scope.BUSINESS_YEAR),
    DocumentKind.INVOICE: ("{code}-{year}-{seq:05d}", NumberingSeries.Scope.BUSINESS_YEAR),
    DocumentKind.INTERNAL_INVOICE: (
        "{code}-FI{year}-{seq:04d}",
        NumberingSeries.Scope.BUSINESS_YEAR,
    ),
    DocumentKind.CREDIT_NOTE: ("{code}-AV{year}-{seq:04d}", NumberingSeries.Scope.BUSINESS_YEAR),
}


def series_for(kind: str) -> NumberingSeries:
    """The numbering series of a document kind (created with its default on first use)."""
    pattern, scope = DEFAULT_SERIES[DocumentKind(kind)]
    series, _created = NumberingSeries.objects.get_or_create(
        document_kind=kind, defaults={"pattern": pattern, "scope": scope}
    )
    return series


def counter_key(series: NumberingSeries, *, business: Business, day: datetime.date) -> str:
    """Which counter of the series a document draws from."""
    if series.scope == NumberingSeries.Scope.BUSINESS_YEAR:
        return f"{business.code}/{day.year}"
    if series.scope == NumberingSeries.Scope.YEAR:
        return str(day.year)
    return "all"


def check_number(number: str) -> str:
    """Refuse a number that e-invoicing would refuse (BR-FR-01/02)."""
    if not NUMBER_RE.match(number):
        raise ValidationError(
            _(
                "Le numéro « %(number)s » n'est pas valable : au plus 35 caractères parmi "
                "A-Z a-z 0-9 + - _ /."
            )
            % {"number": number},
            code="invalid_number",
        )
    return number


def _increment(series: NumberingSeries, key: str, day: datetime.date, count: int = 1) -> int | None:
    """Take the counter's next `count` values in one statement (its row stays locked to the
    commit) and return the last, or None when the counter does not exist yet or its last
    number is dated after `day`."""
    table = NumberingCounter._meta.db_table
    key_column = connection.ops.quote_name("key")
    stored_day = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + %s, last_date = %s "  # noqa: S608
            f"WHERE series_id = %s AND {key_column} = %s "
            "AND (last_date IS NULL OR last_date <= %s) RETURNING last_value",
            [count, stored_day, series.pk, key, stored_day],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def number_draw(
    *,
    kind: str,
    business: Business,
    day: datetime.date,
    series: NumberingSeries | None = None,
) -> str:
    """Draw the next number of a series; must run inside the issuing transaction.

    One UPDATE … RETURNING takes the number and locks the counter until the commit: call
    it as late as possible, with the `series` looked up beforehand (`series_for`).
    """
    return numbers_draw(kind=kind, business=business, day=day, series=series, count=1)[0]


def numbers_draw(
    *,
    kind: str,
    business: Business,
    day: datetime.date,
    count: int,
    series: NumberingSeries | None = None,
) -> list[str]:
    """Draw the next `count` consecutive numbers of a series at once (`number_draw`'s rules
    and lock: documents issued together, in the order they get them)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_draw() must run inside the transaction that issues")
    if count < 1:
        raise ValueError("count must be at least 1")
    series = series or series_for(kind)
    key = counter_key(series, business=business, day=day)
    last = _increment(series, key, day, count)
    if last is None:
        counter = (
            NumberingCounter.objects.select_for_update().filter(series=series, key=key).first()
        )
        if counter is None:
            # Two first issues of a year may race to create the counter: the loser's insert
            # is ignored and both then lock the same row.
            NumberingCounter.objects.bulk_create(
                [NumberingCounter(series=series, key=key)], ignore_conflicts=True
            )
            counter = NumberingCounter.objects.select_for_update().get(series=series, key=key)
        if counter.last_date is not None and day < counter.last_date:
            raise ValidationError(
                _(
                    "La numérotation est chronologique : un document du %(last)s a déjà été "
                    "numéroté dans cette série, la date ne peut pas être antérieure."
                )
                % {"last": format_date(counter.last_date)},
                code="not_chronological",
            )
        counter.last_value += count
        counter.last_date = day
        counter.save(update_fields=["last_value", "last_date"])
        last = counter.last_value
    return [
        check_number(series.render(seq=value, day=day, code=business.code))
        for value in range(last - count + 1, last + 1)
    ]


def number_preview(*, kind: str, business: Business, day: datetime.date) -> str:
    """The number the next document would get (for display only; never reserved)."""
    series = NumberingSeries.objects.filter(document_kind=kind).first()
    if series is None:  # a read never creates the series: its first issue will
        pattern, scope = DEFAULT_SERIES[DocumentKind(kind)]
        series = NumberingSeries(document_kind=kind, pattern=pattern, scope=scope)
    key = counter_key(series, business=business, day=day)
    counter = NumberingCounter.objects.filter(series=series, key=key).first() if series.pk else None
    seq = (counter.last_value if counter else 0) + 1
    return series.render(seq=seq, day=day, code=business.code)
