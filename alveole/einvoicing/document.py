"""The neutral invoice: the EN 16931 business terms Alvéole emits and reads, free of any syntax.

Conventions, the same as `alveole.core.money`:

- every **monetary amount** (BT-92…BT-117, BT-131, BT-136, BT-141…) is an ``int`` of cents
  in the invoice currency, possibly negative;
- **quantities, unit prices and percentages** (BT-129, BT-146…BT-149, BT-152, BT-119…) are
  ``Decimal``, never rounded here (unit prices may carry up to 6 decimals);
- dates are ``datetime.date``; codes are plain strings (a received invoice may carry any
  code of the code list, so they are not closed enumerations; the constants below name the
  ones Alvéole uses);
- a term that is absent is ``None`` (or an empty list), never an empty string.

Each field is annotated with its business term (``Annotated[str, "BT-1"]``), so that
documentation and tests can walk the model (`business_terms`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, get_type_hints

#: BT-24 for the EN 16931 profile (Factur-X EN 16931 and plain EN 16931 UBL).
EN16931_SPECIFICATION = "urn:cen.eu:en16931:2017"


class TypeCode(StrEnum):
    """BT-3, the document types Alvéole issues (UNTDID 1001)."""

    INVOICE = "380"
    CREDIT_NOTE = "381"
    CORRECTIVE = "384"
    DEPOSIT = "386"


#: BT-3 codes that are written as a UBL CreditNote (EN 16931 UBL binding).
CREDIT_NOTE_TYPE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)


class VatPointDateCode(StrEnum):
    """BT-8 in the semantic model (UNTDID 2005). CII writes 5 / 29 / 72 for the same meanings."""

    ISSUE_DATE = "3"  # VAT on debits ("option pour le paiement de la taxe d'après les débits")
    DELIVERY_DATE = "35"
    PAID_TO_DATE = "432"  # VAT due on payment (services, no option)


class NoteSubject(StrEnum):
    """BT-21 subject codes (UNTDID 4451) the French rules ask for."""

    PENALTIES = "PMD"  # late-payment penalties
    RECOVERY_INDEMNITY = "PMT"  # the flat 40 € recovery indemnity
    EARLY_PAYMENT_DISCOUNT = "AAB"  # discount for early payment, or its absence
    REGULATORY = "REG"  # regulatory information (e.g. CAPE mention)
    TAX = "TXD"
    GENERAL = "AAI"
    BILLING_PROCESS = "BAR"  # French "traitement": B2B, B2BINT, B2C, OUTOFSCOPE, ARCHIVEONLY


class VatCategory(StrEnum):
    """BT-118 / BT-151 (UNTDID 5305 subset used in France)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"


#: BT-23 billing frames of the French reform ("cadre de facturation").
BILLING_FRAMES = frozenset(
    {
        *("B1", "S1", "M1", "B2", "S2", "M2", "S3", "B4", "S4", "M4"),
        *("S5", "S6", "B7", "S7", "B8", "S8", "M8", "B9", "S9", "M9"),
    }
)

#: Scheme identifiers (ISO 6523 ICD / EAS) Alvéole writes.
SCHEME_SIREN = "0002"
SCHEME_SIRET = "0009"
SCHEME_FRENCH_ELECTRONIC_ADDRESS = "0225"


@dataclass
class Identifier:
    """An identifier with its optional scheme (BT-29/29-1, BT-30/30-1, BT-34/34-1…)."""

    value: str
    scheme: str | None = None


@dataclass
class Address:
    """A postal address (BG-5 seller, BG-8 buyer, BG-12 tax representative, BG-15 delivery)."""

    line1: Annotated[str | None, "BT-35"] = None
    line2: Annotated[str | None, "BT-36"] = None
    line3: Annotated[str | None, "BT-162"] = None
    city: Annotated[str | None, "BT-37"] = None
    postcode: Annotated[str | None, "BT-38"] = None
    subdivision: Annotated[str | None, "BT-39"] = None
    country: Annotated[str | None, "BT-40"] = None


