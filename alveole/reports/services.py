"""Changes of the reports app: publishing a year's report, building its PDF in the background."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.core.dates import today
from alveole.core.roles import Role
from alveole.core.services import audit_record
from alveole.reports.models import ReportPdf, ReportPublication
from alveole.reports.presentation import pdf_from_context


def _require_director(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.DIRECTOR:
        raise PermissionDenied(_("Seule la direction publie le rapport d'activité."))


@transaction.atomic
def report_publish(*, actor: Any, year: int) -> ReportPublication:
    """The director publishes a past year's report: associates may then read it."""
    _require_director(actor)
    if year >= today().year:
        raise ValidationError(
            _("Seul le rapport d'une année terminée peut être publié (%(year)s ne l'est pas).")
            % {"year": year}
        )
    if ReportPublication.objects.filter(year=year).exists():
        raise ValidationError(_("Le rapport %(year)s est déjà publié.") % {"year": year})
    publication = ReportPublication.objects.create(year=year, published_by=actor)
    audit_record(
        actor=actor,
        action="create",
        target=publication,
        summary=f"Publication du rapport d'activité {year}",
    )
    return publication


@transaction.atomic
def report_unpublish(*, actor: Any, year: int) -> None:
    """The director withdraws a publication: only staff roles read the report again."""
    _require_director(actor)
    publication = ReportPublication.objects.filter(year=year).first()
    if publication is None:
        raise ValidationError(_("Le rapport %(year)s n'est pas publié.") % {"year": year})
    audit_record(
        actor=actor,
        action="delete",
        target=publication,
        summary=f"Retrait de la publication du rapport d'activité {year}",
    )
    publication.delete()


def report_pdf_request(*, actor: Any, year: int, show_rsa: bool, stamp: str) -> ReportPdf:
    """Queue the PDF of a year's report for this version of the data (the worker builds it)."""
    from alveole.reports.tasks import build_report_pdf

    with transaction.atomic():
        pdf = ReportPdf.objects.create(
            year=year, show_rsa=show_rsa, stamp=stamp, requested_by=actor, step=_("En attente")
        )
        audit_record(
            actor=actor,
            action="export",
            target=pdf,
            summary=f"PDF du rapport d'activité {year} demandé",
        )
    pdf_id = pdf.pk
    transaction.on_commit(lambda: build_report_pdf.enqueue(pdf_id))
    return pdf


def _progress(pdf_id: int, progress: int, step: str, **fields: Any) -> None:
    ReportPdf.objects.filter(pk=pdf_id).update(progress=progress, step=step, **fields)


def report_pdf_interrupted(*, pdf_id: int, requeued: bool) -> None:
    """The worker building a PDF died (`alveole tasks_recover`): wait again, or say it failed.

    Nothing of the PDF was written: its content is saved in the one UPDATE that ends the build.
    """
    unfinished = ReportPdf.objects.filter(
        pk=pdf_id, status__in=[ReportPdf.Status.PENDING, ReportPdf.Status.RUNNING]
    )
    if requeued:
        unfinished.update(
            status=ReportPdf.Status.PENDING,
            progress=0,
            step=_("En attente (reprise après une interruption)"),
        )
        return
    unfinished.update(
        status=ReportPdf.Status.FAILED,
        progress=100,
        step=_("Échec"),
        error=_(
            "Le traitement de fond s'est arrêté pendant la fabrication (redémarrage du "
            "serveur). Cliquez sur « Relancer »."
        ),
        finished_at=timezone.now(),
    )


def report_pdf_build(pdf_id: int) -> str:
    """Build a queued PDF, recording each step so that the page shows the progress."""
    from alveole.reports.selectors import report_cached, report_context_cached

    # A conditional UPDATE claims the job: the worker and a "build it now" never both run it.
    claimed = ReportPdf.objects.filter(pk=pdf_id, status=ReportPdf.Status.PENDING).update(
        status=ReportPdf.Status.RUNNING
    )
    pdf = ReportPdf.objects.defer("content").get(pk=pdf_id)
    if not claimed:
        return pdf.status
    try:
        _progress(pdf_id, 10, _("Calcul des chiffres"))
        report_cached(year=pdf.year, show_rsa=pdf.show_rsa, stamp=pdf.stamp)
        report_cached(year=pdf.year - 1, show_rsa=pdf.show_rsa, stamp=pdf.stamp)
        _progress(pdf_id, 40, _("Dessin des graphiques"))
        context = report_context_cached(year=pdf.year, show_rsa=pdf.show_rsa, stamp=pdf.stamp)
        _progress(pdf_id, 70, _("Mise en page du PDF"))
        content = pdf_from_context(context)
    except Exception as error:  # the page must say it failed rather than wait forever
        _progress(
            pdf_id, 100, _("Échec"), status=ReportPdf.Status.FAILED, error=str(error)[:2000],
            finished_at=timezone.now(),
        )  # fmt: skip
        raise
    _progress(
        pdf_id, 100, _("Prêt"), status=ReportPdf.Status.DONE, content=content,
        finished_at=timezone.now(),
    )  # fmt: skip
    # Only the newest PDF of a year and variant is kept.
    ReportPdf.objects.filter(year=pdf.year, show_rsa=pdf.show_rsa).exclude(pk=pdf_id).filter(
        status__in=[ReportPdf.Status.DONE, ReportPdf.Status.FAILED]
    ).delete()
    return ReportPdf.Status.DONE
