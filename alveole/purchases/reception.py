"""From a received e-invoice file to what a supplier invoice needs — no database here.

`parse_received(content)` reads any PDF, CII or UBL file with `alveole.einvoicing.reading`
and returns the supplier's identity, the invoice's fields, its lines (document allowances
and charges included), the VAT per rate and the totals as declared, plus the findings of
the reading itself (missing VAT breakdown, invalid identifiers) and the discrepancies
between the lines and the declared totals. A file that is not a readable invoice raises
`Unreadable` with the reason in French.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum import iban as std_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

from alveole.einvoicing import pdf, reading, totals
from alveole.einvoicing.document import (
    CREDIT_NOTE_TYPE_CODES,
    SCHEME_SIREN,
    SCHEME_SIRET,
    Invoice,
    Party,
)
from alveole.einvoicing.xmltools import NotAnInvoice
from alveole.purchases import amounts
from alveole.purchases.identifiers import clean_vat_number

QUANTITY_PLACES = Decimal("0.000001")
PRICE_PLACES = Decimal("0.00000001")
MAX_QUANTITY = Decimal("1e14")
MAX_PRICE = Decimal("1e16")


class Unreadable(ValueError):
    """The file is not an e-invoice Alvéole can take in; the message says why, in French."""


@dataclass
class SupplierData:
    """Who the supplier is, as the invoice says (BG-4)."""

    name: str
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    registration_id: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    email: str = ""
    electronic_address: str = ""
    electronic_address_scheme: str = ""
    iban: str = ""
    bic: str = ""


@dataclass
class LineData:
    """A line (or a document allowance or charge) of the invoice."""

    kind: str  # "line", "allowance", "charge"
    description: str
    quantity: Decimal | None
    unit: str
    unit_price: Decimal | None
    vat_category: str
    vat_rate: Decimal | None
    net_cents: int
    vat_cents: int = 0


@dataclass
class FindingData:
    """A finding of the reading, in the shape of `models.InvoiceFinding`."""

    source: str  # "reception" or "totals"
    severity: str  # "warning" or "info"
    message: str
    rule_id: str = ""


@dataclass
class ReceivedData:
    """Everything a supplier invoice is made of, read from the file."""

    supplier: SupplierData
    number: str
    type_code: str
    is_credit_note: bool
    issue_date: datetime.date
    due_date: datetime.date | None
    currency: str
    syntax: str
    profile: str
    buyer_name: str
    buyer_siren: str
    buyer_vat_number: str
    buyer_references: list[str]
    total_excl_vat_cents: int
    total_vat_cents: int
    total_incl_vat_cents: int
    prepaid_cents: int
    due_cents: int
    lines: list[LineData] = field(default_factory=list)
    vat_rows: list[amounts.VatRow] = field(default_factory=list)
    findings: list[FindingData] = field(default_factory=list)


def parse_received(content: bytes) -> ReceivedData:
    """Read a received e-invoice file, or raise Unreadable with the reason."""
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not content:
        raise Unreadable(_("Le fichier est vide."))
    if not pdf.is_pdf(content) and not stripped.startswith(b"<"):
        raise Unreadable(
            _(
                "Ce fichier n'est ni un PDF ni un XML : une facture électronique est un PDF "
                "Factur-X (ou ZUGFeRD) ou un fichier XML CII ou UBL."
            )
        )
    try:
        read = reading.read(content)
    except NotAnInvoice as error:
        raise Unreadable(str(error)) from None
    return from_invoice(read.invoice, syntax=read.syntax)


def _required(invoice: Invoice) -> None:
    missing = []
    if not (invoice.number or "").strip():
        missing.append(_("le numéro de la facture (BT-1)"))
    if invoice.issue_date is None:
        missing.append(_("sa date d'émission (BT-2)"))
    if not (invoice.seller.name or "").strip():
        missing.append(_("le nom du fournisseur (BT-27)"))
    if invoice.totals.tax_inclusive is None and invoice.totals.due is None:
        missing.append(_("son montant TTC (BT-112)"))
    if missing:
        raise Unreadable(
            _("La facture est incomplète ou illisible : il manque %(what)s.")
            % {"what": ", ".join(missing)}
        )


def from_invoice(invoice: Invoice, *, syntax: str) -> ReceivedData:
    """Map a neutral invoice to the data of a supplier invoice, with the reading's findings."""
    _required(invoice)
    findings: list[FindingData] = []
    supplier = supplier_data(invoice.seller, findings)
    supplier.iban, supplier.bic = bank_details(invoice)
    lines = _lines(invoice, findings)
    rows = _vat_rows(invoice, lines, findings)
    line_vats = amounts.line_vats(
        [(ln.vat_category, ln.vat_rate, ln.net_cents) for ln in lines], rows
    )
    for line, vat in zip(lines, line_vats, strict=True):
        line.vat_cents = vat
    declared = invoice.totals
    total_vat = declared.vat_total
    if total_vat is None:
        total_vat = sum(row.vat_cents for row in rows)
    incl = declared.tax_inclusive
    excl = declared.tax_exclusive
    if incl is None:
        incl = (declared.due or 0) + (declared.prepaid or 0) - (declared.rounding or 0)
    if excl is None:
        excl = incl - total_vat
    due = declared.due
    if due is None:
        due = incl - (declared.prepaid or 0) + (declared.rounding or 0)
    for discrepancy in totals.discrepancies(invoice):
        findings.append(
            FindingData("totals", "warning", discrepancy.message, rule_id=discrepancy.term)
        )
    buyer = invoice.buyer
    buyer_siren = ""
    if buyer.legal_id is not None:
        buyer_siren = _french_siren(buyer.legal_id.value, buyer.legal_id.scheme, "FR")
    references = [
        ref.strip()
        for ref in (
            invoice.buyer_reference,
            invoice.buyer_accounting_reference,
            invoice.order_reference,
        )
        if ref and ref.strip()
    ]
    return ReceivedData(
        supplier=supplier,
        number=invoice.number.strip()[:100],
        type_code=(invoice.type_code or "380")[:3],
        is_credit_note=invoice.type_code in CREDIT_NOTE_TYPE_CODES,
        issue_date=invoice.issue_date,  # type: ignore[arg-type]  # checked by _required
        due_date=invoice.due_date,
        currency=(invoice.currency or "EUR").upper()[:3],
        syntax=syntax,
        profile=(invoice.specification_id or "")[:200],
        buyer_name=(buyer.name or "").strip(),
        buyer_siren=buyer_siren,
        buyer_vat_number=(buyer.vat_id or "").replace(" ", "").upper(),
        buyer_references=references,
        total_excl_vat_cents=excl,
        total_vat_cents=total_vat,
        total_incl_vat_cents=incl,
        prepaid_cents=declared.prepaid or 0,
        due_cents=due,
        lines=lines,
        vat_rows=rows,
        findings=findings,
    )


