"""The measurements of `alveole bench`, on the generated cooperative.

Times are taken without tracing; the Python memory peak of a step comes from a second run
under `tracemalloc` (which slows Python down), or, for the long steps that write (generation,
issuing, import), from the process's peak resident size (`resource.getrusage`).
"""

from __future__ import annotations

import datetime
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.core.management import call_command, load_command_class
from django.db import connection
from django.db.models import Case, F, IntegerField, Sum, When
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from alveole.coop.models import FiscalYear
from alveole.core.twofactor import force_login_verified
from alveole.ledger.management.commands.bench_ledger import Command as LedgerBench
from alveole.reports.figures import report_compute
from alveole.sales.einvoice import invoice_facturx
from alveole.sales.management.commands.bench_sales import Command as SalesBench
from alveole.sales.models import Customer, Invoice

from .generate import Generated
from .imports import import_csv


@dataclass
class Figure:
    """One line of the table."""

    key: str
    label: str
    value: float
    unit: str
    queries: int | None = None
    peak_mb: float | None = None
    note: str = ""


@dataclass
class Results:
    size: str
    vendor: str
    started: str
    figures: list[Figure] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "vendor": self.vendor,
            "started": self.started,
            "counts": self.counts,
            "figures": [asdict(f) for f in self.figures],
        }


def rss_mb() -> float:
    """The process's peak resident size so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1e3


def traced_peak_mb(function: Callable[[], Any]) -> float:
    """The Python memory peak of one more run of `function`."""
    tracemalloc.start()
    try:
        function()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def best_of(function: Callable[[], Any], runs: int = 3) -> tuple[float, int]:
    """The best time of `runs` runs after a warm-up, and the query count of the last."""
    function()
    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            timings.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return min(timings), queries


def _quiet() -> io.StringIO:
    return io.StringIO()


def measure_all(
    generated: Generated,
    results: Results,
    log: Callable[[str], None],
    step: Callable[[], Any] = lambda: None,
) -> None:
    """Every measurement, in an order where the writing ones come last."""
    measure_reads(generated, results, step)
    year = generated.years[-1]
    _issuing(generated, results, log)
    step()
    _facturx(generated, results)
    step()
    _import(generated, year, results)
    step()


def measure_reads(
    generated: Generated, results: Results, step: Callable[[], Any] = lambda: None
) -> None:
    """The measurements that write nothing: report, lists, treasuries, FEC (a kept database
    can be measured again after a change, `alveole bench --reuse`)."""
    results.counts = dict(generated.counts)
    year = generated.years[-1]
    _report(year, results)
    step()
    # The pages are what the servers show: two-factor enrolment is not what is measured.
    with override_settings(ALVEOLE_2FA_REQUIRED_ROLES=[]):
        _lists(generated, results)
        step()
        _treasury(generated, results)
        step()
    _fec(year, results)
    step()


def _turnover(year: int) -> int:
    """The floor: the turnover of a year alone, in one aggregate query."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    signed = Case(
        When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("total_excl_vat_cents")),
        default=F("total_excl_vat_cents"),
        output_field=IntegerField(),
    )
    return (
        Invoice.objects.issued()
        .filter(issue_date__gte=first, issue_date__lte=last)
        .aggregate(total=Sum(signed))["total"]
        or 0
    )


def _report(year: int, results: Results) -> None:
    report_seconds, report_queries = best_of(lambda: report_compute(year=year), runs=2)
    peak = traced_peak_mb(lambda: report_compute(year=year))
    results.add(
        Figure("report", f"Rapport annuel {year} (report_compute)", report_seconds * 1000, "ms",
               report_queries, peak)
    )  # fmt: skip
    floor_seconds, floor_queries = best_of(lambda: _turnover(year))
    results.add(
        Figure("report_floor", "Plancher : CA de l'année en une requête", floor_seconds * 1000,
               "ms", floor_queries, note=f"rapport / plancher = {report_seconds / floor_seconds:.0f}×")
    )  # fmt: skip


def _page(client: Client, url: str) -> tuple[float, int]:
    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return best_of(get)


def _lists(generated: Generated, results: Results) -> None:
    client = Client()
    force_login_verified(client, generated.staff)
    business = generated.businesses[0]
    count = Invoice.objects.filter(business=business).count()
    for key, label, url in (
        ("list_business", f"Liste des factures d'une activité ({count})",
         f"/sales/invoices/?business={business.pk}"),
        ("list_all", f"Liste des factures de toutes les activités ({generated.counts['invoices']})",
         "/sales/invoices/"),
        # Asked by that page once shown (htmx): the count and sums of every invoice.
        ("list_all_totals", "  … ses totaux, demandés ensuite par la page", "/sales/invoices/?part=totals"),
    ):  # fmt: skip
        seconds, queries = _page(client, url)
        peak = traced_peak_mb(lambda url=url: client.get(url))
        results.add(Figure(key, label, seconds * 1000, "ms", queries, peak))


