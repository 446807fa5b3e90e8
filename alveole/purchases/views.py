"""Pages of purchases: lists with filters, totals and exports; detail pages with history;
entry, reception and expense forms; files served only to those who may see them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.money import from_cents
from alveole.core.tabular import export_response
from alveole.purchases import selectors, services
from alveole.purchases.files import stored_file_response
from alveole.purchases.forms import (
    AssignForm,
    ClassificationForm,
    ExpenseLineForm,
    ExpenseReportForm,
    InvoiceFilterForm,
    LineFormSet,
    PaymentForm,
    ReceiveForm,
    RefuseForm,
    ReportFilterForm,
    SupplierFilterForm,
    SupplierForm,
    SupplierInvoiceForm,
    TripForm,
    add_service_errors,
)
from alveole.purchases.models import ExpenseLine, ExpenseReport, SupplierInvoice

PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")


def _export(request: HttpRequest, *, name: str, header: list[str], rows: Any) -> HttpResponse:
    return export_response(
        request, target_type=f"purchases.{name}", name=name, header=header, rows=rows
    )


def _list_page(request: HttpRequest, template: str, rows: Any, **context: Any) -> HttpResponse:
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, template, {"page": page, "query": query.urlencode(), **context})


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- supplier invoices: list ------------------------------------------------------------


def _invoice_rows(invoices: Any) -> Any:
    for i in invoices:
        yield [
            i.number,
            i.kind_label,
            i.get_status_display(),
            i.supplier.name,
            i.supplier.siren,
            i.business.code if i.business else "",
            i.get_category_display(),
            i.get_origin_display(),
            i.issue_date,
            i.due_date,
            i.currency,
            from_cents(i.total_excl_vat_cents),
            from_cents(i.total_vat_cents),
            from_cents(i.total_incl_vat_cents),
            from_cents(i.due_cents),
            i.paid_on,
            i.get_payment_method_display() if i.payment_method else "",
            i.payment_reference,
        ]


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Supplier invoices, filtered, with the totals of the filtered rows."""
    form = InvoiceFilterForm(request.GET or None, user=request.user)
    invoices = selectors.supplier_invoices_list(user=request.user, filters=form.filters())
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request,
            name="factures-fournisseurs",
            header=[
                _("Numéro"),
                _("Type"),
                _("Statut"),
                _("Fournisseur"),
                _("SIREN du fournisseur"),
                _("Activité"),
                _("Catégorie"),
                _("Origine"),
                _("Date"),
                _("Échéance"),
                _("Devise"),
                _("Total HT"),
                _("TVA"),
                _("Total TTC"),
                _("Montant à payer"),
                _("Payée le"),
                _("Moyen de paiement"),
                _("Référence du paiement"),
            ],
            rows=_invoice_rows(invoices),
        )
    return _list_page(
        request,
        "purchases/invoice_list.html",
        invoices,
        form=form,
        totals=selectors.invoice_totals(invoices),
        pending=selectors.pending_work(user=request.user)
        if request.user.is_cooperative_wide
        else None,
    )


# --- supplier invoices: detail, file, actions -------------------------------------------


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A supplier invoice: lines, VAT per rate, findings, history and what to do next."""
    invoice = selectors.supplier_invoice_get(user=request.user, pk=pk)
    findings = list(invoice.findings.all())
    return render(
        request,
        "purchases/invoice_detail.html",
        {
            "invoice": invoice,
            "findings": findings,
            "fatal_count": sum(1 for f in findings if f.severity == "fatal"),
            "history": invoice.state_changes.all(),
            "can_decide": services.is_cooperative_wide(request.user),
            "can_edit": invoice.status in ("received", "assigned")
            and (
                services.is_cooperative_wide(request.user)
                or (
                    invoice.business is not None
                    and services.can_use_business(request.user, invoice.business)
                )
            ),
            "assign_form": AssignForm(
                initial={"business": invoice.business_id, "category": invoice.category}
            ),
            "payment_form": PaymentForm(),
        },
    )


@login_required
def invoice_file(request: HttpRequest, pk: int) -> FileResponse:
    """The received file, as it came, to whoever may see the invoice."""
    invoice = selectors.supplier_invoice_get(user=request.user, pk=pk)
    return stored_file_response(
        invoice.original_file, filename=invoice.original_filename or "facture"
    )


@login_required
@require_POST
def invoice_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Assign, validate, pay, or run the conformity check again."""
    invoice = selectors.supplier_invoice_get(user=request.user, pk=pk)
    user = request.user
    try:
        if action == "assign":
            form = AssignForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choisissez une activité et une catégorie."))
            services.supplier_invoice_assign(
                actor=user,
                invoice=invoice,
                business=form.cleaned_data["business"],
                category=form.cleaned_data["category"],
            )
            messages.success(request, _("Facture affectée."))
        elif action == "validate":
            services.supplier_invoice_validate(actor=user, invoice=invoice)
            messages.success(request, _("Facture validée."))
        elif action == "pay":
            form = PaymentForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Paiement incomplet : date et moyen de paiement."))
            services.supplier_invoice_pay(
                actor=user,
                invoice=invoice,
                method=form.cleaned_data["method"],
                date=form.cleaned_data["date"],
                reference=form.cleaned_data["reference"],
            )
            messages.success(request, _("Paiement enregistré."))
        elif action == "check":
            if not services.is_cooperative_wide(user):
                raise PermissionDenied
            if invoice.origin != SupplierInvoice.Origin.RECEIVED:
                raise ValidationError(_("Seule une facture électronique reçue se contrôle."))
            SupplierInvoice.objects.filter(pk=invoice.pk).update(
                validation_state=SupplierInvoice.ValidationState.PENDING
            )
            services.check_received_invoice.enqueue(invoice.pk)
            messages.success(request, _("Contrôle de conformité relancé."))
        else:
            raise Http404
    except ValidationError as error:
        _refused(request, error)
    return redirect("purchases:invoice_detail", invoice.pk)