def _french_siren(value: str, scheme: str | None, country: str | None) -> str:
    """A SIREN from a legal identifier: scheme 0002, or a French one without scheme.

    Some producers put the SIRET (14 digits) where the SIREN goes: its first nine digits
    are then the SIREN.
    """
    if scheme not in (SCHEME_SIREN, None, "") or (not scheme and country not in ("FR", None)):
        return ""
    digits = value.replace(" ", "")
    if len(digits) == 14 and digits.isdigit():
        digits = digits[:9]
    try:
        return std_siren.validate(digits)
    except StdnumError:
        return ""


def supplier_data(party: Party, findings: list[FindingData]) -> SupplierData:
    """The supplier's identity from the seller party, keeping only valid identifiers."""
    address = party.address
    country = ((address.country if address else None) or "").upper()[:2]
    data = SupplierData(name=(party.name or party.trading_name or "").strip()[:200])
    if address is not None:
        lines = [address.line1, address.line2, address.line3]
        data.address = ", ".join(x.strip() for x in lines if x and x.strip())[:255]
        data.postal_code = (address.postcode or "").strip()[:12]
        data.city = (address.city or "").strip()[:100]
    data.country = country
    if party.legal_id is not None:
        data.siren = _french_siren(party.legal_id.value, party.legal_id.scheme, country or None)
        if not data.siren:
            data.registration_id = party.legal_id.value.strip()[:100]
        elif len(party.legal_id.value.strip()) == 14 and std_siret.is_valid(party.legal_id.value):
            data.siret = std_siret.compact(party.legal_id.value)
    for identifier in party.identifiers:
        if identifier.scheme == SCHEME_SIRET and std_siret.is_valid(identifier.value):
            data.siret = std_siret.compact(identifier.value)
            data.siren = data.siren or data.siret[:9]
    if party.vat_id:
        try:
            data.vat_number = clean_vat_number(party.vat_id)
        except ValidationError:
            findings.append(
                FindingData(
                    "reception",
                    "warning",
                    _(
                        "Le numéro de TVA du fournisseur « %(value)s » n'est pas valide : il n'a "
                        "pas été enregistré."
                    )
                    % {"value": party.vat_id},
                    rule_id="BT-31",
                )
            )
    if party.contact is not None and party.contact.email:
        try:
            validate_email(party.contact.email.strip())
        except ValidationError:
            pass  # an address mail cannot reach is no use on the supplier's record
        else:
            data.email = party.contact.email.strip()[:254]
    if party.electronic_address is not None:
        data.electronic_address = party.electronic_address.value.strip()[:100]
        data.electronic_address_scheme = (party.electronic_address.scheme or "")[:10]
    return data


