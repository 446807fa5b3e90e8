"""The files the books are exported to: the FEC (streamed), the general ledger, the trial
balance and the analytic balance by business (CSV/XLSX)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.coop.models import FiscalYear
from alveole.core.money import from_cents
from alveole.ledger import chart, selectors
from alveole.ledger.models import Line

#: The 18 columns of the FEC, in the order of article A47 A-1 of the Livre des procédures
#: fiscales.
FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
FEC_SEPARATOR = "\t"
FEC_LINE_END = "\r\n"
#: Article A47 A-1 names ASCII, ISO 8859-15 or EBCDIC: ISO 8859-15 has French accents and €.
FEC_ENCODING = "iso-8859-15"
FEC_CHUNK = 5000


def fec_filename(siren: str, fiscal_year: FiscalYear) -> str:
    """`<SIREN>FEC<closing date YYYYMMDD>.txt`."""
    return f"{siren}FEC{fiscal_year.end_date:%Y%m%d}.txt"


def fec_amount(cents: int) -> str:
    """1234,56 — decimal comma, no thousands separator (amounts are never negative here)."""
    return f"{cents // 100},{cents % 100:02d}"


def _text(value: str) -> str:
    """Separators and line breaks inside a field would break the file: they become spaces."""
    if "\t" in value or "\n" in value or "\r" in value:
        return " ".join(value.split())
    return value.strip()


def _fec_rows(fiscal_year: FiscalYear) -> Iterator[tuple[Any, ...]]:
    """The FEC's columns from the database, through a server-side cursor on PostgreSQL:
    raw values, without the ORM's per-row conversions (a million lines in a few seconds)."""
    queryset = (
        Line.objects.filter(entry__fiscal_year=fiscal_year)
        .annotate(
            opening=Case(
                When(journal_id=chart.OPENING_JOURNAL, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .values_list(
            "journal_id",
            "journal__label",
            "entry__number",
            "date",
            "account_id",
            "account__label",
            "auxiliary_number",
            "auxiliary_label",
            "entry__document_number",
            "entry__document_date",
            "label",
            "debit_cents",
            "credit_cents",
            "lettering",
            "lettering_date",
            "entry__validated_at",
        )
        # The opening entries first, then in the order entries were validated.
        .order_by("opening", "entry__validated_at", "entry_id", "position")
    )
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FEC_CHUNK):
            yield from rows


def _ymd(value: Any) -> str:
    """A date column as YYYYMMDD (SQLite returns text, PostgreSQL a date)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:10].replace("-", "")
    return f"{value:%Y%m%d}"


def _local_ymd(value: Any) -> str:
    """A validation time as the cooperative's local date, YYYYMMDD."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return f"{timezone.localtime(value):%Y%m%d}"


def fec_lines(fiscal_year: FiscalYear) -> Iterator[str]:
    """The FEC of a fiscal year, line by line: the header, then one line per entry line.

    Streamed from a database cursor in chunks: memory stays flat whatever the year's size.
    """
    yield FEC_SEPARATOR.join(FEC_COLUMNS) + FEC_LINE_END
    # Labels and dates repeat from line to line: format each once.
    labels: dict[str, str] = {}
    validated: tuple[Any, str] = (None, "")
    for (
        journal,
        journal_label,
        number,
        date,
        account,
        account_label,
        auxiliary,
        auxiliary_label,
        document_number,
        document_date,
        label,
        debit,
        credit,
        lettering,
        lettering_date,
        validated_at,
    ) in _fec_rows(fiscal_year):
        reference = f"{journal}{number:06d}"
        if validated[0] != validated_at:
            validated = (validated_at, _local_ymd(validated_at))
        if journal_label not in labels:
            labels[journal_label] = _text(journal_label)
        if account_label not in labels:
            labels[account_label] = _text(account_label)
        fields = (
            journal,
            labels[journal_label],
            reference,
            _ymd(date),
            account,
            labels[account_label],
            _text(auxiliary),
            _text(auxiliary_label),
            _text(document_number) or reference,
            _ymd(document_date),
            _text(label),
            fec_amount(debit),
            fec_amount(credit),
            _text(lettering),
            _ymd(lettering_date) if lettering else "",
            validated[1],
            "",
            "",
        )
        yield FEC_SEPARATOR.join(fields) + FEC_LINE_END


def fec_chunks(fiscal_year: FiscalYear, size: int = 1 << 16) -> Iterator[bytes]:
    """The FEC encoded, in blocks of about `size` bytes (for files and HTTP streaming)."""
    buffer: list[str] = []
    length = 0
    for line in fec_lines(fiscal_year):
        buffer.append(line)
        length += len(line)
        if length >= size:
            yield "".join(buffer).encode(FEC_ENCODING, errors="replace")
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode(FEC_ENCODING, errors="replace")


# --- tables ---------------------------------------------------------------------------------

TRIAL_BALANCE_HEADER = (
    "Compte",
    "Intitulé",
    "Total débit",
    "Total crédit",
    "Solde débiteur",
    "Solde créditeur",
)
ANALYTIC_HEADER = (
    "Code analytique",
    "Activité",
    "Compte",
    "Intitulé",
    "Total débit",
    "Total crédit",
    "Solde",
)
GENERAL_LEDGER_HEADER = (
    "Compte",
    "Intitulé",
    "Date",
    "Journal",
    "N° d'écriture",
    "Pièce",
    "Libellé",
    "Code analytique",
    "Compte auxiliaire",
    "Débit",
    "Crédit",
    "Solde progressif",
    "Lettrage",
)


def trial_balance_table(fiscal_year: FiscalYear) -> Iterator[list[Any]]:
    debit = credit = 0
    for row in selectors.trial_balance_rows(fiscal_year):
        debit += row.debit_cents
        credit += row.credit_cents
        balance = row.balance_cents
        yield [
            row.number,
            row.label,
            from_cents(row.debit_cents),
            from_cents(row.credit_cents),
            from_cents(balance) if balance > 0 else None,
            from_cents(-balance) if balance < 0 else None,
        ]
    yield [_("Total"), "", from_cents(debit), from_cents(credit), None, None]


def analytic_table(fiscal_year: FiscalYear) -> Iterator[list[Any]]:
    for row in selectors.analytic_rows(fiscal_year):
        yield [
            row.business_code or _("(sans code)"),
            row.business_name,
            row.number,
            row.label,
            from_cents(row.debit_cents),
            from_cents(row.credit_cents),
            from_cents(row.balance_cents),
        ]


def general_ledger_table(fiscal_year: FiscalYear) -> Iterator[list[Any]]:
    account = None
    running = 0
    for row in selectors.general_ledger_lines(fiscal_year):
        if row["account_id"] != account:
            account, running = row["account_id"], 0
        running += row["debit_cents"] - row["credit_cents"]
        yield [
            row["account_id"],
            row["account__label"],
            row["date"],
            row["journal_id"],
            f"{row['journal_id']}{row['entry__number']:06d}",
            row["entry__document_number"],
            row["label"],
            row["business__code"] or "",
            row["auxiliary_number"],
            from_cents(row["debit_cents"]),
            from_cents(row["credit_cents"]),
            from_cents(running),
            row["lettering"],
        ]


#: kind → (file name stem, header, rows of a fiscal year)
TABLES = {
    "trial-balance": ("balance", TRIAL_BALANCE_HEADER, trial_balance_table),
    "analytic": ("balance-analytique", ANALYTIC_HEADER, analytic_table),
    "general-ledger": ("grand-livre", GENERAL_LEDGER_HEADER, general_ledger_table),
}


def table_filename(kind: str, fiscal_year: FiscalYear, fmt: str) -> str:
    stem = TABLES[kind][0]
    return f"{stem}-{fiscal_year.end_date:%Y%m%d}.{fmt}"


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """CSV as the rest of Alvéole writes it (UTF-8 with BOM, `;`), streamed row by row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    out.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        if out.tell() > 1 << 16:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()
