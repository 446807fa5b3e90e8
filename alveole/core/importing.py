"""The import framework: a table of rows goes in whole or not at all.

Each app declares its importers in `importers.py` with `@register`; the
`alveole import <kind> FILE` command and the staff import page find them here.
Values are read with `RowValues`, whose parsers collect every problem of a line
with the column it comes from, in French.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alveole.core.bulk import fewer_collections
from alveole.core.services import audit_record
from alveole.core.tabular import Row, TableError, check_columns, read_table


@dataclass(frozen=True)
class LineError:
    """Why one line of the file was refused."""

    line: int
    message: str


@dataclass
class ImportResult:
    """What an import did: rows created, or every refused line (and then nothing was written)."""

    kind: str
    created: int = 0
    errors: list[LineError] = field(default_factory=list)
    file_error: str = ""
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


class _Rollback(Exception):
    pass


@dataclass(frozen=True)
class Column:
    """One column of an import file, as documented to the user."""

    name: str
    help: Any  # a lazy translated string: what the column holds, its format, an example
    required: bool = False


@dataclass(frozen=True)
class Importer:
    """An import kind: its columns and the function that saves one row through a service.

    `unique_key`, when given, names what must not appear twice in one file (a person's
    name and birth date, a business's code); the second line is refused with the first's
    line number, and not saved.

    `save_rows`, when given, saves the lines in batches instead of `save_row` one by one:
    it receives every line left once duplicates and empty required cells are refused, and
    returns the refused ones' messages by line number. Like `save_row`'s, its writes stay
    in the import's transaction, rolled back whole when a line is refused.
    """

    kind: str
    label: Any
    required: tuple[str, ...]
    optional: tuple[str, ...]
    save_row: Callable[[dict[str, str], Any], Any]
    doc: Any = ""
    columns: tuple[Column, ...] = ()
    unique_key: Callable[[dict[str, str]], Hashable | None] | None = None
    duplicate_message: Any = ""
    save_rows: Callable[[Iterable[Row], Any], dict[int, str]] | None = None


_REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Make an importer known to the command and the import page."""
    _REGISTRY[importer.kind] = importer
    return importer


def importers() -> dict[str, Importer]:
    """Every registered importer, by kind."""
    autodiscover_modules("importers")
    return dict(sorted(_REGISTRY.items()))


@dataclass(frozen=True)
class DocumentImporter:
    """An import kind that takes one document (a received e-invoice), not a table of rows.

    `alveole import <kind> FILE` hands the file to the management command `command`,
    which takes `FILE`, `--user EMAIL` and `--dry-run` and exits 1 when it refuses the file.
    """

    kind: str
    label: Any
    command: str


_DOCUMENT_REGISTRY: dict[str, DocumentImporter] = {}


def register_document(importer: DocumentImporter) -> DocumentImporter:
    """Make a one-document import kind known to `alveole import`."""
    _DOCUMENT_REGISTRY[importer.kind] = importer
    return importer


def document_importers() -> dict[str, DocumentImporter]:
    """Every registered one-document importer, by kind."""
    autodiscover_modules("importers")
    return dict(sorted(_DOCUMENT_REGISTRY.items()))


def error_message(error: ValidationError) -> str:
    """A refusal as one line of the report: `column : message ; …`."""
    if hasattr(error, "error_dict"):
        parts: list[str] = []
        for name, errors in error.message_dict.items():
            label = "" if name == "__all__" else f"{name} : "
            parts.extend(f"{label}{message}" for message in errors)
        return " ; ".join(parts)
    return " ; ".join(error.messages)


def run_import(
    *,
    kind: str,
    content: bytes,
    filename: str,
    actor: Any,
    dry_run: bool = False,
    progress: Callable[[Sequence[Row]], Iterable[Row]] | None = None,
) -> ImportResult:
    """Import a file of `kind`; any bad line rolls the whole file back and is reported.

    A successful import records one audit event. With `dry_run`, every line is checked
    through the services exactly as for real, then everything is rolled back.
    `progress` may wrap the rows (a progress bar).
    """
    available = importers()
    if kind not in available:
        raise KeyError(kind)
    importer = available[kind]
    result = ImportResult(kind=kind, dry_run=dry_run)
    try:
        header, rows = read_table(content, filename)
        check_columns(header, importer.required, importer.optional)
    except TableError as error:
        result.file_error = str(error)
        return result
    if not rows:
        result.file_error = _("Le fichier ne contient aucune ligne de données.")
        return result
    duplicates = _duplicates(importer, rows)
    try:
        with transaction.atomic():
            if importer.save_rows is not None:
                _import_rows(importer, rows, duplicates, actor, result, progress)
            else:
                for row in progress(rows) if progress else rows:
                    if row.line in duplicates:
                        result.errors.append(LineError(row.line, duplicates[row.line]))
                        continue
                    _import_row(importer, row, actor, result)
            if result.errors or result.file_error or dry_run:
                raise _Rollback
            audit_record(
                actor=actor,
                action="import",
                target_type=kind,
                summary=_("Import « %(label)s » depuis %(file)s : %(n)s lignes")
                % {"label": importer.label, "file": filename, "n": result.created},
            )
    except _Rollback:
        if result.errors or result.file_error:
            result.created = 0
    return result


def _import_rows(
    importer: Importer,
    rows: Sequence[Row],
    duplicates: dict[int, str],
    actor: Any,
    result: ImportResult,
    progress: Callable[[Sequence[Row]], Iterable[Row]] | None,
) -> None:
    """Hand the lines to the importer's `save_rows`, in batches of its own making."""
    refused: dict[int, str] = dict(duplicates)
    to_save = []
    for row in rows:
        if row.line in refused:
            continue
        message = _missing_message(importer, row)
        if message:
            refused[row.line] = message
        else:
            to_save.append(row)
    assert importer.save_rows is not None
    try:
        # A savepoint: on PostgreSQL a failed statement leaves the transaction unusable.
        with transaction.atomic(), fewer_collections():
            refused.update(importer.save_rows(progress(to_save) if progress else to_save, actor))
    except IntegrityError:
        # Lines checked one by one report it on their line; a batch, written at once, can
        # only say it of the file (another import wrote the same number meanwhile…).
        result.file_error = _(
            "le fichier contredit une donnée enregistrée entre-temps (contrainte de la base)."
        )
        return
    result.errors.extend(LineError(line, refused[line]) for line in sorted(refused))
    result.created = len(rows) - len(refused)


def _duplicates(importer: Importer, rows: Sequence[Row]) -> dict[int, str]:
    """Lines whose unique key already appeared on an earlier line of the file."""
    if importer.unique_key is None:
        return {}
    first_seen: dict[Hashable, int] = {}
    duplicates: dict[int, str] = {}
    for row in rows:
        key = importer.unique_key(row.values)
        if key is None:
            continue
        if key in first_seen:
            duplicates[row.line] = str(importer.duplicate_message) % {"line": first_seen[key]}
        else:
            first_seen[key] = row.line
    return duplicates


def _missing_message(importer: Importer, row: Row) -> str:
    missing = [name for name in importer.required if not row.values.get(name, "").strip()]
    if not missing:
        return ""
    return _("valeur obligatoire manquante : %(cols)s") % {"cols": ", ".join(missing)}


def save_one(save_row: Callable[[dict[str, str], Any], Any], row: Row, actor: Any) -> str:
    """Save one line in a savepoint of its own; the message when it is refused, else ""."""
    try:
        # A savepoint per line: a refused line leaves the others' work consistent until the
        # final rollback, and every line is checked so that all errors are reported at once.
        with transaction.atomic():
            save_row(row.values, actor)
    except ValidationError as error:
        return error_message(error)
    except IntegrityError:
        return _("la ligne contredit une donnée déjà enregistrée (contrainte de la base).")
    return ""


def _import_row(importer: Importer, row: Row, actor: Any, result: ImportResult) -> None:
    message = _missing_message(importer, row) or save_one(importer.save_row, row, actor)
    if message:
        result.errors.append(LineError(row.line, message))
    else:
        result.created += 1


# --- reading values -----------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TRUE = {"oui", "o", "yes", "y", "1", "vrai", "true", "x"}
_FALSE = {"non", "n", "no", "0", "faux", "false"}


def normalize(text: str) -> str:
    """A form of a label for lenient matching: no accents, case, apostrophe or space variants."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.replace("’", "'").replace("·", "").replace("-", " ").replace("_", " ")
    return " ".join(bare.casefold().split())


def parse_date(text: str) -> datetime.date:
    """A date written AAAA-MM-JJ or JJ/MM/AAAA (a spreadsheet date cell arrives as the former)."""
    text = text.strip()
    if "T" in text:  # a date-time cell of a spreadsheet
        text = text.split("T", 1)[0]
    match = _ISO_DATE.match(text)
    parts = None
    if match:
        parts = int(match[1]), int(match[2]), int(match[3])
    else:
        match = _FRENCH_DATE.match(text)
        if match:
            parts = int(match[3]), int(match[2]), int(match[1])
    try:
        if parts is None:
            raise ValueError
        return datetime.date(*parts)
    except ValueError:
        raise ValidationError(
            _("date invalide « %(value)s » : attendu AAAA-MM-JJ ou JJ/MM/AAAA") % {"value": text}
        ) from None


def parse_boolean(text: str) -> bool:
    """Oui/non in the forms spreadsheets use: oui, non, yes, no, 1, 0, vrai, faux."""
    value = normalize(text)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(_("valeur invalide « %(value)s » : attendu oui ou non") % {"value": text})


def parse_decimal(text: str) -> Decimal:
    """A number with a decimal comma or point (70 ; 70,5 ; 70.5)."""
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationError(_("nombre invalide « %(value)s »") % {"value": text})
    return value


@functools.lru_cache(maxsize=64)
def _choice_forms(
    choices: type[models.TextChoices], aliases: tuple[tuple[str, str], ...], language: str | None
) -> dict[str, str]:
    """Every accepted form of a list of choices, normalised, in the active language (its
    labels are translated): computed once, not for every cell of a big file."""
    known: dict[str, str] = {}
    for value, label in choices.choices:
        known[normalize(value)] = value
        known[normalize(str(label))] = value
    for alias, value in aliases:
        known[normalize(alias)] = value
    return known


def parse_choice(
    text: str, choices: type[models.TextChoices], aliases: Mapping[str, str] | None = None
) -> str:
    """A choice given by its code, its French label or one of its aliases."""
    wanted = normalize(text)
    known = _choice_forms(choices, tuple((aliases or {}).items()), get_language())
    if wanted in known:
        return known[wanted]
    codes = [str(value) for value in choices.values]
    raise ValidationError(
        _("valeur inconnue « %(value)s » : attendu %(choices)s")
        % {"value": text, "choices": ", ".join(codes)}
    )


def _flat(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages in error.message_dict.values() for m in messages]
    return list(error.messages)


class RowValues:
    """The cells of one line, with parsers that collect every problem by column.

    Each parser returns None (or "") for an empty cell and records an error for a bad one;
    `check()` then raises them all at once, so that a line reports everything wrong with it.
    """

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values
        self.errors: dict[str, list[str]] = {}

    def error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)

    def text(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def has(self, column: str) -> bool:
        return bool(self.text(column))

    def _parse(self, column: str, parser: Callable[[str], Any]) -> Any:
        text = self.text(column)
        if not text:
            return None
        try:
            return parser(text)
        except ValidationError as error:
            for message in _flat(error):
                self.error(column, message)
            return None

    def date(self, column: str) -> datetime.date | None:
        return self._parse(column, parse_date)

    def boolean(self, column: str) -> bool | None:
        return self._parse(column, parse_boolean)

    def decimal(self, column: str) -> Decimal | None:
        return self._parse(column, parse_decimal)

    def choice(
        self,
        column: str,
        choices: type[models.TextChoices],
        aliases: Mapping[str, str] | None = None,
        default: str = "",
    ) -> str:
        value = self._parse(column, lambda text: parse_choice(text, choices, aliases))
        if value is None and not self.has(column):
            return default
        return value or ""

    def lookup(self, column: str, finder: Callable[[str], Any]) -> Any:
        """An object found from the cell's text by `finder`, which raises ValidationError."""
        return self._parse(column, finder)

    def check(self) -> None:
        """Raise every problem found so far, by column, in the file's column order."""
        if self.errors:
            order = {column: index for index, column in enumerate(self.values)}
            columns = sorted(self.errors, key=lambda column: order.get(column, len(order)))
            raise ValidationError({column: self.errors[column] for column in columns})


@contextmanager
def reported_as(column: str, fields: Mapping[str, str] | None = None) -> Iterator[None]:
    """Report a service's refusal under the file's column names.

    Errors on a field listed in `fields` go to that column; every other error goes to
    `column`, the cell that asked for the operation.
    """
    try:
        yield
    except ValidationError as error:
        fields = fields or {}
        errors: dict[str, list[str]] = {}
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                errors.setdefault(fields.get(name, column), []).extend(messages)
        else:
            errors[column] = list(error.messages)
        raise ValidationError(errors) from None
