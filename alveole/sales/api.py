"""REST routes of sales: reads through the selectors (scoped), writes through the services.

Entrepreneurs see and write their own businesses' customers and documents; staff,
accountants and direction see all. A document of another business is a 404; a write the
services refuse is a 403 or a 400 with the reasons. Amounts are integer cents.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from alveole.businesses.models import Business
from alveole.core.api import ERRORS, api_field_names, paginate
from alveole.sales import einvoice, selectors, services
from alveole.sales.models import Customer, Invoice, Payment, Quote
from alveole.sales.pdf import invoice_pdf, quote_pdf
from alveole.sales.schemas import (
    CreditNoteIn,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    InvoiceIn,
    InvoiceOut,
    InvoicePage,
    InvoicePatch,
    InvoicesIssueIn,
    PaymentCancelIn,
    PaymentIn,
    PaymentOut,
    PaymentPage,
    QuoteIn,
    QuoteInvoiceIn,
    QuoteOut,
    QuotePage,
    QuotePatch,
    ReminderIn,
    ReminderOut,
    SalesQuery,
)

router = Router(tags=["Ventes"])

API_FIELD_NAMES = {
    "customer": "customer_id",
    "business": "business_id",
    "internal_business": "internal_business_id",
}


def _filters(query: SalesQuery) -> selectors.SalesFilters:
    return selectors.SalesFilters(
        q=query.q.strip(),
        business=query.business,
        customer=query.customer,
        status=query.status,
        date_from=query.date_from,
        date_to=query.date_to,
        late=query.late,
    )


def _business(request: HttpRequest, business_id: int) -> Business:
    business = selectors.businesses_for_sales(user=request.user).filter(pk=business_id).first()
    if business is None:
        raise ValidationError({"business_id": _("Activité inconnue.")})
    return business


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    try:
        return selectors.customer_get(user=request.user, pk=customer_id)
    except Http404:
        raise ValidationError({"customer_id": _("Client inconnu.")}) from None


def _internal_business(business_id: int) -> Business:
    business = Business.objects.filter(pk=business_id).first()
    if business is None:
        raise ValidationError({"internal_business_id": _("Activité inconnue.")})
    return business


def _lines(lines: list | None) -> list[dict[str, Any]] | None:
    return None if lines is None else [line.model_dump() for line in lines]


def _prices_mode(given: bool | None, customer: Customer) -> bool:
    """Prices incl. VAT as asked, else as the customer's kind suggests (B2C: incl. VAT)."""
    return services.default_prices_include_vat(customer) if given is None else given


def _history(document: Quote | Invoice) -> list[dict[str, Any]]:
    return [
        {
            "at": c.at,
            "actor_id": c.actor_id,
            "from_status": c.from_status,
            "to_status": c.to_status,
            "note": c.note,
        }
        for c in document.state_changes.all()
    ]


def _quote_out(quote: Quote) -> dict[str, Any]:
    data = {f: getattr(quote, f) for f in QuoteOut.model_fields if f not in ("lines", "history")}
    data["lines"] = list(quote.lines.all())
    data["history"] = _history(quote)
    return data


def _invoice_out(invoice: Invoice, *, full: bool = True) -> dict[str, Any]:
    names = [f for f in InvoiceOut.model_fields if f not in ("lines", "history", "payments")]
    data = {f: getattr(invoice, f) for f in names}
    if full:
        data["lines"] = list(invoice.lines.all())
        data["history"] = _history(invoice)
        data["payments"] = list(invoice.payments.all())
    return data


# --- customers --------------------------------------------------------------------------


@router.get("/customers", response={200: CustomerPage, **ERRORS}, summary="Liste des clients")
def customers_list(request: HttpRequest, filters: Query[SalesQuery]) -> dict[str, Any]:
    """Les clients des activités visibles par l'appelant."""
    customers = selectors.customers_list(user=request.user, filters=_filters(filters))
    return paginate(customers, page=filters.page, page_size=filters.page_size)


