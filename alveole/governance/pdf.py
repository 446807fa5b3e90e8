"""The minutes (procès-verbal) of a closed assembly as a PDF (WeasyPrint, A4, French)."""

from __future__ import annotations

import base64
import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from alveole.coop.selectors import CooperativeMissing, cooperative_get
from alveole.governance.models import Assembly, Attendance, AttendanceStatus, Resolution
from alveole.governance.selectors import assembly_quorum, attendance_sheet

# WeasyPrint and fontTools log every rendering step at INFO: keep the server log readable.
for _noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402 - after quietening its logger


def minutes_context(assembly: Assembly) -> dict[str, Any]:
    """What the minutes show: attendance, quorum, each resolution and its result."""
    try:
        cooperative = cooperative_get()
    except CooperativeMissing:
        cooperative = None
    signatures = {
        row.person_id: "data:image/png;base64,"
        + base64.b64encode(bytes(row.signature_png)).decode()
        for row in Attendance.objects.filter(assembly=assembly)
    }
    sheet = list(attendance_sheet(assembly))
    for person in sheet:
        person.signature_url = signatures.get(person.pk, "")
    resolutions = list(assembly.resolutions.all())
    quorum = assembly_quorum(assembly)
    return {
        "cooperative": cooperative,
        "assembly": assembly,
        "starts_at": timezone.localtime(assembly.starts_at),
        "agenda": list(assembly.agenda.all()),
        "documents": list(assembly.documents.all()),
        "sheet": sheet,
        "statuses": AttendanceStatus,
        "quorum": quorum,
        "voted": [r for r in resolutions if r.status == Resolution.Status.CLOSED],
        "not_voted": [r for r in resolutions if r.status != Resolution.Status.CLOSED],
        "quorum_fraction": f"{quorum.rule.numerator}/{quorum.rule.denominator}"
        if quorum.rule
        else "",
    }


def minutes_html(assembly: Assembly) -> str:
    with translation.override("fr"):
        return render_to_string("governance/pdf/minutes.html", minutes_context(assembly))


def minutes_pdf(assembly: Assembly) -> bytes:
    """The PDF of the minutes of a closed assembly."""
    return HTML(string=minutes_html(assembly)).write_pdf()
