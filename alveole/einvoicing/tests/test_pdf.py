"""Factur-X PDFs: the embedded XML taken out of received files, Alvéole's XML put into its PDFs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from alveole.einvoicing import cii, pdf, reading, validation
from alveole.einvoicing.tests import builders
from alveole.einvoicing.xmltools import NotAnInvoice

_FNFE = validation.default_artefacts().root / "samples" / "fnfe-facturx"
FNFE_PDFS = sorted(_FNFE.glob("*.pdf")) if _FNFE.is_dir() else []


@pytest.fixture(scope="module")
def pdfa3() -> bytes:
    """A visual invoice as WeasyPrint writes it for Alvéole: PDF/A-3b."""
    html = "<html lang='fr'><body><h1>Facture F-ALICE-2026-0042</h1><p>1 867,93 €</p></body></html>"
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")


@pytest.mark.parametrize(
    "path",
    FNFE_PDFS or [pytest.param(None, marks=pytest.mark.skip(reason=f"exemples absents ({_FNFE})"))],
    ids=lambda p: p.name if p else "absent",
)
def test_fnfe_facturx_pdfs_give_their_xml_and_are_read(path: Path):
    embedded = pdf.extract_xml(path.read_bytes())
    read = reading.read(path.read_bytes())

    assert embedded.filename == "factur-x.xml"
    assert read.attachment == "factur-x.xml"
    assert read.xml == embedded.content
    assert read.syntax == "CII"
    invoice = read.invoice
    assert invoice.number.startswith(("FA-", "AV-"))
    assert invoice.seller.name == "Au bon moulin"
    assert invoice.totals.tax_inclusive is not None
    assert invoice.totals.due is not None
    if "MINIMUM" in path.name or "BASICWL" in path.name:
        assert invoice.lines == []
    else:
        assert invoice.type_code == "381"
        assert len(invoice.lines) == 2


def test_embed_then_extract_gives_back_the_same_xml(pdfa3):
    invoice = builders.invoice()
    xml = cii.to_cii(invoice)

    facturx = pdf.embed_cii(pdfa3, xml, metadata=pdf.pdf_metadata(invoice))

    assert pdf.extract_xml(facturx) == pdf.EmbeddedXml("factur-x.xml", xml)
    assert reading.read(facturx).invoice == invoice
    reader = PdfReader(io.BytesIO(facturx))
    assert reader.metadata.title == "Alvéole Coopérative : Facture F-ALICE-2026-0042"
    assert (
        b"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
        in reader.xmp_metadata.stream.get_data()
    )
    assert "/AF" in reader.trailer["/Root"]


def test_a_pdf_without_invoice_is_refused(pdfa3):
    with pytest.raises(NotAnInvoice, match="ne contient pas de facture électronique"):
        pdf.extract_xml(pdfa3)


def test_a_truncated_pdf_is_refused(pdfa3):
    with pytest.raises(NotAnInvoice):
        pdf.extract_xml(pdfa3[: len(pdfa3) // 3])


def test_not_a_pdf_is_refused():
    with pytest.raises(NotAnInvoice, match="pas un PDF"):
        pdf.extract_xml(b"<xml/>")