@router.post("/customers", response={201: CustomerOut, **ERRORS}, summary="Créer un client")
def customer_create(request: HttpRequest, payload: CustomerIn) -> Status:
    """Ajoute un client à une activité de l'appelant."""
    data = payload.model_dump(exclude_unset=True)
    business = _business(request, data.pop("business_id"))
    internal = data.pop("internal_business_id", None)
    data = {k: ("" if v is None else v) for k, v in data.items()}
    if internal is not None:
        data["internal_business"] = _internal_business(internal)
    with api_field_names(API_FIELD_NAMES):
        customer = services.customer_create(actor=request.user, business=business, **data)
    return Status(201, customer)


@router.get("/customers/{int:customer_id}", response={200: CustomerOut, **ERRORS}, summary="Client")
def customer_detail(request: HttpRequest, customer_id: int) -> Customer:
    """Un client."""
    return selectors.customer_get(user=request.user, pk=customer_id)


@router.patch(
    "/customers/{int:customer_id}", response={200: CustomerOut, **ERRORS}, summary="Modifier"
)
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    """Seuls les champs envoyés changent ; les factures émises gardent ce qu'elles ont imprimé."""
    customer = selectors.customer_get(user=request.user, pk=customer_id)
    data = payload.model_dump(exclude_unset=True)
    if "internal_business_id" in data:
        internal = data.pop("internal_business_id")
        data["internal_business"] = _internal_business(internal) if internal else None
    with api_field_names(API_FIELD_NAMES):
        return services.customer_update(actor=request.user, customer=customer, **data)


# --- quotes -----------------------------------------------------------------------------


@router.get("/quotes", response={200: QuotePage, **ERRORS}, summary="Liste des devis")
def quotes_list(request: HttpRequest, filters: Query[SalesQuery]) -> dict[str, Any]:
    """Les devis visibles par l'appelant (sans leurs lignes)."""
    quotes = selectors.quotes_list(user=request.user, filters=_filters(filters))
    return paginate(quotes, page=filters.page, page_size=filters.page_size)


@router.post("/quotes", response={201: QuoteOut, **ERRORS}, summary="Créer un devis")
def quote_create(request: HttpRequest, payload: QuoteIn) -> Status:
    """Un devis brouillon avec ses lignes et sections."""
    business = _business(request, payload.business_id)
    customer = _customer(request, payload.customer_id)
    with api_field_names(API_FIELD_NAMES):
        quote = services.quote_create(
            actor=request.user,
            business=business,
            customer=customer,
            issue_date=payload.issue_date,
            validity_date=payload.validity_date,
            title=payload.title,
            notes=payload.notes,
            lines=_lines(payload.lines) or [],
            prices_include_vat=_prices_mode(payload.prices_include_vat, customer),
        )
    return Status(201, _quote_out(selectors.quote_get(user=request.user, pk=quote.pk)))


@router.get("/quotes/{int:quote_id}", response={200: QuoteOut, **ERRORS}, summary="Devis")
def quote_detail(request: HttpRequest, quote_id: int) -> dict[str, Any]:
    """Un devis, ses lignes et son historique."""
    return _quote_out(selectors.quote_get(user=request.user, pk=quote_id))


@router.patch("/quotes/{int:quote_id}", response={200: QuoteOut, **ERRORS}, summary="Modifier")
def quote_update(request: HttpRequest, quote_id: int, payload: QuotePatch) -> dict[str, Any]:
    """Un devis brouillon seulement ; les lignes envoyées remplacent les anciennes."""
    quote = selectors.quote_get(user=request.user, pk=quote_id)
    data = payload.model_dump(exclude_unset=True)
    lines = _lines(payload.lines) if "lines" in data else None
    data.pop("lines", None)
    if data.get("prices_include_vat", False) is None:
        data.pop("prices_include_vat")
    if "customer_id" in data:
        data["customer"] = _customer(request, data.pop("customer_id"))
    with api_field_names(API_FIELD_NAMES):
        services.quote_update(actor=request.user, quote=quote, lines=lines, **data)
    return _quote_out(selectors.quote_get(user=request.user, pk=quote_id))


@router.post(
    "/quotes/{int:quote_id}/send", response={200: QuoteOut, **ERRORS}, summary="Envoyer un devis"
)
def quote_send(
    request: HttpRequest, quote_id: int, email: bool = True, recipient: str | None = None
) -> dict[str, Any]:
    """Numérote le devis, fige ses mentions, et l'envoie par e-mail si `email` (paramètres
    de requête : `?email=false`, `?recipient=…`)."""
    quote = selectors.quote_get(user=request.user, pk=quote_id)
    services.quote_send(actor=request.user, quote=quote, email=email, recipient=recipient)
    return _quote_out(selectors.quote_get(user=request.user, pk=quote_id))


