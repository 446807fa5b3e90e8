"""The minutes (procès-verbal) of a closed assembly as a PDF (WeasyPrint, A4, French)."""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from alveole.coop.selectors import CooperativeMissing, cooperative_get
from alveole.governance.models import (
    Assembly,
    AssemblyDocument,
    Attendance,
    AttendanceStatus,
    Minutes,
    MinutesSignature,
    Resolution,
    SignatoryRole,
)
from alveole.governance.selectors import assembly_quorum, attendance_sheet

# WeasyPrint and fontTools log every rendering step at INFO: keep the server log readable.
for _noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402 - after quietening its logger


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode() if png else ""


def document_sha256(document: AssemblyDocument) -> str:
    """The SHA-256 of an archived document's file, printed in the minutes ("" if it is missing)."""
    digest = hashlib.sha256()
    try:
        with document.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                digest.update(chunk)
    except (FileNotFoundError, ValueError):
        return ""
    return digest.hexdigest()


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
    signed = {s.role: s for s in MinutesSignature.objects.filter(assembly=assembly)}
    signatories = []
    for role, person in (
        (SignatoryRole.CHAIR, assembly.chair),
        (SignatoryRole.SECRETARY, assembly.secretary),
    ):
        signature = signed.get(role)
        signatories.append(
            {
                "label": role.label,
                "person": person,
                "signature": signature,
                "image_url": _data_url(bytes(signature.image_png)) if signature else "",
                "signed_at": timezone.localtime(signature.signed_at) if signature else None,
            }
        )
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
        "documents": [(d, document_sha256(d)) for d in assembly.documents.all()],
        "signatories": signatories,
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
    """Render the PDF of the minutes of a closed assembly (with the signatures given so far)."""
    return HTML(string=minutes_html(assembly)).write_pdf()


def minutes_file(assembly: Assembly) -> bytes:
    """The minutes to serve: the frozen signed PDF once both signed, else a fresh unsigned draft."""
    frozen = Minutes.objects.filter(assembly=assembly).values_list("pdf", flat=True).first()
    if frozen is not None:
        return bytes(frozen)
    return minutes_pdf(assembly)
