"""PDFs of training evidence: the attendance sheet of a session, the certificate of completion.

WeasyPrint, A4, French; signatures are embedded as the PNG images drawn by the signers.
"""

from __future__ import annotations

import base64
import logging
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from alveole.coop.models import Cooperative
from alveole.support.models import Enrolment, Signature, WorkshopSession
from alveole.support.selectors import attendance_grid
from alveole.support.services import attended_hours, attended_slots

# WeasyPrint and fontTools log every rendering step at INFO: keep the server log readable.
for _noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402 - after quietening its logger


def signature_data_url(signature: Signature | None) -> str:
    if signature is None:
        return ""
    raw = bytes(signature.image_png)
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


def format_hours(hours: Decimal) -> str:
    """Hours the French way without useless zeros: 3,5 ; 7 ; 3,75."""
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _render(template: str, context: dict[str, Any]) -> bytes:
    with translation.override("fr"):
        html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def attendance_sheet_context(session: WorkshopSession) -> dict[str, Any]:
    """What the attendance sheet prints: each trainee per half-day, signed, absent or blank."""
    grid = attendance_grid(session)
    images = {
        s.pk: signature_data_url(s)
        for s in Signature.objects.filter(slot__session=session)  # with the images, once
    }
    rows = []
    for enrolment, cells in grid.rows:
        rows.append(
            (
                enrolment,
                [
                    {
                        "signature": cell.signature,
                        "image": images.get(cell.signature.pk) if cell.signature else "",
                        "absence": cell.absence,
                    }
                    for cell in cells
                ],
            )
        )
    trainer = [{"signature": s, "image": images.get(s.pk) if s else ""} for s in grid.trainer]
    return {
        "session": session,
        "workshop": session.workshop,
        "cooperative": Cooperative.objects.first(),
        "slots": grid.slots,
        "rows": rows,
        "trainer": trainer,
        "has_paper": Signature.objects.filter(
            slot__session=session, recorded_from_paper=True
        ).exists(),
        "printed_at": timezone.localtime(),
    }


def attendance_sheet_pdf(session: WorkshopSession) -> bytes:
    """The attendance sheet of a session, signed per half-day by the trainees and the trainer."""
    return _render("support/pdf/attendance_sheet.html", attendance_sheet_context(session))


def attendance_sheet_html(session: WorkshopSession) -> str:
    with translation.override("fr"):
        return render_to_string(
            "support/pdf/attendance_sheet.html", attendance_sheet_context(session)
        )


def certificate_context(enrolment: Enrolment) -> dict[str, Any]:
    slots = attended_slots(enrolment)
    return {
        "enrolment": enrolment,
        "person": enrolment.person,
        "session": enrolment.session,
        "workshop": enrolment.session.workshop,
        "cooperative": Cooperative.objects.first(),
        "slots": slots,
        "hours": format_hours(attended_hours(slots)),
        "printed_at": timezone.localtime(),
    }


def certificate_pdf(enrolment: Enrolment) -> bytes:
    """The certificate of completion of one trainee: only the half-days they signed count."""
    return _render("support/pdf/certificate.html", certificate_context(enrolment))


def certificate_html(enrolment: Enrolment) -> str:
    with translation.override("fr"):
        return render_to_string("support/pdf/certificate.html", certificate_context(enrolment))