@router.post(
    "/quotes/{int:quote_id}/accept", response={200: QuoteOut, **ERRORS}, summary="Accepter"
)
def quote_accept(request: HttpRequest, quote_id: int) -> dict[str, Any]:
    """Le client a accepté le devis (encore valable)."""
    quote = selectors.quote_get(user=request.user, pk=quote_id)
    services.quote_accept(actor=request.user, quote=quote)
    return _quote_out(selectors.quote_get(user=request.user, pk=quote_id))


@router.post("/quotes/{int:quote_id}/refuse", response={200: QuoteOut, **ERRORS}, summary="Refuser")
def quote_refuse(request: HttpRequest, quote_id: int) -> dict[str, Any]:
    """Le client a refusé le devis."""
    quote = selectors.quote_get(user=request.user, pk=quote_id)
    services.quote_refuse(actor=request.user, quote=quote)
    return _quote_out(selectors.quote_get(user=request.user, pk=quote_id))


@router.post(
    "/quotes/{int:quote_id}/invoices",
    response={201: InvoiceOut, **ERRORS},
    summary="Facturer un devis accepté",
)
def quote_to_invoice(request: HttpRequest, quote_id: int, payload: QuoteInvoiceIn) -> Status:
    """`full` : tout ; `deposit` : un acompte de `percent` % ; `final` : le solde."""
    quote = selectors.quote_get(user=request.user, pk=quote_id)
    invoice = services.quote_to_invoice(
        actor=request.user, quote=quote, mode=payload.mode, percent=payload.percent
    )
    return Status(201, _invoice_out(selectors.invoice_answer_after_action(pk=invoice.pk)))


@router.get("/quotes/{int:quote_id}/pdf", response={200: None, **ERRORS}, summary="PDF du devis")
def quote_pdf_route(request: HttpRequest, quote_id: int) -> HttpResponse:
    """Le PDF du devis."""
    quote = selectors.quote_get(user=request.user, pk=quote_id)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number or quote.pk}.pdf"'
    return response


# --- invoices and credit notes ----------------------------------------------------------


@router.get("/invoices", response={200: InvoicePage, **ERRORS}, summary="Liste des factures")
def invoices_list(
    request: HttpRequest, filters: Query[SalesQuery], credit_notes: bool = False
) -> dict[str, Any]:
    """Factures (ou avoirs avec `credit_notes=true`) visibles par l'appelant, sans lignes."""
    invoices = selectors.invoices_list(
        user=request.user, filters=_filters(filters), credit_notes=credit_notes
    )
    page = paginate(invoices, page=filters.page, page_size=filters.page_size)
    page["results"] = [_invoice_out(i, full=False) for i in page["results"]]
    return page


@router.post("/invoices", response={201: InvoiceOut, **ERRORS}, summary="Créer une facture")
def invoice_create(request: HttpRequest, payload: InvoiceIn) -> Status:
    """Une facture brouillon (sans numéro : il est donné à l'émission)."""
    business = _business(request, payload.business_id)
    customer = _customer(request, payload.customer_id)
    with api_field_names(API_FIELD_NAMES):
        invoice = services.invoice_create(
            actor=request.user,
            business=business,
            customer=customer,
            kind=payload.kind,
            title=payload.title,
            supply_date=payload.supply_date,
            due_date=payload.due_date,
            notes=payload.notes,
            lines=_lines(payload.lines) or [],
            prices_include_vat=_prices_mode(payload.prices_include_vat, customer),
        )
    return Status(201, _invoice_out(selectors.invoice_answer_of(invoice, was_draft=True)))


