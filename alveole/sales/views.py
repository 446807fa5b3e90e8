"""Pages of sales: lists with filters and exports, detail pages with history, draft forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from alveole.core.dates import today
from alveole.core.money import from_cents, to_cents
from alveole.core.pagination import UncountedPage
from alveole.core.permissions import is_cooperative_wide
from alveole.core.tabular import export_response
from alveole.core.validators import LARGEST_ID
from alveole.sales import einvoice, services
from alveole.sales.forms import (
    CreditNoteForm,
    CustomerForm,
    DocumentForm,
    FilterForm,
    LineFormSet,
    PaymentForm,
    QuoteInvoiceForm,
    ReminderForm,
    ReturnForm,
    SalesSettingsForm,
    add_service_errors,
    line_initial,
)
from alveole.sales.models import (
    INTERNAL_EXEMPTION,
    Customer,
    Invoice,
    InvoiceStatus,
    Payment,
    Quote,
)
from alveole.sales.numbering import number_preview
from alveole.sales.pdf import document_context, invoice_pdf, quote_pdf
from alveole.sales.selectors import (
    businesses_for_sales,
    customer_get,
    customers_list,
    internal_purchases,
    invoice_get,
    invoices_list,
    payments_list,
    quote_get,
    quotes_list,
    sums,
)

PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")


def _export(request: HttpRequest, *, name: str, header: list[str], rows: Any) -> HttpResponse:
    return export_response(
        request, target_type=f"sales.{name}", name=name, header=header, rows=rows
    )


def _list_page(
    request: HttpRequest,
    template: str,
    rows: Any,
    totals: dict[str, int] | None,
    *,
    of_page: Callable[[list[Any]], dict[str, Any]] | None = None,
    **context: Any,
) -> HttpResponse:
    """A page of rows with the totals of every filtered row; with `totals` None, the rows
    are not counted (`UncountedPage`) and the page asks for its totals once shown.
    `of_page`, given the page's rows, adds what the template needs about them."""
    if totals is None:
        page: Any = UncountedPage(rows, request.GET.get("page"), PAGE_SIZE)
    else:
        paginator = Paginator(rows, PAGE_SIZE)
        if "rows" in totals:  # counted with the sums (`selectors.sums`): no second COUNT
            paginator.__dict__["count"] = totals["rows"]
        page = paginator.get_page(request.GET.get("page"))
    if of_page is not None:
        context.update(of_page(list(page)))  # the rows read once, kept by the page
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        template,
        {"page": page, "totals": totals, "query": query.urlencode(), **context},
    )


# --- customers --------------------------------------------------------------------------


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    """The customers of the businesses the user may see."""
    form = FilterForm(
        request.GET or None,
        user=request.user,
        statuses=[("active", _("Actifs")), ("archived", _("Archivés"))],
    )
    form.fields.pop("customer")
    form.fields.pop("date_from")
    form.fields.pop("date_to")
    customers = customers_list(user=request.user, filters=form.filters())
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request,
            name="clients",
            header=[
                _("Nom"),
                _("Type"),
                _("Activité"),
                _("SIREN"),
                _("TVA"),
                _("Ville"),
                _("Département"),
                _("Pays"),
                _("E-mail"),
                _("Vente interne"),
            ],
            rows=(
                [
                    c.name,
                    c.get_kind_display(),
                    c.business.code,
                    c.siren,
                    c.vat_number,
                    c.city,
                    c.department,
                    c.country,
                    c.email,
                    c.internal_business.code if c.internal_business else "",
                ]
                for c in customers
            ),
        )
    return _list_page(
        request,
        "sales/customer_list.html",
        customers,
        {"rows": customers.count()},
        form=form,
    )


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer with its documents."""
    customer = customer_get(user=request.user, pk=pk)
    invoices = invoices_list(user=request.user).filter(customer=customer)[:50]
    quotes = quotes_list(user=request.user).filter(customer=customer)[:50]
    return render(
        request,
        "sales/customer_detail.html",
        {"customer": customer, "invoices": invoices, "quotes": quotes},
    )


@login_required
def customer_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a customer, or change one."""
    customer = customer_get(user=request.user, pk=pk) if pk else None
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if customer is None:
                customer = services.customer_create(
                    actor=request.user,
                    business=form.cleaned_data["business"],
                    **form.service_fields(),
                )
            else:
                customer = services.customer_update(
                    actor=request.user, customer=customer, **form.service_fields()
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Client enregistré."))
            return redirect("sales:customer_detail", customer.pk)
    return render(
        request,
        "sales/customer_form.html",
        {"form": form, "customer": customer},
        status=400 if form.errors else 200,
    )


# --- quotes and invoices: lists ---------------------------------------------------------


@login_required
def quote_list(request: HttpRequest) -> HttpResponse:
    """Quotes, filtered, with the totals of the filtered rows."""
    form = FilterForm(request.GET or None, user=request.user, statuses=Quote.Status.choices)
    quotes = quotes_list(user=request.user, filters=form.filters())
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request,
            name="devis",
            header=[
                _("Numéro"),
                _("Statut"),
                _("Activité"),
                _("Client"),
                _("Date"),
                _("Valable jusqu'au"),
                _("Total HT"),
                _("TVA"),
                _("Total TTC"),
            ],
            rows=(
                [
                    q.number or "",
                    q.get_status_display(),
                    q.business.code,
                    q.customer.name,
                    q.issue_date,
                    q.validity_date,
                    from_cents(q.total_excl_vat_cents),
                    from_cents(q.total_vat_cents),
                    from_cents(q.total_incl_vat_cents),
                ]
                for q in quotes
            ),
        )
    totals = sums(quotes, "total_excl_vat_cents", "total_vat_cents", "total_incl_vat_cents")
    return _list_page(request, "sales/quote_list.html", quotes, totals, form=form, today=today())


