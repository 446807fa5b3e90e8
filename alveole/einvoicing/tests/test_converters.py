"""Neutral ⇄ CII and neutral ⇄ UBL: round trips, every profile read, bad input refused cleanly."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import types
import typing
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from alveole.einvoicing import cii, reading, totals, ubl, validation
from alveole.einvoicing.cii import syntax
from alveole.einvoicing.document import Invoice, Note, business_terms
from alveole.einvoicing.tests import builders
from alveole.einvoicing.ubl import syntax as ubl_syntax
from alveole.einvoicing.xmltools import NotAnInvoice, to_cents

WRITERS = {"cii": (cii.to_cii, cii.from_cii), "ubl": (ubl.to_ubl, ubl.from_ubl)}

# Terms EN 16931 does not define where the neutral model allows them.
NOT_IN_SYNTAX = {
    "lines.allowances_charges.vat_category",  # line allowances carry no VAT (BG-27/28)
    "lines.allowances_charges.vat_rate",
}


def _nested(hint: object) -> type | None:
    """The dataclass a field holds, directly, optionally or as list items."""
    hint = getattr(hint, "__origin__", hint) if hasattr(hint, "__metadata__") else hint
    for _ in range(3):
        args = typing.get_args(hint)
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = next(a for a in args if a is not type(None))
        elif typing.get_origin(hint) is list:
            hint = args[0]
    return hint if dataclasses.is_dataclass(hint) else None  # type: ignore[return-value]


def _all_terms(cls: type, prefix: str = "") -> set[str]:
    hints = typing.get_type_hints(cls, include_extras=True)
    found = set()
    for name in business_terms(cls):
        found.add(prefix + name)
        nested = _nested(hints[name])
        if nested is not None and name not in ("payee", "tax_representative"):
            found |= _all_terms(nested, f"{prefix}{name}.")
    return found


def _set_terms(value: object, prefix: str = "") -> set[str]:
    found = set()
    for name in business_terms(type(value)):
        item = getattr(value, name)
        if item is None or item == "" or item == []:
            continue
        found.add(prefix + name)
        if name in ("payee", "tax_representative"):
            continue
        for child in item if isinstance(item, list) else [item]:
            if dataclasses.is_dataclass(child):
                found |= _set_terms(child, f"{prefix}{name}.")
    return found


def test_full_invoice_sets_every_term_of_the_model():
    invoice = builders.full_invoice()
    assert _all_terms(Invoice) - _set_terms(invoice) - NOT_IN_SYNTAX == set()


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
@pytest.mark.parametrize(
    "build",
    [
        builders.full_invoice,
        builders.invoice,
        builders.invoice_with_exemption_and_allowance,
        builders.credit_note,
    ],
)
def test_round_trip_keeps_every_term(syntax, build):
    write, read = WRITERS[syntax]
    invoice = build()

    assert read(write(invoice)) == invoice


def test_cii_carries_the_french_terms_where_the_rules_look_for_them():
    root = etree.fromstring(cii.to_cii(builders.credit_note()))
    ns = {"rsm": syntax.RSM, "ram": syntax.RAM, "udt": syntax.UDT}

    def first(xpath):
        return root.xpath(xpath, namespaces=ns)[0]

    assert first("//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == "S1"
    assert first("//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()") == (
        "urn:cen.eu:en16931:2017"
    )
    assert first("//rsm:ExchangedDocument/ram:TypeCode/text()") == "381"
    assert first("//ram:ApplicableTradeTax/ram:DueDateTypeCode/text()") == "5"  # VAT on debits
    assert first("//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0002"
    assert first("//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID/text()") == (
        builders.BUYER_SIREN
    )
    assert (
        first("//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == "F-ALICE-2026-0042"
    )
    assert root.xpath(
        "//rsm:ExchangedDocument/ram:IncludedNote/ram:SubjectCode/text()", namespaces=ns
    ) == [
        "PMD",
        "PMT",
        "AAB",
        "BAR",
    ]


def test_ubl_writes_a_credit_note_and_subject_codes_as_prefixes():
    root = etree.fromstring(ubl.to_ubl(builders.credit_note()))

    assert etree.QName(root).localname == "CreditNote"
    notes = [note.text for note in root.iterchildren(f"{{{ubl_syntax.CBC}}}Note")]
    assert notes[0].startswith("#PMD#Pénalités de retard")
    assert notes[3] == "#BAR#B2B"
    assert root.findtext(f"{{{ubl_syntax.CBC}}}ProfileID") == "S1"
    assert root.find(f".//{{{ubl_syntax.CAC}}}CreditNoteLine") is not None


def test_ubl_note_without_subject_code_stays_plain():
    invoice = dataclasses.replace(builders.invoice(), notes=[Note("Merci de votre confiance #1")])
    assert ubl.from_ubl(ubl.to_ubl(invoice)).notes == [Note("Merci de votre confiance #1")]


# --- reading what others wrote ----------------------------------------------------------------

_SAMPLES = validation.default_artefacts().root / "samples"
_XML_FOLDERS = ("cen-cii", "cen-ubl", "xml-rechnung-cii", "xml-rechnung-ubl")
XML_SAMPLES = sorted(
    path
    for folder in _XML_FOLDERS
    if (_SAMPLES / folder).is_dir()
    for path in (_SAMPLES / folder).iterdir()
    if path.suffix.lower() == ".xml"
)
_NO_SAMPLES = pytest.param(None, marks=pytest.mark.skip(reason=f"exemples absents ({_SAMPLES})"))


def _declared(root: etree._Element, name: str) -> int | None:
    """An amount as the document states it, found without Alvéole's reader."""
    if etree.QName(root).localname == "CrossIndustryInvoice":
        xpath = f"//*[local-name()='SpecifiedTradeSettlementHeaderMonetarySummation']/*[local-name()='{name}']"
    else:
        xpath = f"/*/*[local-name()='LegalMonetaryTotal']/*[local-name()='{name}']"
    found = root.xpath(xpath)
    return to_cents(found[0].text) if found else None


