"""The import framework: a table of rows goes in whole or not at all.

Each app declares its importers in `importers.py` with `@register`; the
`alveole import <kind> FILE` command and the staff import page find them here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

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

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


class _Rollback(Exception):
    pass


@dataclass(frozen=True)
class Importer:
    """An import kind: its columns and the function that saves one row through a service."""

    kind: str
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    save_row: Callable[[dict[str, str], Any], Any]
    doc: str = ""


_REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Make an importer known to the command and the import page."""
    _REGISTRY[importer.kind] = importer
    return importer


def importers() -> dict[str, Importer]:
    """Every registered importer, by kind."""
    autodiscover_modules("importers")
    return dict(sorted(_REGISTRY.items()))


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        parts = []
        for name, errors in error.message_dict.items():
            label = "" if name == "__all__" else f"{name} : "
            parts.extend(f"{label}{message}" for message in errors)
        return " ; ".join(parts)
    return " ; ".join(error.messages)


def run_import(*, kind: str, content: bytes, filename: str, actor: Any) -> ImportResult:
    """Import a file of `kind`; any bad line rolls the whole file back and is reported."""
    available = importers()
    if kind not in available:
        raise KeyError(kind)
    importer = available[kind]
    result = ImportResult(kind=kind)
    try:
        header, rows = read_table(content, filename)
        check_columns(header, importer.required, importer.optional)
    except TableError as error:
        result.file_error = str(error)
        return result
    if not rows:
        result.file_error = _("Le fichier ne contient aucune ligne de données.")
        return result
    try:
        with transaction.atomic():
            for row in rows:
                _import_row(importer, row, actor, result)
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = 0
    return result


def _import_row(importer: Importer, row: Row, actor: Any, result: ImportResult) -> None:
    missing = [name for name in importer.required if not row.values.get(name, "").strip()]
    if missing:
        result.errors.append(
            LineError(
                row.line,
                _("valeur obligatoire manquante : %(cols)s") % {"cols": ", ".join(missing)},
            )
        )
        return
    try:
        # A savepoint per line: a refused line leaves the others' work consistent until the
        # final rollback, and every line is checked so that all errors are reported at once.
        with transaction.atomic():
            importer.save_row(row.values, actor)
    except ValidationError as error:
        result.errors.append(LineError(row.line, _messages(error)))
    else:
        result.created += 1
