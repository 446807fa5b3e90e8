"""A process the fault tests kill at a chosen point (`python -m alveole.core.tests.fault_child`).

Each scenario patches one function of the real code so that, once the process reaches the
point under test, it writes a marker file and then dies (SIGKILL, nothing cleaned up) or
waits to be killed by the test. Run against the test database through DATABASE_URL.

    import KIND FILE MARKER N      `alveole import KIND FILE`, stopped after N inserts
    issue INVOICE_ID MARKER         `invoice_issue`, killed right after the number is drawn
    worker MARKER                   `alveole db_worker`, stopped while a report PDF is drawn
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django


def _stop_here(marker: str, text: str = "") -> None:
    """Tell the test where we are, then wait to be killed (SIGKILL by the test)."""
    Path(marker).write_text(text or str(os.getpid()))
    time.sleep(120)
    os._exit(3)  # the test never killed us: fail loudly


class StopAfterInserts:
    """A database execute wrapper that calls `stop` once the import is half-way: rows of
    `table` written, and either `count` INSERT statements made (a line-by-line import) or
    one INSERT of several rows (a batched one). Below the importers, so it works for both."""

    def __init__(self, count: int, table: str, stop: Callable[[], None]) -> None:
        self.count, self.table, self.stop = count, f'"{table}"', stop
        self.inserts = 0
        self.target_written = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        words = sql.split(None, 3)
        # INSERT INTO "t" …, or COPY "t" … FROM STDIN (alveole.core.bulk on PostgreSQL).
        if words[:2] == ["INSERT", "INTO"] or words[:1] == ["COPY"]:
            self.inserts += 1
            table = words[2] if words[0] == "INSERT" else words[1]
            self.target_written = self.target_written or table == self.table
            rows = len(params) if many and params is not None else 1
            rowcount = getattr(context.get("cursor"), "rowcount", 0) or 0
            several = max(rows, rowcount) > 1
            if self.target_written and (self.inserts >= self.count or several):
                self.stop()
        return result


def _import(kind: str, file: str, marker: str, count: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    from alveole.core.importing import importers

    table = {"invoices": "sales_invoice", "people": "people_person"}[kind]
    importers()  # registered before the wrapper counts anything
    with connection.execute_wrapper(
        StopAfterInserts(int(count), table, lambda: _stop_here(marker))
    ):
        call_command("import", kind, file, verbosity=0)


def _issue(invoice_id: str, marker: str) -> None:
    from alveole.sales import services
    from alveole.sales.models import Invoice

    def die_once_numbered() -> None:
        # Read in the issuing transaction: the number is there once drawn, not committed.
        number = Invoice._base_manager.filter(pk=int(invoice_id)).values_list("number").get()[0]
        if number:
            Path(marker).write_text(number)
            os.kill(os.getpid(), signal.SIGKILL)

    def dying(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(**kwargs: Any) -> Any:
            die_once_numbered()
            return real(**kwargs)

        return wrapper

    # Whichever the issue calls first after the draw: its audit event, or its ledger entry.
    services.audit_record = dying(services.audit_record)
    services.entry_post_if_any = dying(services.entry_post_if_any)
    invoice = Invoice.objects.get(pk=int(invoice_id))
    services.invoice_issue(actor=None, invoice=invoice)
    os._exit(4)  # not reached when the kill point was reached


def _worker(marker: str) -> None:
    from django.core.management import call_command

    from alveole.reports import services

    def pdf_from_context(context: dict[str, Any]) -> bytes:
        _stop_here(marker)
        return b""

    services.pdf_from_context = pdf_from_context
    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "killed")


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alveole.settings")
    django.setup()
    scenario, *args = argv
    {"import": _import, "issue": _issue, "worker": _worker}[scenario](*args)


if __name__ == "__main__":
    main(sys.argv[1:])