# --- supplier invoices: forms -----------------------------------------------------------


def _line_formset(request: HttpRequest, initial: list[dict[str, Any]] | None = None) -> Any:
    if request.method != "POST":
        return LineFormSet(prefix="lines", initial=initial)
    data = request.POST.copy()
    if "add_line" in request.POST:
        data["lines-TOTAL_FORMS"] = str(int(data.get("lines-TOTAL_FORMS", 0)) + 1)
    return LineFormSet(data, prefix="lines")


@login_required
def invoice_create(request: HttpRequest) -> HttpResponse:
    """Enter a supplier invoice received on paper or as a plain PDF."""
    form = SupplierInvoiceForm(
        request.POST or None,
        user=request.user,
        initial={"business": request.GET.get("business"), "supplier": request.GET.get("supplier")},
    )
    formset = _line_formset(request)
    submitted = request.method == "POST" and "add_line" not in request.POST
    if submitted and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        lines = [line for f in formset.forms if (line := f.line())]
        try:
            invoice = services.supplier_invoice_create(
                actor=request.user,
                supplier=data["supplier"],
                business=data.get("business"),
                number=data["number"],
                issue_date=data["issue_date"],
                due_date=data["due_date"],
                category=data["category"],
                title=data["title"],
                notes=data["notes"],
                is_credit_note=data["is_credit_note"],
                lines=lines,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Facture enregistrée."))
            return redirect("purchases:invoice_detail", invoice.pk)
    return render(
        request,
        "purchases/invoice_form.html",
        {"form": form, "formset": formset, "invoice": None},
        status=400 if submitted else 200,
    )


@login_required
def invoice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an invoice before validation: all of it if entered by hand, else its category."""
    invoice = selectors.supplier_invoice_get(user=request.user, pk=pk)
    if invoice.business is None:
        allowed = services.is_cooperative_wide(request.user)
    else:
        allowed = services.can_use_business(request.user, invoice.business)
    if not allowed:
        raise PermissionDenied
    if invoice.status not in ("received", "assigned"):
        messages.error(request, _("Une facture validée ou payée ne se modifie plus."))
        return redirect("purchases:invoice_detail", invoice.pk)
    if invoice.origin != SupplierInvoice.Origin.MANUAL:
        return _classification_form(request, invoice)
    initial = {
        "supplier": invoice.supplier_id, "number": invoice.number, "issue_date": invoice.issue_date,
        "due_date": invoice.due_date, "category": invoice.category, "title": invoice.title,
        "notes": invoice.notes, "is_credit_note": invoice.is_credit_note,
    }  # fmt: skip
    form = SupplierInvoiceForm(
        request.POST or None, user=request.user, editing=True, initial=initial
    )
    lines = [
        {"description": ln.description, "quantity": ln.quantity, "unit_price": ln.unit_price, "vat_rate": ln.vat_rate}
        for ln in invoice.lines.all()
    ]  # fmt: skip
    formset = _line_formset(request, lines)
    submitted = request.method == "POST" and "add_line" not in request.POST
    if submitted and form.is_valid() and formset.is_valid():
        fields = dict(form.cleaned_data)
        rows = [line for f in formset.forms if (line := f.line())]
        try:
            services.supplier_invoice_update(
                actor=request.user, invoice=invoice, lines=rows, **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Facture modifiée."))
            return redirect("purchases:invoice_detail", invoice.pk)
    return render(
        request,
        "purchases/invoice_form.html",
        {"form": form, "formset": formset, "invoice": invoice},
        status=400 if submitted else 200,
    )


def _classification_form(request: HttpRequest, invoice: SupplierInvoice) -> HttpResponse:
    form = ClassificationForm(
        request.POST or None,
        initial={"category": invoice.category, "title": invoice.title, "notes": invoice.notes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_invoice_update(
                actor=request.user, invoice=invoice, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Facture modifiée."))
            return redirect("purchases:invoice_detail", invoice.pk)
    return render(
        request,
        "purchases/invoice_classify.html",
        {"form": form, "invoice": invoice},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def invoice_receive(request: HttpRequest) -> HttpResponse:
    """Drop received e-invoices (Factur-X PDF, CII or UBL XML): each is read, checked and filed,
    or refused with the reason."""
    form = ReceiveForm(request.POST or None, request.FILES or None, user=request.user)
    results: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        for upload in form.cleaned_data["files"]:
            try:
                invoice = services.supplier_invoice_receive(
                    actor=request.user,
                    content=upload.read(),
                    filename=upload.name,
                    business=form.cleaned_data.get("business"),
                    category=form.cleaned_data["category"],
                )
            except ValidationError as error:
                results.append({"name": upload.name, "errors": error.messages})
            else:
                results.append({"name": upload.name, "invoice": invoice})
        if len(results) == 1 and "invoice" in results[0]:
            messages.success(request, _("Facture reçue et enregistrée."))
            return redirect("purchases:invoice_detail", results[0]["invoice"].pk)
    refused = any("errors" in r for r in results)
    return render(
        request,
        "purchases/invoice_receive.html",
        {"form": form, "results": results},
        status=400 if (request.method == "POST" and (form.errors or refused)) else 200,
    )


# --- suppliers --------------------------------------------------------------------------


@login_required
def supplier_list(request: HttpRequest) -> HttpResponse:
    """The cooperative's suppliers."""
    form = SupplierFilterForm(request.GET or None)
    suppliers = selectors.suppliers_list(user=request.user, filters=form.filters())
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request,
            name="fournisseurs",
            header=[
                _("Nom"),
                _("SIREN"),
                _("SIRET"),
                _("TVA"),
                _("Adresse"),
                _("Code postal"),
                _("Ville"),
                _("Pays"),
                _("E-mail"),
                _("Adresse électronique"),
                _("IBAN"),
                _("Activité (fournisseur interne)"),
            ],
            rows=(
                [
                    s.name,
                    s.siren,
                    s.siret,
                    s.vat_number,
                    s.address,
                    s.postal_code,
                    s.city,
                    s.country,
                    s.email,
                    s.electronic_address,
                    s.iban,
                    s.internal_business.code if s.internal_business else "",
                ]
                for s in suppliers
            ),
        )
    return _list_page(request, "purchases/supplier_list.html", suppliers, form=form)