def _invoice_rows(invoices: Any) -> Any:
    for i in invoices:
        yield [
            i.number or "",
            i.get_kind_display(),
            i.get_status_display(),
            i.business.code,
            i.customer.name,
            i.customer.get_kind_display(),
            i.issue_date,
            i.due_date,
            from_cents(i.total_excl_vat_cents),
            from_cents(i.total_vat_cents),
            from_cents(i.total_incl_vat_cents),
            from_cents(i.paid_cents),
            from_cents(i.credited_cents),
            from_cents(i.remaining_cents),
            i.credited_invoice.number if i.credited_invoice else "",
        ]


def _invoices_page(request: HttpRequest, *, credit_notes: bool) -> HttpResponse:
    statuses = InvoiceStatus.choices
    if credit_notes:
        statuses = [
            (v, label) for v, label in statuses if v in ("draft", "to_validate", "issued", "sent")
        ]
    form = FilterForm(
        request.GET or None, user=request.user, statuses=statuses, with_late=not credit_notes
    )
    filters = form.filters()
    invoices = invoices_list(user=request.user, filters=filters, credit_notes=credit_notes)
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request,
            name="avoirs" if credit_notes else "factures",
            header=[
                _("Numéro"),
                _("Type"),
                _("Statut"),
                _("Activité"),
                _("Client"),
                _("Type de client"),
                _("Date d'émission"),
                _("Échéance"),
                _("Total HT"),
                _("TVA"),
                _("Total TTC"),
                _("Payé"),
                _("Avoirs"),
                _("Reste dû"),
                _("Facture corrigée"),
            ],
            rows=_invoice_rows(invoices),
        )
    # Every invoice of every business: summing them all (a million at the benchmark's size)
    # would hold the page; the rows come first, the totals when the page asks for them.
    deferred = is_cooperative_wide(request.user) and not (filters.business or filters.customer)
    totals = None
    if not deferred or request.GET.get("part") == "totals":
        totals = sums(
            invoices,
            "total_excl_vat_cents",
            "total_vat_cents",
            "total_incl_vat_cents",
            "paid_cents",
            "credited_cents",
        )
        totals["remaining_cents"] = (
            totals["total_incl_vat_cents"] - totals["paid_cents"] - totals["credited_cents"]
        )
    if request.GET.get("part") == "totals":
        return render(
            request,
            "sales/_invoice_totals.html",
            {"totals": totals, "credit_notes": credit_notes},
        )
    return _list_page(
        request,
        "sales/invoice_list.html",
        invoices,
        totals,
        # Credit notes are issued from their own page, one by one.
        of_page=(
            None
            if credit_notes
            else lambda rows: {"issuable": services.issuable_drafts(request.user, rows)}
        ),
        form=form,
        credit_notes=credit_notes,
        today=today(),
    )


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Invoices and deposit invoices, filtered (late ones too), with totals."""
    return _invoices_page(request, credit_notes=False)


@login_required
def credit_note_list(request: HttpRequest) -> HttpResponse:
    """Credit notes, filtered, with totals."""
    return _invoices_page(request, credit_notes=True)


@login_required
def purchase_list(request: HttpRequest) -> HttpResponse:
    """Invoices other businesses of the cooperative issued to the user's: internal purchases."""
    form = FilterForm(request.GET or None, user=request.user, statuses=InvoiceStatus.choices[2:])
    form.fields.pop("customer")
    form.fields["business"].label = _("Activité acheteuse")
    invoices = internal_purchases(user=request.user, filters=form.filters())
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request,
            name="achats-internes",
            header=[
                _("Numéro"),
                _("Type"),
                _("Statut"),
                _("Activité vendeuse"),
                _("Client"),
                _("Type de client"),
                _("Date d'émission"),
                _("Échéance"),
                _("Total HT"),
                _("TVA"),
                _("Total TTC"),
                _("Payé"),
                _("Avoirs"),
                _("Reste dû"),
                _("Facture corrigée"),
            ],
            rows=_invoice_rows(invoices),
        )
    totals = sums(
        invoices, "total_excl_vat_cents", "total_incl_vat_cents", "paid_cents", "credited_cents"
    )
    totals["remaining_cents"] = (
        totals["total_incl_vat_cents"] - totals["paid_cents"] - totals["credited_cents"]
    )
    return _list_page(request, "sales/purchase_list.html", invoices, totals, form=form)


