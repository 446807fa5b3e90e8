"""Backups: the database and the stored files in one timestamped archive, and back.

An archive `alveole-AAAAMMJJTHHMMSSZ.tar.gz` holds:

- `manifest.json`: when, which database engine, how many files;
- `database.sqlite3` (SQLite, copied with the online backup API: consistent while the
  application keeps writing) or `database.dump` (PostgreSQL, `pg_dump --format=custom`);
- `files/…`: the stored files (MEDIA_ROOT: received invoices, receipts, documents).

`restore` refuses to overwrite a database that has tables, or a files folder that is not
empty, unless `force` is given.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or a restore that cannot be done, with the reason in French."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    files: int


def _database() -> dict[str, Any]:
    return settings.DATABASES["default"]


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """The connection arguments and environment of pg_dump/pg_restore for the database."""
    db = _database()
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    environment = dict(os.environ)
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = str(db["PASSWORD"])
    return args, environment


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} est introuvable : installez les outils clients de PostgreSQL "
            f"(paquet postgresql-client) de la même version que le serveur."
        )
    return path


def _run(command: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - fixed tools, arguments from the settings
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} a échoué : {result.stderr.strip()}")


def backup(*, output: Path, now: datetime.datetime | None = None) -> BackupResult:
    """Write an archive of the database and the stored files into the folder `output`."""
    now = now or datetime.datetime.now(tz=datetime.UTC)
    output.mkdir(parents=True, exist_ok=True)
    path = output / f"alveole-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    if path.exists():
        raise BackupError(f"L'archive {path} existe déjà.")
    vendor = connection.vendor
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="alveole-backup-") as folder:
        work = Path(folder)
        if vendor == "sqlite":
            dump = work / "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        elif vendor == "postgresql":
            dump = work / "database.dump"
            args, environment = _pg_environment()
            # The cache's rows are computed figures, rebuilt on demand: only its table goes.
            _run([_tool("pg_dump"), "--format=custom", "--no-owner",
                  "--exclude-table-data=alveole_cache", "--file", str(dump), *args],
                 environment)  # fmt: skip
        else:
            raise BackupError(f"Sauvegarde impossible : base {vendor} non prise en charge.")
        files = [p for p in media.rglob("*") if p.is_file()] if media.is_dir() else []
        manifest = {
            "format": FORMAT_VERSION,
            "created": now.isoformat(),
            "vendor": vendor,
            "database": dump.name,
            "files": len(files),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        partial = path.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", arcname="manifest.json")
            archive.add(dump, arcname=dump.name)
            for file in files:
                archive.add(file, arcname=f"files/{file.relative_to(media).as_posix()}")
        partial.rename(path)  # a half-written archive never has the final name
    return BackupResult(path=path, vendor=vendor, files=len(files))


def database_is_empty() -> bool:
    """Whether the configured database has no table at all (nothing a restore would lose)."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore(*, archive_path: Path, force: bool = False) -> dict[str, Any]:
    """Put the database and the files of an archive back; returns its manifest."""
    if not archive_path.is_file():
        raise BackupError(f"Archive introuvable : {archive_path}")
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="alveole-restore-") as folder:
        work = Path(folder)
        try:
            with tarfile.open(archive_path, "r:gz") as archive:
                archive.extractall(work, filter="data")
            manifest = json.loads((work / "manifest.json").read_text())
        except (tarfile.TarError, OSError, ValueError) as error:
            raise BackupError(
                f"{archive_path} n'est pas une sauvegarde d'Alvéole : {error}"
            ) from None
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError("Format de sauvegarde inconnu.")
        vendor = connection.vendor
        if manifest["vendor"] != vendor:
            raise BackupError(
                f"La sauvegarde vient d'une base {manifest['vendor']} et la base configurée est "
                f"{vendor} : restaurez-la sur le même type de base."
            )
        if not force:
            if not database_is_empty():
                raise BackupError(
                    "La base configurée n'est pas vide : la restauration l'écraserait. "
                    "Relancez avec --force pour la remplacer."
                )
            if media.is_dir() and any(media.iterdir()):
                raise BackupError(
                    f"Le dossier des fichiers {media} n'est pas vide. "
                    "Relancez avec --force pour le remplacer."
                )
        dump = work / manifest["database"]
        if vendor == "sqlite":
            connections.close_all()
            source = sqlite3.connect(dump)
            target = sqlite3.connect(_database()["NAME"])
            try:
                source.backup(target)  # replaces every page of the target
            finally:
                source.close()
                target.close()
        else:
            connections.close_all()
            args, environment = _pg_environment()
            command = [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction"]
            if force:
                command += ["--clean", "--if-exists"]
            _run([*command, *args, str(dump)], environment)
        files = work / "files"
        if media.is_dir() and force:
            shutil.rmtree(media)
        media.mkdir(parents=True, exist_ok=True)
        if files.is_dir():
            shutil.copytree(files, media, dirs_exist_ok=True)
    return manifest
