"""Background workers on several machines share one PostgreSQL: each task runs once.

django_tasks_db's worker takes the next ready task with `SELECT … FOR UPDATE SKIP LOCKED`
(`DBTaskResultQuerySet.get_locked`) and claims it in the same transaction, so two workers
never take the same row. This test runs two real `alveole db_worker` processes against
the test database and checks that every task ran exactly once, shared between them.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from alveole.core.tests.worker_tasks import record_run

ROOT = Path(__file__).resolve().parents[3]
TASKS = 120


@pytest.mark.django_db
def test_worker_claims_with_skip_locked():
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED : test PostgreSQL (SQLite verrouille toute la base)")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        DBTaskResult.objects.ready().get_locked()  # what the worker's loop calls
    claims = [q["sql"] for q in queries.captured_queries if "dbtaskresult" in q["sql"].lower()]
    assert len(claims) == 1
    assert claims[0].endswith("FOR UPDATE SKIP LOCKED")


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_every_task_exactly_once(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("plusieurs workers sur une base partagée : test PostgreSQL (DATABASE_URL)")
    for n in range(TASKS):
        record_run.enqueue(n)
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    log = tmp_path / "runs.log"
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL"))
    }
    environment.update(
        DATABASE_URL=url, ALVEOLE_TEST_WORKER_LOG=str(log), ALVEOLE_DATA_DIR=str(tmp_path)
    )
    command = [sys.executable, "-m", "alveole.cli", "db_worker", "--batch", "--no-startup-delay"]
    workers = [
        subprocess.Popen(  # noqa: S603 - our own command
            [*command, "--worker-id", f"w{k}"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(2)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    runs = [line.split() for line in log.read_text().splitlines()]
    numbers = sorted(int(n) for n, _pid in runs)
    assert numbers == list(range(TASKS))  # every task, none twice
    pids = {pid for _n, pid in runs}
    assert len(pids) == 2, "both workers took tasks"
    results = DBTaskResult.objects.filter(task_path__endswith="record_run")
    assert results.count() == TASKS
    assert all(r.status == "SUCCESSFUL" and len(r.worker_ids) == 1 for r in results)
