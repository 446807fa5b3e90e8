"""The shapes of the sales API. Amounts are integer cents; quantities and prices decimals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from alveole.core.api import PageQuery, inline_enum
from alveole.core.validators import LARGEST_ID
from alveole.people.schemas import StrictIn
from alveole.sales.models import Customer, Invoice, Payment, Quote
from alveole.sales.services import ISSUE_BATCH_MAX

CustomerKind = inline_enum(Customer.Kind)
QuoteStatus = inline_enum(Quote.Status)
InvoiceKind = inline_enum(Invoice.Kind)


class SalesQuery(PageQuery):
    """Filters shared by the sales lists: the same as the pages."""

    q: str = Field("", description="Recherche (numéro, objet, client).")
    business: int | None = Field(None, description="Identifiant de l'activité.")
    customer: int | None = Field(None, description="Identifiant du client.")
    status: str = Field("", description="Statut (ou moyen de paiement pour les paiements).")
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    late: bool = Field(False, description="Factures échues non soldées seulement.")


class CustomerOut(Schema):
    id: int
    business_id: int
    kind: str
    name: str
    siren: str
    siret: str
    vat_number: str
    address: str
    postal_code: str
    city: str
    country: str
    department: str
    delivery_address: str
    delivery_postal_code: str
    delivery_city: str
    delivery_country: str
    email: str
    electronic_address: str
    internal_business_id: int | None
    payment_terms_days: int | None
    notes: str
    archived: bool


class CustomerPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CustomerOut]


class CustomerPatch(StrictIn):
    """Only the fields sent change."""

    kind: CustomerKind | None = None
    name: str | None = None
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    department: str | None = None
    delivery_address: str | None = None
    delivery_postal_code: str | None = None
    delivery_city: str | None = None
    delivery_country: str | None = None
    email: str | None = None
    electronic_address: str | None = None
    internal_business_id: int | None = None
    payment_terms_days: int | None = None
    notes: str | None = None
    archived: bool | None = None


class CustomerIn(CustomerPatch):
    business_id: int
    kind: CustomerKind  # type: ignore[assignment]
    name: str  # type: ignore[assignment]
    address: str  # type: ignore[assignment]
    postal_code: str  # type: ignore[assignment]
    city: str  # type: ignore[assignment]


class LineIn(StrictIn):
    line_type: Literal["item", "section"] = "item"
    description: str
    quantity: Decimal = Decimal(1)
    unit: str = ""
    unit_price: Decimal = Decimal(0)
    unit_price_incl_vat: Decimal | None = Field(
        None, description="Prix unitaire TTC : obligatoire quand le document est saisi TTC."
    )
    discount_cents: int = 0
    vat_rate: Decimal = Decimal(20)
    vat_exemption_reason: str = ""
    nature: Literal["goods", "service"] = "service"


class LineOut(Schema):
    position: int
    line_type: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    unit_price_incl_vat: Decimal | None
    discount_cents: int
    vat_rate: Decimal
    vat_exemption_reason: str
    nature: str
    net_cents: int
    incl_vat_cents: int | None


class StateChangeOut(Schema):
    at: datetime.datetime
    actor_id: int | None
    from_status: str
    to_status: str
    note: str


class QuoteIn(StrictIn):
    business_id: int
    customer_id: int
    issue_date: datetime.date | None = None
    validity_date: datetime.date | None = None
    title: str = ""
    notes: str = ""
    prices_include_vat: bool | None = Field(
        None, description="Prix saisis TTC ; absent : TTC pour un particulier, HT sinon."
    )
    lines: list[LineIn] = []


class QuotePatch(StrictIn):
    customer_id: int | None = None
    issue_date: datetime.date | None = None
    validity_date: datetime.date | None = None
    title: str | None = None
    notes: str | None = None
    prices_include_vat: bool | None = None
    lines: list[LineIn] | None = None


class QuoteOut(Schema):
    id: int
    business_id: int
    customer_id: int
    number: str | None
    status: QuoteStatus
    title: str
    issue_date: datetime.date
    validity_date: datetime.date
    notes: str
    prices_include_vat: bool
    total_excl_vat_cents: int
    total_vat_cents: int
    total_incl_vat_cents: int
    lines: list[LineOut] = []
    history: list[StateChangeOut] = []


class QuotePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[QuoteOut]


class QuoteInvoiceIn(StrictIn):
    mode: Literal["full", "deposit", "final"] = "full"
    percent: Decimal | None = None


class InvoiceIn(StrictIn):
    business_id: int
    customer_id: int
    kind: Literal["invoice", "deposit"] = "invoice"
    title: str = ""
    supply_date: datetime.date | None = None
    due_date: datetime.date | None = None
    notes: str = ""
    prices_include_vat: bool | None = Field(
        None, description="Prix saisis TTC ; absent : TTC pour un particulier, HT sinon."
    )
    lines: list[LineIn] = []


#: An id as the database stores it.
InvoiceId = Annotated[int, Field(ge=1, le=LARGEST_ID)]


class InvoicesIssueIn(StrictIn):
    invoice_ids: list[InvoiceId] = Field(
        min_length=1,
        max_length=ISSUE_BATCH_MAX,
        description=f"Les brouillons à émettre, numérotés dans cet ordre "
        f"({ISSUE_BATCH_MAX} au plus).",
    )
    issue_date: datetime.date | None = Field(None, description="Absente : aujourd'hui.")


class InvoicePatch(StrictIn):
    customer_id: int | None = None
    title: str | None = None
    supply_date: datetime.date | None = None
    due_date: datetime.date | None = None
    notes: str | None = None
    late_penalty_text: str | None = None
    early_payment_text: str | None = None
    prices_include_vat: bool | None = None
    lines: list[LineIn] | None = None


class PaymentOut(Schema):
    id: int
    invoice_id: int
    date: datetime.date
    amount_cents: int
    method: Payment.Method
    reference: str
    cancelled_at: datetime.datetime | None = None
    cancelled_by_id: int | None = None
    cancel_reason: str = ""


class PaymentCancelIn(StrictIn):
    reason: str = Field(description="Pourquoi le paiement est annulé (obligatoire).")


class InvoiceOut(Schema):
    id: int
    business_id: int
    customer_id: int
    kind: InvoiceKind
    status: str
    number: str | None
    title: str
    issue_date: datetime.date | None
    supply_date: datetime.date | None
    due_date: datetime.date | None
    operation_category: str
    quote_id: int | None
    credited_invoice_id: int | None
    buyer_business_id: int | None
    prices_include_vat: bool
    total_excl_vat_cents: int
    total_vat_cents: int
    total_incl_vat_cents: int
    paid_cents: int
    credited_cents: int
    remaining_cents: int
    imported: bool
    lines: list[LineOut] = []
    history: list[StateChangeOut] = []
    payments: list[PaymentOut] = []


class InvoicePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[InvoiceOut]


class PaymentPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PaymentOut]


class CreditNoteIn(StrictIn):
    lines: list[LineIn] | None = Field(None, description="Absent : avoir total.")
    reason: str = ""


class PaymentIn(StrictIn):
    amount_cents: int = Field(gt=0)
    method: Payment.Method
    date: datetime.date | None = None
    reference: str = ""


class ReminderIn(StrictIn):
    level: int | None = Field(None, ge=1, le=3)
    recipient: str | None = None


class ReminderOut(Schema):
    id: int
    invoice_id: int
    level: int
    date: datetime.date
    remaining_cents: int
