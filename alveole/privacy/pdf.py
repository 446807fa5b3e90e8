"""The readable PDF of a person's data export (WeasyPrint, A4, French)."""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from alveole.people.models import Person

for _noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402 - after quietening its logger

APP_TITLES = {
    "people": "Identité, compte et parcours",
    "businesses": "Activités",
    "payroll": "Paie",
    "purchases": "Notes de frais",
    "support": "Accompagnement et formations",
    "governance": "Parts sociales et assemblées",
    "support_staff_side": "Rendez-vous et sessions animés",
    "audit": "Journal d'audit",
}


def export_pdf(person: Person, data: dict[str, Any]) -> bytes:
    sections = []
    for app, title in APP_TITLES.items():
        tables = []
        for name, items in (data.get(app) or {}).items():
            columns = sorted({key for item in items for key in item})
            tables.append(
                {
                    "name": name,
                    "items": [
                        [(column, item.get(column, "")) for column in columns] for item in items
                    ],
                }
            )
        sections.append({"title": title, "tables": tables})
    with translation.override("fr"):
        html = render_to_string(
            "privacy/export_pdf.html",
            {"person": person, "sections": sections, "printed_at": timezone.localtime()},
        )
    return HTML(string=html).write_pdf()
