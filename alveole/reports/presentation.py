"""How the report reads: figure values the French way, rows with their charts, the PDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import HTML

from alveole.coop.selectors import cooperative_get
from alveole.core.formatting import format_amount
from alveole.reports import charts
from alveole.reports.figures import (
    EUROS,
    GROUP_LABELS,
    HOURS,
    SHARE,
    Figure,
    Report,
    report_compute,
)

#: Breakdowns drawn as bars of shares, and which are already shares.
SHARE_CHARTS = (
    "members_by_sector",
    "turnover_by_customer_kind",
    "members_by_age",
    "members_by_entry_situation",
    "members_by_department",
    "members_by_status",
    "support_structure_shares",
)
EVOLUTION_CHARTS = ("entrepreneurs_turnover", "wage_bill", "average_gross_monthly_salary", "fte")


def display(value: Any, unit: str) -> str:
    """A figure value the French way: 2 218 653 €, 77 %, 59,46."""
    if value is None:
        return "—"
    if unit == EUROS:
        whole = Decimal(value).quantize(Decimal(1), ROUND_HALF_UP)
        return format_amount(whole, currency=False)[:-3] + "\u202f€"
    if unit == SHARE:
        return f"{Decimal(value) * 100:.0f}\u202f%"
    if isinstance(value, Decimal):
        text = f"{value:,.2f}" if unit == HOURS else str(value)
        return text.replace(",", "\u202f").replace(".", ",")
    return str(value)


@dataclass(frozen=True)
class Row:
    figure: Figure
    text: str
    previous: str
    parts: list[tuple[str, str]]
    chart: str


def _row(figure: Figure, previous: Figure | None) -> Row:
    parts: list[tuple[str, str]] = []
    chart = ""
    if isinstance(figure.value, dict):
        parts = [
            (str(figure.labels.get(str(k), k)), display(v, figure.unit))
            for k, v in figure.value.items()
        ]
        if figure.key in SHARE_CHARTS:
            chart = charts.shares_chart(figure.value, figure.labels, as_shares=figure.unit == SHARE)
    elif figure.key in EVOLUTION_CHARTS and figure.history:
        chart = charts.evolution_chart(figure.history, euros=figure.unit == EUROS)
    elif figure.key == "return_per_public_euro":
        chart = charts.public_euro_chart(figure.value)
    text = "" if isinstance(figure.value, dict) else display(figure.value, figure.unit)
    before = ""
    if previous is not None and not isinstance(previous.value, dict):
        before = display(previous.value, previous.unit)
    return Row(figure, text, before, parts, chart)


def report_context(
    *, year: int, show_rsa: bool, compute: Callable[..., Report] = report_compute
) -> dict[str, Any]:
    """What the page and the PDF show: groups of rows, the appendix, the year before.
    `compute` gives a year's figures (the cached one in pages)."""
    report = compute(year=year, show_rsa=show_rsa)
    previous = compute(year=year - 1, show_rsa=show_rsa)
    groups = [
        (label, [_row(f, previous.figures.get(f.key)) for f in report.group(name)])
        for name, label in GROUP_LABELS.items()
    ]
    return {
        "year": year,
        "groups": groups,
        "figures": list(report.figures.values()),
        "title": _("Rapport d'activité %(year)s") % {"year": year},
    }


def pdf_from_context(context: dict[str, Any]) -> bytes:
    """The report as an A4 PDF with its charts, printable in black and white."""
    html = render_to_string(
        "reports/report_pdf.html", {**context, "cooperative": cooperative_get()}
    )
    return HTML(string=html).write_pdf()


def report_pdf_bytes(*, year: int, show_rsa: bool = False) -> bytes:
    """The PDF of a year's report, computed now (the command line)."""
    return pdf_from_context(report_context(year=year, show_rsa=show_rsa))
