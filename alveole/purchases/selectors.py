"""Reads of purchases, always scoped to the user who asks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField, Case, Count, F, Prefetch, Q, QuerySet, Sum, When
from django.shortcuts import get_object_or_404

from alveole.businesses.models import Business
from alveole.people.models import Person
from alveole.purchases.models import (
    ExpenseLine,
    ExpenseReport,
    InvoiceFinding,
    MileageScale,
    PurchaseCategory,
    PurchaseStateChange,
    Supplier,
    SupplierInvoice,
    SupplierInvoiceStatus,
)

#: Amounts of different currencies are never added up: list totals are in euros.
TOTALS_CURRENCY = "EUR"


@dataclass(frozen=True)
class PurchaseFilters:
    """The filters of the purchases lists (pages, exports and the API share them)."""

    q: str = ""
    business: int | None = None
    supplier: int | None = None
    person: int | None = None
    status: str = ""
    category: str = ""
    origin: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def businesses_for_purchases(*, user: Any) -> QuerySet[Business]:
    """The businesses whose purchases the user may see."""
    return Business.objects.visible_to(user).order_by("name", "pk")


def _period(queryset: QuerySet, field: str, filters: PurchaseFilters) -> QuerySet:
    if filters.date_from:
        queryset = queryset.filter(**{f"{field}__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{field}__lte": filters.date_to})
    return queryset


# --- suppliers --------------------------------------------------------------------------


def suppliers_list(
    *, user: Any, filters: PurchaseFilters = PurchaseFilters()
) -> QuerySet[Supplier]:
    """The cooperative's suppliers, searchable by name, SIREN, VAT number or city."""
    suppliers = Supplier.objects.visible_to(user).select_related("internal_business")
    for word in filters.q.split():
        suppliers = suppliers.filter(
            Q(name__icontains=word)
            | Q(siren__icontains=word)
            | Q(vat_number__icontains=word)
            | Q(city__icontains=word)
        )
    if filters.origin == "internal":
        suppliers = suppliers.filter(internal_business__isnull=False)
    elif filters.origin == "external":
        suppliers = suppliers.filter(internal_business__isnull=True)
    return suppliers.order_by("name", "pk")


def supplier_get(*, user: Any, pk: int) -> Supplier:
    """One supplier (404 for anonymous visitors)."""
    return get_object_or_404(
        Supplier.objects.visible_to(user).select_related("internal_business"), pk=pk
    )


# --- supplier invoices ------------------------------------------------------------------


def supplier_invoices_list(
    *, user: Any, filters: PurchaseFilters = PurchaseFilters()
) -> QuerySet[SupplierInvoice]:
    """Supplier invoices the user may see, filtered by business, supplier, status, category
    and period (of the invoice date)."""
    invoices = SupplierInvoice.objects.visible_to(user).select_related("supplier", "business")
    if filters.q:
        invoices = invoices.filter(
            Q(number__icontains=filters.q)
            | Q(title__icontains=filters.q)
            | Q(supplier__name__icontains=filters.q)
        )
    if filters.business:
        invoices = invoices.filter(business_id=filters.business)
    if filters.supplier:
        invoices = invoices.filter(supplier_id=filters.supplier)
    if filters.status:
        invoices = invoices.filter(status=filters.status)
    if filters.category:
        invoices = invoices.filter(category=filters.category)
    if filters.origin:
        invoices = invoices.filter(origin=filters.origin)
    return _period(invoices, "issue_date", filters).order_by("-issue_date", "-pk")


def supplier_invoice_get(*, user: Any, pk: int) -> SupplierInvoice:
    """One supplier invoice with its lines, VAT, findings and history (404 otherwise)."""
    return get_object_or_404(
        SupplierInvoice.objects.visible_to(user)
        .select_related("supplier", "business", "seller_business", "created_by")
        .prefetch_related(
            "lines",
            "vat_rows",
            Prefetch("findings", InvoiceFinding.objects.order_by("source", "pk")),
            Prefetch(
                "state_changes",
                PurchaseStateChange.objects.select_related("actor", "actor__person"),
            ),
        ),
        pk=pk,
    )


def invoice_totals(invoices: QuerySet[SupplierInvoice]) -> dict[str, int]:
    """Totals of the filtered invoices in euros (credit notes subtracted), by the database;
    `other_currencies` counts the rows left out because they are in another currency."""

    def signed(field: str) -> Any:
        return Sum(
            Case(
                When(is_credit_note=True, then=-F(field)),
                default=F(field),
                output_field=BigIntegerField(),
            ),
            filter=Q(currency=TOTALS_CURRENCY),
            default=0,
        )

    return invoices.order_by().aggregate(
        rows=Count("pk"),
        other_currencies=Count("pk", filter=~Q(currency=TOTALS_CURRENCY)),
        total_excl_vat_cents=signed("total_excl_vat_cents"),
        total_vat_cents=signed("total_vat_cents"),
        total_incl_vat_cents=signed("total_incl_vat_cents"),
        due_cents=signed("due_cents"),
    )