@dataclass
class Contact:
    """A contact point (BG-6 seller, BG-9 buyer)."""

    name: Annotated[str | None, "BT-41"] = None
    phone: Annotated[str | None, "BT-42"] = None
    email: Annotated[str | None, "BT-43"] = None


@dataclass
class Party:
    """A trade party: seller (BG-4), buyer (BG-7), payee (BG-10) or tax representative (BG-11).

    The term numbers are the seller's; the buyer's are BT-44 name, BT-45 trading name,
    BT-46 identifiers, BT-47 legal registration (SIREN), BT-48 VAT, BT-49 electronic address.
    """

    name: Annotated[str | None, "BT-27"] = None
    trading_name: Annotated[str | None, "BT-28"] = None
    identifiers: Annotated[list[Identifier], "BT-29"] = field(default_factory=list)
    legal_id: Annotated[Identifier | None, "BT-30"] = None  # SIREN: scheme 0002
    vat_id: Annotated[str | None, "BT-31"] = None
    tax_registration_id: Annotated[str | None, "BT-32"] = None
    legal_info: Annotated[str | None, "BT-33"] = None  # legal form, capital, RCS…
    electronic_address: Annotated[Identifier | None, "BT-34"] = None
    address: Annotated[Address | None, "BG-5"] = None
    contact: Annotated[Contact | None, "BG-6"] = None


@dataclass
class Delivery:
    """Delivery information (BG-13)."""

    party_name: Annotated[str | None, "BT-70"] = None
    location_id: Annotated[Identifier | None, "BT-71"] = None
    date: Annotated[datetime.date | None, "BT-72"] = None
    address: Annotated[Address | None, "BG-15"] = None


@dataclass
class CreditTransfer:
    """A bank account to pay to (BG-17)."""

    account_id: Annotated[str | None, "BT-84"] = None  # IBAN
    account_name: Annotated[str | None, "BT-85"] = None
    bic: Annotated[str | None, "BT-86"] = None


@dataclass
class PaymentInstructions:
    """How to pay (BG-16), with bank accounts (BG-17), card (BG-18) and direct debit (BG-19)."""

    means_code: Annotated[str | None, "BT-81"] = (
        None  # 30 credit transfer, 58 SEPA credit transfer…
    )
    means_text: Annotated[str | None, "BT-82"] = None
    remittance_information: Annotated[str | None, "BT-83"] = None
    credit_transfers: Annotated[list[CreditTransfer], "BG-17"] = field(default_factory=list)
    card_account: Annotated[str | None, "BT-87"] = None
    card_holder: Annotated[str | None, "BT-88"] = None
    mandate_id: Annotated[str | None, "BT-89"] = None
    creditor_id: Annotated[str | None, "BT-90"] = None
    debited_account: Annotated[str | None, "BT-91"] = None


@dataclass
class Note:
    """An invoice note (BG-1): a text with an optional subject code."""

    text: Annotated[str, "BT-22"] = ""
    subject_code: Annotated[str | None, "BT-21"] = None


@dataclass
class PrecedingInvoice:
    """A reference to an earlier invoice (BG-3), mandatory on credit notes for BR-FR."""

    number: Annotated[str, "BT-25"] = ""
    issue_date: Annotated[datetime.date | None, "BT-26"] = None


@dataclass
class SupportingDocument:
    """An additional supporting document (BG-24)."""

    id: Annotated[str, "BT-122"] = ""
    description: Annotated[str | None, "BT-123"] = None
    uri: Annotated[str | None, "BT-124"] = None
    content: Annotated[bytes | None, "BT-125"] = None
    mime_code: Annotated[str | None, "BT-125-1"] = None
    filename: Annotated[str | None, "BT-125-2"] = None


