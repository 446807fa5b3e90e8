"""`alveole bench_sales`: how fast sales are, printed as figures (never a timed test).

It works on a throwaway database (SQLite file or PostgreSQL `test_…` database, as the
test runner would make), so it never touches real data:

- invoices issued per second by 8 concurrent worker processes in one series, one by one
  (`invoice_issue`, as a page does) and by batches (`invoices_issue`, as the invoice
  list's selection and the API's batch do), and that the numbers come out consecutive
  with no gap or duplicate;
- server time and query count of a business's invoice list with 10 000 invoices;
- PDF rendering time per invoice.
"""

from __future__ import annotations

import datetime
import multiprocessing
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alveole.bench.database import create_database
from alveole.businesses.models import Business
from alveole.businesses.services import business_create
from alveole.coop.models import Sector
from alveole.coop.services import cooperative_setup
from alveole.core.dates import today
from alveole.core.roles import Role
from alveole.core.twofactor import force_login_verified
from alveole.ledger.models import Entry
from alveole.people.services import cesa_start, person_create, user_create
from alveole.sales.models import (
    Customer,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberingCounter,
)
from alveole.sales.numbering import counter_key, series_for
from alveole.sales.pdf import invoice_pdf
from alveole.sales.services import (
    customer_create,
    invoice_create,
    invoice_issue,
    invoices_issue,
)

LINES = [
    {"description": "Animation", "quantity": Decimal("2.5"), "unit_price": Decimal("80")},
    {"description": "Support", "quantity": 3, "unit_price": Decimal("12.345"), "vat_rate": 5.5},
]


