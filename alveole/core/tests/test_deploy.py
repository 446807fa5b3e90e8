"""Production pieces: `check --deploy` is clean with the documented variables, JSON logs
carry the request id."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

from alveole.core.logging import JsonFormatter, RequestIdFilter, request_id_var

ROOT = Path(__file__).resolve().parents[3]


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL"))
    }
    environment.update(
        ALVEOLE_ENV="production",
        ALVEOLE_SECRET_KEY=secrets.token_urlsafe(60),
        ALVEOLE_ALLOWED_HOSTS="alveole.example.org",
        ALVEOLE_DATA_DIR=str(tmp_path),
        **extra,
    )
    return environment


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "alveole.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_production_env(tmp_path), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_json_log_line_has_the_request_id_and_extra_fields():
    record = logging.makeLogRecord(
        {"name": "alveole.test", "levelname": "WARNING", "msg": "Facture %s", "args": ("F-1",)}
    )
    record.invoice_id = 42
    token = request_id_var.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Facture F-1"
    assert line["request_id"] == "abc123"
    assert line["level"] == "WARNING"
    assert line["invoice_id"] == 42
    assert line["time"].endswith("+00:00")


def test_every_response_carries_a_request_id(client, db):
    response = client.get("/health/")
    generated = response["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/health/")["X-Request-ID"] != generated
    echoed = client.get("/health/", headers={"X-Request-ID": "proxy-7f3a"})
    assert echoed["X-Request-ID"] == "proxy-7f3a"
    # A header that could forge log lines is replaced, not echoed.
    forged = client.get("/health/", headers={"X-Request-ID": 'x" level="ERROR'})
    assert forged["X-Request-ID"] != 'x" level="ERROR'


def test_json_logs_through_the_settings(tmp_path):
    """With ALVEOLE_LOG_FORMAT=json, the configured logging writes JSON lines."""
    script = (
        "import django, logging; django.setup();"
        "logging.getLogger('alveole.x').info('bonjour', extra={'k': 1})"
    )
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL"))
    }
    environment.update(
        ALVEOLE_LOG_FORMAT="json",
        ALVEOLE_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="alveole.settings",
    )
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert {"message": "bonjour", "request_id": "-", "k": 1}.items() <= lines[0].items()


def test_the_wsgi_module_loads_every_view_before_gunicorn_forks(tmp_path):
    """With `preload_app`, workers fork from the process that imported alveole.wsgi: the
    views (and matplotlib, for the report's charts) must be there already, not imported
    again by each worker's first request (about 2 s of CPU each)."""
    probe = (
        "import sys; import alveole.wsgi; "
        "print(all(m in sys.modules for m in "
        "('alveole.sales.views', 'alveole.reports.charts', 'matplotlib.pyplot')))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", probe], cwd=ROOT, env=_production_env(tmp_path),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    config = (ROOT / "gunicorn.conf.py").read_text()
    assert "preload_app = True" in config


def test_gunicorn_freezes_what_the_master_loaded_before_the_workers_fork():
    """`when_ready` runs in the master once the app is preloaded: what is loaded then is
    out of the collector's reach in every worker forked after it."""
    import gc
    import runpy

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["preload_app"] is True
    frozen_before = gc.get_freeze_count()
    loaded = object.__new__(type("Loaded", (), {}))
    try:
        config["when_ready"](server=None)
        assert gc.get_freeze_count() > frozen_before
        assert all(seen is not loaded for seen in gc.get_objects())  # frozen ones are left out
    finally:
        if frozen_before == 0:
            gc.unfreeze()
