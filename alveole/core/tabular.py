"""Reading and writing CSV/XLSX tables: the one place files of rows come in and go out."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from alveole.core.services import audit_record

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TableError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass(frozen=True)
class Row:
    """One data row of a table: its line number in the file and its cells by column name."""

    line: int
    values: dict[str, str]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(content: bytes, filename: str) -> tuple[list[str], list[Row]]:
    """Read a CSV (UTF-8, `;` or `,`) or XLSX file into its header and rows.

    Blank rows are skipped; line numbers are the file's (header = line 1).
    """
    if not content:
        raise TableError(_("Le fichier est vide."))
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        raw_rows = _xlsx_rows(content)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        raw_rows = _csv_rows(content)
    else:
        raise TableError(_("Format non reconnu : le fichier doit être un CSV ou un XLSX."))
    header: list[str] | None = None
    rows: list[Row] = []
    for line, cells in raw_rows:
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        if header is None:
            header = [t.strip().lower() for t in texts]
            while header and not header[-1]:
                header.pop()
            continue
        values = {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(header)}
        rows.append(Row(line=line, values=values))
    if header is None:
        raise TableError(_("Le fichier est vide."))
    return header, rows


def _csv_rows(content: bytes) -> Iterable[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError(
            _(
                "Le fichier n'est pas encodé en UTF-8 (caractère illisible à la ligne %(line)s). "
                "Enregistrez-le en « CSV UTF-8 » et recommencez."
            )
            % {"line": content[: error.start].count(b"\n") + 1}
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    first_line_of_record = 1
    try:
        for cells in reader:
            # A quoted cell may span lines: report the line where the record starts.
            yield first_line_of_record, cells
            first_line_of_record = reader.line_num + 1
    except csv.Error as error:
        raise TableError(
            _("CSV illisible à la ligne %(line)s : %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None


def _xlsx_rows(content: bytes) -> Iterable[tuple[int, list[Any]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableError(
            _(
                "Fichier XLSX illisible : enregistrez-le depuis votre tableur au format "
                "« Classeur Excel (.xlsx) » et recommencez."
            )
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for index, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield index, list(cells)
    finally:
        workbook.close()


def check_columns(header: Sequence[str], required: Sequence[str], optional: Sequence[str]) -> None:
    """Refuse a header that lacks a required column, has an unknown one or one twice."""
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c and c not in required and c not in optional]
    twice = sorted({c for c in header if c and header.count(c) > 1})
    problems = []
    if twice:
        problems.append(_("colonnes en double : %(cols)s") % {"cols": ", ".join(twice)})
    if missing:
        problems.append(_("colonnes manquantes : %(cols)s") % {"cols": ", ".join(missing)})
    if unknown:
        problems.append(_("colonnes inconnues : %(cols)s") % {"cols": ", ".join(unknown)})
    if problems:
        raise TableError(
            _(
                "Les colonnes ne sont pas celles attendues (%(problems)s). Colonnes attendues : %(cols)s."
            )
            % {"problems": " ; ".join(problems), "cols": ", ".join([*required, *optional])}
        )


def _export_value(value: Any) -> Any:
    if value is None:
        return ""
    return value


def table_response(
    *, filename: str, fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """An HTTP download of rows as CSV (UTF-8 with BOM, `;`, for spreadsheets) or XLSX."""
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append([_export_value(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_MIME)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_export_value(v) for v in row])
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def export_response(
    request: Any,
    *,
    target_type: str,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> HttpResponse:
    """A list exported in the format the request asks (`?format=csv|xlsx`), audited."""
    fmt = request.GET["format"]
    audit_record(
        actor=request.user,
        action="export",
        target_type=target_type,
        summary=_("Export %(name)s (%(fmt)s)") % {"name": name, "fmt": fmt},
        changes={"query": request.GET.urlencode()},
    )
    return table_response(filename=name, fmt=fmt, header=header, rows=rows)