class Command(BaseCommand):
    help = "Mesure les ventes (émission concurrente, liste de 10 000 factures, PDF) sur une base jetable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=8)
        parser.add_argument(
            "--issues", type=int, default=400, help="factures émises en tout, par mode"
        )
        parser.add_argument(
            "--batch", type=int, default=50, help="factures par lot dans l'émission par lots"
        )
        parser.add_argument("--list-size", type=int, default=10_000)
        parser.add_argument("--pdfs", type=int, default=10)
        parser.add_argument(
            "--database-name",
            default="",
            help="nom de la base jetable (PostgreSQL ; défaut : test_ + le nom configuré), "
            "pour que deux mesures simultanées ne se la disputent pas",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("workers", "issues"):
            if options[name] < 1:
                raise CommandError(f"--{name} : au moins 1")
        if options["batch"] < 0:
            raise CommandError("--batch : 0 (une par une) ou plus")
        database = settings.DATABASES["default"]
        tmp = None
        if connection.vendor == "sqlite":
            tmp = tempfile.TemporaryDirectory()
            database.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
        elif options["database_name"]:
            database.setdefault("TEST", {})["NAME"] = options["database_name"]
        old_name = create_database()
        try:
            self.stdout.write(f"Base : {connection.vendor}")
            business, customer, staff = self._setup()
            self._bench_issue(business, customer, options["workers"], options["issues"])
            self._bench_issue(
                business, customer, options["workers"], options["issues"], options["batch"]
            )
            self._bench_list(business, customer, staff, options["list_size"])
            self._bench_pdf(options["pdfs"])
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            if tmp is not None:
                tmp.cleanup()

    def _setup(self) -> tuple[Business, Customer, Any]:
        cooperative_setup(
            actor=None, name="Coopérative de mesure", siren="912345675", siret="91234567500009",
            rcs_city="Auch", vat_number="FR65912345675", address="1 rue", postal_code="32000",
            city="Auch",
        )  # fmt: skip
        person = person_create(actor=None, first_name="Alice", last_name="Mesure")
        cesa_start(
            actor=None, person=person, start_date=datetime.date(2020, 1, 1), monthly_hours=70
        )
        business = business_create(
            actor=None, main_person=person, name="Atelier", code="BENCH",
            sector=Sector.objects.order_by("pk").first(), start_date=datetime.date(2020, 1, 1),
        )  # fmt: skip
        customer = customer_create(
            actor=None, business=business, kind="company", name="Client", address="1 rue",
            postal_code="32000", city="Auch",
        )  # fmt: skip
        staff = user_create(actor=None, email="staff@bench.example", role=Role.STAFF)
        return business, customer, staff

    def _bench_issue(
        self, business: Business, customer: Customer, workers: int, total: int, batch: int = 0
    ) -> dict[str, Any]:
        """`workers` processes (as gunicorn or the task workers run) issue `total` drafts,
        one by one, or by `batch` drafts at a time when `batch` is given."""
        drafts = [
            invoice_create(actor=None, business=business, customer=customer, lines=LINES).pk
            for _ in range(total)
        ]
        # Where this year's counter of the business stands (a generated cooperative has
        # earlier years, each numbered from 1).
        counter = NumberingCounter.objects.filter(
            series__document_kind=DocumentKind.INVOICE,
            key=counter_key(series_for(DocumentKind.INVOICE), business=business, day=today()),
        ).first()
        issued_before = counter.last_value if counter else 0
        # Each worker is a process of its own with its own connection: the parent's is
        # closed before the fork so that no child shares its socket.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(workers + 1)
        reports: Any = context.Queue()
        processes = [
            context.Process(
                target=_issue_worker, args=(drafts[i::workers], batch, barrier, reports)
            )
            for i in range(workers)
        ]
        for process in processes:
            process.start()
        barrier.wait()
        start = time.perf_counter()
        results = [reports.get() for _ in processes]
        elapsed = time.perf_counter() - start
        for process in processes:
            process.join()
        errors = [error for _, failures in results for error in failures]
        cpu = sum(seconds for seconds, _ in results)  # the workers' Python CPU, load-proof
        numbers = (
            Invoice.objects.filter(pk__in=drafts)
            .exclude(number=None)
            .values_list("number", flat=True)
        )
        sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
        gap_free = sequence == list(range(issued_before + 1, issued_before + total + 1))
        # Their entries: one each, balanced, numbered in one run of the sales journal.
        entries = Entry.objects.filter(
            journal_id="VE", document_kind="invoice", document_id__in=[str(pk) for pk in drafts]
        )
        entry_numbers = sorted(entries.values_list("number", flat=True))
        balanced = not entries.exclude(debit_cents=F("credit_cents")).exists()
        first = entry_numbers[0] if entry_numbers else 0
        journal_ok = balanced and entry_numbers == list(range(first, first + total))
        how = f"par lots de {batch}" if batch else "une par une"
        self.stdout.write(
            f"Émission {how} : {total} factures par {workers} processus en {elapsed:.2f} s = "
            f"{total / elapsed:.0f} factures/s ({cpu / total * 1000:.1f} ms de CPU Python par "
            f"facture) ; erreurs : {len(errors)} ; "
            f"numéros consécutifs sans doublon : {'oui' if gap_free else 'NON'} ; "
            f"écritures VE consécutives et équilibrées : {'oui' if journal_ok else 'NON'}"
        )
        for error in errors[:3]:
            self.stdout.write(f"  erreur : {error}")
        return {
            "seconds": elapsed,
            "errors": len(errors),
            "gap_free": gap_free and journal_ok,
            "cpu_ms": cpu / total * 1000,
        }

    def _bench_list(self, business: Business, customer: Customer, staff: Any, size: int) -> None:
        template = Invoice.objects.filter(status=InvoiceStatus.ISSUED).first()
        assert template is not None
        today = datetime.date.today()
        rows = [
            Invoice(
                business=business,
                customer=customer,
                status=InvoiceStatus.ISSUED,
                number=f"LIST-{n:06d}",
                issue_date=today - datetime.timedelta(days=n % 365),
                due_date=today,
                total_excl_vat_cents=23604,
                total_vat_cents=4198,
                total_incl_vat_cents=27802,
                snapshot=template.snapshot,
            )
            for n in range(size)
        ]
        client = Client()
        force_login_verified(client, staff)
        url = f"/sales/invoices/?business={business.pk}"
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        Invoice.objects.bulk_create(rows, batch_size=1000)
        client.get(url)
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - start)
            assert response.status_code == 200
        count = Invoice.objects.filter(business=business).count()
        self.stdout.write(
            f"Liste : {count} factures de l'activité, temps serveur médian "
            f"{statistics.median(timings) * 1000:.0f} ms, {len(queries)} requêtes "
            f"({len(small)} avec {size} factures de moins)"
        )

    def _bench_pdf(self, count: int) -> None:
        invoices = list(
            Invoice.objects.filter(number__startswith="BENCH").order_by("pk")[: count + 1]
        )
        invoice_pdf(invoices[0])  # fonts and styles load once per process
        timings = []
        for invoice in invoices[1:]:
            start = time.perf_counter()
            invoice_pdf(invoice)
            timings.append(time.perf_counter() - start)
        lines = InvoiceLine.objects.filter(invoice=invoices[1]).count()
        self.stdout.write(
            f"PDF : {len(timings)} factures de {lines} lignes, médiane "
            f"{statistics.median(timings) * 1000:.0f} ms, maximum {max(timings) * 1000:.0f} ms"
        )


def _issue_worker(pks: list[int], batch: int, barrier: Any, reports: Any) -> None:
    """One worker process: waits for the others, issues its drafts (one by one, or `batch`
    at a time), reports CPU and errors."""
    failures: list[str] = []
    barrier.wait()
    cpu_start = time.process_time()
    try:
        if batch:
            for start in range(0, len(pks), batch):
                invoices_issue(actor=None, invoices=pks[start : start + batch])
        else:
            for invoice in Invoice.objects.filter(pk__in=pks).order_by("pk"):
                invoice_issue(actor=None, invoice=invoice)
    except BaseException as error:  # reported by the parent
        failures.append(repr(error))
    finally:
        connections.close_all()
        reports.put((time.process_time() - cpu_start, failures))
