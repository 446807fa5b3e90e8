"""The shapes of the purchases API. Amounts are integer cents; quantities, prices and rates
decimals; dates AAAA-MM-JJ."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema

from alveole.core.api import PageQuery
from alveole.people.schemas import StrictIn
from alveole.purchases.models import (
    ExpenseCategory,
    ExpenseReportStatus,
    PaymentMethod,
    PurchaseCategory,
    SupplierInvoiceStatus,
)


class PurchaseQuery(PageQuery):
    """Filters of the purchases lists: the same as the pages."""

    q: str = Field("", description="Recherche (numéro, objet, fournisseur ; nom pour les notes).")
    business: int | None = Field(None, description="Identifiant de l'activité.")
    supplier: int | None = Field(None, description="Identifiant du fournisseur.")
    person: int | None = Field(None, description="Identifiant de la personne (notes de dépenses).")
    status: str = Field("", description="Statut.")
    category: str = Field("", description="Catégorie d'achat ou de dépense.")
    origin: str = Field(
        "", description="manual, received, internal (fournisseurs : external, internal)."
    )
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


# --- suppliers --------------------------------------------------------------------------


class SupplierOut(Schema):
    id: int
    name: str
    siren: str
    siret: str
    vat_number: str
    registration_id: str
    address: str
    postal_code: str
    city: str
    country: str
    email: str
    electronic_address: str
    electronic_address_scheme: str
    iban: str
    bic: str
    internal_business_id: int | None
    notes: str


class SupplierPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SupplierOut]


class SupplierPatch(StrictIn):
    """Only the fields sent change (staff roles)."""

    name: str | None = None
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    registration_id: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    email: str | None = None
    electronic_address: str | None = None
    electronic_address_scheme: str | None = None
    iban: str | None = None
    bic: str | None = None
    notes: str | None = None


class SupplierIn(SupplierPatch):
    name: str  # type: ignore[assignment]


# --- supplier invoices ------------------------------------------------------------------


class PurchaseLineIn(StrictIn):
    description: str
    quantity: Decimal = Decimal(1)
    unit: str = ""
    unit_price: Decimal
    vat_rate: Decimal = Decimal(20)


class PurchaseLineOut(Schema):
    position: int
    kind: str
    description: str
    quantity: Decimal | None
    unit: str
    unit_price: Decimal | None
    vat_category: str
    vat_rate: Decimal | None
    net_cents: int
    vat_cents: int


class VatOut(Schema):
    vat_category: str
    vat_rate: Decimal | None
    basis_cents: int
    vat_cents: int
    deductible_vat_cents: int
    exemption_reason: str


class FindingOut(Schema):
    source: str
    step: str
    rule_id: str
    severity: str
    location: str
    message: str


class PurchaseStateChangeOut(Schema):
    at: datetime.datetime
    actor_id: int | None
    from_status: str
    to_status: str
    note: str


class SupplierInvoiceIn(StrictIn):
    supplier_id: int
    business_id: int | None = Field(None, description="Obligatoire pour un·e entrepreneur·e.")
    number: str
    issue_date: datetime.date
    due_date: datetime.date | None = None
    category: PurchaseCategory = PurchaseCategory.OTHER
    title: str = ""
    notes: str = ""
    is_credit_note: bool = False
    lines: list[PurchaseLineIn]


class SupplierInvoicePatch(StrictIn):
    """Before validation. A received or internal invoice: category, title and notes only."""

    supplier_id: int | None = None
    number: str | None = None
    issue_date: datetime.date | None = None
    due_date: datetime.date | None = None
    category: PurchaseCategory | None = None
    title: str | None = None
    notes: str | None = None
    is_credit_note: bool | None = None
    lines: list[PurchaseLineIn] | None = None


class SupplierInvoiceOut(Schema):
    id: int
    supplier_id: int
    supplier_name: str
    business_id: int | None
    business_code: str | None
    number: str
    type_code: str
    is_credit_note: bool
    origin: str
    status: SupplierInvoiceStatus
    category: PurchaseCategory
    issue_date: datetime.date
    due_date: datetime.date | None
    currency: str
    title: str
    notes: str
    total_excl_vat_cents: int
    total_vat_cents: int
    total_incl_vat_cents: int
    prepaid_cents: int
    due_cents: int
    syntax: str
    profile: str
    original_filename: str
    validation_state: str
    validation_fatal_count: int
    validation_warning_count: int
    seller_business_id: int | None
    source_invoice_id: int | None
    paid_on: datetime.date | None
    payment_method: str
    payment_reference: str
    lines: list[PurchaseLineOut] = []
    vat_rows: list[VatOut] = []
    findings: list[FindingOut] = []
    history: list[PurchaseStateChangeOut] = []


class SupplierInvoicePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SupplierInvoiceOut]


class AssignIn(StrictIn):
    business_id: int
    category: PurchaseCategory | None = None


class SupplierPaymentIn(StrictIn):
    method: PaymentMethod
    date: datetime.date | None = None
    reference: str = ""


# --- expense reports --------------------------------------------------------------------


class ReportIn(StrictIn):
    business_id: int
    month: datetime.date = Field(description="Un jour du mois (le premier est retenu).")


class ExpenseLineOut(Schema):
    id: int
    kind: str
    date: datetime.date
    category: ExpenseCategory
    description: str
    amount_cents: int
    vat_cents: int
    has_receipt: bool
    receipt_filename: str
    receipt_content_type: str
    distance_km: Decimal | None
    horsepower: int | None
    electric: bool
    year_distance_before_km: Decimal | None
    mileage_scale_year: int | None


class ReportOut(Schema):
    id: int
    person_id: int
    business_id: int
    month: datetime.date
    status: ExpenseReportStatus
    total_cents: int
    total_vat_cents: int
    refusal_reason: str
    submitted_at: datetime.datetime | None
    paid_on: datetime.date | None
    payment_method: str
    payment_reference: str
    lines: list[ExpenseLineOut] = []
    history: list[PurchaseStateChangeOut] = []


class ReportPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ReportOut]


class TripIn(StrictIn):
    date: datetime.date
    description: str
    distance_km: Decimal = Field(gt=0, description="Kilomètres du trajet (une décimale).")
    horsepower: int = Field(ge=1, le=50, description="Puissance fiscale (case P.6).")
    electric: bool = False


class RefuseIn(StrictIn):
    reason: str