@login_required
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A supplier and the invoices of it the user may see."""
    supplier = selectors.supplier_get(user=request.user, pk=pk)
    invoices = selectors.supplier_invoices_list(
        user=request.user, filters=selectors.PurchaseFilters(supplier=supplier.pk)
    )
    return render(
        request,
        "purchases/supplier_detail.html",
        {
            "supplier": supplier,
            "invoices": invoices[:50],
            "totals": selectors.invoice_totals(invoices),
            "can_edit": services.is_cooperative_wide(request.user) and not supplier.is_internal,
        },
    )


@login_required
def supplier_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a supplier (anyone), or change one (staff roles: bank details are a fraud target)."""
    supplier = selectors.supplier_get(user=request.user, pk=pk) if pk else None
    if supplier is not None and not services.is_cooperative_wide(request.user):
        raise PermissionDenied
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        try:
            if supplier is None:
                supplier = services.supplier_create(actor=request.user, **form.service_fields())
            else:
                supplier = services.supplier_update(
                    actor=request.user, supplier=supplier, **form.service_fields()
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Fournisseur enregistré."))
            if request.GET.get("next") == "invoice":
                return redirect(f"{reverse('purchases:invoice_create')}?supplier={supplier.pk}")
            return redirect("purchases:supplier_detail", supplier.pk)
    return render(
        request,
        "purchases/supplier_form.html",
        {"form": form, "supplier": supplier},
        status=400 if request.method == "POST" else 200,
    )


# --- expense reports --------------------------------------------------------------------


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Expense reports (an entrepreneur's own), filtered, with totals."""
    form = ReportFilterForm(request.GET or None, user=request.user)
    reports = selectors.expense_reports_list(user=request.user, filters=form.filters())
    if request.GET.get("format") in EXPORT_FORMATS:
        return _export(
            request,
            name="notes-de-depenses",
            header=[
                _("Mois"),
                _("Entrepreneur·e"),
                _("Activité"),
                _("Statut"),
                _("Total TTC"),
                _("TVA récupérable"),
                _("Soumise le"),
                _("Payée le"),
                _("Moyen de paiement"),
                _("Motif du refus"),
            ],
            rows=(
                [
                    r.month.strftime("%m/%Y"),
                    str(r.person),
                    r.business.code,
                    r.get_status_display(),
                    from_cents(r.total_cents),
                    from_cents(r.total_vat_cents),
                    r.submitted_at.date() if r.submitted_at else "",
                    r.paid_on,
                    r.get_payment_method_display() if r.payment_method else "",
                    r.refusal_reason,
                ]
                for r in reports
            ),
        )
    return _list_page(
        request,
        "purchases/report_list.html",
        reports,
        form=form,
        totals=selectors.report_totals(reports),
        can_create=bool(request.user.person_id),
    )


@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    """Open an expense report for a month (one's own)."""
    person = request.user.person
    if person is None:
        raise PermissionDenied
    form = ExpenseReportForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.expense_report_create(
                actor=request.user,
                person=person,
                business=form.cleaned_data["business"],
                month=form.cleaned_data["month"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("purchases:report_detail", report.pk)
    return render(
        request,
        "purchases/report_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _report_page(
    request: HttpRequest,
    report: ExpenseReport,
    *,
    line_form: ExpenseLineForm | None = None,
    trip_form: TripForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_owner = request.user.person_id == report.person_id
    scale = selectors.mileage_scale_in_force(report.month)
    return render(
        request,
        "purchases/report_detail.html",
        {
            "report": report,
            "lines": report.lines.all(),
            "history": report.state_changes.all(),
            "is_owner": is_owner,
            "can_edit": is_owner and report.is_editable,
            "can_decide": services.is_cooperative_wide(request.user) and not is_owner,
            "line_form": line_form or ExpenseLineForm(initial={"date": report.month}),
            "trip_form": trip_form or TripForm(initial={"date": report.month}),
            "refuse_form": RefuseForm(),
            "payment_form": PaymentForm(),
            "scale": scale,
        },
        status=status,
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An expense report: its lines with receipts, its totals, history and actions."""
    return _report_page(request, selectors.expense_report_get(user=request.user, pk=pk))


@login_required
@require_POST
def report_add_line(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an expense with its receipt."""
    report = selectors.expense_report_get(user=request.user, pk=pk)
    form = ExpenseLineForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.expense_line_add(actor=request.user, report=report, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error, {"amount_cents": "amount", "vat_cents": "vat"})
        else:
            messages.success(request, _("Dépense ajoutée."))
            return redirect("purchases:report_detail", report.pk)
    report = selectors.expense_report_get(user=request.user, pk=pk)
    return _report_page(request, report, line_form=form, status=400)


@login_required
@require_POST
def report_add_trip(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a trip paid by the mileage scale."""
    report = selectors.expense_report_get(user=request.user, pk=pk)
    form = TripForm(request.POST)
    if form.is_valid():
        try:
            services.expense_mileage_add(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Trajet ajouté."))
            return redirect("purchases:report_detail", report.pk)
    report = selectors.expense_report_get(user=request.user, pk=pk)
    return _report_page(request, report, trip_form=form, status=400)


@login_required
@require_POST
def report_delete_line(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """Remove a line from a draft or refused report."""
    line = selectors.expense_line_get(user=request.user, report_pk=pk, pk=line_pk)
    try:
        services.expense_line_delete(actor=request.user, line=line)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Ligne retirée."))
    return redirect("purchases:report_detail", pk)


@login_required
def report_receipt(request: HttpRequest, pk: int, line_pk: int) -> FileResponse:
    """A line's receipt, to the report's author and staff roles."""
    line: ExpenseLine = selectors.expense_line_get(user=request.user, report_pk=pk, pk=line_pk)
    return stored_file_response(
        line.receipt,
        filename=line.receipt_filename or "justificatif",
        content_type=line.receipt_content_type,
    )


@login_required
@require_POST
def report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit (the author), validate, refuse or pay (staff roles)."""
    report = selectors.expense_report_get(user=request.user, pk=pk)
    user = request.user
    try:
        if action == "submit":
            services.expense_report_submit(actor=user, report=report)
            messages.success(request, _("Note de dépenses soumise à l'équipe d'appui."))
        elif action == "validate":
            services.expense_report_validate(actor=user, report=report)
            messages.success(request, _("Note de dépenses validée."))
        elif action == "refuse":
            services.expense_report_refuse(
                actor=user, report=report, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Note de dépenses refusée."))
        elif action == "pay":
            form = PaymentForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Paiement incomplet : date et moyen de paiement."))
            services.expense_report_pay(
                actor=user,
                report=report,
                method=form.cleaned_data["method"],
                date=form.cleaned_data["date"],
                reference=form.cleaned_data["reference"],
            )
            messages.success(request, _("Remboursement enregistré."))
        else:
            raise Http404
    except ValidationError as error:
        _refused(request, error)
    return redirect("purchases:report_detail", report.pk)