@dataclass
class AllowanceCharge:
    """A document-level (BG-20/BG-21) or line-level (BG-27/BG-28) allowance or charge.

    Document level: BT-92 amount, BT-93 base, BT-94 percentage, BT-95 VAT category,
    BT-96 VAT rate, BT-97 reason, BT-98 reason code (BT-99…BT-105 for charges).
    Line level: BT-136…BT-140 (allowances), BT-141…BT-145 (charges); no VAT fields.
    """

    is_charge: bool = False
    amount: Annotated[int, "BT-92"] = 0
    base_amount: Annotated[int | None, "BT-93"] = None
    percentage: Annotated[Decimal | None, "BT-94"] = None
    vat_category: Annotated[str | None, "BT-95"] = None
    vat_rate: Annotated[Decimal | None, "BT-96"] = None
    reason: Annotated[str | None, "BT-97"] = None
    reason_code: Annotated[str | None, "BT-98"] = None


@dataclass
class ItemAttribute:
    """An item attribute (BG-32)."""

    name: Annotated[str, "BT-160"] = ""
    value: Annotated[str, "BT-161"] = ""


@dataclass
class Line:
    """An invoice line (BG-25) with its price details (BG-29) and item (BG-31)."""

    id: Annotated[str, "BT-126"] = ""
    note: Annotated[str | None, "BT-127"] = None
    object_id: Annotated[Identifier | None, "BT-128"] = None
    quantity: Annotated[Decimal | None, "BT-129"] = None
    unit_code: Annotated[str | None, "BT-130"] = None  # UN/ECE rec 20: C62 unit, HUR hour, DAY…
    net_amount: Annotated[int | None, "BT-131"] = None
    order_line_reference: Annotated[str | None, "BT-132"] = None
    accounting_reference: Annotated[str | None, "BT-133"] = None
    period_start: Annotated[datetime.date | None, "BT-134"] = None
    period_end: Annotated[datetime.date | None, "BT-135"] = None
    allowances_charges: Annotated[list[AllowanceCharge], "BG-27"] = field(default_factory=list)
    net_price: Annotated[Decimal | None, "BT-146"] = None
    price_discount: Annotated[Decimal | None, "BT-147"] = None
    gross_price: Annotated[Decimal | None, "BT-148"] = None
    price_base_quantity: Annotated[Decimal | None, "BT-149"] = None
    price_base_unit_code: Annotated[str | None, "BT-150"] = None
    vat_category: Annotated[str | None, "BT-151"] = None
    vat_rate: Annotated[Decimal | None, "BT-152"] = None
    name: Annotated[str | None, "BT-153"] = None
    description: Annotated[str | None, "BT-154"] = None
    seller_item_id: Annotated[str | None, "BT-155"] = None
    buyer_item_id: Annotated[str | None, "BT-156"] = None
    standard_item_id: Annotated[Identifier | None, "BT-157"] = None
    classifications: Annotated[list[Identifier], "BT-158"] = field(default_factory=list)
    origin_country: Annotated[str | None, "BT-159"] = None
    attributes: Annotated[list[ItemAttribute], "BG-32"] = field(default_factory=list)


@dataclass
class VatBreakdown:
    """One VAT breakdown (BG-23): a category and rate with its basis and amount."""

    basis: Annotated[int | None, "BT-116"] = None
    amount: Annotated[int | None, "BT-117"] = None
    category: Annotated[str | None, "BT-118"] = None
    rate: Annotated[Decimal | None, "BT-119"] = None
    exemption_reason: Annotated[str | None, "BT-120"] = None
    exemption_reason_code: Annotated[str | None, "BT-121"] = None


@dataclass
class Totals:
    """Document totals (BG-22), in cents."""

    line_total: Annotated[int | None, "BT-106"] = None
    allowance_total: Annotated[int | None, "BT-107"] = None
    charge_total: Annotated[int | None, "BT-108"] = None
    tax_exclusive: Annotated[int | None, "BT-109"] = None
    vat_total: Annotated[int | None, "BT-110"] = None
    vat_total_accounting_currency: Annotated[int | None, "BT-111"] = None
    tax_inclusive: Annotated[int | None, "BT-112"] = None
    prepaid: Annotated[int | None, "BT-113"] = None
    rounding: Annotated[int | None, "BT-114"] = None
    due: Annotated[int | None, "BT-115"] = None