def _treasury(generated: Generated, results: Results) -> None:
    client = Client()
    force_login_verified(client, generated.accountant)
    bench = LedgerBench(stdout=_quiet())
    for figure, key in zip(
        bench._bench_pages(client, generated.businesses[0]),
        ("treasury_business", "treasury_all"),
        strict=True,
    ):
        results.add(Figure(key, figure["page"], figure["seconds"] * 1000, "ms", figure["queries"]))


def _fec(year: int, results: Results) -> None:
    fiscal_year = FiscalYear.objects.get(start_date=datetime.date(year, 1, 1))
    fec = LedgerBench(stdout=_quiet())._bench_fec(fiscal_year)
    results.add(
        Figure("fec", f"FEC {year} ({fec['lines']} lignes, {fec['bytes'] / 1e6:.0f} Mo)",
               fec["seconds"], "s", peak_mb=fec["peak_bytes"] / 1e6,
               note=f"{fec['lines'] / fec['seconds']:.0f} lignes/s")
    )  # fmt: skip


def _issuing(generated: Generated, results: Results, log: Callable[[str], None]) -> None:
    """Eight processes issue drafts of one series: one by one (`invoice_issue`, a page's
    button), then by batches of up to 50 (`invoices_issue`, a selection or the API's)."""
    business = generated.businesses[0]
    customer = Customer.objects.filter(business=business).order_by("pk").first()
    assert customer is not None
    total = generated.size.issues
    bench = SalesBench(stdout=_quiet())
    # A worker's batch: 50 drafts, or all of its own when it has fewer (quick size: 25).
    batch = min(50, -(-total // 8))
    for key, size, how in (
        ("issuing", 0, "une par une"),
        ("issuing_batch", batch, f"par lots de {batch}"),
    ):
        figure = bench._bench_issue(business, customer, 8, total, size)
        gap = "sans trou ni doublon" if figure["gap_free"] else "TROU OU DOUBLON"
        results.add(
            Figure(key, f"Émission {how} par 8 workers ({total} factures)",
                   total / figure["seconds"], "factures/s", peak_mb=rss_mb(),
                   note=f"{gap}, {figure['errors']} erreurs, "
                   f"{figure['cpu_ms']:.1f} ms de CPU Python par facture")
        )  # fmt: skip
        if not figure["gap_free"] or figure["errors"]:
            log(f"Émission {how} : {figure['errors']} erreurs, numérotation {gap}")


def _facturx(generated: Generated, results: Results) -> None:
    from alveole.einvoicing import validation

    invoices = list(
        Invoice.objects.filter(business=generated.businesses[0], issued_at__isnull=False)
        .exclude(number=None)
        .order_by("-pk")[: generated.size.facturx + 1]
    )
    invoice_facturx(invoices[0])  # fonts, styles and stylesheets load once per process
    validation.warm_up()
    making, checking = [], []
    fatal = 0
    skipped: set[str] = set()
    for invoice in invoices[1:]:
        started = time.perf_counter()
        pdf = invoice_facturx(invoice)
        making.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = validation.validate(pdf)
        checking.append(time.perf_counter() - started)
        fatal += len(result.fatal)
        skipped.update(str(s.step) for s in result.skipped)
    peak = traced_peak_mb(lambda: validation.validate(invoice_facturx(invoices[1])))
    note = f"{fatal} erreurs bloquantes"
    if skipped:
        note += f" ; étapes sautées : {', '.join(sorted(skipped))}"
    results.add(
        Figure("facturx_make", "Factur-X : génération d'une facture (médiane)",
               statistics.median(making) * 1000, "ms", peak_mb=peak)
    )  # fmt: skip
    results.add(
        Figure("facturx_validate", "Factur-X : contrôle d'une facture (médiane)",
               statistics.median(checking) * 1000, "ms", note=note)
    )  # fmt: skip


def _import(generated: Generated, year: int, results: Results) -> None:
    """`alveole import invoices` of a file of historical invoices of existing customers.

    Rows per second of wall-clock time, as a user waits for it; the note gives the process's
    CPU time and the machine's load, since a loaded machine stretches the wall clock."""
    rows = generated.size.import_rows
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # Loaded once per process (openpyxl alone takes 0.4 s), as in a running server: the
    # figure is the import's throughput, not Python's start.
    load_command_class("alveole.core", "import")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "factures.csv"
        path.write_text(import_csv(generated, year, rows), encoding="utf-8")
        with connection.execute_wrapper(count):
            cpu = time.process_time()
            started = time.perf_counter()
            call_command("import", "invoices", str(path), stdout=_quiet(), stderr=_quiet())
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
    imported = Invoice.objects.filter(number__startswith=f"H{year}-").count()
    load = os.getloadavg()[0]
    results.add(
        Figure("import", f"Import de {rows} factures (alveole import invoices)", imported / seconds,
               "lignes/s", queries, peak_mb=rss_mb(),
               note=f"{imported} importées en {seconds:.2f} s, {cpu:.2f} s de CPU, charge {load:.1f}")
    )  # fmt: skip
