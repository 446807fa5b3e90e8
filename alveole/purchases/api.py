"""REST routes of purchases: reads through the selectors (scoped), writes through the services.

An entrepreneur sees their businesses' supplier invoices and their own expense reports;
staff, accountants and direction see all and alone assign, validate and pay. Another
business's document is a 404; a write the services refuse is a 403 or a 400 with the
reasons. Amounts are integer cents. Mounted by alveole/api.py under /purchases.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from alveole.businesses.models import Business
from alveole.core.api import ERRORS, api_field_names, paginate
from alveole.purchases import selectors, services
from alveole.purchases.files import stored_file_response
from alveole.purchases.models import ExpenseReport, Supplier, SupplierInvoice
from alveole.purchases.schemas import (
    AssignIn,
    ExpenseLineOut,
    PurchaseQuery,
    RefuseIn,
    ReportIn,
    ReportOut,
    ReportPage,
    SupplierIn,
    SupplierInvoiceIn,
    SupplierInvoiceOut,
    SupplierInvoicePage,
    SupplierInvoicePatch,
    SupplierOut,
    SupplierPage,
    SupplierPatch,
    SupplierPaymentIn,
    TripIn,
)

router = Router(tags=["Achats"])

API_FIELD_NAMES = {
    "supplier": "supplier_id",
    "business": "business_id",
    "amount_cents": "amount_cents",
}


def _filters(query: PurchaseQuery) -> selectors.PurchaseFilters:
    return selectors.PurchaseFilters(
        q=query.q.strip(),
        business=query.business,
        supplier=query.supplier,
        person=query.person,
        status=query.status,
        category=query.category,
        origin=query.origin,
        date_from=query.date_from,
        date_to=query.date_to,
    )


def _business(request: HttpRequest, business_id: int | None) -> Business | None:
    if business_id is None:
        return None
    business = selectors.businesses_for_purchases(user=request.user).filter(pk=business_id).first()
    if business is None:
        raise ValidationError({"business_id": _("Activité inconnue.")})
    return business


def _supplier(request: HttpRequest, supplier_id: int) -> Supplier:
    try:
        return selectors.supplier_get(user=request.user, pk=supplier_id)
    except Http404:
        raise ValidationError({"supplier_id": _("Fournisseur inconnu.")}) from None


def _history(document: SupplierInvoice | ExpenseReport) -> list[dict[str, Any]]:
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


_INVOICE_DETAIL = ("lines", "vat_rows", "findings", "history", "supplier_name", "business_code")


def _invoice_out(invoice: SupplierInvoice, *, full: bool = True) -> dict[str, Any]:
    data = {
        f: getattr(invoice, f) for f in SupplierInvoiceOut.model_fields if f not in _INVOICE_DETAIL
    }
    data["supplier_name"] = invoice.supplier.name
    data["business_code"] = invoice.business.code if invoice.business else None
    if full:
        data["lines"] = list(invoice.lines.all())
        data["vat_rows"] = list(invoice.vat_rows.all())
        data["findings"] = list(invoice.findings.all())
        data["history"] = _history(invoice)
    return data


def _line_out(line: Any) -> dict[str, Any]:
    data = {
        f: getattr(line, f)
        for f in ExpenseLineOut.model_fields
        if f not in ("has_receipt", "mileage_scale_year")
    }
    data["has_receipt"] = bool(line.receipt)
    data["mileage_scale_year"] = line.mileage_scale.year if line.mileage_scale else None
    return data


def _report_out(report: ExpenseReport, *, full: bool = True) -> dict[str, Any]:
    data = {f: getattr(report, f) for f in ReportOut.model_fields if f not in ("lines", "history")}
    if full:
        data["lines"] = [_line_out(line) for line in report.lines.all()]
        data["history"] = _history(report)
    return data


def _invoice(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    return _invoice_out(selectors.supplier_invoice_get(user=request.user, pk=invoice_id))


def _report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _report_out(selectors.expense_report_get(user=request.user, pk=report_id))


# --- suppliers --------------------------------------------------------------------------


@router.get("/suppliers", response={200: SupplierPage, **ERRORS}, summary="Liste des fournisseurs")
def suppliers_list(request: HttpRequest, filters: Query[PurchaseQuery]) -> dict[str, Any]:
    """L'annuaire des fournisseurs de la coopérative (`origin` : external ou internal)."""
    suppliers = selectors.suppliers_list(user=request.user, filters=_filters(filters))
    return paginate(suppliers, page=filters.page, page_size=filters.page_size)