@dataclass
class Invoice:
    """An invoice or credit note as EN 16931 describes it, independent of CII or UBL."""

    number: Annotated[str, "BT-1"] = ""
    issue_date: Annotated[datetime.date | None, "BT-2"] = None
    type_code: Annotated[str, "BT-3"] = TypeCode.INVOICE.value
    currency: Annotated[str, "BT-5"] = "EUR"
    accounting_currency: Annotated[str | None, "BT-6"] = None
    tax_point_date: Annotated[datetime.date | None, "BT-7"] = None
    vat_point_date_code: Annotated[str | None, "BT-8"] = None
    due_date: Annotated[datetime.date | None, "BT-9"] = None
    buyer_reference: Annotated[str | None, "BT-10"] = None
    project_reference: Annotated[str | None, "BT-11"] = None
    contract_reference: Annotated[str | None, "BT-12"] = None
    order_reference: Annotated[str | None, "BT-13"] = None
    sales_order_reference: Annotated[str | None, "BT-14"] = None
    receiving_advice_reference: Annotated[str | None, "BT-15"] = None
    despatch_advice_reference: Annotated[str | None, "BT-16"] = None
    tender_reference: Annotated[str | None, "BT-17"] = None
    invoiced_object: Annotated[Identifier | None, "BT-18"] = None
    buyer_accounting_reference: Annotated[str | None, "BT-19"] = None
    payment_terms: Annotated[str | None, "BT-20"] = None
    notes: Annotated[list[Note], "BG-1"] = field(default_factory=list)
    business_process: Annotated[str | None, "BT-23"] = None  # French billing frame: B1, S1, M1…
    specification_id: Annotated[str, "BT-24"] = EN16931_SPECIFICATION
    preceding_invoices: Annotated[list[PrecedingInvoice], "BG-3"] = field(default_factory=list)
    seller: Annotated[Party, "BG-4"] = field(default_factory=Party)
    buyer: Annotated[Party, "BG-7"] = field(default_factory=Party)
    payee: Annotated[Party | None, "BG-10"] = None
    tax_representative: Annotated[Party | None, "BG-11"] = None
    delivery: Annotated[Delivery | None, "BG-13"] = None
    period_start: Annotated[datetime.date | None, "BT-73"] = None
    period_end: Annotated[datetime.date | None, "BT-74"] = None
    payment: Annotated[PaymentInstructions | None, "BG-16"] = None
    supporting_documents: Annotated[list[SupportingDocument], "BG-24"] = field(default_factory=list)
    allowances_charges: Annotated[list[AllowanceCharge], "BG-20"] = field(default_factory=list)
    lines: Annotated[list[Line], "BG-25"] = field(default_factory=list)
    vat_breakdown: Annotated[list[VatBreakdown], "BG-23"] = field(default_factory=list)
    totals: Annotated[Totals, "BG-22"] = field(default_factory=Totals)

    @property
    def is_credit_note(self) -> bool:
        """True for the document types that are credit notes (written as UBL CreditNote)."""
        return self.type_code in CREDIT_NOTE_TYPE_CODES

    @property
    def vat_on_debits(self) -> bool:
        """True when BT-8 says the VAT is due at issue: the seller opted for debits."""
        return self.vat_point_date_code == VatPointDateCode.ISSUE_DATE

    def notes_with_subject(self, subject_code: str) -> list[Note]:
        """The notes (BG-1) that carry this subject code (BT-21)."""
        return [note for note in self.notes if note.subject_code == subject_code]


def business_terms(cls: type) -> dict[str, str]:
    """Map each field name of a model class to the business term it carries ("BT-1", "BG-25")."""
    hints = get_type_hints(cls, include_extras=True)
    terms = {}
    for item in fields(cls):
        metadata = getattr(hints[item.name], "__metadata__", ())
        if metadata:
            terms[item.name] = metadata[0]
    return terms
