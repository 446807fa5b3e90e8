"""PDFs of quotes, invoices and credit notes (WeasyPrint, A4, French).

An issued document prints from its snapshot (what was true at its issue date); a draft
prints from today's data with a "draft" banner and no number.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from alveole.core.dates import today
from alveole.sales.mentions import document_snapshot
from alveole.sales.models import Invoice, LineType, Quote
from alveole.sales.totals import compute_totals

# WeasyPrint and fontTools log every rendering step at INFO: keep the server log readable.
for _noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

#: Printed when a line is VAT-exempt as training (CGI art. 261-4-4° a): the NDA goes with it.
TRAINING_EXEMPTION_MARK = "261-4-4"


def _snapshot(document: Quote | Invoice) -> dict[str, Any]:
    if document.snapshot:
        return document.snapshot
    day = getattr(document, "issue_date", None) or today()
    return document_snapshot(business=document.business, customer=document.customer, day=day)


def document_context(document: Quote | Invoice) -> dict[str, Any]:
    """What the print of a document shows, shared by the PDF and the detail page."""
    lines = list(document.lines.all())
    items = [line for line in lines if line.line_type == LineType.ITEM]
    totals = compute_totals(items)
    snapshot = _snapshot(document)
    reasons = [r for v in totals.vat_lines for r in v.exemption_reasons]
    is_invoice = isinstance(document, Invoice)
    if is_invoice:
        title = document.get_kind_display()
        is_draft = not document.is_frozen
    else:
        title = Quote._meta.verbose_name.capitalize()
        is_draft = document.status == Quote.Status.DRAFT
    customer = snapshot["customer"]
    cape = snapshot["seller"].get("cape")
    return {
        "document": document,
        "is_invoice": is_invoice,
        "is_draft": is_draft,
        "title": title,
        "seller": snapshot["seller"],
        "customer": customer,
        "professional": customer.get("professional", True),
        "cape": cape,
        "cape_end_date": datetime.date.fromisoformat(cape["end_date"])
        if cape and cape.get("end_date")
        else None,
        "lines": lines,
        "totals": totals,
        "exemption_reasons": reasons,
        "training_exempt": any(TRAINING_EXEMPTION_MARK in r for r in reasons),
        "delivery_differs": bool(customer.get("delivery_address"))
        and customer.get("delivery_address") != customer.get("address"),
        "credited_invoice": getattr(document, "credited_invoice", None),
    }


def _render(template: str, context: dict[str, Any], *, variant: str | None = None) -> bytes:
    # Imported here, not at the top: WeasyPrint loads Pango through its C library, which a
    # machine may lack; without it only PDFs fail, not every page that imports the services.
    from weasyprint import HTML

    with translation.override("fr"):
        html = render_to_string(template, context)
    return HTML(string=html).write_pdf(pdf_variant=variant)


def invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF of an invoice, deposit invoice or credit note, as PDF/A-3b.

    PDF/A-3 is what a Factur-X PDF must be (`alveole.sales.einvoice` embeds the CII in it).
    """
    return _render("sales/pdf/invoice.html", document_context(invoice), variant="pdf/a-3b")


def quote_pdf(quote: Quote) -> bytes:
    """The PDF of a quote."""
    return _render("sales/pdf/invoice.html", document_context(quote))


def invoice_html(invoice: Invoice | Quote) -> str:
    """The printable HTML (for previews and tests)."""
    with translation.override("fr"):
        return render_to_string("sales/pdf/invoice.html", document_context(invoice))