def bank_details(invoice: Invoice) -> tuple[str, str]:
    """The first valid IBAN (and its BIC) the invoice asks to be paid to."""
    if invoice.payment is None:
        return "", ""
    for transfer in invoice.payment.credit_transfers:
        if transfer.account_id and std_iban.is_valid(transfer.account_id):
            return std_iban.compact(transfer.account_id), (transfer.bic or "").strip()[:11]
    return "", ""


def _quantize(value: Decimal | None, places: Decimal, limit: Decimal) -> Decimal | None:
    if value is None:
        return None
    try:
        rounded = value.quantize(places, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return rounded if abs(rounded) < limit else None


def _lines(invoice: Invoice, findings: list[FindingData]) -> list[LineData]:
    result = []
    for line in invoice.lines:
        net = line.net_amount
        if net is None:
            net = totals.line_net_amount(line)
        if net is None:
            findings.append(
                FindingData(
                    "reception",
                    "warning",
                    _("La ligne %(id)s n'a pas de montant net lisible : comptée pour 0.")
                    % {"id": line.id or "?"},
                    rule_id="BT-131",
                )
            )
            net = 0
        price = line.net_price
        if price is not None and line.price_base_quantity not in (None, Decimal(0)):
            price = price / line.price_base_quantity  # type: ignore[operator]
        result.append(
            LineData(
                kind="line",
                description=(
                    line.name
                    or line.description
                    or line.note
                    or _("Ligne %(id)s") % {"id": line.id}
                ).strip(),
                quantity=_quantize(line.quantity, QUANTITY_PLACES, MAX_QUANTITY),
                unit=(line.unit_code or "")[:20],
                unit_price=_quantize(price, PRICE_PLACES, MAX_PRICE),
                vat_category=(line.vat_category or "")[:3],
                vat_rate=_quantize(line.vat_rate, Decimal("0.01"), Decimal(1000)),
                net_cents=net,
            )
        )
    for allowance in invoice.allowances_charges:
        kind = "charge" if allowance.is_charge else "allowance"
        label = _("Frais") if allowance.is_charge else _("Remise")
        reason = (allowance.reason or allowance.reason_code or "").strip()
        result.append(
            LineData(
                kind=kind,
                description=f"{label} : {reason}" if reason else label,
                quantity=None,
                unit="",
                unit_price=None,
                vat_category=(allowance.vat_category or "")[:3],
                vat_rate=_quantize(allowance.vat_rate, Decimal("0.01"), Decimal(1000)),
                net_cents=allowance.amount if allowance.is_charge else -allowance.amount,
            )
        )
    return result


def _vat_rows(
    invoice: Invoice, lines: list[LineData], findings: list[FindingData]
) -> list[amounts.VatRow]:
    rows = []
    for breakdown in invoice.vat_breakdown:
        category = (breakdown.category or "")[:3]
        rate = _quantize(breakdown.rate, Decimal("0.01"), Decimal(1000))
        basis = breakdown.basis
        if basis is None:
            basis = sum(
                ln.net_cents
                for ln in lines
                if amounts.rate_key(ln.vat_category, ln.vat_rate)
                == amounts.rate_key(category, rate)
            )
        vat = breakdown.amount
        if vat is None:
            vat = amounts.vat_of(basis, rate)
        rows.append(
            amounts.VatRow(
                category,
                rate,
                basis,
                vat,
                amounts.deductible(category, vat),
                (breakdown.exemption_reason or breakdown.exemption_reason_code or "")[:255],
            )
        )
    if rows:
        return rows
    declared = invoice.totals
    vat_total = declared.vat_total
    if (
        vat_total is None
        and declared.tax_inclusive is not None
        and declared.tax_exclusive is not None
    ):
        vat_total = declared.tax_inclusive - declared.tax_exclusive
    findings.append(
        FindingData(
            "reception",
            "warning",
            _(
                "La facture ne détaille pas la TVA par taux (profil MINIMUM ou incomplet) : la "
                "TVA déductible est à vérifier sur la facture et à ventiler par taux."
            ),
            rule_id="BG-23",
        )
    )
    basis = declared.tax_exclusive if declared.tax_exclusive is not None else 0
    return [amounts.VatRow("", None, basis, vat_total or 0, vat_total or 0)]