def purchase_costs_by_category(
    *,
    user: Any,
    date_from: datetime.date,
    date_to: datetime.date,
    business: Business | None = None,
) -> dict[str, int]:
    """Purchases excluding VAT per category over a period, for the contribution's gross
    margin: assigned, validated and paid invoices in euros, credit notes subtracted."""
    invoices = SupplierInvoice.objects.visible_to(user).filter(
        issue_date__gte=date_from,
        issue_date__lte=date_to,
        currency=TOTALS_CURRENCY,
        status__in=(
            SupplierInvoiceStatus.ASSIGNED,
            SupplierInvoiceStatus.VALIDATED,
            SupplierInvoiceStatus.PAID,
        ),
    )
    if business is not None:
        invoices = invoices.filter(business=business)
    rows = (
        invoices.order_by()
        .values("category")
        .annotate(
            total=Sum(
                Case(
                    When(is_credit_note=True, then=-F("total_excl_vat_cents")),
                    default=F("total_excl_vat_cents"),
                    output_field=BigIntegerField(),
                )
            )
        )
    )
    result = dict.fromkeys(PurchaseCategory.values, 0)
    for row in rows:
        result[row["category"]] = row["total"] or 0
    return result


# --- expense reports --------------------------------------------------------------------


def expense_reports_list(
    *, user: Any, filters: PurchaseFilters = PurchaseFilters()
) -> QuerySet[ExpenseReport]:
    """Expense reports the user may see (an entrepreneur: their own), filtered by business,
    person, status and period (of the month)."""
    reports = ExpenseReport.objects.visible_to(user).select_related("person", "business")
    if filters.q:
        reports = reports.filter(
            Q(person__last_name__icontains=filters.q) | Q(person__first_name__icontains=filters.q)
        )
    if filters.business:
        reports = reports.filter(business_id=filters.business)
    if filters.person:
        reports = reports.filter(person_id=filters.person)
    if filters.status:
        reports = reports.filter(status=filters.status)
    if filters.category:
        reports = reports.filter(lines__category=filters.category).distinct()
    if filters.date_from:
        reports = reports.filter(month__gte=filters.date_from.replace(day=1))
    if filters.date_to:
        reports = reports.filter(month__lte=filters.date_to)
    return reports.order_by("-month", "person__last_name", "pk")


def expense_report_get(*, user: Any, pk: int) -> ExpenseReport:
    """One expense report with its lines and history (404 when it is not the user's)."""
    return get_object_or_404(
        ExpenseReport.objects.visible_to(user)
        .select_related("person", "business")
        .prefetch_related(
            Prefetch("lines", ExpenseLine.objects.select_related("mileage_scale")),
            Prefetch(
                "state_changes",
                PurchaseStateChange.objects.select_related("actor", "actor__person"),
            ),
        ),
        pk=pk,
    )


def expense_line_get(*, user: Any, report_pk: int, pk: int) -> ExpenseLine:
    """One line of a report the user may see (404 otherwise)."""
    return get_object_or_404(
        ExpenseLine.objects.select_related("report").filter(
            report__in=ExpenseReport.objects.visible_to(user).values("pk"), report_id=report_pk
        ),
        pk=pk,
    )


def report_totals(reports: QuerySet[ExpenseReport]) -> dict[str, int]:
    """Totals of the filtered reports, by the database."""
    return reports.order_by().aggregate(
        rows=Count("pk", distinct=True),
        total_cents=Sum("total_cents", default=0),
        total_vat_cents=Sum("total_vat_cents", default=0),
    )


def people_with_reports(*, user: Any) -> QuerySet[Person]:
    """The people whose reports the user may see (a filter's choices)."""
    return Person.objects.visible_to(user).filter(expense_reports__isnull=False).distinct()


def mileage_scale_in_force(day: datetime.date) -> MileageScale | None:
    """The car mileage scale applied to a trip on `day`, with its bands."""
    scale = MileageScale.objects.in_force(day)
    if scale is not None:
        scale = MileageScale.objects.prefetch_related("bands").get(pk=scale.pk)
    return scale


def pending_work(*, user: Any) -> dict[str, int]:
    """What waits for the user: invoices to assign or validate, reports to validate or pay."""
    invoices = SupplierInvoice.objects.visible_to(user).aggregate(
        received=Count("pk", filter=Q(status=SupplierInvoiceStatus.RECEIVED)),
        assigned=Count("pk", filter=Q(status=SupplierInvoiceStatus.ASSIGNED)),
        validated=Count("pk", filter=Q(status=SupplierInvoiceStatus.VALIDATED)),
    )
    reports = ExpenseReport.objects.visible_to(user).aggregate(
        submitted=Count("pk", filter=Q(status=ExpenseReport.Status.SUBMITTED)),
        to_pay=Count("pk", filter=Q(status=ExpenseReport.Status.VALIDATED)),
    )
    return {**invoices, **reports}
