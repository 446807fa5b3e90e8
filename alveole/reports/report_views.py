"""The yearly activity report page: the seed's figures, charts and appendix; its PDF built in
the background; its publication by the director."""

from __future__ import annotations

import datetime
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.dates import today
from alveole.core.permissions import can_see_sensitive
from alveole.core.roles import COOPERATIVE_WIDE_ROLES, Role
from alveole.reports import selectors, services
from alveole.reports.models import ReportPdf
from alveole.reports.records import RECORD_KEYS


def _require_reader(request: HttpRequest, year: int) -> None:
    if not selectors.can_read_report(request.user, year):
        raise PermissionDenied(
            _("Le rapport d'activité %(year)s n'est pas publié.") % {"year": year}
        )


logger = logging.getLogger(__name__)


@login_required
def report_page(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The activity report of a year, compared with the year before."""
    if year is None:
        return redirect("report", year=int(request.GET.get("year") or today().year - 1))
    _require_reader(request, year)
    user = request.user
    show_rsa = can_see_sensitive(user)
    stamp = selectors.data_stamp(year)
    context = dict(selectors.report_context_cached(year=year, show_rsa=show_rsa, stamp=stamp))
    wide = user.role in COOPERATIVE_WIDE_ROLES
    context.update(
        years=range(today().year, today().year - 10, -1) if wide else [year],
        links=wide,
        funders=show_rsa,
        record_keys=RECORD_KEYS,  # an associate's lists hold only their own records: no drill-down
        publication=selectors.is_published(year),
        can_publish=user.role == Role.DIRECTOR and year < today().year,
        pdf=selectors.report_pdf_latest(year=year, show_rsa=show_rsa, stamp=stamp),
    )
    return render(request, "reports/report.html", context)


@login_required
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The PDF of a year's report: POST queues it for the worker (or reuses the one built for
    the same data); GET downloads it when ready, else shows where it stands."""
    _require_reader(request, year)
    show_rsa = can_see_sensitive(request.user)
    stamp = selectors.data_stamp(year)
    pdf = selectors.report_pdf_latest(year=year, show_rsa=show_rsa, stamp=stamp)
    if request.method == "POST":
        if pdf is None or pdf.status == ReportPdf.Status.FAILED:
            pdf = services.report_pdf_request(
                actor=request.user, year=year, show_rsa=show_rsa, stamp=stamp
            )
        return redirect("report_pdf_job", year=year, pk=pdf.pk)
    if pdf is not None and pdf.status == ReportPdf.Status.DONE:
        return redirect("report_pdf_download", year=year, pk=pdf.pk)
    return redirect("report", year=year)


@login_required
def report_pdf_job(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """Where a PDF stands; the page asks again every two seconds until it is ready."""
    pdf = selectors.report_pdf_get(user=request.user, year=year, pk=pk)
    if pdf is None:
        raise Http404
    template = (
        "reports/_pdf_job.html" if request.headers.get("HX-Request") else "reports/pdf_job.html"
    )
    waiting = (
        pdf.status == ReportPdf.Status.PENDING and timezone.now() - pdf.created_at > WORKER_WAIT
    )
    return render(request, template, {"pdf": pdf, "year": year, "no_worker": waiting})


#: After this long without a worker taking the job, the page offers to build it at once.
WORKER_WAIT = datetime.timedelta(seconds=20)


@require_POST
@login_required
def report_pdf_now(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """Build a PDF no worker has taken, in this request (a setup without a task worker)."""
    pdf = selectors.report_pdf_get(user=request.user, year=year, pk=pk)
    if pdf is None:
        raise Http404
    if pdf.status == ReportPdf.Status.PENDING:
        try:
            services.report_pdf_build(pdf.pk)
        except Exception:  # recorded on the job, whose page says it failed
            logger.exception("report PDF %s failed", pdf.pk)
    return redirect("report_pdf_job", year=year, pk=pk)


@login_required
def report_pdf_download(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """The PDF once built."""
    pdf = selectors.report_pdf_get(user=request.user, year=year, pk=pk)
    if pdf is None or pdf.status != ReportPdf.Status.DONE:
        raise Http404
    content = ReportPdf.objects.values_list("content", flat=True).get(pk=pdf.pk)
    response = HttpResponse(bytes(content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-activite-{year}.pdf"'
    return response


@require_POST
@login_required
def report_publication(request: HttpRequest, year: int) -> HttpResponse:
    """The director publishes (or withdraws) a year's report for the associates."""
    try:
        if request.POST.get("action") == "unpublish":
            services.report_unpublish(actor=request.user, year=year)
            messages.success(request, _("Le rapport %(year)s n'est plus publié.") % {"year": year})
        else:
            services.report_publish(actor=request.user, year=year)
            messages.success(
                request,
                _("Le rapport %(year)s est publié : les associé·es peuvent le lire.")
                % {"year": year},
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("report", year=year)