@login_required
def payment_list(request: HttpRequest) -> HttpResponse:
    """Payments received, filtered, with their total."""
    form = FilterForm(request.GET or None, user=request.user, statuses=Payment.Method.choices)
    form.fields["status"].label = _("Moyen")
    payments = payments_list(user=request.user, filters=form.filters())
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request,
            name="paiements",
            header=[
                _("Date"),
                _("Facture"),
                _("Activité"),
                _("Client"),
                _("Moyen"),
                _("Référence"),
                _("Montant"),
            ],
            rows=(
                [
                    p.date,
                    p.invoice.number,
                    p.invoice.business.code,
                    p.invoice.customer.name,
                    p.get_method_display(),
                    p.reference,
                    from_cents(p.amount_cents),
                ]
                for p in payments
            ),
        )
    totals = sums(payments, "amount_cents")
    return _list_page(request, "sales/payment_list.html", payments, totals, form=form)


# --- detail pages -----------------------------------------------------------------------


@login_required
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A quote, its lines, totals, history and what to do next."""
    quote = quote_get(user=request.user, pk=pk)
    return render(
        request,
        "sales/document_detail.html",
        {
            **document_context(quote),
            "can_write": services.can_write(request.user, quote.business),
            "invoice_form": QuoteInvoiceForm(),
            "history": quote.state_changes.all(),
        },
    )


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An invoice or credit note, its lines, totals, payments, history and actions."""
    invoice = invoice_get(user=request.user, pk=pk)
    return render(
        request,
        "sales/document_detail.html",
        {
            **document_context(invoice),
            "can_write": services.can_write(request.user, invoice.business),
            "can_validate": services.can_validate(request.user),
            "requires_validation": services.sales_settings_of(invoice.business).requires_validation,
            "is_late": invoice.is_late(today()),
            "next_number": (
                None
                if invoice.is_frozen
                else number_preview(
                    kind=services.series_kind(invoice), business=invoice.business, day=today()
                )
            ),
            "payment_form": PaymentForm(
                initial={"date": today(), "amount": from_cents(invoice.remaining_cents)}
            ),
            "credit_form": CreditNoteForm(),
            "reminder_form": ReminderForm(
                initial={"level": min(invoice.last_reminder_level + 1, 3)}
            ),
            "return_form": ReturnForm(),
            "history": invoice.state_changes.all(),
        },
    )


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
def quote_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote's PDF."""
    quote = quote_get(user=request.user, pk=pk)
    return _pdf_response(quote_pdf(quote), quote.number or f"devis-brouillon-{quote.pk}")