@router.post("/suppliers", response={201: SupplierOut, **ERRORS}, summary="Ajouter un fournisseur")
def supplier_create(request: HttpRequest, payload: SupplierIn) -> Status:
    """SIREN, SIRET, TVA, IBAN et BIC vérifiés ; un SIREN ou une TVA déjà connus sont refusés."""
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return Status(201, services.supplier_create(actor=request.user, **data))


@router.get(
    "/suppliers/{int:supplier_id}", response={200: SupplierOut, **ERRORS}, summary="Fournisseur"
)
def supplier_detail(request: HttpRequest, supplier_id: int) -> Supplier:
    """Un fournisseur."""
    return selectors.supplier_get(user=request.user, pk=supplier_id)


@router.patch(
    "/suppliers/{int:supplier_id}", response={200: SupplierOut, **ERRORS}, summary="Modifier"
)
def supplier_update(request: HttpRequest, supplier_id: int, payload: SupplierPatch) -> Supplier:
    """Équipe d'appui, comptabilité et direction seulement (l'IBAN est une cible de fraude)."""
    supplier = selectors.supplier_get(user=request.user, pk=supplier_id)
    data = {k: ("" if v is None else v) for k, v in payload.model_dump(exclude_unset=True).items()}
    return services.supplier_update(actor=request.user, supplier=supplier, **data)


# --- supplier invoices ------------------------------------------------------------------


@router.get(
    "/invoices", response={200: SupplierInvoicePage, **ERRORS}, summary="Factures fournisseurs"
)
def invoices_list(request: HttpRequest, filters: Query[PurchaseQuery]) -> dict[str, Any]:
    """Les factures fournisseurs visibles par l'appelant, sans leurs lignes."""
    invoices = selectors.supplier_invoices_list(user=request.user, filters=_filters(filters))
    page = paginate(invoices, page=filters.page, page_size=filters.page_size)
    page["results"] = [_invoice_out(i, full=False) for i in page["results"]]
    return page


@router.post(
    "/invoices", response={201: SupplierInvoiceOut, **ERRORS}, summary="Saisir une facture"
)
def invoice_create(request: HttpRequest, payload: SupplierInvoiceIn) -> Status:
    """Une facture reçue sur papier ou en PDF simple ; refusée si elle est déjà enregistrée."""
    with api_field_names(API_FIELD_NAMES):
        invoice = services.supplier_invoice_create(
            actor=request.user,
            supplier=_supplier(request, payload.supplier_id),
            business=_business(request, payload.business_id),
            number=payload.number,
            issue_date=payload.issue_date,
            due_date=payload.due_date,
            category=payload.category,
            title=payload.title,
            notes=payload.notes,
            is_credit_note=payload.is_credit_note,
            lines=[line.model_dump() for line in payload.lines],
        )
    return Status(201, _invoice(request, invoice.pk))


@router.post(
    "/invoices/receive",
    response={201: SupplierInvoiceOut, **ERRORS},
    summary="Recevoir une facture électronique",
)
def invoice_receive(
    request: HttpRequest,
    file: File[UploadedFile],
    business_id: Form[int | None] = None,
    category: Form[str | None] = None,
) -> Status:
    """Envoi `multipart/form-data` : `file` (PDF Factur-X / ZUGFeRD, XML CII ou UBL),
    `business_id` (obligatoire pour un·e entrepreneur·e), `category`. Un fichier illisible
    est refusé (400, motif dans `fields.file`) et rien n'est créé ; un doublon aussi. Le
    contrôle de conformité tourne en arrière-plan (`validation_state`)."""
    with api_field_names(API_FIELD_NAMES):
        invoice = services.supplier_invoice_receive(
            actor=request.user,
            content=file.read(),
            filename=file.name or "facture",
            business=_business(request, business_id),
            category=category or None,
        )
    return Status(201, _invoice(request, invoice.pk))


