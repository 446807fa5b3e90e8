"""Electronic invoices of the sales app: an issued invoice as an EN 16931 document.

`invoice_to_document` maps an issued invoice, deposit invoice (386) or credit note (381)
to the neutral `alveole.einvoicing.document.Invoice`, from the invoice's own lines and
totals and from its frozen snapshot (what was true at its issue date), never from today's
cooperative or customer. The library then writes it as CII (Factur-X EN 16931) or UBL.

Choices, documented here because the data model does not carry them (yet):

- seller electronic address (BT-34): ``snapshot["seller"]["electronic_address"]`` when the
  snapshot has one, else the cooperative's SIREN with scheme 0225 (the French directory
  scheme; the cooperative is registered there under its SIREN);
- buyer electronic address (BT-49): the customer's, scheme 0225 (``"0225:…"`` or a bare value);
  else the SIREN (scheme 0225); else the e-mail (scheme EM) for individuals and foreign
  customers;
- billing frame (BT-23): B1 goods, S1 services, M1 mixed; B4/S4/M4 for a final invoice that
  deducts deposits ("facture définitive après acompte"); a credit note keeps S1/B1/M1;
- the deposits are deducted as the negative lines the sales app already puts on the final
  invoice (quantity −1 at the deposit's rate), so BT-113 stays empty and the totals are
  exactly the invoice's own;
- 0 % lines: the category follows the printed exemption reason: reverse charge (AE,
  VATEX-EU-AE), intra-community supply (K, VATEX-EU-IC), export (G, VATEX-EU-G), VAT
  franchise of art. 293 B (E, VATEX-FR-FRANCHISE), training (E, VATEX-FR-CGI261-4),
  anything else exempt (E, the text alone);
- prices entered incl. VAT (B2C, ``prices_include_vat``): EN 16931 carries net amounts only.
  The net price (BT-146) is the stored unit price excl. VAT (derived at 6 decimals), the line
  net (BT-131) the line's share of its rate's base (`alveole.sales.totals`), and a discount
  entered incl. VAT is given as the allowance excl. VAT that makes quantity × net price −
  allowance equal that net; the VAT per rate is the invoice's own (TTC − HT), within one cent
  of base × rate as BR-CO-17 tolerates;
- payment means (BT-81): SEPA credit transfer (58) with the IBAN when the snapshot carries
  one (``seller["iban"]``), else 1, "instrument not defined" (the cooperative has no IBAN
  field yet).
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from alveole.einvoicing import cii, pdf, ubl
from alveole.einvoicing.document import (
    SCHEME_FRENCH_ELECTRONIC_ADDRESS,
    SCHEME_SIREN,
    SCHEME_SIRET,
    Address,
    AllowanceCharge,
    Contact,
    CreditTransfer,
    Delivery,
    Identifier,
    Line,
    Note,
    NoteSubject,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    Totals,
    VatBreakdown,
    VatCategory,
    VatPointDateCode,
)
from alveole.einvoicing.document import Invoice as Document
from alveole.sales.models import Customer, Invoice, LineType
from alveole.sales.totals import compute_totals, line_net_cents

FORMATS = ("facturx", "cii", "ubl")
CONTENT_TYPES = {"facturx": "application/pdf", "cii": "application/xml", "ubl": "application/xml"}
EXTENSIONS = {"facturx": "pdf", "cii": "cii.xml", "ubl": "ubl.xml"}

#: UN/ECE recommendation 20 codes for the units people type.
UNIT_CODES = {
    "h": "HUR", "heure": "HUR", "heures": "HUR",
    "j": "DAY", "jour": "DAY", "jours": "DAY",
    "mois": "MON", "an": "ANN", "année": "ANN",
    "kg": "KGM", "g": "GRM", "m": "MTR", "m2": "MTK", "m²": "MTK", "l": "LTR",
    "forfait": "C62", "u": "C62", "unité": "C62", "unités": "C62", "pièce": "C62",
}  # fmt: skip
EMAIL_SCHEME = "EM"
NOT_DEFINED_PAYMENT = "1"
SEPA_TRANSFER = "58"
RECOVERY_INDEMNITY = "Indemnité forfaitaire pour frais de recouvrement : 40 €."


class NotIssued(ValidationError):
    """A draft (or a document waiting for validation) has no electronic invoice."""


def _check_issued(invoice: Invoice) -> None:
    if not invoice.is_frozen or not invoice.number or not invoice.snapshot:
        raise NotIssued(
            _(
                "Seule une facture émise a une facture électronique : émettez %(document)s "
                "avant de l'exporter."
            )
            % {"document": invoice},
            code="not_issued",
        )


def exemption(reason: str) -> tuple[str, str | None]:
    """The VAT category (BT-151) and VATEX code (BT-121) of a 0 % line, from its reason."""
    text = reason.lower()
    if "autoliquidation" in text or "283" in text:
        return VatCategory.REVERSE_CHARGE, "VATEX-EU-AE"
    if "intracommunautaire" in text or "262 ter" in text:
        return VatCategory.INTRA_COMMUNITY, "VATEX-EU-IC"
    if "export" in text or "262 i" in text:
        return VatCategory.EXPORT, "VATEX-EU-G"
    if "293 b" in text:
        return VatCategory.EXEMPT, "VATEX-FR-FRANCHISE"
    if "261-4" in text:
        return VatCategory.EXEMPT, "VATEX-FR-CGI261-4"
    return VatCategory.EXEMPT, None


def _category(rate: Decimal, reason: str) -> tuple[str, str | None]:
    if rate:
        return VatCategory.STANDARD, None
    return exemption(reason)


def _scheme_value(raw: str, default_scheme: str) -> Identifier:
    scheme, sep, value = raw.partition(":")
    if sep and scheme.isdigit() and len(scheme) == 4:
        return Identifier(value.strip(), scheme)
    return Identifier(raw.strip(), default_scheme)


def _seller(seller: dict[str, Any]) -> Party:
    siren = seller["siren"]
    capital = Decimal(seller.get("capital_cents") or 0) / 100
    legal = f"{seller.get('legal_form') or ''}".strip()
    if capital:
        legal += f" au capital de {capital:.2f} €".replace(".", ",")
    if seller.get("rcs_city"):
        legal += f", RCS {seller['rcs_city']} {siren}"
    address = seller.get("electronic_address") or ""
    return Party(
        name=seller["name"],
        trading_name=seller.get("business_name") or None,
        identifiers=[Identifier(seller["siret"], SCHEME_SIRET)] if seller.get("siret") else [],
        legal_id=Identifier(siren, SCHEME_SIREN),
        vat_id=seller.get("vat_number") or None,
        legal_info=legal.strip(" ,") or None,
        electronic_address=_scheme_value(address, SCHEME_FRENCH_ELECTRONIC_ADDRESS)
        if address
        else Identifier(siren, SCHEME_FRENCH_ELECTRONIC_ADDRESS),
        address=Address(
            line1=seller.get("address") or None,
            city=seller.get("city") or None,
            postcode=seller.get("postal_code") or None,
            country="FR",
        ),
        contact=Contact(
            name=seller.get("entrepreneur") or None,
            phone=seller.get("phone") or None,
            email=seller.get("email") or None,
        )
        if seller.get("email") or seller.get("phone")
        else None,
    )


def _buyer(customer: dict[str, Any]) -> Party:
    siren = customer.get("siren") or ""
    raw = customer.get("electronic_address") or ""
    if raw:
        electronic = _scheme_value(raw, SCHEME_FRENCH_ELECTRONIC_ADDRESS)
    elif siren:
        electronic = Identifier(siren, SCHEME_FRENCH_ELECTRONIC_ADDRESS)
    elif customer.get("email"):
        electronic = Identifier(customer["email"], EMAIL_SCHEME)
    else:
        electronic = None
    identifiers = [Identifier(customer["siret"], SCHEME_SIRET)] if customer.get("siret") else []
    return Party(
        name=customer["name"],
        identifiers=identifiers,
        legal_id=Identifier(siren, SCHEME_SIREN) if siren else None,
        vat_id=customer.get("vat_number") or None,
        electronic_address=electronic,
        address=Address(
            line1=customer.get("address") or None,
            city=customer.get("city") or None,
            postcode=customer.get("postal_code") or None,
            country=customer.get("country") or "FR",
        ),
        contact=Contact(email=customer["email"]) if customer.get("email") else None,
    )


def _process(customer: dict[str, Any]) -> str:
    """The French processing note (BAR): B2B, B2BINT (foreign business) or B2C."""
    if not customer.get("professional", True) or customer.get("kind") == Customer.Kind.INDIVIDUAL:
        return "B2C"
    if (customer.get("country") or "FR") != "FR":
        return "B2BINT"
    return "B2B"


def _frame(invoice: Invoice, has_deduction: bool) -> str:
    letters: dict[str, str] = {
        Invoice.OperationCategory.GOODS: "B",
        Invoice.OperationCategory.SERVICES: "S",
        Invoice.OperationCategory.MIXED: "M",
    }
    letter = letters.get(invoice.operation_category, "S")
    return f"{letter}4" if has_deduction and invoice.kind == Invoice.Kind.INVOICE else f"{letter}1"


def _name_and_description(text: str) -> tuple[str, str | None]:
    first = text.strip().splitlines()[0] if text.strip() else "-"
    name = first[:100]
    return name, (text.strip() if text.strip() != name else None)


def invoice_to_document(invoice: Invoice) -> Document:
    """The issued invoice or credit note as an EN 16931 document (see the module notes)."""
    _check_issued(invoice)
    snapshot = invoice.snapshot
    seller, customer = snapshot["seller"], snapshot["customer"]
    items = [line for line in invoice.lines.all() if line.line_type == LineType.ITEM]
    sales_totals = compute_totals(items)
    # The e-invoice says what the invoice says: never another total than the stored one.
    if (
        sales_totals.excl_vat_cents != invoice.total_excl_vat_cents
        or sales_totals.vat_cents != invoice.total_vat_cents
        or sales_totals.incl_vat_cents != invoice.total_incl_vat_cents
    ):
        raise ValueError(f"Les totaux de {invoice.number} ne correspondent pas à ses lignes.")

    lines: list[Line] = []
    # (category, rate) → [basis, reasons]; VAT per rate comes from the sales totals.
    groups: OrderedDict[tuple[str, Decimal], list[Any]] = OrderedDict()
    codes: dict[tuple[str, Decimal], str | None] = {}
    has_deduction = False
    for index, (item, net) in enumerate(zip(items, sales_totals.line_nets, strict=True), 1):
        rate = Decimal(item.vat_rate).quantize(Decimal("0.01"))
        category, code = _category(rate, item.vat_exemption_reason)
        key = (category, rate)
        group = groups.setdefault(key, [0, []])
        group[0] += net
        if item.vat_exemption_reason and item.vat_exemption_reason not in group[1]:
            group[1].append(item.vat_exemption_reason)
        codes.setdefault(key, code)
        has_deduction = has_deduction or item.quantity < 0
        name, description = _name_and_description(item.description)
        allowance = item.discount_cents
        if allowance and item.unit_price_incl_vat is not None:
            allowance = max(line_net_cents(item.quantity, item.unit_price) - net, 0)
        lines.append(
            Line(
                id=str(index),
                quantity=Decimal(item.quantity).normalize() + 0,
                unit_code=UNIT_CODES.get((item.unit or "").strip().lower(), "C62"),
                net_amount=net,
                allowances_charges=[
                    AllowanceCharge(amount=allowance, reason="Remise", reason_code="95")
                ]
                if allowance
                else [],
                net_price=Decimal(item.unit_price).normalize() + 0,
                vat_category=category,
                vat_rate=rate,
                name=name,
                description=description,
            )
        )
    vat_by_rate = {v.rate: v.vat_cents for v in sales_totals.vat_lines}
    breakdown = [
        VatBreakdown(
            basis=basis,
            amount=vat_by_rate[rate] if category == VatCategory.STANDARD else 0,
            category=category,
            rate=rate,
            exemption_reason="; ".join(reasons)[:1000] or None
            if category != VatCategory.STANDARD
            else None,
            exemption_reason_code=codes[(category, rate)],
        )
        for (category, rate), (basis, reasons) in groups.items()
    ]
    assert sum(b.basis or 0 for b in breakdown) == invoice.total_excl_vat_cents
    assert sum(b.amount or 0 for b in breakdown) == invoice.total_vat_cents

    professional = _process(customer) != "B2C"
    notes = [
        Note(
            invoice.late_penalty_text
            or _("Pénalités de retard : taux de la BCE majoré de 10 points."),
            NoteSubject.PENALTIES,
        ),
        Note(
            RECOVERY_INDEMNITY
            if professional
            else _("Indemnité forfaitaire pour frais de recouvrement : sans objet (particulier)."),
            NoteSubject.RECOVERY_INDEMNITY,
        ),
        Note(
            invoice.early_payment_text or _("Pas d'escompte pour paiement anticipé."),
            NoteSubject.EARLY_PAYMENT_DISCOUNT,
        ),
        Note(_process(customer), NoteSubject.BILLING_PROCESS),
    ]
    if invoice.notes:
        notes.append(Note(invoice.notes, NoteSubject.GENERAL))
    cape = seller.get("cape")
    if cape:
        notes.append(
            Note(
                _("Entrepreneur·e salarié·e en CAPE : %(person)s.") % {"person": cape["person"]},
                NoteSubject.REGULATORY,
            )
        )

    iban = seller.get("iban") or ""
    payment = PaymentInstructions(
        means_code=SEPA_TRANSFER if iban else NOT_DEFINED_PAYMENT,
        means_text=_("Virement SEPA") if iban else None,
        remittance_information=invoice.number,
        credit_transfers=[CreditTransfer(account_id=iban, account_name=seller["name"])]
        if iban
        else [],
    )
    preceding = []
    original = invoice.credited_invoice if invoice.is_credit_note else None
    if original is not None:
        preceding = [PrecedingInvoice(original.number or "", original.issue_date)]
    if seller.get("vat_on_debits"):
        vat_point = VatPointDateCode.ISSUE_DATE.value
    elif invoice.operation_category == Invoice.OperationCategory.SERVICES:
        vat_point = VatPointDateCode.PAID_TO_DATE.value
    else:
        vat_point = None
    delivery_country = customer.get("delivery_country") or customer.get("country") or "FR"
    delivery = Delivery(
        date=invoice.supply_date,
        address=Address(
            line1=customer.get("delivery_address") or None,
            city=customer.get("delivery_city") or None,
            postcode=customer.get("delivery_postal_code") or None,
            country=delivery_country,
        )
        if customer.get("delivery_address") or delivery_country != "FR"
        else None,
    )
    due = invoice.total_incl_vat_cents
    return Document(
        number=invoice.number or "",
        issue_date=invoice.issue_date,
        type_code=invoice.type_code,
        currency="EUR",
        vat_point_date_code=vat_point,
        due_date=invoice.due_date,
        payment_terms=_("À payer au plus tard le %(date)s.")
        % {"date": invoice.due_date.strftime("%d/%m/%Y")}
        if invoice.due_date and not invoice.is_credit_note
        else None,
        buyer_reference=None,
        notes=notes,
        business_process=_frame(invoice, has_deduction),
        preceding_invoices=preceding,
        seller=_seller(seller),
        buyer=_buyer(customer),
        delivery=delivery,
        payment=payment,
        lines=lines,
        vat_breakdown=breakdown,
        totals=Totals(
            line_total=invoice.total_excl_vat_cents,
            tax_exclusive=invoice.total_excl_vat_cents,
            vat_total=invoice.total_vat_cents,
            tax_inclusive=invoice.total_incl_vat_cents,
            due=due,
        ),
    )


def invoice_cii(invoice: Invoice) -> bytes:
    """The Factur-X EN 16931 CII XML of an issued invoice."""
    return cii.to_cii(invoice_to_document(invoice))


def invoice_ubl(invoice: Invoice) -> bytes:
    """The UBL 2.1 Invoice (or CreditNote) XML of an issued invoice."""
    return ubl.to_ubl(invoice_to_document(invoice))


def invoice_facturx(invoice: Invoice) -> bytes:
    """The Factur-X PDF: the invoice's PDF/A-3 with its CII XML embedded."""
    from alveole.sales.pdf import invoice_pdf  # WeasyPrint is imported lazily by pdf.py

    document = invoice_to_document(invoice)
    return pdf.embed_cii(
        invoice_pdf(invoice), cii.to_cii(document), metadata=pdf.pdf_metadata(document)
    )


def export(invoice: Invoice, fmt: str) -> tuple[bytes, str, str]:
    """(content, file name, content type) of an issued invoice in a format of `FORMATS`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    _check_issued(invoice)
    build = {"facturx": invoice_facturx, "cii": invoice_cii, "ubl": invoice_ubl}[fmt]
    return build(invoice), f"{invoice.number}.{EXTENSIONS[fmt]}", CONTENT_TYPES[fmt]
