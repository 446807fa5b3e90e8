"""Background work of the reports app (Django's tasks framework): the report's PDF."""

from __future__ import annotations

from django.tasks import task

from alveole.reports.services import report_pdf_build


@task
def build_report_pdf(pdf_id: int) -> str:
    """Build a queued report PDF; returns its final status."""
    return report_pdf_build(pdf_id)
