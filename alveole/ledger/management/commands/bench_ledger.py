"""`alveole bench_ledger`: how fast the ledger is, printed as figures (never a timed test).

It works on a throwaway database (SQLite file or PostgreSQL `test_…` database, as the test
runner would make), so it never touches real data:

- entries posted per second through `entry_post` (one writer);
- server time and query count of a business's treasury page and of the all-businesses
  treasury page, over N businesses × Y years of monthly entries (invoice, payment, salary,
  contribution: 11 lines a month), written in bulk;
- time and peak Python memory of the FEC of the last year (streamed).
"""

from __future__ import annotations

import datetime
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alveole.bench.database import create_database
from alveole.businesses.models import Business
from alveole.coop.models import FiscalYear
from alveole.coop.services import cooperative_setup
from alveole.core.roles import Role
from alveole.core.twofactor import force_login_verified
from alveole.ledger import exports, posting
from alveole.ledger.models import Entry, Line
from alveole.ledger.posting import DocumentRef, Party, PaymentShares, SaleAmounts
from alveole.ledger.services import entry_post, period_close
from alveole.people.services import user_create

BATCH = 5_000


class Command(BaseCommand):
    help = "Mesure la comptabilité (saisie, trésoreries, FEC) sur une base jetable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--businesses", type=int, default=1_000)
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--posts", type=int, default=300, help="écritures passées une à une")

    def handle(self, *args: Any, **options: Any) -> None:
        database = settings.DATABASES["default"]
        tmp = None
        if connection.vendor == "sqlite":
            tmp = tempfile.TemporaryDirectory()
            database.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
        old_name = create_database()
        try:
            self.stdout.write(f"Base : {connection.vendor}")
            businesses, support = self._setup(options["businesses"])
            self._bench_posting(businesses[0], options["posts"])
            last_year = self._fill(businesses, support, options["years"])
            client = self._client()
            self.stdout.write("Sans clôture (toutes les lignes lues) :")
            self._bench_pages(client, businesses[0])
            started = time.perf_counter()
            period_close(actor=None, through=last_year.end_date)
            self.stdout.write(
                f"Clôture au {last_year.end_date:%d/%m/%Y} (soldes gardés par activité) : "
                f"{time.perf_counter() - started:.1f} s"
            )
            self.stdout.write("Après la clôture (les lignes postérieures seulement) :")
            self._bench_pages(client, businesses[0])
            self._bench_fec(last_year)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            if tmp is not None:
                tmp.cleanup()

    def _setup(self, count: int) -> tuple[list[Business], Business]:
        cooperative_setup(
            actor=None, name="Coopérative de mesure", siren="912345675", siret="91234567500009",
            rcs_city="Auch", vat_number="FR65912345675", address="1 rue", postal_code="32000",
            city="Auch",
        )  # fmt: skip
        start = datetime.date(2000, 1, 1)
        support = Business.objects.create(
            name="Structure", code="CAE", kind=Business.Kind.SUPPORT_STRUCTURE, start_date=start
        )
        Business.objects.bulk_create(
            Business(name=f"Activité {n}", code=f"B{n:05d}", start_date=start) for n in range(count)
        )
        businesses = list(Business.objects.exclude(pk=support.pk).order_by("code"))
        return businesses, support

    def _bench_posting(self, business: Business, count: int) -> None:
        day = timezone.localdate() - datetime.timedelta(days=1)
        started = time.perf_counter()
        for n in range(count):
            entry_post(
                actor=None,
                draft=posting.invoice_issued(
                    document=DocumentRef("invoice", f"P-{n}", day),
                    business_id=business.pk,
                    customer=Party("C1", "Client"),
                    amounts=SaleAmounts(services_net_cents=10_000, services_vat_cents=2_000),
                    vat_on_debits=False,
                ),
            )
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Saisie : {count / elapsed:.0f} écritures/s (entry_post, un rédacteur)")

    def _fill(self, businesses: list[Business], support: Business, years: int) -> FiscalYear:
        """Monthly entries for every business, written in bulk (the figures are read back)."""
        started = time.perf_counter()
        first = timezone.localdate().year - years
        now = timezone.now()
        numbers: dict[tuple[str, int], int] = {}
        lines_written = 0
        fiscal_years = {}
        for year in range(first, first + years):
            fiscal_years[year], _ = FiscalYear.objects.get_or_create(
                start_date=datetime.date(year, 1, 1), end_date=datetime.date(year, 12, 31)
            )
        for year in range(first, first + years):
            fiscal_year = fiscal_years[year]
            drafts = []
            for month in range(1, 13):
                end = datetime.date(year, month, 28)
                for business in businesses:
                    invoice_no = f"{business.code}-{year}{month:02d}"
                    customer = Party("C1", "Client")
                    drafts += [
                        posting.invoice_issued(
                            document=DocumentRef("invoice", invoice_no, datetime.date(year, month, 3)),
                            business_id=business.pk, customer=customer,
                            amounts=SaleAmounts(services_net_cents=300_000, services_vat_cents=60_000),
                            vat_on_debits=False,
                        ),
                        posting.payment_received(
                            document=DocumentRef("payment", f"P-{invoice_no}", datetime.date(year, month, 20)),
                            business_id=business.pk, customer=customer, amount_cents=360_000,
                            settles=invoice_no, shares=PaymentShares(300_000, 60_000),
                        ),
                        posting.payroll_month(
                            document=DocumentRef("payroll", invoice_no, end),
                            person=Party("P", "Personne"), gross_cents=150_000,
                            employee_contributions_cents=33_000, employer_contributions_cents=60_000,
                            reduction_cents=20_000, net_cents=117_000,
                            charges=[(business.pk, 190_000)],
                        ),
                        posting.contribution(
                            document=DocumentRef("contribution", invoice_no, end),
                            business_id=business.pk, business_code=business.code,
                            support_business_id=support.pk, amount_cents=36_000,
                            period_label=f"{month:02d}/{year}",
                        ),
                    ]  # fmt: skip
                if len(drafts) * 4 >= BATCH:
                    lines_written += self._write(drafts, fiscal_year, numbers, now)
                    drafts = []
            lines_written += self._write(drafts, fiscal_year, numbers, now)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Données : {len(businesses)} activités × {years} ans = {lines_written} lignes "
            f"écrites en {elapsed:.0f} s"
        )
        return fiscal_years[first + years - 1]

    @transaction.atomic
    def _write(self, drafts: list, fiscal_year: FiscalYear, numbers: dict, now: Any) -> int:
        entries = []
        for draft in drafts:
            key = (draft.journal, fiscal_year.pk)
            numbers[key] = numbers.get(key, 0) + 1
            entries.append(
                Entry(
                    journal_id=draft.journal, fiscal_year=fiscal_year, number=numbers[key],
                    date=draft.date, label=draft.label, event=draft.event,
                    document_kind=draft.document.kind, document_number=draft.document.number,
                    document_date=draft.document.date, validated_at=now,
                    debit_cents=draft.debit_cents, credit_cents=draft.credit_cents,
                )
            )  # fmt: skip
        Entry.objects.bulk_create(entries, batch_size=BATCH)
        lines = [
            Line(
                entry=entry, position=position, date=draft.date, journal_id=draft.journal,
                account_id=line.account, business_id=line.business_id, label=line.label or draft.label,
                debit_cents=line.debit_cents, credit_cents=line.credit_cents,
                auxiliary_number=line.auxiliary_number, auxiliary_label=line.auxiliary_label,
                base_cents=line.base_cents, match_ref=line.match_ref,
            )
            for entry, draft in zip(entries, drafts, strict=True)
            for position, line in enumerate(draft.lines, start=1)
        ]  # fmt: skip
        Line.objects.bulk_create(lines, batch_size=BATCH)
        return len(lines)

    def _client(self) -> Client:
        user = user_create(
            actor=None, email="compta@bench.example", role=Role.ACCOUNTANT, password="x" * 12
        )
        client = Client()
        force_login_verified(client, user)
        return client

    def _bench_pages(self, client: Client, business: Business) -> list[dict[str, Any]]:
        figures = []
        for label, url in (
            ("Trésorerie d'une activité", reverse("ledger:treasury", args=[business.pk])),
            ("Trésorerie de toutes les activités", reverse("ledger:treasury_all")),
        ):
            client.get(url)  # warm the caches
            timings = []
            for _ in range(3):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append(time.perf_counter() - started)
                assert response.status_code == 200
            self.stdout.write(
                f"  {label} : {min(timings) * 1000:.0f} ms (meilleur de 3), {len(queries)} requêtes"
            )
            figures.append({"page": label, "seconds": min(timings), "queries": len(queries)})
        return figures

    def _bench_fec(self, year: FiscalYear) -> dict[str, Any]:
        started = time.perf_counter()
        size = lines = 0
        for chunk in exports.fec_chunks(year):
            size += len(chunk)
            lines += chunk.count(b"\r\n")
        elapsed = time.perf_counter() - started
        # A second pass under tracemalloc (which slows Python down) for the memory peak.
        tracemalloc.start()
        for _chunk in exports.fec_chunks(year):
            pass
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.stdout.write(
            f"FEC {year} : {lines - 1} lignes, {size / 1e6:.1f} Mo en {elapsed:.1f} s, "
            f"pic mémoire Python {peak / 1e6:.1f} Mo"
        )
        return {"lines": lines - 1, "bytes": size, "seconds": elapsed, "peak_bytes": peak}