@pytest.mark.parametrize(
    "path",
    XML_SAMPLES or [_NO_SAMPLES],
    ids=lambda p: f"{p.parent.name}/{p.name}" if p else "absent",
)
def test_samples_read_with_the_totals_they_declare(path: Path):
    data = path.read_bytes()
    root = etree.fromstring(data)

    read = reading.read(data)
    invoice = read.invoice

    assert invoice.number
    assert invoice.issue_date is not None
    if read.syntax == "CII":
        assert invoice.totals.line_total == _declared(root, "LineTotalAmount")
        assert invoice.totals.tax_exclusive == _declared(root, "TaxBasisTotalAmount")
        assert invoice.totals.tax_inclusive == _declared(root, "GrandTotalAmount")
        assert invoice.totals.due == _declared(root, "DuePayableAmount")
        line_count = len(root.xpath("//*[local-name()='IncludedSupplyChainTradeLineItem']"))
    else:
        assert read.syntax == "UBL"
        assert invoice.totals.line_total == _declared(root, "LineExtensionAmount")
        assert invoice.totals.tax_exclusive == _declared(root, "TaxExclusiveAmount")
        assert invoice.totals.tax_inclusive == _declared(root, "TaxInclusiveAmount")
        assert invoice.totals.due == _declared(root, "PayableAmount")
        line_count = len(
            root.xpath("/*/*[local-name()='InvoiceLine' or local-name()='CreditNoteLine']")
        )
    assert len(invoice.lines) == line_count
    assert invoice.seller.name
    # What the lines add up to is compared; differences are findings, never exceptions.
    assert all(d.message for d in totals.discrepancies(invoice))


def test_cen_example_read_in_detail(samples: Path):
    invoice = cii.from_cii((samples / "cen-cii" / "CII_example4.xml").read_bytes())

    assert invoice.number == "TOSL110"
    assert invoice.currency == "DKK"
    assert invoice.seller.vat_id == "DK16356706"
    assert invoice.totals.tax_inclusive == 467500
    assert invoice.totals.vat_total == 67500
    assert [(b.category, b.rate, b.basis, b.amount) for b in invoice.vat_breakdown] == [
        ("S", Decimal("25"), 150000, 37500),
        ("S", Decimal("12"), 250000, 30000),
    ]
    assert totals.discrepancies(invoice) == []


