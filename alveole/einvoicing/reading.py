"""Read any received e-invoice file — Factur-X / ZUGFeRD PDF, CII or UBL XML — into the neutral model."""

from __future__ import annotations

from dataclasses import dataclass

from alveole.einvoicing import cii, pdf, ubl
from alveole.einvoicing.document import Invoice
from alveole.einvoicing.xmltools import NotAnInvoice, local, parse_xml


@dataclass(frozen=True)
class ReadInvoice:
    """What was read: the invoice, its syntax, the XML itself and where it came from."""

    invoice: Invoice
    syntax: str  # "CII", "ZUGFeRD 1" or "UBL"
    xml: bytes
    attachment: str | None = None  # the PDF attachment name, for a hybrid PDF


def read(data: bytes) -> ReadInvoice:
    """Read a PDF or XML invoice; raise NotAnInvoice (French reason) when it cannot be read."""
    attachment = None
    if pdf.is_pdf(data):
        embedded = pdf.extract_xml(data)
        data, attachment = embedded.content, embedded.filename
    root = parse_xml(data)
    if cii.is_cii(root):
        syntax = "ZUGFeRD 1" if local(root) == "CrossIndustryDocument" else "CII"
        return ReadInvoice(cii.from_cii(root), syntax, data, attachment)
    if ubl.is_ubl(root):
        return ReadInvoice(ubl.from_ubl(root), "UBL", data, attachment)
    raise NotAnInvoice(
        f"Ce XML n'est pas une facture CII, ZUGFeRD ou UBL (élément racine « {local(root)} »)."
    )
