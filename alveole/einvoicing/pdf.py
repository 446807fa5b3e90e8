"""Factur-X / ZUGFeRD PDFs: take the invoice XML out, or put Alvéole's CII XML in.

Extraction reads the PDF's embedded files with the ``factur-x`` library (itself on pypdf)
and falls back to any embedded XML whose root is an invoice. Embedding delegates to
``facturx.generate_from_binary``, which attaches ``factur-x.xml`` and writes the Factur-X
XMP metadata; the PDF given must already be PDF/A-3 (WeasyPrint's ``pdf/a-3b`` output).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from facturx import generate_from_binary, get_xml_from_pdf
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from alveole.core.formatting import format_date
from alveole.einvoicing.document import Invoice
from alveole.einvoicing.xmltools import NotAnInvoice, local, parse_xml

# The factur-x library logs every extraction at INFO; one line per received invoice is noise.
logging.getLogger("factur-x").setLevel(logging.WARNING)

PDF_MAGIC = b"%PDF-"

#: Attachment names of the hybrid formats: Factur-X, ZUGFeRD 2 and 1, XRechnung in a PDF.
INVOICE_ATTACHMENT_NAMES = ["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"]

_INVOICE_ROOTS = {"CrossIndustryInvoice", "CrossIndustryDocument", "Invoice", "CreditNote"}


@dataclass(frozen=True)
class EmbeddedXml:
    """The invoice XML found in a PDF and the name it was attached under."""

    filename: str
    content: bytes


def is_pdf(data: bytes) -> bool:
    """True when the bytes start like a PDF (leading whitespace or BOM tolerated)."""
    return PDF_MAGIC in data[:1024]


def extract_xml(pdf: bytes) -> EmbeddedXml:
    """The invoice XML embedded in a Factur-X / ZUGFeRD PDF, or NotAnInvoice with the reason."""
    if not is_pdf(pdf):
        raise NotAnInvoice("Le fichier n'est pas un PDF.")
    try:
        filename, content = get_xml_from_pdf(
            pdf, check_xsd=False, filenames=list(INVOICE_ATTACHMENT_NAMES)
        )
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise NotAnInvoice(f"Le PDF est illisible : {error}") from None
    if filename and content:
        return EmbeddedXml(filename=filename, content=content)
    # Some producers attach the XML under another name: accept any attached invoice.
    try:
        reader = PdfReader(io.BytesIO(pdf))
        attachments = list(reader.attachment_list)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise NotAnInvoice(f"Le PDF est illisible : {error}") from None
    for attachment in attachments:
        if not attachment.name.lower().endswith(".xml") or not attachment.content:
            continue
        try:
            root = parse_xml(attachment.content)
        except NotAnInvoice:
            continue
        if local(root) in _INVOICE_ROOTS:
            return EmbeddedXml(filename=attachment.name, content=attachment.content)
    raise NotAnInvoice(
        "Ce PDF ne contient pas de facture électronique (aucun XML Factur-X, ZUGFeRD ou "
        "XRechnung joint)."
    )


def pdf_metadata(invoice: Invoice) -> dict[str, str]:
    """French PDF metadata (title, subject…) for an invoice's Factur-X PDF."""
    kind = "Avoir" if invoice.is_credit_note else "Facture"
    seller = invoice.seller.name or ""
    return {
        "author": seller,
        "keywords": "Factur-X, facture électronique",
        "title": f"{seller} : {kind} {invoice.number}",
        "subject": f"{kind} {invoice.number} du {format_date(invoice.issue_date)} émise par {seller}",
    }


def embed_cii(
    pdf: bytes,
    cii_xml: bytes,
    *,
    lang: str = "fr-FR",
    metadata: dict[str, str] | None = None,
    afrelationship: str = "alternative",
) -> bytes:
    """Attach CII XML to a PDF/A-3 as ``factur-x.xml`` with Factur-X metadata; return the PDF.

    `metadata` (author, keywords, title, subject: see `pdf_metadata`) defaults to English
    values the library derives from the XML. The XML is not checked here: validate it with `validation.validate`
    before, once. "alternative" declares the XML an equivalent of the visual invoice, as
    for the EN 16931 profile; pass "data" for MINIMUM / BASIC WL documents.
    """
    if not is_pdf(pdf):
        raise ValueError("embed_cii expects PDF bytes")
    return generate_from_binary(
        pdf,
        cii_xml,
        flavor="factur-x",
        check_xsd=False,
        check_schematron=False,
        pdf_metadata=metadata,
        lang=lang,
        afrelationship=afrelationship,
    )
