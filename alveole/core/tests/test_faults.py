"""Reliability under faults: whatever stops half-way leaves consistent data.

- an import interrupted on a line (Ctrl+C, or the process killed) writes nothing of the
  file, and the same file then imports;
- a process killed between drawing an invoice number and committing leaves the draft, the
  counter and the ledger as they were: the next issue gets that number (no gap, no double);
- a worker killed during a background job: the job's writes are atomic, and
  `alveole tasks_recover` requeues the task (or marks it failed, in French, for the user);
- the database connection lost during a request: a French 503, nothing half-written, and
  the next request works.

The real kills are SIGKILLs of a child process (`alveole/core/tests/fault_child.py`, which
stops itself at the point under test) working on the test database: by URL on PostgreSQL,
on a file copy of the in-memory database on SQLite. Terminating a session from the server
side (`pg_terminate_backend`) is PostgreSQL only.
"""

from __future__ import annotations

import datetime
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.tasks import TaskResultStatus
from django.test import Client
from django_tasks_db.models import DBTaskResult

from alveole.core.importing import importers
from alveole.core.jobs import WORKER_LOST, tasks_recover
from alveole.core.models import AuditEvent
from alveole.core.tests.fault_child import StopAfterInserts
from alveole.core.tests.worker_tasks import record_run
from alveole.ledger.models import Entry
from alveole.people.models import Person
from alveole.reports.models import ReportPdf
from alveole.reports.services import report_pdf_request
from alveole.reports.tasks import build_report_pdf
from alveole.sales import services as sales_services
from alveole.sales.models import Customer, Invoice, InvoiceStatus, NumberingCounter, Payment
from tests.api_client import PersonaApi

ROOT = Path(__file__).resolve().parents[3]
PG_ONLY = "a connection killed by the server (pg_terminate_backend) is proven on PostgreSQL"

INVOICES_HEADER = (
    "number;business;customer;issue_date;net_20;total_incl_vat;customer_address;"
    "customer_postal_code;customer_city;paid_amount;paid_date;payment_method\n"
)
INVOICE_LINES = 30
PEOPLE_LINES = 120
STOP_AFTER_INSERTS = 12  # the import is stopped after this many INSERT statements
TABLES = {"invoices": Invoice._meta.db_table, "people": Person._meta.db_table}


def _invoices_file(tmp_path: Path) -> Path:
    lines = [
        f"F2021-{n:04d};ALICE;Mairie d'Auch;04/03/2021;1000;1200;Place de la Libération;32000;"
        f"Auch;1200;10/04/2021;virement\n"
        for n in range(1, INVOICE_LINES + 1)
    ]
    path = tmp_path / "invoices.csv"
    path.write_text(INVOICES_HEADER + "".join(lines), encoding="utf-8")
    return path


def _people_file(tmp_path: Path) -> Path:
    lines = ["first_name;last_name;birth_date;postal_code"]
    lines += [f"Prénom{i};Nom{i};1980-01-{i % 28 + 1:02d};32000" for i in range(PEOPLE_LINES)]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _state() -> tuple:
    """Everything an import of invoices or people could have written."""
    return (
        Invoice.objects.count(),
        Customer.objects.count(),
        Payment.objects.count(),
        Entry.objects.count(),
        Person.objects.count(),
        AuditEvent.objects.filter(action="import").count(),
    )


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(PG_ONLY)