@login_required
def invoice_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The invoice's or credit note's PDF."""
    invoice = invoice_get(user=request.user, pk=pk)
    return _pdf_response(invoice_pdf(invoice), invoice.number or f"brouillon-{invoice.pk}")


@login_required
def invoice_einvoice_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The electronic invoice of an issued document: Factur-X PDF, CII or UBL XML.

    Scoped like the PDF (404 outside the user's businesses); a draft has none (404).
    """
    invoice = invoice_get(user=request.user, pk=pk)
    if fmt not in einvoice.FORMATS or not invoice.is_frozen:
        raise Http404
    content, name, content_type = einvoice.export(invoice, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- draft forms ------------------------------------------------------------------------


def _formset(request: HttpRequest, initial: list[dict[str, Any]] | None = None) -> Any:
    if request.method != "POST":
        return LineFormSet(prefix="lines", initial=initial)
    data = request.POST.copy()
    if "add_line" in request.POST:
        data["lines-TOTAL_FORMS"] = str(int(data.get("lines-TOTAL_FORMS", 0)) + 1)
    return LineFormSet(data, prefix="lines")


def _document_form(
    request: HttpRequest, *, is_quote: bool, document: Quote | Invoice | None
) -> HttpResponse:
    editing = document is not None
    if document is not None:
        if not services.can_write(request.user, document.business):
            raise Http404
        initial = {
            "customer": document.customer_id,
            "title": document.title,
            "notes": document.notes,
            "first_date": document.issue_date if is_quote else document.supply_date,
            "second_date": document.validity_date if is_quote else document.due_date,
            "prices": "incl" if document.prices_include_vat else "excl",
        }
        lines = [line_initial(line) for line in document.lines.all()]
        customer = document.customer
    else:
        initial = {"business": request.GET.get("business"), "customer": request.GET.get("customer")}
        customer = (
            Customer.objects.visible_to(request.user).filter(pk=initial["customer"]).first()
            if (initial["customer"] or "").isdigit()
            else None
        )
        lines = None
        if customer is not None:
            initial["prices"] = "incl" if services.default_prices_include_vat(customer) else "excl"
            if customer.is_internal:  # an internal sale carries no VAT: preselected
                lines = [
                    {"vat_rate": Decimal("0.00"), "vat_exemption_reason": str(INTERNAL_EXEMPTION)}
                ] * 2
    form = DocumentForm(
        request.POST or None, initial=initial, user=request.user, is_quote=is_quote, editing=editing
    )
    formset = _formset(request, lines)
    submitted = request.method == "POST" and "add_line" not in request.POST
    if submitted and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        incl = (
            data["prices"] == "incl"
            if data.get("prices")
            else services.default_prices_include_vat(data["customer"])
        )
        data["prices_include_vat"] = incl
        rows = [line for f in formset.forms if (line := f.line(prices_include_vat=incl))]
        try:
            document = _save_document(request, is_quote, document, data, rows)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Brouillon enregistré."))
            name = "sales:quote_detail" if is_quote else "sales:invoice_detail"
            return redirect(name, document.pk)
    return render(
        request,
        "sales/document_form.html",
        {
            "form": form,
            "formset": formset,
            "document": document,
            "is_quote": is_quote,
            "internal": customer is not None and customer.is_internal,
        },
        status=400 if request.method == "POST" and "add_line" not in request.POST else 200,
    )


def _save_document(
    request: HttpRequest,
    is_quote: bool,
    document: Quote | Invoice | None,
    data: dict[str, Any],
    rows: list[dict[str, Any]],
) -> Quote | Invoice:
    user = request.user
    common = {
        "customer": data["customer"],
        "title": data["title"],
        "notes": data["notes"],
        "prices_include_vat": data["prices_include_vat"],
    }
    if is_quote:
        dates = {"issue_date": data["first_date"] or today(), "validity_date": data["second_date"]}
        if document is None:
            return services.quote_create(
                actor=user, business=data["business"], lines=rows, **common, **dates
            )
        if dates["validity_date"] is None:
            dates.pop("validity_date")
        return services.quote_update(actor=user, quote=document, lines=rows, **common, **dates)
    dates = {"supply_date": data["first_date"], "due_date": data["second_date"]}
    if document is None:
        return services.invoice_create(
            actor=user, business=data["business"], lines=rows, **common, **dates
        )
    if document.is_credit_note:
        common.pop("customer")
    return services.invoice_update(actor=user, invoice=document, lines=rows, **common, **dates)


@login_required
def quote_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Draft a quote, or change a draft."""
    quote = quote_get(user=request.user, pk=pk) if pk else None
    if quote is not None and quote.status != Quote.Status.DRAFT:
        messages.error(request, _("Seul un devis brouillon peut être modifié."))
        return redirect("sales:quote_detail", quote.pk)
    return _document_form(request, is_quote=True, document=quote)


@login_required
def invoice_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Draft an invoice, or change a draft (an issued invoice never changes)."""
    invoice = invoice_get(user=request.user, pk=pk) if pk else None
    if invoice is not None and invoice.is_frozen:
        messages.error(
            request, _("Une facture émise ne se modifie pas : corrigez-la par un avoir.")
        )
        return redirect("sales:invoice_detail", invoice.pk)
    return _document_form(request, is_quote=False, document=invoice)


# --- actions ----------------------------------------------------------------------------


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
@require_POST
def quote_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Send, accept, refuse or invoice a quote."""
    quote = quote_get(user=request.user, pk=pk)
    user = request.user
    try:
        if action == "send":
            services.quote_send(actor=user, quote=quote, email=bool(request.POST.get("email")))
            messages.success(request, _("Devis envoyé."))
        elif action == "accept":
            services.quote_accept(actor=user, quote=quote)
        elif action == "refuse":
            services.quote_refuse(actor=user, quote=quote)
        elif action == "invoice":
            form = QuoteInvoiceForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choisissez comment facturer."))
            invoice = services.quote_to_invoice(
                actor=user,
                quote=quote,
                mode=form.cleaned_data["mode"],
                percent=form.cleaned_data.get("percent"),
            )
            messages.success(request, _("Brouillon de facture créé."))
            return redirect("sales:invoice_detail", invoice.pk)
        else:
            raise Http404
    except ValidationError as error:
        _refused(request, error)
    return redirect("sales:quote_detail", quote.pk)


@login_required
@require_POST
def invoice_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Issue, submit, send back, send, delete, credit, pay or remind."""
    invoice = invoice_get(user=request.user, pk=pk)
    user = request.user
    target = reverse("sales:invoice_detail", args=[invoice.pk])
    try:
        if action == "issue":
            services.invoice_issue(actor=user, invoice=invoice)
            messages.success(request, _("Facture émise."))
        elif action == "submit":
            services.invoice_submit(actor=user, invoice=invoice)
            messages.success(request, _("Facture soumise à validation."))
        elif action == "return":
            form = ReturnForm(request.POST)
            reason = form.data.get("reason", "")
            services.invoice_return_to_draft(actor=user, invoice=invoice, reason=reason)
        elif action == "send":
            sending = services.invoice_send(
                actor=user, invoice=invoice, recipient=request.POST.get("recipient") or None
            )
            messages.success(request, _("Envoyée à %(to)s.") % {"to": sending.recipient})
        elif action == "delete":
            services.invoice_delete(actor=user, invoice=invoice)
            messages.success(request, _("Brouillon supprimé."))
            return redirect("sales:invoice_list")
        elif action == "credit":
            form = CreditNoteForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Formulaire d'avoir incomplet."))
            credit = services.credit_note_create(
                actor=user,
                invoice=invoice,
                lines=form.lines(prices_include_vat=invoice.prices_include_vat),
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Brouillon d'avoir créé."))
            return redirect("sales:invoice_detail", credit.pk)
        elif action == "pay":
            form = PaymentForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Paiement incomplet : date, montant et moyen."))
            services.payment_record(
                actor=user,
                invoice=invoice,
                amount_cents=to_cents(form.cleaned_data["amount"]),
                method=form.cleaned_data["method"],
                date=form.cleaned_data["date"],
                reference=form.cleaned_data["reference"],
            )
            messages.success(request, _("Paiement enregistré."))
        elif action == "cancel-payment":
            chosen = request.POST.get("payment", "")
            payment = invoice.payments.filter(pk=chosen).first() if chosen.isdigit() else None
            if payment is None:
                raise Http404
            services.payment_cancel(
                actor=user, payment=payment, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Paiement annulé."))
        elif action == "remind":
            form = ReminderForm(request.POST)
            level = int(form.data.get("level") or 0) or None
            services.reminder_send(actor=user, invoice=invoice, level=level)
            messages.success(request, _("Relance envoyée."))
        else:
            raise Http404
    except ValidationError as error:
        _refused(request, error)
    return redirect(target)


#: A number's sequence: the digits it ends with, after what the series puts before them.
_SEQUENCE = re.compile(r"^(.*?)(\d+)$")
#: Runs of numbers a message names; past them, how many more.
_RUNS_SHOWN = 5


def _number_runs(numbers: list[str]) -> str:
    """« A-2026-00004 à A-2026-00006, B-2026-00001 »: consecutive numbers of a series as
    one run (in the order given), the first runs only, then how many numbers more."""
    runs: list[list[str]] = []
    for number in numbers:
        if runs and _follows(runs[-1][-1], number):
            runs[-1].append(number)
        else:
            runs.append([number])
    shown = ", ".join(
        run[0] if len(run) == 1 else _("%(first)s à %(last)s") % {"first": run[0], "last": run[-1]}
        for run in runs[:_RUNS_SHOWN]
    )
    more = sum(len(run) for run in runs[_RUNS_SHOWN:])
    if more:
        shown += ngettext(" et %(n)s autre", " et %(n)s autres", more) % {"n": more}
    return shown


def _follows(previous: str, number: str) -> bool:
    before, after = _SEQUENCE.match(previous), _SEQUENCE.match(number)
    return bool(
        before
        and after
        and before[1] == after[1]
        and len(before[2]) == len(after[2])
        and int(after[2]) == int(before[2]) + 1
    )


def _back_to_invoice_list(request: HttpRequest) -> str:
    """The invoice list the selection was made on (its filters and page), else the list."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) and urlsplit(target).path == reverse("sales:invoice_list"):
        return target
    return reverse("sales:invoice_list")


@login_required
@require_POST
def invoices_issue_view(request: HttpRequest) -> HttpResponse:
    """Issue the drafts ticked on the invoice list, all or none, and go back to the list."""
    target = _back_to_invoice_list(request)
    chosen = request.POST.getlist("invoice")
    if not all(value.isascii() and value.isdigit() and len(value) <= 19 for value in chosen):
        messages.error(
            request,
            _("La sélection est illisible : cochez des factures de la liste. Rien n'a été émis."),
        )
        return redirect(target)
    # Numbered in the order the drafts were made, whatever the order of the boxes.
    pks = sorted({int(value) for value in chosen})
    visible = set(
        Invoice.objects.visible_to(request.user)
        .invoices()
        .filter(pk__in=[pk for pk in pks if pk <= LARGEST_ID])  # beyond: SQLite refuses
        .values_list("pk", flat=True)
    )
    try:
        if unknown := [pk for pk in pks if pk not in visible]:
            raise services.invoices_not_found(unknown)
        issued = services.invoices_issue(actor=request.user, invoices=pks)
    except ValidationError as error:
        _refused(request, error)
    except PermissionDenied as error:  # no longer allowed since the list was shown
        messages.error(request, str(error) or _("Vous ne pouvez pas émettre ces factures."))
    else:
        numbers = [invoice.number for invoice in issued if invoice.number]
        messages.success(
            request,
            ngettext(
                "%(count)s facture émise : %(numbers)s.",
                "%(count)s factures émises : %(numbers)s.",
                len(issued),
            )
            % {"count": len(issued), "numbers": _number_runs(numbers)},
        )
    return redirect(target)


@login_required
def settings_form(request: HttpRequest, business_id: int) -> HttpResponse:
    """A business's sales settings: payment terms, printed terms, validation before issue."""
    business = businesses_for_sales(user=request.user).filter(pk=business_id).first()
    if business is None or not services.can_write(request.user, business):
        raise Http404
    current = services.sales_settings_of(business)
    form = SalesSettingsForm(
        request.POST or None,
        instance=current,
        can_decide_validation=services.can_validate(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.sales_settings_update(
                actor=request.user,
                business=business,
                **{name: form.cleaned_data[name] for name in form.changed_data},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Paramètres de vente enregistrés."))
            return redirect("sales:settings", business.pk)
    return render(
        request,
        "sales/settings_form.html",
        {"form": form, "business": business},
        status=400 if form.errors else 200,
    )