@router.get("/invoices/{int:invoice_id}", response={200: InvoiceOut, **ERRORS}, summary="Facture")
def invoice_detail(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    """Une facture ou un avoir, ses lignes, ses paiements et son historique."""
    return _invoice_out(selectors.invoice_answer_get(user=request.user, pk=invoice_id))


@router.patch(
    "/invoices/{int:invoice_id}", response={200: InvoiceOut, **ERRORS}, summary="Modifier"
)
def invoice_update(request: HttpRequest, invoice_id: int, payload: InvoicePatch) -> dict[str, Any]:
    """Un brouillon seulement : une facture émise est refusée (corrigez-la par un avoir)."""
    invoice = selectors.invoice_visible(user=request.user, pk=invoice_id)
    data = payload.model_dump(exclude_unset=True)
    lines = _lines(payload.lines) if "lines" in data else None
    data.pop("lines", None)
    if data.get("prices_include_vat", False) is None:
        data.pop("prices_include_vat")
    if "customer_id" in data:
        data["customer"] = _customer(request, data.pop("customer_id"))
    with api_field_names(API_FIELD_NAMES):
        services.invoice_update(actor=request.user, invoice=invoice, lines=lines, **data)
    return _invoice_out(selectors.invoice_answer_after_action(pk=invoice_id))


@router.delete(
    "/invoices/{int:invoice_id}", response={204: None, **ERRORS}, summary="Supprimer un brouillon"
)
def invoice_delete(request: HttpRequest, invoice_id: int) -> Status:
    """Un brouillon seulement : une facture émise ne se supprime jamais."""
    invoice = selectors.invoice_visible(user=request.user, pk=invoice_id)
    services.invoice_delete(actor=request.user, invoice=invoice)
    return Status(204, None)


@router.post(
    "/invoices/{int:invoice_id}/issue", response={200: InvoiceOut, **ERRORS}, summary="Émettre"
)
def invoice_issue(
    request: HttpRequest, invoice_id: int, issue_date: datetime.date | None = None
) -> dict[str, Any]:
    """Donne le numéro définitif et fige la facture (`?issue_date=` : aujourd'hui par défaut)."""
    invoice = selectors.invoice_visible(user=request.user, pk=invoice_id)
    issued = services.invoice_issue(actor=request.user, invoice=invoice, issue_date=issue_date)
    return _invoice_out(selectors.invoice_answer_of(issued, was_draft=True))


@router.post(
    "/invoices/issue", response={200: list[InvoiceOut], **ERRORS}, summary="Émettre plusieurs"
)
def invoices_issue(request: HttpRequest, payload: InvoicesIssueIn) -> list[dict[str, Any]]:
    """Émet plusieurs brouillons d'un coup, tous ou aucun, numérotés dans l'ordre donné.

    Si l'un ne peut pas l'être, rien n'est émis et `fields.invoice_ids` donne chaque
    brouillon refusé avec sa raison. Les réponses suivent l'ordre donné."""
    ids = payload.invoice_ids
    visible = set(
        Invoice.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if unknown := [pk for pk in ids if pk not in visible]:
        raise HttpError(404, services.invoices_not_found(unknown).message)
    try:
        issued = services.invoices_issue(
            actor=request.user, invoices=ids, issue_date=payload.issue_date
        )
    except PermissionDenied as error:  # names the draft at fault
        raise HttpError(403, str(error)) from None
    except ValidationError as error:
        if not hasattr(error, "error_list"):
            raise
        codes = {item.code for item in error.error_list}
        if codes == {"not_found"}:  # deleted since the check above
            raise HttpError(404, " ".join(error.messages)) from None
        if codes == {"not_issuable"}:  # each refused draft, with its reason
            raise ValidationError({"invoice_ids": error.messages}) from None
        raise
    return [
        _invoice_out(invoice) for invoice in selectors.invoices_answer_of(issued, was_draft=True)
    ]


@router.post(
    "/invoices/{int:invoice_id}/submit",
    response={200: InvoiceOut, **ERRORS},
    summary="Soumettre à validation",
)
def invoice_submit(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    """Quand l'activité fait valider ses factures par l'équipe d'appui."""
    invoice = selectors.invoice_visible(user=request.user, pk=invoice_id)
    services.invoice_submit(actor=request.user, invoice=invoice)
    return _invoice_out(selectors.invoice_answer_after_action(pk=invoice_id))


@router.post(
    "/invoices/{int:invoice_id}/send", response={200: InvoiceOut, **ERRORS}, summary="Envoyer"
)
def invoice_send(
    request: HttpRequest, invoice_id: int, recipient: str | None = None
) -> dict[str, Any]:
    """Envoie le PDF par e-mail au client, après validation (`?recipient=` sinon son e-mail)."""
    invoice = selectors.invoice_visible(user=request.user, pk=invoice_id)
    services.invoice_send(actor=request.user, invoice=invoice, recipient=recipient)
    return _invoice_out(selectors.invoice_answer_after_action(pk=invoice_id))


@router.post(
    "/invoices/{int:invoice_id}/credit-notes",
    response={201: InvoiceOut, **ERRORS},
    summary="Créer un avoir",
)
def credit_note_create(request: HttpRequest, invoice_id: int, payload: CreditNoteIn) -> Status:
    """Un avoir brouillon, total (sans `lines`) ou partiel ; jamais au-delà du total."""
    invoice = selectors.invoice_visible(user=request.user, pk=invoice_id)
    credit = services.credit_note_create(
        actor=request.user, invoice=invoice, lines=_lines(payload.lines), reason=payload.reason
    )
    return Status(201, _invoice_out(selectors.invoice_answer_after_action(pk=credit.pk)))


@router.post(
    "/invoices/{int:invoice_id}/payments",
    response={201: PaymentOut, **ERRORS},
    summary="Enregistrer un paiement",
)
def payment_record(request: HttpRequest, invoice_id: int, payload: PaymentIn) -> Status:
    """Un paiement (partiel possible) ; un trop-perçu est refusé."""
    invoice = selectors.invoice_visible(user=request.user, pk=invoice_id)
    payment = services.payment_record(
        actor=request.user,
        invoice=invoice,
        amount_cents=payload.amount_cents,
        method=payload.method,
        date=payload.date,
        reference=payload.reference,
    )
    return Status(201, payment)


@router.post(
    "/payments/{int:payment_id}/cancel",
    response={200: PaymentOut, **ERRORS},
    summary="Annuler un paiement",
)
def payment_cancel(request: HttpRequest, payment_id: int, payload: PaymentCancelIn) -> Payment:
    """Un paiement saisi par erreur : marqué annulé (jamais supprimé), avec qui, quand et
    pourquoi ; la facture et ses écritures suivent. Refusé dans une période clôturée."""
    payment = get_object_or_404(Payment.objects.visible_to(request.user), pk=payment_id)
    with api_field_names(API_FIELD_NAMES):
        return services.payment_cancel(actor=request.user, payment=payment, reason=payload.reason)


@router.post(
    "/invoices/{int:invoice_id}/reminders",
    response={201: ReminderOut, **ERRORS},
    summary="Relancer",
)
def reminder_send(request: HttpRequest, invoice_id: int, payload: ReminderIn) -> Status:
    """Une relance par e-mail d'une facture en retard (niveau suivant par défaut)."""
    invoice = selectors.invoice_visible(user=request.user, pk=invoice_id)
    reminder = services.reminder_send(
        actor=request.user, invoice=invoice, level=payload.level, recipient=payload.recipient
    )
    return Status(201, reminder)


@router.get(
    "/invoices/{int:invoice_id}/pdf", response={200: None, **ERRORS}, summary="PDF de la facture"
)
def invoice_pdf_route(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Le PDF de la facture ou de l'avoir."""
    invoice = selectors.invoice_get(user=request.user, pk=invoice_id)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number or invoice.pk}.pdf"'
    return response


@router.get(
    "/invoices/{int:invoice_id}/einvoice/{fmt}",
    response={200: None, **ERRORS},
    summary="Facture électronique (Factur-X, CII ou UBL)",
)
def invoice_einvoice_route(request: HttpRequest, invoice_id: int, fmt: str) -> HttpResponse:
    """La facture électronique d'une facture ou d'un avoir émis : `facturx` (PDF Factur-X
    EN 16931), `cii` ou `ubl` (XML). Un brouillon n'en a pas (400)."""
    invoice = selectors.invoice_get(user=request.user, pk=invoice_id)
    if fmt not in einvoice.FORMATS:
        raise Http404
    content, name, content_type = einvoice.export(invoice, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/payments", response={200: PaymentPage, **ERRORS}, summary="Liste des paiements")
def payments_list(request: HttpRequest, filters: Query[SalesQuery]) -> dict[str, Any]:
    """Les paiements reçus sur les factures visibles par l'appelant."""
    payments = selectors.payments_list(user=request.user, filters=_filters(filters))
    return paginate(payments, page=filters.page, page_size=filters.page_size)
