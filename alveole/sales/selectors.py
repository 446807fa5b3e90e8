"""Reads of sales, always scoped to the user who asks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.shortcuts import get_object_or_404

from alveole.businesses.models import Business
from alveole.core.dates import today
from alveole.sales.models import (
    Customer,
    Invoice,
    Payment,
    Quote,
    Reminder,
    Sending,
    StateChange,
)


@dataclass(frozen=True)
class SalesFilters:
    """The filters of the sales lists (pages, exports and API share them)."""

    q: str = ""
    business: int | None = None
    customer: int | None = None
    status: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    late: bool = False


def businesses_for_sales(*, user: Any) -> QuerySet[Business]:
    """The businesses whose sales the user may see."""
    return Business.objects.visible_to(user).order_by("name", "pk")


def customers_list(*, user: Any, filters: SalesFilters = SalesFilters()) -> QuerySet[Customer]:
    """Customers of the businesses the user may see, filtered."""
    customers = Customer.objects.visible_to(user).select_related("business", "internal_business")
    if filters.q:
        for word in filters.q.split():
            customers = customers.filter(
                Q(name__icontains=word) | Q(city__icontains=word) | Q(siren__icontains=word)
            )
    if filters.business:
        customers = customers.filter(business_id=filters.business)
    if filters.status == "archived":
        customers = customers.filter(archived=True)
    elif filters.status == "active":
        customers = customers.filter(archived=False)
    return customers.order_by("name", "pk")


def customer_get(*, user: Any, pk: int) -> Customer:
    """One customer the user may see (404 otherwise)."""
    return get_object_or_404(
        Customer.objects.visible_to(user).select_related("business", "internal_business"), pk=pk
    )


def _period(queryset: QuerySet, field: str, filters: SalesFilters) -> QuerySet:
    if filters.date_from:
        queryset = queryset.filter(**{f"{field}__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{field}__lte": filters.date_to})
    return queryset


def quotes_list(*, user: Any, filters: SalesFilters = SalesFilters()) -> QuerySet[Quote]:
    """Quotes the user may see, filtered by business, customer, status and period."""
    quotes = Quote.objects.visible_to(user).select_related("business", "customer")
    if filters.q:
        quotes = quotes.filter(
            Q(number__icontains=filters.q)
            | Q(title__icontains=filters.q)
            | Q(customer__name__icontains=filters.q)
        )
    if filters.business:
        quotes = quotes.filter(business_id=filters.business)
    if filters.customer:
        quotes = quotes.filter(customer_id=filters.customer)
    if filters.status:
        quotes = quotes.filter(status=filters.status)
    return _period(quotes, "issue_date", filters).order_by("-issue_date", "-pk")


def quote_get(*, user: Any, pk: int) -> Quote:
    """One quote the user may see, with its lines and history (404 otherwise)."""
    return get_object_or_404(
        Quote.objects.visible_to(user)
        .select_related("business", "customer")
        .prefetch_related(
            "lines",
            Prefetch("state_changes", StateChange.objects.select_related("actor", "actor__person")),
            Prefetch("invoices", Invoice.objects.order_by("pk")),
        ),
        pk=pk,
    )


def invoices_list(
    *, user: Any, filters: SalesFilters = SalesFilters(), credit_notes: bool = False
) -> QuerySet[Invoice]:
    """Invoices (or credit notes) the user may see, filtered; late = unpaid after due date."""
    invoices = (
        Invoice.objects.visible_to(user)
        .select_related("business", "customer", "credited_invoice")
        # The mentions frozen at issue are a JSON document per invoice that no list shows:
        # decoding fifty of them (and of the corrected invoices) cost more than the page.
        .defer("snapshot", "credited_invoice__snapshot")
    )
    invoices = invoices.credit_notes() if credit_notes else invoices.invoices()
    if filters.q:
        invoices = invoices.filter(
            Q(number__icontains=filters.q)
            | Q(title__icontains=filters.q)
            | Q(customer__name__icontains=filters.q)
        )
    if filters.business:
        invoices = invoices.filter(business_id=filters.business)
    if filters.customer:
        invoices = invoices.filter(customer_id=filters.customer)
    if filters.status:
        invoices = invoices.filter(status=filters.status)
    if filters.late:
        invoices = invoices.late(today())
    invoices = _period(invoices, "issue_date", filters)
    return invoices.order_by("-issue_date", "-number", "-pk")


def invoice_get(*, user: Any, pk: int) -> Invoice:
    """One invoice or credit note the user may see, with what its page shows (404 otherwise)."""
    return get_object_or_404(
        Invoice.objects.visible_to(user)
        .select_related("business", "customer", "quote", "credited_invoice", "buyer_business")
        .prefetch_related(
            "lines",
            Prefetch("state_changes", StateChange.objects.select_related("actor", "actor__person")),
            Prefetch("payments", Payment.objects.select_related("recorded_by").order_by("date")),
            Prefetch("credit_notes", Invoice.objects.order_by("pk")),
            Prefetch("sendings", Sending.objects.order_by("at")),
            Prefetch("reminders", Reminder.objects.order_by("date", "pk")),
        ),
        pk=pk,
    )


def invoice_visible(*, user: Any, pk: int) -> Invoice:
    """One invoice or credit note the user may see, alone (404 otherwise): for an action
    whose service reads it again under lock, so nothing but its id is worth loading here."""
    return get_object_or_404(Invoice.objects.visible_to(user).only("pk"), pk=pk)


def _answer_lookups(*, payments: bool = True) -> tuple[Any, ...]:
    """What the API answers about an invoice besides its fields (`payments=False`: it has
    none, and they are not asked for)."""
    paid = Payment.objects.order_by("date") if payments else Payment.objects.none()
    return ("lines", "state_changes", Prefetch("payments", paid))


def _with_answer(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return invoices.prefetch_related(*_answer_lookups())


def invoice_answer_get(*, user: Any, pk: int) -> Invoice:
    """One invoice the user may see with what the API answers about it: its lines, its
    history and its payments (the page's `invoice_get` also loads sendings, reminders,
    credit notes and who did what)."""
    return get_object_or_404(_with_answer(Invoice.objects.visible_to(user)), pk=pk)


def invoice_answer_of(invoice: Invoice, *, was_draft: bool = False) -> Invoice:
    """The same for the invoice a service has just returned, whose fields are current:
    its lines (unless the service read them already), history and payments are read, not
    the invoice again. `was_draft`: it was a draft when the request began (created or just
    issued), so it has no payment: one is recorded on an issued invoice only, and an
    issued invoice never returns to draft."""
    return invoices_answer_of([invoice], was_draft=was_draft)[0]


def invoices_answer_of(invoices: list[Invoice], *, was_draft: bool = False) -> list[Invoice]:
    """`invoice_answer_of` for several invoices a service has just returned: the same
    queries for one or five hundred."""
    prefetch_related_objects(invoices, *_answer_lookups(payments=not was_draft))
    return invoices


def invoice_answer_after_action(*, pk: int) -> Invoice:
    """The same, for an invoice the caller was allowed to act on in this very request
    (its visibility was checked before the action)."""
    return _with_answer(Invoice.objects.all()).get(pk=pk)


def payments_list(*, user: Any, filters: SalesFilters = SalesFilters()) -> QuerySet[Payment]:
    """Payments received on the invoices the user may see, filtered (cancelled ones left out)."""
    payments = (
        Payment.objects.visible_to(user)
        .active()
        .select_related("invoice", "invoice__business", "invoice__customer")
    )
    if filters.q:
        payments = payments.filter(
            Q(reference__icontains=filters.q) | Q(invoice__number__icontains=filters.q)
        )
    if filters.business:
        payments = payments.filter(invoice__business_id=filters.business)
    if filters.customer:
        payments = payments.filter(invoice__customer_id=filters.customer)
    if filters.status:
        payments = payments.filter(method=filters.status)
    return _period(payments, "date", filters).order_by("-date", "-pk")


def sums(queryset: QuerySet, *fields: str) -> dict[str, int]:
    """Sums of integer-cent columns of the filtered rows, done by the database."""
    result = queryset.order_by().aggregate(
        rows=Count("pk"), **{name: Sum(name, default=0) for name in fields}
    )
    return result


def internal_purchases(*, user: Any, filters: SalesFilters = SalesFilters()) -> QuerySet[Invoice]:
    """Invoices businesses of the cooperative issued to the user's businesses: purchases to pay."""
    buyers = Business.objects.visible_to(user).values("pk")
    invoices = (
        Invoice.objects.filter(buyer_business__in=buyers)
        .issued()
        .select_related("business", "buyer_business", "customer")
    )
    if filters.business:
        invoices = invoices.filter(buyer_business_id=filters.business)
    if filters.status:
        invoices = invoices.filter(status=filters.status)
    invoices = _period(invoices, "issue_date", filters)
    return invoices.order_by("-issue_date", "-pk")


def late_invoices(*, user: Any, day: datetime.date | None = None) -> QuerySet[Invoice]:
    """Invoices past their due date and not fully paid, oldest due first."""
    return (
        Invoice.objects.visible_to(user)
        .late(day or today())
        .select_related("business", "customer")
        .order_by("due_date", "pk")
    )
