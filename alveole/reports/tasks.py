"""Background work of the reports app (Django's tasks framework): the report's PDF."""

from __future__ import annotations

from django.tasks import task

from alveole.core.jobs import register_recovery
from alveole.reports.services import report_pdf_build, report_pdf_interrupted


@task
def build_report_pdf(pdf_id: int) -> str:
    """Build a queued report PDF; returns its final status."""
    return report_pdf_build(pdf_id)


def _recover_report_pdf(args: list, kwargs: dict, requeued: bool) -> None:
    report_pdf_interrupted(pdf_id=int(args[0] if args else kwargs["pdf_id"]), requeued=requeued)


# Safe to run again: the PDF is written in one UPDATE at the end, the claim is conditional.
register_recovery(build_report_pdf, retry=True, on_recover=_recover_report_pdf)
