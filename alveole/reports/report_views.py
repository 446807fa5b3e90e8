"""The yearly activity report page: the seed's figures, charts and appendix."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import HTML

from alveole.coop.selectors import cooperative_get
from alveole.core.dates import today
from alveole.core.formatting import format_amount
from alveole.core.permissions import can_see_sensitive, role_required
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.reports import charts
from alveole.reports.figures import (
    EUROS,
    GROUP_LABELS,
    HOURS,
    SHARE,
    Figure,
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


def report_context(*, year: int, show_rsa: bool) -> dict[str, Any]:
    """What the page and the PDF show: groups of rows, the appendix, the year before."""
    report = report_compute(year=year, show_rsa=show_rsa)
    previous = report_compute(year=year - 1, show_rsa=show_rsa)
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


def report_pdf_bytes(*, year: int, show_rsa: bool = False) -> bytes:
    """The report as an A4 PDF with its charts, printable in black and white."""
    context = report_context(year=year, show_rsa=show_rsa)
    context["cooperative"] = cooperative_get()
    html = render_to_string("reports/report_pdf.html", context)
    return HTML(string=html).write_pdf()


@role_required(*COOPERATIVE_WIDE_ROLES)
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The PDF of a year's report (download)."""
    content = report_pdf_bytes(year=year, show_rsa=can_see_sensitive(request.user))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-activite-{year}.pdf"'
    return response


@role_required(*COOPERATIVE_WIDE_ROLES)
def report_page(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The activity report of a year, compared with the year before."""
    if year is None:
        return redirect("report", year=int(request.GET.get("year") or today().year - 1))
    context = report_context(year=year, show_rsa=can_see_sensitive(request.user))
    context["years"] = range(today().year, today().year - 10, -1)
    return render(request, "reports/report.html", context)
