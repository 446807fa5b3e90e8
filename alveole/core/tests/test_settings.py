"""Settings come from the environment; bad values and an unsafe production are refused."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from alveole.core.env import ConfigurationError, env_bool, env_choice, env_int, env_list

ROOT = Path(__file__).resolve().parents[3]


def test_typed_helpers():
    env = {"A": "yes", "B": "0", "N": "12", "L": "a.example, b.example,,", "C": "Production"}
    assert env_bool("A", environ=env) is True
    assert env_bool("B", environ=env) is False
    assert env_bool("MISSING", default=True, environ=env) is True
    assert env_int("N", 1, minimum=1, environ=env) == 12
    assert env_list("L", environ=env) == ["a.example", "b.example"]
    assert (
        env_choice("C", "development", ("development", "production"), environ=env) == "production"
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: env_bool("X", environ={"X": "maybe"}), "X must be one of"),
        (lambda: env_int("X", 1, environ={"X": "ten"}), "X must be an integer"),
        (lambda: env_int("X", 1, minimum=5, environ={"X": "2"}), "at least 5"),
        (lambda: env_choice("X", "a", ("a", "b"), environ={"X": "c"}), "X must be one of a, b"),
    ],
)
def test_bad_values_are_refused(call, message):
    with pytest.raises(ConfigurationError, match=message):
        call()


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import alveole.settings"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_production_refuses_to_start_without_secret_key_or_hosts(tmp_path):
    result = _load_settings(
        ALVEOLE_ENV="production",
        ALVEOLE_ALLOWED_HOSTS="coop.example",
        ALVEOLE_DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "ALVEOLE_SECRET_KEY must be set" in result.stderr
    result = _load_settings(
        ALVEOLE_ENV="production", ALVEOLE_SECRET_KEY="x" * 60, ALVEOLE_DATA_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "ALVEOLE_ALLOWED_HOSTS must list" in result.stderr
    result = _load_settings(
        ALVEOLE_ENV="production", ALVEOLE_SECRET_KEY="x" * 60, ALVEOLE_ALLOWED_HOSTS="coop.example",
        ALVEOLE_DATA_DIR=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_a_bad_database_url_is_refused(tmp_path):
    result = _load_settings(DATABASE_URL="nonsense://x", ALVEOLE_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_sqlite_uses_wal_and_immediate_transactions(db, settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 1000


def test_health_endpoint(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
