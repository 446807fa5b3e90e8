"""`alveole backup` / `alveole restore`: a round trip of the database and the stored files.

Each test runs the real commands in subprocesses on a database of its own (a SQLite file
in a temporary folder; on PostgreSQL, databases `h6_backup_…` created and dropped here), so
that the restore really replaces a database as it would in production.
"""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[3]
MAKE_DATA = (
    "from alveole.people.models import User;"
    "User.objects.create_user('sauvegarde@example.org', 'x' * 12);"
    "from django.core.files.storage import default_storage;"
    "from django.core.files.base import ContentFile;"
    "default_storage.save('justificatifs/recu.txt', ContentFile(b'recu 42'))"
)
COUNT_DATA = (
    "from alveole.people.models import User;"
    "print('users', User.objects.filter(email='sauvegarde@example.org').count())"
)


def _alveole(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "alveole.cli", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=600, check=False,
    )  # fmt: skip


def _env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL"))
    }
    environment["ALVEOLE_DATA_DIR"] = str(data_dir)
    if database_url:
        environment["DATABASE_URL"] = database_url
    return environment


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _round_trip(source: dict[str, str], target: dict[str, str], tmp_path: Path) -> None:
    _ok(_alveole(source, "migrate", "--verbosity", "0"))
    _ok(_alveole(source, "shell", "-c", MAKE_DATA))
    out = _ok(_alveole(source, "backup", "--output", str(tmp_path / "archives")))
    archives = list((tmp_path / "archives").glob("alveole-*.tar.gz"))
    assert len(archives) == 1, out
    archive = str(archives[0])

    _ok(_alveole(target, "restore", archive))
    assert "users 1" in _ok(_alveole(target, "shell", "-c", COUNT_DATA))
    restored = Path(target["ALVEOLE_DATA_DIR"]) / "files" / "justificatifs" / "recu.txt"
    assert restored.read_bytes() == b"recu 42"

    # The target now has data: a second restore is refused, and nothing changes…
    _ok(_alveole(target, "shell", "-c", MAKE_DATA.replace("sauvegarde@", "apres@")))
    refused = _alveole(target, "restore", archive)
    assert refused.returncode != 0
    assert "n'est pas vide" in refused.stderr
    assert "--force" in refused.stderr
    after = "from alveole.people.models import User; print('after', User.objects.count())"
    assert "after 2" in _ok(_alveole(target, "shell", "-c", after))
    # …unless forced: the target is what the backup holds, the later user is gone.
    _ok(_alveole(target, "restore", archive, "--force"))
    assert "after 1" in _ok(_alveole(target, "shell", "-c", after))
    assert restored.read_bytes() == b"recu 42"


def test_sqlite_round_trip(tmp_path):
    source = _env(tmp_path / "source")
    target = _env(tmp_path / "target")
    _round_trip(source, target, tmp_path)


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    bogus = tmp_path / "alveole-faux.tar.gz"
    bogus.write_bytes(b"pas une archive")
    result = _alveole(_env(tmp_path / "target"), "restore", str(bogus))
    assert result.returncode != 0
    assert "n'est pas une sauvegarde d'Alvéole" in result.stderr
    missing = _alveole(_env(tmp_path / "target"), "restore", str(tmp_path / "absente.tar.gz"))
    assert "Archive introuvable" in missing.stderr


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("round trip PostgreSQL : lancez les tests avec DATABASE_URL=postgres://…")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("round trip PostgreSQL : pg_dump et pg_restore sont introuvables")
    return url


def test_postgresql_round_trip(tmp_path):
    url = _postgres_url()
    import psycopg

    config = dj_database_url.parse(url)
    names = [f"h6_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = psycopg.connect(
        dbname="postgres", user=config["USER"], password=config["PASSWORD"] or None,
        host=config["HOST"] or None, port=config["PORT"] or None, autocommit=True,
    )  # fmt: skip
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        base = url.rsplit("/", 1)[0]
        source = _env(tmp_path / "source", f"{base}/{names[0]}")
        target = _env(tmp_path / "target", f"{base}/{names[1]}")
        _round_trip(source, target, tmp_path)
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