def test_zugferd1_is_read_with_its_own_element_names():
    read = reading.read((builders.DATA / "zugferd1-comfort.xml").read_bytes())
    invoice = read.invoice

    assert read.syntax == "ZUGFeRD 1"
    assert invoice.specification_id == "urn:ferd:CrossIndustryDocument:invoice:1p0:comfort"
    assert invoice.number == "RE-2016-471"
    assert invoice.issue_date.isoformat() == "2016-03-15"
    assert invoice.due_date.isoformat() == "2016-04-14"
    assert invoice.order_reference == "B-2016-08"
    assert invoice.seller.vat_id == "DE123456789"
    assert invoice.seller.tax_registration_id == "201/113/40209"
    assert invoice.payment.credit_transfers[0].account_id == "DE08700901001234567890"
    assert invoice.payment.credit_transfers[0].bic == "GENODEF1M04"
    assert [(b.rate, b.basis, b.amount) for b in invoice.vat_breakdown] == [
        (Decimal("19.00"), 19800, 3762),
        (Decimal("7.00"), 27500, 1925),
    ]
    assert [
        (line.name, line.quantity, line.net_amount, line.vat_rate) for line in invoice.lines
    ] == [
        ("Trennblätter A4", Decimal("20"), 19800, Decimal("19")),
        ("Joghurt Banane", Decimal("50"), 27500, Decimal("7")),
    ]
    assert invoice.totals.due == 52987
    assert totals.discrepancies(invoice) == []


MINIMAL_CII = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocument>
    <ram:ID>X-1</ram:ID>
    <ram:IssueDateTime><udt:DateTimeString format="102">20261341</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity>deux</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:GrandTotalAmount>12,5</ram:GrandTotalAmount>
        <ram:DuePayableAmount>beaucoup</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"""


def test_missing_or_malformed_terms_become_none_never_an_error():
    invoice = cii.from_cii(MINIMAL_CII)

    assert invoice.number == "X-1"
    assert invoice.issue_date is None  # month 13
    assert invoice.seller.name is None
    assert invoice.lines[0].quantity is None
    assert invoice.lines[0].net_amount is None
    assert invoice.totals.tax_inclusive == 1250
    assert invoice.totals.due is None
    assert invoice.payment is None
    assert totals.discrepancies(invoice) == []


def test_empty_ubl_invoice_is_read_as_empty():
    invoice = ubl.from_ubl(
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    )
    assert invoice.number == ""
    assert invoice.lines == []
    assert invoice.totals.due is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "vide"),
        (b"<Invoice><ID>1</ID>", "bien formé"),
        (b"<?xml version='1.0'?><html><body/></html>", "élément racine « html »"),
        (b"%PDF-1.4 truncated", "PDF"),
    ],
    ids=["empty", "truncated-xml", "other-xml", "truncated-pdf"],
)
def test_files_that_are_not_invoices_are_refused_with_the_reason(data, reason):
    with pytest.raises(NotAnInvoice, match=reason):
        reading.read(data)


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("mot de passe")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"'
        ' xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">'
        "<rsm:ExchangedDocument><ram:ID>&s;</ram:ID></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>"
    ).encode()
    assert "mot de passe" not in cii.from_cii(data).number


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
def test_removing_or_spoiling_any_element_never_breaks_the_reader(syntax):
    write, read = WRITERS[syntax]
    original = etree.fromstring(write(builders.full_invoice()))
    count = sum(1 for _ in original.iter())

    leaves = {index for index, element in enumerate(original.iter()) if len(element) == 0}

    for index in range(1, count):
        for spoil in ("remove", "garbage") if index in leaves else ("remove",):
            root = copy.deepcopy(original)
            element = next(itertools.islice(root.iter(), index, None))
            if spoil == "remove":
                element.getparent().remove(element)
            else:
                element.text = "x!"
                for name in element.attrib:
                    element.set(name, "")
            assert isinstance(read(root), Invoice)


def test_ubl_gross_price_without_discount_is_written_with_a_zero_discount():
    invoice = builders.invoice()
    line = dataclasses.replace(invoice.lines[1], gross_price=Decimal("2.35"))
    invoice = dataclasses.replace(invoice, lines=[invoice.lines[0], line])

    read = ubl.from_ubl(ubl.to_ubl(invoice)).lines[1]

    assert (read.gross_price, read.price_discount) == (Decimal("2.35"), Decimal(0))
    assert cii.from_cii(cii.to_cii(invoice)).lines[1] == line