@router.get(
    "/invoices/{int:invoice_id}",
    response={200: SupplierInvoiceOut, **ERRORS},
    summary="Facture fournisseur",
)
def invoice_detail(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    """Une facture, ses lignes, sa TVA par taux, ses constats et son historique."""
    return _invoice(request, invoice_id)


@router.patch(
    "/invoices/{int:invoice_id}", response={200: SupplierInvoiceOut, **ERRORS}, summary="Modifier"
)
def invoice_update(
    request: HttpRequest, invoice_id: int, payload: SupplierInvoicePatch
) -> dict[str, Any]:
    """Avant validation ; les lignes envoyées remplacent les anciennes (saisie manuelle)."""
    invoice = selectors.supplier_invoice_get(user=request.user, pk=invoice_id)
    # null leaves a field as it is (none of these fields can be emptied by null)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    lines = data.pop("lines", None)
    if "supplier_id" in data:
        data["supplier"] = _supplier(request, data.pop("supplier_id"))
    with api_field_names(API_FIELD_NAMES):
        services.supplier_invoice_update(actor=request.user, invoice=invoice, lines=lines, **data)
    return _invoice(request, invoice_id)


@router.post(
    "/invoices/{int:invoice_id}/assign",
    response={200: SupplierInvoiceOut, **ERRORS},
    summary="Affecter",
)
def invoice_assign(request: HttpRequest, invoice_id: int, payload: AssignIn) -> dict[str, Any]:
    """Affecte la facture à une activité (son code analytique), jusqu'à sa validation."""
    invoice = selectors.supplier_invoice_get(user=request.user, pk=invoice_id)
    business = Business.objects.filter(pk=payload.business_id).first()
    if business is None:
        raise ValidationError({"business_id": _("Activité inconnue.")})
    services.supplier_invoice_assign(
        actor=request.user, invoice=invoice, business=business, category=payload.category
    )
    return _invoice(request, invoice_id)


@router.post(
    "/invoices/{int:invoice_id}/validate",
    response={200: SupplierInvoiceOut, **ERRORS},
    summary="Valider",
)
def invoice_validate(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    """Valide une facture affectée pour paiement et comptabilisation."""
    invoice = selectors.supplier_invoice_get(user=request.user, pk=invoice_id)
    services.supplier_invoice_validate(actor=request.user, invoice=invoice)
    return _invoice(request, invoice_id)


@router.post(
    "/invoices/{int:invoice_id}/pay", response={200: SupplierInvoiceOut, **ERRORS}, summary="Payer"
)
def invoice_pay(
    request: HttpRequest, invoice_id: int, payload: SupplierPaymentIn
) -> dict[str, Any]:
    """Enregistre le paiement d'une facture validée par la coopérative."""
    invoice = selectors.supplier_invoice_get(user=request.user, pk=invoice_id)
    services.supplier_invoice_pay(
        actor=request.user,
        invoice=invoice,
        method=payload.method,
        date=payload.date,
        reference=payload.reference,
    )
    return _invoice(request, invoice_id)


@router.get(
    "/invoices/{int:invoice_id}/file", response={200: None, **ERRORS}, summary="Fichier reçu"
)
def invoice_file(request: HttpRequest, invoice_id: int) -> FileResponse:
    """Le fichier original d'une facture électronique reçue."""
    invoice = selectors.supplier_invoice_get(user=request.user, pk=invoice_id)
    return stored_file_response(
        invoice.original_file, filename=invoice.original_filename or "facture"
    )


# --- expense reports --------------------------------------------------------------------


@router.get("/expense-reports", response={200: ReportPage, **ERRORS}, summary="Notes de dépenses")
def reports_list(request: HttpRequest, filters: Query[PurchaseQuery]) -> dict[str, Any]:
    """Les notes de dépenses visibles (les siennes pour un·e entrepreneur·e), sans lignes."""
    reports = selectors.expense_reports_list(user=request.user, filters=_filters(filters))
    page = paginate(reports, page=filters.page, page_size=filters.page_size)
    page["results"] = [_report_out(r, full=False) for r in page["results"]]
    return page


@router.post(
    "/expense-reports", response={201: ReportOut, **ERRORS}, summary="Ouvrir une note de dépenses"
)
def report_create(request: HttpRequest, payload: ReportIn) -> Status:
    """Une note par mois et par activité, au nom de l'appelant."""
    person = request.user.person
    if person is None:
        raise ValidationError(_("Votre compte n'est lié à aucune personne."))
    business = _business(request, payload.business_id)
    assert business is not None
    with api_field_names(API_FIELD_NAMES):
        report = services.expense_report_create(
            actor=request.user, person=person, business=business, month=payload.month
        )
    return Status(201, _report(request, report.pk))


@router.get("/expense-reports/{int:report_id}", response={200: ReportOut, **ERRORS}, summary="Note")
def report_detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    """Une note de dépenses, ses lignes et son historique."""
    return _report(request, report_id)


@router.post(
    "/expense-reports/{int:report_id}/lines",
    response={201: ReportOut, **ERRORS},
    summary="Ajouter une dépense",
)
def report_add_line(
    request: HttpRequest,
    report_id: int,
    receipt: File[UploadedFile],
    date: Form[datetime.date],
    category: Form[str],
    description: Form[str],
    amount_cents: Form[int],
    vat_cents: Form[int] = 0,
) -> Status:
    """Envoi `multipart/form-data` avec le justificatif (`receipt` : photo JPEG, PNG, WebP,
    HEIC ou PDF, 10 Mo au plus)."""
    report = selectors.expense_report_get(user=request.user, pk=report_id)
    services.expense_line_add(
        actor=request.user,
        report=report,
        date=date,
        category=category,
        description=description,
        amount_cents=amount_cents,
        vat_cents=vat_cents,
        receipt=receipt.read(),
        receipt_filename=receipt.name or "justificatif",
    )
    return Status(201, _report(request, report_id))


@router.post(
    "/expense-reports/{int:report_id}/trips",
    response={201: ReportOut, **ERRORS},
    summary="Ajouter un trajet",
)
def report_add_trip(request: HttpRequest, report_id: int, payload: TripIn) -> Status:
    """Un trajet avec son véhicule, indemnisé selon le barème kilométrique en vigueur."""
    report = selectors.expense_report_get(user=request.user, pk=report_id)
    services.expense_mileage_add(actor=request.user, report=report, **payload.model_dump())
    return Status(201, _report(request, report_id))


@router.delete(
    "/expense-reports/{int:report_id}/lines/{int:line_id}",
    response={200: ReportOut, **ERRORS},
    summary="Retirer une ligne",
)
def report_delete_line(request: HttpRequest, report_id: int, line_id: int) -> dict[str, Any]:
    """Dans une note en brouillon ou refusée."""
    line = selectors.expense_line_get(user=request.user, report_pk=report_id, pk=line_id)
    services.expense_line_delete(actor=request.user, line=line)
    return _report(request, report_id)


@router.get(
    "/expense-reports/{int:report_id}/lines/{int:line_id}/receipt",
    response={200: None, **ERRORS},
    summary="Justificatif",
)
def report_receipt(request: HttpRequest, report_id: int, line_id: int) -> FileResponse:
    """Le justificatif d'une dépense."""
    line = selectors.expense_line_get(user=request.user, report_pk=report_id, pk=line_id)
    return stored_file_response(
        line.receipt,
        filename=line.receipt_filename or "justificatif",
        content_type=line.receipt_content_type,
    )


@router.post(
    "/expense-reports/{int:report_id}/submit",
    response={200: ReportOut, **ERRORS},
    summary="Soumettre",
)
def report_submit(request: HttpRequest, report_id: int) -> dict[str, Any]:
    """L'auteur·e soumet sa note à l'équipe d'appui."""
    report = selectors.expense_report_get(user=request.user, pk=report_id)
    services.expense_report_submit(actor=request.user, report=report)
    return _report(request, report_id)


@router.post(
    "/expense-reports/{int:report_id}/validate",
    response={200: ReportOut, **ERRORS},
    summary="Valider",
)
def report_validate(request: HttpRequest, report_id: int) -> dict[str, Any]:
    """Équipe d'appui, comptabilité, direction (pas sa propre note)."""
    report = selectors.expense_report_get(user=request.user, pk=report_id)
    services.expense_report_validate(actor=request.user, report=report)
    return _report(request, report_id)


@router.post(
    "/expense-reports/{int:report_id}/refuse",
    response={200: ReportOut, **ERRORS},
    summary="Refuser",
)
def report_refuse(request: HttpRequest, report_id: int, payload: RefuseIn) -> dict[str, Any]:
    """Avec le motif ; l'auteur·e corrige puis soumet de nouveau."""
    report = selectors.expense_report_get(user=request.user, pk=report_id)
    services.expense_report_refuse(actor=request.user, report=report, reason=payload.reason)
    return _report(request, report_id)


@router.post(
    "/expense-reports/{int:report_id}/pay",
    response={200: ReportOut, **ERRORS},
    summary="Rembourser",
)
def report_pay(request: HttpRequest, report_id: int, payload: SupplierPaymentIn) -> dict[str, Any]:
    """Enregistre le remboursement d'une note validée."""
    report = selectors.expense_report_get(user=request.user, pk=report_id)
    services.expense_report_pay(
        actor=request.user,
        report=report,
        method=payload.method,
        date=payload.date,
        reference=payload.reference,
    )
    return _report(request, report_id)