def _child_environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a child process working on this test's database.

    On SQLite the test database lives in memory: `_share` copies it to a file for the
    child (with SQLite's backup API) and `_take_back` copies the file, as the child left
    it, back into memory. Both are no-ops on PostgreSQL, which the child reaches by URL.
    """
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL"))
    }
    environment["ALVEOLE_DATA_DIR"] = str(tmp_path)
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        environment["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        environment["ALVEOLE_SQLITE_PATH"] = str(tmp_path / "shared.sqlite3")
    return environment


def _share(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    target = sqlite3.connect(tmp_path / "shared.sqlite3")
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def _take_back(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        _wait_for_backends_gone()
        return
    # Opening the file recovers it as SQLite does after a crash: uncommitted work is gone.
    source = sqlite3.connect(tmp_path / "shared.sqlite3")
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _start(tmp_path: Path, *args: str) -> subprocess.Popen:
    _share(tmp_path)
    return subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=_child_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(marker: Path, process: subprocess.Popen, timeout: float = 120) -> str:
    """The marker's text once the child wrote it (the child reached the point under test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text():
            return marker.read_text()
        if process.poll() is not None:
            _out, err = process.communicate()
            pytest.fail(f"the child ended ({process.returncode}) before the point: {err}")
        time.sleep(0.05)
    _kill(process)
    pytest.fail("the child never reached the point under test")


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL, and reap it: no process is left behind."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL


def _wait_for_backends_gone(timeout: float = 10) -> None:
    """PostgreSQL ends a killed client's session (and its locks) once it sees the socket
    closed; wait for that so that the next step does not wait on a dead transaction."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


# --- 1. an interrupted import -------------------------------------------------------------


def _interrupt() -> None:
    raise KeyboardInterrupt  # Ctrl+C


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("kind", "make_file", "created"),
    [("invoices", _invoices_file, INVOICE_LINES), ("people", _people_file, PEOPLE_LINES)],
)
def test_an_import_interrupted_on_a_line_writes_nothing_and_runs_again(
    personas, tmp_path, kind, make_file, created
):
    path = make_file(tmp_path)
    before = _state()
    stopper = StopAfterInserts(STOP_AFTER_INSERTS, TABLES[kind], _interrupt)
    importers()
    with connection.execute_wrapper(stopper), pytest.raises(KeyboardInterrupt):
        call_command("import", kind, str(path), verbosity=0)
    assert stopper.target_written  # some of the file's rows were written, then Ctrl+C
    assert _state() == before  # and nothing of the file is left

    call_command("import", kind, str(path), verbosity=0)
    after = _state()
    if kind == "invoices":
        assert after[:3] == (before[0] + created, before[1] + 1, before[2] + created)
        assert Invoice.objects.filter(status=InvoiceStatus.PAID, imported=True).count() == created
    else:
        assert after[4] == before[4] + created
    assert AuditEvent.objects.filter(action="import", target_type=kind).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("kind", "make_file", "created"),
    [("invoices", _invoices_file, INVOICE_LINES), ("people", _people_file, PEOPLE_LINES)],
)
def test_an_import_killed_on_a_line_writes_nothing_and_runs_again(
    personas, tmp_path, kind, make_file, created
):
    path = make_file(tmp_path)
    before = _state()
    marker = tmp_path / "reached"
    child = _start(
        tmp_path, "alveole.core.tests.fault_child", "import", kind, str(path), str(marker),
        str(STOP_AFTER_INSERTS),
    )  # fmt: skip
    try:
        _wait_for(marker, child)
    finally:
        _kill(child)  # SIGKILL while its transaction holds some of the file's lines
    _take_back(tmp_path)
    assert _state() == before

    call_command("import", kind, str(path), verbosity=0)
    after = _state()
    created_rows = after[0] - before[0] if kind == "invoices" else after[4] - before[4]
    assert created_rows == created
    assert AuditEvent.objects.filter(action="import", target_type=kind).count() == 1


# --- 2. a crash between drawing an invoice number and committing ---------------------------


def _draft(business) -> Invoice:
    customer = sales_services.customer_create(
        actor=None, business=business, kind=Customer.Kind.COMPANY, name="Brasserie du Gers",
        siren="732829320", address="2 place de la Mairie", postal_code="32000", city="Auch",
        email="compta@brasserie.example",
    )  # fmt: skip
    return sales_services.invoice_create(
        actor=None,
        business=business,
        customer=customer,
        lines=[{"description": "Atelier", "quantity": 2, "unit_price": Decimal("80"),
                "vat_rate": Decimal("20")}],
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_process_killed_after_drawing_a_number_leaves_no_gap(personas, tmp_path):
    business = personas.entrepreneur.business
    first = sales_services.invoice_issue(actor=None, invoice=_draft(business))
    victim, later = _draft(business), _draft(business)
    entries = Entry.objects.count()

    marker = tmp_path / "number"
    child = _start(tmp_path, "alveole.core.tests.fault_child", "issue", str(victim.pk), str(marker))
    try:
        drawn = _wait_for(marker, child)
    finally:
        _kill(child)  # it killed itself right after drawing: reap it
    _take_back(tmp_path)

    year = first.issue_date.year
    assert (first.number, drawn) == (f"ALICE-{year}-00001", f"ALICE-{year}-00002")
    victim.refresh_from_db()
    assert (victim.status, victim.number) == (InvoiceStatus.DRAFT, None)
    assert NumberingCounter.objects.get().last_value == 1  # the draw was rolled back
    assert Entry.objects.count() == entries  # no sales entry for it
    assert not AuditEvent.objects.filter(summary__contains=drawn).exists()

    # The next issue (another draft) gets the very number that was drawn; then the victim.
    later = sales_services.invoice_issue(actor=None, invoice=later)
    victim = sales_services.invoice_issue(actor=None, invoice=victim)
    assert (later.number, victim.number) == (drawn, f"ALICE-{year}-00003")
    assert NumberingCounter.objects.get().last_value == 3
    numbers = sorted(Entry.objects.filter(journal_id="VE").values_list("number", flat=True))
    assert numbers == [1, 2, 3]


# --- 3. a worker killed during a background job -------------------------------------------


def _stale(result_id, *, minutes: int = 120) -> None:
    DBTaskResult.objects.filter(pk=result_id).update(
        started_at=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=minutes)
    )


def _claimed(task_result, worker: str = "gone") -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=task_result.id)
    row.claim(worker)
    return row


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_report_pdf_is_recovered_and_the_pdf_built(personas, tmp_path):
    director = personas.director.user
    pdf = report_pdf_request(actor=director, year=2025, show_rsa=False, stamp="faults")
    task = DBTaskResult.objects.get(task_path=build_report_pdf.module_path)
    assert task.status == TaskResultStatus.READY

    marker = tmp_path / "drawing"
    worker = _start(tmp_path, "alveole.core.tests.fault_child", "worker", str(marker))
    try:
        _wait_for(marker, worker)  # the worker is laying the PDF out
    finally:
        _kill(worker)
    _take_back(tmp_path)
    pdf.refresh_from_db()
    task.refresh_from_db()
    # The kill left the job "running" in both places, and no half-written PDF.
    assert (pdf.status, pdf.content) == (ReportPdf.Status.RUNNING, None)
    assert (task.status, task.worker_ids) == (TaskResultStatus.RUNNING, ["killed"])
    # A task running for less than the timeout is left alone (its worker may be alive).
    assert tasks_recover() == []

    out = io.StringIO()
    call_command("tasks_recover", "--older-than", "0", stdout=out)
    assert out.getvalue() == (
        f"{task.pk} {build_report_pdf.module_path} : relancée\n1 tâche reprise.\n"
    )
    pdf.refresh_from_db()
    task.refresh_from_db()
    assert (pdf.status, pdf.progress) == (ReportPdf.Status.PENDING, 0)
    assert task.status == TaskResultStatus.READY

    # The next worker builds it: one PDF, whole.
    again = _start(tmp_path, "alveole.cli", "db_worker", "--batch", "--no-startup-delay")
    try:
        _out, err = again.communicate(timeout=300)
    finally:
        if again.poll() is None:
            _kill(again)
    assert again.returncode == 0, err
    _take_back(tmp_path)
    pdf.refresh_from_db()
    task.refresh_from_db()
    assert pdf.status == ReportPdf.Status.DONE, pdf.error
    assert bytes(pdf.content).startswith(b"%PDF")
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(task.worker_ids) == 2


@pytest.mark.django_db
def test_recovery_fails_what_cannot_run_again_and_tells_the_user_in_french(personas):
    director = personas.director
    pdf = report_pdf_request(actor=director.user, year=2025, show_rsa=False, stamp="faults")
    pdf_task = DBTaskResult.objects.get(pk=build_report_pdf.enqueue(pdf.pk).id)
    # The PDF's task already had its three tries, each ended by a dead worker.
    for worker in ("w1", "w2", "w3"):
        pdf_task.claim(worker)
    ReportPdf.objects.filter(pk=pdf.pk).update(status=ReportPdf.Status.RUNNING, progress=70)
    _stale(pdf_task.pk)
    # A task nobody said is safe to run twice is failed at once, not rerun.
    unknown = _claimed(record_run.enqueue(1))
    _stale(unknown.pk)
    # A task claimed a minute ago may well be running: untouched.
    recent = _claimed(record_run.enqueue(2), "alive")
    _stale(recent.pk, minutes=1)

    recovered = tasks_recover(timeout=datetime.timedelta(minutes=60))

    assert sorted((r.task_path, r.requeued) for r in recovered) == [
        (record_run.module_path, False),
        (build_report_pdf.module_path, False),
    ]
    for row in (pdf_task, unknown):
        row.refresh_from_db()
        assert (row.status, row.exception_class_path) == (TaskResultStatus.FAILED, WORKER_LOST)
        assert "s'est arrêté avant la fin" in row.traceback
    recent.refresh_from_db()
    assert recent.status == TaskResultStatus.RUNNING
    pdf.refresh_from_db()
    assert pdf.status == ReportPdf.Status.FAILED
    assert pdf.content is None
    page = director.client.get(f"/report/2025/pdf/{pdf.pk}/").content.decode()
    assert "La fabrication du PDF a échoué." in page
    assert "Le traitement de fond s&#x27;est arrêté pendant la fabrication" in page
    assert "Relancer" in page
    assert AuditEvent.objects.filter(target_type="task").count() == 2
    assert tasks_recover(timeout=datetime.timedelta(minutes=60)) == []  # nothing twice


@pytest.mark.django_db
def test_recovery_requeues_a_task_that_is_safe_to_run_again(personas):
    pdf = report_pdf_request(actor=personas.director.user, year=2025, show_rsa=False, stamp="f")
    task = _claimed(build_report_pdf.enqueue(pdf.pk))  # (the test's transaction never commits)
    ReportPdf.objects.filter(pk=pdf.pk).update(status=ReportPdf.Status.RUNNING, progress=40)
    _stale(task.pk)

    recovered = tasks_recover()

    assert [(r.id, r.requeued) for r in recovered] == [(str(task.pk), True)]
    task.refresh_from_db()
    assert (task.status, task.started_at, task.worker_ids) == (
        TaskResultStatus.READY, None, ["gone"]
    )  # fmt: skip
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()
    pdf.refresh_from_db()
    assert (pdf.status, pdf.progress, pdf.step) == (
        ReportPdf.Status.PENDING, 0, "En attente (reprise après une interruption)"
    )  # fmt: skip


# --- 4. the database lost during a request ------------------------------------------------


def _terminate_own_backend() -> None:
    """Kill this process's PostgreSQL session from another connection, as a restart would."""
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


def _lose_the_database_in_the_service(monkeypatch) -> None:
    """The database goes away after the service wrote, before it commits."""
    real = sales_services.audit_record

    def audit_record(**kwargs):
        event = real(**kwargs)
        _terminate_own_backend()
        return event

    monkeypatch.setattr(sales_services, "audit_record", audit_record)


CUSTOMER = {
    "kind": "company", "name": "Ferme du Bois", "siren": "732829320", "address": "Lieu-dit Bois",
    "postal_code": "32300", "city": "Mirande", "country": "FR", "email": "ferme@example.org",
}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_database_lost_during_a_page_post_gives_a_french_503(personas, monkeypatch, caplog):
    _require_postgresql()
    alice = personas.entrepreneur
    form = {**CUSTOMER, "business": alice.business.pk, "payment_terms_days": ""}
    before = (Customer.objects.count(), AuditEvent.objects.count())
    _lose_the_database_in_the_service(monkeypatch)

    response = alice.client.post("/sales/customers/new/", form)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Service momentanément indisponible, réessayez dans un instant." in page
    assert "Traceback" not in page
    assert any(r.name == "alveole.database" for r in caplog.records)
    assert (Customer.objects.count(), AuditEvent.objects.count()) == before  # nothing written

    monkeypatch.undo()
    again = alice.client.post("/sales/customers/new/", form)
    assert again.status_code == 302, again.content.decode()[:2000]
    assert Customer.objects.filter(name="Ferme du Bois").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_lost_during_an_api_call_gives_the_api_error_shape(personas, monkeypatch):
    _require_postgresql()
    api = PersonaApi(personas, "/api/sales")
    body = {**CUSTOMER, "business_id": personas.entrepreneur.business.pk}
    before = Customer.objects.count()
    _lose_the_database_in_the_service(monkeypatch)

    response = api("entrepreneur", "post", "/customers", body)

    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "code": "unavailable",
            "message": "Service momentanément indisponible, réessayez dans un instant.",
            "fields": {},
        }
    }
    assert Customer.objects.count() == before
    monkeypatch.undo()
    assert api("entrepreneur", "post", "/customers", body).status_code == 201


@pytest.mark.django_db
def test_a_database_error_in_a_view_is_a_503_not_a_500(personas, monkeypatch):
    """Any database: what the page shows when a query fails with an OperationalError."""

    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(sales_services, "customer_create", broken)
    alice = personas.entrepreneur
    form = {**CUSTOMER, "business": alice.business.pk, "payment_terms_days": ""}
    response = alice.client.post("/sales/customers/new/", form)
    assert response.status_code == 503
    assert "Service momentanément indisponible" in response.content.decode()
    assert Client().get("/health/").status_code == 200
