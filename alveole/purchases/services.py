"""Operations on suppliers, supplier invoices and expense reports.

Every write of the purchases app goes through here: pages, API, the import command, the
sales app (internal purchases) and the demo. Each service runs in one transaction, checks
who acts, records the change of state and an audit event, and returns the object.
`actor=None` is the system itself (imports, the demo, background checks).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.businesses.models import Business
from alveole.coop.models import Cooperative
from alveole.core.dates import today
from alveole.core.formatting import format_cents, format_date
from alveole.core.money import round_cents
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.core.services import audit_record, model_changes
from alveole.core.validators import clean_postal_code, clean_siren, clean_siret
from alveole.einvoicing import validation
from alveole.ledger import posting
from alveole.ledger.services import entry_post_if_any, open_date
from alveole.people.models import Person
from alveole.purchases import amounts, mileage
from alveole.purchases.files import RECEIPT_TYPES, check_receipt, einvoice_max_bytes
from alveole.purchases.identifiers import clean_bic, clean_iban, clean_vat_number
from alveole.purchases.models import (
    EXPENSE_EDITABLE_STATUSES,
    ExpenseCategory,
    ExpenseLine,
    ExpenseReport,
    ExpenseReportStatus,
    InvoiceFinding,
    MileageScale,
    PaymentMethod,
    PurchaseCategory,
    PurchaseStateChange,
    Supplier,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierInvoiceStatus,
    SupplierInvoiceVat,
)
from alveole.purchases.reception import ReceivedData, Unreadable, parse_received

logger = logging.getLogger(__name__)

#: The French VAT rates an invoice entered by hand may carry (DOMAIN.md).
VAT_RATES = (Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"), Decimal("0"))
QUANTITY_PLACES = 4
UNIT_PRICE_PLACES = 6
#: One trip longer than this is a typing error (a year's distance goes line by line).
MAX_TRIP_KM = Decimal("5000")


# --- who may act ------------------------------------------------------------------------


def _authenticated(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active)


def is_cooperative_wide(actor: Any) -> bool:
    """Staff, accountants and direction (and the system itself) handle every purchase."""
    return actor is None or (_authenticated(actor) and actor.role in COOPERATIVE_WIDE_ROLES)


def can_use_business(actor: Any, business: Business) -> bool:
    """Cooperative-wide roles use every business; an entrepreneur the ones they belong to."""
    if is_cooperative_wide(actor):
        return True
    return bool(
        _authenticated(actor)
        and actor.person_id
        and business.memberships.filter(person_id=actor.person_id).exists()
    )


def _require_cooperative_wide(actor: Any) -> None:
    if not is_cooperative_wide(actor):
        raise PermissionDenied(
            _("Seuls l'équipe d'appui, la comptabilité et la direction peuvent faire cela.")
        )


def _require_business(actor: Any, business: Business) -> None:
    if not can_use_business(actor, business):
        raise PermissionDenied(_("Vous n'avez pas accès aux achats de cette activité."))


def _user(actor: Any) -> Any:
    return actor if _authenticated(actor) else None


def _state(
    document: SupplierInvoice | ExpenseReport, *, to: str, actor: Any, note: str = ""
) -> None:
    """Move a document to a status, save it and write the history row."""
    previous = document.status
    document.status = to
    document.save()
    PurchaseStateChange.objects.create(
        supplier_invoice=document if isinstance(document, SupplierInvoice) else None,
        expense_report=document if isinstance(document, ExpenseReport) else None,
        actor=_user(actor),
        from_status=previous,
        to_status=to,
        note=note[:500],
    )


def _history_start(document: SupplierInvoice | ExpenseReport, *, actor: Any, note: str) -> None:
    PurchaseStateChange.objects.create(
        supplier_invoice=document if isinstance(document, SupplierInvoice) else None,
        expense_report=document if isinstance(document, ExpenseReport) else None,
        actor=_user(actor),
        from_status="",
        to_status=document.status,
        note=note[:500],
    )


# --- the ledger (docs/adr/0010): each step posts its entry in the same transaction -------


def _supplier_party(supplier: Supplier) -> posting.Party:
    return posting.Party(number=f"F{supplier.pk:06d}", label=supplier.name)


def _person_party(person: Person) -> posting.Party:
    return posting.Party(number=f"P{person.pk:06d}", label=str(person))


def _invoice_reference(invoice: SupplierInvoice) -> str:
    """The invoice in the ledger: its number prefixed by its supplier's account, since two
    suppliers may use the same number and the payment is lettered against it."""
    return f"{_supplier_party(invoice.supplier).number}-{invoice.number}"


def _invoice_document(invoice: SupplierInvoice, day: datetime.date) -> posting.DocumentRef:
    return posting.DocumentRef(
        kind="supplier_invoice",
        number=_invoice_reference(invoice),
        date=open_date(day),
        id=str(invoice.pk),
    )


def _post_invoice_validated(actor: Any, invoice: SupplierInvoice) -> None:
    """The charge, the deductible VAT and the supplier's debt (or, for an internal purchase,
    the charge against the liaison with the selling business), dated the invoice's date."""
    assert invoice.business_id is not None  # validated invoices are assigned
    excl = invoice.total_excl_vat_cents
    credit_note = invoice.is_credit_note or invoice.total_incl_vat_cents < 0
    document = _invoice_document(invoice, invoice.issue_date)
    if invoice.origin == SupplierInvoice.Origin.INTERNAL:
        draft = posting.internal_purchase_validated(
            document=document,
            buyer_id=invoice.business_id,
            seller_code=invoice.seller_business.code if invoice.seller_business else "",
            category=invoice.category,
            excl_vat_cents=abs(excl),
            credit_note=credit_note,
        )
    else:
        deductible = invoice.vat_rows.aggregate(total=Sum("deductible_vat_cents", default=0))
        deductible_cents = deductible["total"]
        draft = posting.supplier_invoice_validated(
            document=document,
            business_id=invoice.business_id,
            supplier=_supplier_party(invoice.supplier),
            category=invoice.category,
            excl_vat_cents=abs(excl),
            deductible_vat_cents=abs(deductible_cents),
            non_deductible_vat_cents=abs(invoice.total_vat_cents - deductible_cents),
            credit_note=credit_note,
        )
    entry_post_if_any(actor=actor, draft=draft)


def _post_invoice_paid(actor: Any, invoice: SupplierInvoice) -> None:
    """The bank pays the supplier the invoice's total (or is refunded a credit note). An
    internal purchase posts nothing: the liaison account settled it at validation."""
    assert invoice.business_id is not None and invoice.paid_on is not None
    if invoice.origin == SupplierInvoice.Origin.INTERNAL:
        return
    reference = _invoice_reference(invoice)
    draft = posting.supplier_invoice_paid(
        document=posting.DocumentRef(
            kind="supplier_invoice_payment",
            number=invoice.payment_reference or reference,
            date=open_date(invoice.paid_on),
            id=str(invoice.pk),
        ),
        business_id=invoice.business_id,
        supplier=_supplier_party(invoice.supplier),
        amount_cents=abs(invoice.total_incl_vat_cents),
        settles=reference,
        refund=invoice.is_credit_note or invoice.total_incl_vat_cents < 0,
    )
    entry_post_if_any(actor=actor, draft=draft)


def _report_reference(report: ExpenseReport) -> str:
    return f"NDF-{report.month:%Y%m}-{report.pk}"


def _report_date(report: ExpenseReport) -> datetime.date:
    """An expense report's charges are dated its month's last day (today for the month
    in progress)."""
    next_month = (report.month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return min(next_month - datetime.timedelta(days=1), today())


def _post_report_validated(actor: Any, report: ExpenseReport) -> None:
    items = [
        posting.ExpenseItem(
            category=line.category, amount_cents=line.amount_cents, vat_cents=line.vat_cents
        )
        for line in report.lines.order_by("pk")
    ]
    draft = posting.expense_report_validated(
        document=posting.DocumentRef(
            kind="expense_report",
            number=_report_reference(report),
            date=open_date(_report_date(report)),
            id=str(report.pk),
        ),
        business_id=report.business_id,
        person=_person_party(report.person),
        items=items,
    )
    entry_post_if_any(actor=actor, draft=draft)


def _post_report_paid(actor: Any, report: ExpenseReport) -> None:
    assert report.paid_on is not None
    reference = _report_reference(report)
    draft = posting.expense_report_paid(
        document=posting.DocumentRef(
            kind="expense_report_payment",
            number=report.payment_reference or reference,
            date=open_date(report.paid_on),
            id=str(report.pk),
        ),
        business_id=report.business_id,
        person=_person_party(report.person),
        amount_cents=report.total_cents,
        settles=reference,
    )
    entry_post_if_any(actor=actor, draft=draft)


def _check_payment(date: datetime.date | None, method: str) -> datetime.date:
    errors: dict[str, list[str]] = {}
    if method not in PaymentMethod.values:
        errors["method"] = [_("Moyen de paiement inconnu.")]
    date = date or today()
    if date > today():
        errors.setdefault("date", []).append(_("Un paiement ne peut être daté dans le futur."))
    if errors:
        raise ValidationError(errors)
    return date


# --- suppliers --------------------------------------------------------------------------

SUPPLIER_FIELDS = (
    "name", "siren", "siret", "vat_number", "registration_id", "address", "postal_code",
    "city", "country", "email", "electronic_address", "electronic_address_scheme", "iban",
    "bic", "notes",
)  # fmt: skip


def _clean_supplier_fields(fields: Mapping[str, Any], current: Supplier | None) -> dict[str, Any]:
    """Normalise and check a supplier's fields; every problem is reported at once."""
    unknown = set(fields) - set(SUPPLIER_FIELDS)
    if unknown:
        raise ValueError(f"unknown supplier fields: {sorted(unknown)}")
    data = {name: ("" if value is None else str(value).strip()) for name, value in fields.items()}
    errors: dict[str, list[str]] = {}

    def check(name: str, cleaner: Any) -> None:
        if data.get(name):
            try:
                data[name] = cleaner(data[name])
            except ValidationError as error:
                errors.setdefault(name, []).extend(error.messages)

    if "name" in data and not data["name"]:
        errors["name"] = [_("La raison sociale est obligatoire.")]
    check("siren", clean_siren)
    check("siret", clean_siret)
    check("vat_number", clean_vat_number)
    check("iban", clean_iban)
    check("bic", clean_bic)
    if "country" in data:
        data["country"] = (data["country"] or "FR").upper()
        if len(data["country"]) != 2 or not data["country"].isalpha():
            errors.setdefault("country", []).append(
                _("Le pays s'écrit avec son code ISO à deux lettres (FR, BE, DE…).")
            )
    country = data.get("country") or (current.country if current else "FR")
    if data.get("postal_code") and country == "FR":
        check("postal_code", clean_postal_code)
    siren = data.get("siren", current.siren if current else "")
    siret = data.get("siret", current.siret if current else "")
    if siret and "siret" not in errors:
        if not siren:
            data["siren"] = siren = siret[:9]
        elif not siret.startswith(siren):
            errors.setdefault("siret", []).append(_("Le SIRET doit commencer par le SIREN."))
    vat = data.get("vat_number", current.vat_number if current else "")
    if siren and vat.startswith("FR") and vat[4:] != siren and "vat_number" not in errors:
        errors.setdefault("vat_number", []).append(
            _("Ce numéro de TVA français ne correspond pas au SIREN %(siren)s.") % {"siren": siren}
        )
    for name, label in (("siren", _("ce SIREN")), ("vat_number", _("ce numéro de TVA"))):
        value = data.get(name)
        if value and name not in errors:
            other = Supplier.objects.filter(**{name: value})
            if current is not None:
                other = other.exclude(pk=current.pk)
            existing = other.first()
            if existing is not None:
                errors.setdefault(name, []).append(
                    _("Le fournisseur « %(name)s » a déjà %(what)s : choisissez-le dans la liste.")
                    % {"name": existing.name, "what": label}
                )
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def supplier_create(*, actor: Any, **fields: Any) -> Supplier:
    """Add a supplier to the cooperative's directory (anyone with an account may)."""
    if actor is not None and not _authenticated(actor):
        raise PermissionDenied
    data = _clean_supplier_fields({"country": "FR", **fields}, None)
    supplier = Supplier.objects.create(created_by=_user(actor), **data)
    audit_record(
        actor=actor,
        action="create",
        target=supplier,
        summary=_("Fournisseur %(name)s créé") % {"name": supplier.name},
    )
    return supplier


@transaction.atomic
def supplier_update(*, actor: Any, supplier: Supplier, **fields: Any) -> Supplier:
    """Change a supplier's details; bank details are a fraud target, so staff roles only."""
    _require_cooperative_wide(actor)
    supplier = Supplier.objects.select_for_update(of=("self",)).get(pk=supplier.pk)
    if supplier.is_internal and set(fields) - {"notes"}:
        raise ValidationError(
            _(
                "Un fournisseur interne reflète une activité de la coopérative : seules ses notes changent."
            )
        )
    data = _clean_supplier_fields(fields, supplier)
    changes = model_changes(supplier, data)
    for name, value in data.items():
        setattr(supplier, name, value)
    supplier.save()
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=supplier,
            summary=_("Fournisseur %(name)s modifié") % {"name": supplier.name},
            changes=changes,
        )
    return supplier


def internal_supplier_for(*, actor: Any, business: Business) -> Supplier:
    """The supplier record of a business of the cooperative (created the first time)."""
    found = Supplier.objects.filter(internal_business=business).first()
    if found is not None:
        return found
    supplier = Supplier.objects.create(
        name=f"{business.name} ({business.code})",
        internal_business=business,
        country="FR",
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="create",
        target=supplier,
        summary=_("Fournisseur interne %(name)s créé") % {"name": supplier.name},
    )
    return supplier


# --- supplier invoices: entered by hand -------------------------------------------------


def _decimal(value: Any, places: int, label: str, errors: list[str]) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.append(_("%(label)s invalide : « %(value)s ».") % {"label": label, "value": value})
        return Decimal(0)
    if not number.is_finite():
        errors.append(_("%(label)s invalide : « %(value)s ».") % {"label": label, "value": value})
        return Decimal(0)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        errors.append(
            _("%(label)s : %(places)s décimales au plus.") % {"label": label, "places": places}
        )
    return number


def _manual_lines(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check lines typed by someone: quantity × unit price at a French VAT rate."""
    built: list[dict[str, Any]] = []
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        line_errors: list[str] = []
        description = str(line.get("description") or "").strip()
        if not description:
            line_errors.append(_("la désignation est obligatoire"))
        quantity = _decimal(line.get("quantity", 1), QUANTITY_PLACES, _("quantité"), line_errors)
        price = _decimal(
            line.get("unit_price", 0), UNIT_PRICE_PLACES, _("prix unitaire"), line_errors
        )
        rate = _decimal(line.get("vat_rate", 20), 2, _("taux de TVA"), line_errors)
        if quantity == 0:
            line_errors.append(_("la quantité ne peut pas être nulle"))
        if abs(quantity) >= Decimal("1e10") or abs(price) >= Decimal("1e12"):
            line_errors.append(_("montant hors limites"))
        if rate not in VAT_RATES:
            line_errors.append(
                _("taux de TVA %(rate)s inconnu (20, 10, 5,5, 2,1 ou 0)") % {"rate": rate}
            )
        if line_errors:
            errors.append(
                _("Ligne %(n)s : %(errors)s.") % {"n": number, "errors": " ; ".join(line_errors)}
            )
            continue
        built.append(
            {
                "kind": SupplierInvoiceLine.Kind.LINE,
                "description": description,
                "quantity": quantity,
                "unit": str(line.get("unit") or "").strip()[:20],
                "unit_price": price,
                "vat_category": "S" if rate else "E",
                "vat_rate": rate,
                "net_cents": round_cents(quantity * price),
            }
        )
    if errors:
        raise ValidationError({"lines": errors})
    if not built:
        raise ValidationError({"lines": [_("Une facture a au moins une ligne.")]})
    return built


def _write_lines_and_vat(
    invoice: SupplierInvoice, lines: list[dict[str, Any]], rows: list[amounts.VatRow] | None
) -> None:
    """Replace the invoice's lines and VAT rows; VAT per rate is computed when not given."""
    keys = [(str(ln["vat_category"]), ln["vat_rate"], int(ln["net_cents"])) for ln in lines]
    if rows is None:
        rows = amounts.vat_rows_from_lines(keys)
    shares = amounts.line_vats(keys, rows)
    invoice.lines.all().delete()
    invoice.vat_rows.all().delete()
    SupplierInvoiceLine.objects.bulk_create(
        SupplierInvoiceLine(invoice=invoice, position=i, vat_cents=vat, **line)
        for i, (line, vat) in enumerate(zip(lines, shares, strict=True), start=1)
    )
    SupplierInvoiceVat.objects.bulk_create(
        SupplierInvoiceVat(
            invoice=invoice,
            vat_category=row.category,
            vat_rate=row.rate,
            basis_cents=row.basis_cents,
            vat_cents=row.vat_cents,
            deductible_vat_cents=row.deductible_vat_cents,
            exemption_reason=row.exemption_reason,
        )
        for row in rows
    )


def _set_computed_totals(invoice: SupplierInvoice, lines: list[dict[str, Any]]) -> None:
    keys = [(str(ln["vat_category"]), ln["vat_rate"], int(ln["net_cents"])) for ln in lines]
    rows = amounts.vat_rows_from_lines(keys)
    invoice.total_excl_vat_cents = sum(int(ln["net_cents"]) for ln in lines)
    invoice.total_vat_cents = sum(row.vat_cents for row in rows)
    invoice.total_incl_vat_cents = invoice.total_excl_vat_cents + invoice.total_vat_cents
    invoice.due_cents = invoice.total_incl_vat_cents - invoice.prepaid_cents


def _duplicate(supplier: Supplier, number: str, exclude: int | None = None) -> None:
    """Refuse a second invoice with the same supplier and number, saying where the first is."""
    existing = SupplierInvoice.objects.filter(supplier=supplier, number__iexact=number.strip())
    if exclude is not None:
        existing = existing.exclude(pk=exclude)
    first = existing.first()
    if first is not None:
        raise ValidationError(
            {
                "number": _(
                    "Doublon : la facture n° %(number)s de %(supplier)s est déjà enregistrée "
                    "(le %(date)s). Une facture ne s'enregistre qu'une fois."
                )
                % {
                    "number": first.number,
                    "supplier": supplier.name,
                    "date": format_date(timezone.localdate(first.created_at)),
                }
            },
            code="duplicate",
        )


def _check_dates(issue_date: datetime.date | None, due_date: datetime.date | None) -> None:
    errors: dict[str, list[str]] = {}
    if issue_date is None:
        errors["issue_date"] = [_("La date de la facture est obligatoire.")]
    elif issue_date > today():
        errors["issue_date"] = [_("La date de la facture ne peut pas être dans le futur.")]
    if issue_date and due_date and due_date < issue_date:
        errors["due_date"] = [_("L'échéance ne peut pas précéder la date de la facture.")]
    if errors:
        raise ValidationError(errors)


def _check_number(number: str) -> str:
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": [_("Le numéro de la facture est obligatoire.")]})
    if len(number) > 100:
        raise ValidationError({"number": [_("Le numéro a 100 caractères au plus.")]})
    return number


def _check_category(category: str) -> None:
    if category not in PurchaseCategory.values:
        raise ValidationError({"category": [_("Catégorie d'achat inconnue.")]})


def _initial_status(actor: Any, business: Business | None) -> str:
    if business is None:
        if not is_cooperative_wide(actor):
            raise ValidationError({"business": [_("Choisissez l'activité concernée.")]})
        return SupplierInvoiceStatus.RECEIVED
    _require_business(actor, business)
    return SupplierInvoiceStatus.ASSIGNED


@transaction.atomic
def supplier_invoice_create(
    *,
    actor: Any,
    supplier: Supplier,
    number: str,
    issue_date: datetime.date,
    lines: Iterable[Mapping[str, Any]],
    business: Business | None = None,
    due_date: datetime.date | None = None,
    category: str = PurchaseCategory.OTHER,
    title: str = "",
    notes: str = "",
    is_credit_note: bool = False,
) -> SupplierInvoice:
    """Enter a paper or PDF supplier invoice by hand; an entrepreneur enters their business's."""
    if actor is not None and not _authenticated(actor):
        raise PermissionDenied
    status = _initial_status(actor, business)
    number = _check_number(number)
    _check_dates(issue_date, due_date)
    _check_category(category)
    built = _manual_lines(lines)
    _duplicate(supplier, number)
    invoice = SupplierInvoice(
        supplier=supplier,
        business=business,
        number=number,
        type_code="381" if is_credit_note else "380",
        is_credit_note=is_credit_note,
        origin=SupplierInvoice.Origin.MANUAL,
        status=status,
        category=category,
        issue_date=issue_date,
        due_date=due_date,
        title=title.strip()[:200],
        notes=notes.strip(),
        created_by=_user(actor),
    )
    _set_computed_totals(invoice, built)
    invoice.save()
    _write_lines_and_vat(invoice, built, None)
    _history_start(invoice, actor=actor, note=_("Saisie"))
    audit_record(
        actor=actor,
        action="create",
        target=invoice,
        summary=_("Facture fournisseur %(number)s de %(supplier)s saisie (%(amount)s)")
        % {
            "number": number,
            "supplier": supplier.name,
            "amount": format_cents(invoice.total_incl_vat_cents),
        },
    )
    return invoice


#: What may change on a received or internal invoice: the file is the source of the rest.
CLASSIFICATION_FIELDS = frozenset({"category", "title", "notes"})
MANUAL_FIELDS = CLASSIFICATION_FIELDS | {
    "supplier", "number", "issue_date", "due_date", "is_credit_note",
}  # fmt: skip


@transaction.atomic
def supplier_invoice_update(
    *,
    actor: Any,
    invoice: SupplierInvoice,
    lines: Iterable[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> SupplierInvoice:
    """Correct an invoice before it is validated: all of it when entered by hand, only its
    category, title and notes when received or internal."""
    invoice = SupplierInvoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.business is None:
        _require_cooperative_wide(actor)
    else:
        _require_business(actor, invoice.business)
    if invoice.status not in (SupplierInvoiceStatus.RECEIVED, SupplierInvoiceStatus.ASSIGNED):
        raise ValidationError(_("Une facture validée ou payée ne se modifie plus."))
    unknown = set(fields) - MANUAL_FIELDS
    if unknown:
        raise ValueError(f"unknown supplier invoice fields: {sorted(unknown)}")
    allowed = (
        MANUAL_FIELDS if invoice.origin == SupplierInvoice.Origin.MANUAL else CLASSIFICATION_FIELDS
    )
    if set(fields) - allowed or (
        lines is not None and invoice.origin != SupplierInvoice.Origin.MANUAL
    ):
        raise ValidationError(
            _(
                "Une facture reçue ou interne est celle de son fichier : seuls sa catégorie, "
                "son objet et ses notes se modifient."
            )
        )
    if "number" in fields:
        fields["number"] = _check_number(fields["number"])
    if "category" in fields:
        _check_category(fields["category"])
    for name in ("title", "notes"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "is_credit_note" in fields:
        fields["type_code"] = "381" if fields["is_credit_note"] else "380"
    _check_dates(
        fields.get("issue_date", invoice.issue_date), fields.get("due_date", invoice.due_date)
    )
    if "supplier" in fields or "number" in fields:
        _duplicate(
            fields.get("supplier", invoice.supplier),
            fields.get("number", invoice.number),
            invoice.pk,
        )
    changes = model_changes(invoice, fields)
    for name, value in fields.items():
        setattr(invoice, name, value)
    if lines is not None:
        built = _manual_lines(lines)
        old_total = invoice.total_incl_vat_cents
        _set_computed_totals(invoice, built)
        _write_lines_and_vat(invoice, built, None)
        if old_total != invoice.total_incl_vat_cents:
            changes["total_incl_vat_cents"] = [old_total, invoice.total_incl_vat_cents]
        else:
            changes["lines"] = ["…", "…"]
    invoice.save()
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=invoice,
            summary=_("Facture fournisseur %(number)s modifiée") % {"number": invoice.number},
            changes=changes,
        )
    return invoice


# --- supplier invoices: life cycle ------------------------------------------------------


@transaction.atomic
def supplier_invoice_assign(
    *, actor: Any, invoice: SupplierInvoice, business: Business, category: str | None = None
) -> SupplierInvoice:
    """Charge a received invoice to a business (its analytic code); possible until validated."""
    _require_cooperative_wide(actor)
    invoice = SupplierInvoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.status not in (SupplierInvoiceStatus.RECEIVED, SupplierInvoiceStatus.ASSIGNED):
        raise ValidationError(_("Une facture validée ne change plus d'activité."))
    if category is not None:
        _check_category(category)
        invoice.category = category
    previous = invoice.business
    invoice.business = business
    note = _("Activité %(code)s") % {"code": business.code}
    if previous is not None and previous != business:
        note = _("Activité %(old)s → %(new)s") % {"old": previous.code, "new": business.code}
    _state(invoice, to=SupplierInvoiceStatus.ASSIGNED, actor=actor, note=note)
    audit_record(
        actor=actor,
        action="update",
        target=invoice,
        summary=_("Facture fournisseur %(number)s affectée à %(code)s")
        % {"number": invoice.number, "code": business.code},
        changes={"business": [previous.code if previous else None, business.code]},
    )
    return invoice


@transaction.atomic
def supplier_invoice_validate(*, actor: Any, invoice: SupplierInvoice) -> SupplierInvoice:
    """Accept an assigned invoice for payment and accounting (staff roles)."""
    _require_cooperative_wide(actor)
    invoice = SupplierInvoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.status != SupplierInvoiceStatus.ASSIGNED:
        raise ValidationError(_("Seule une facture affectée à une activité se valide."))
    _state(invoice, to=SupplierInvoiceStatus.VALIDATED, actor=actor)
    _post_invoice_validated(actor, invoice)
    audit_record(
        actor=actor,
        action="update",
        target=invoice,
        summary=_("Facture fournisseur %(number)s validée") % {"number": invoice.number},
    )
    return invoice


@transaction.atomic
def supplier_invoice_pay(
    *,
    actor: Any,
    invoice: SupplierInvoice,
    method: str,
    date: datetime.date | None = None,
    reference: str = "",
) -> SupplierInvoice:
    """Record that the cooperative paid a validated invoice: date, method, reference."""
    _require_cooperative_wide(actor)
    invoice = SupplierInvoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.status != SupplierInvoiceStatus.VALIDATED:
        raise ValidationError(_("Seule une facture validée se paie."))
    date = _check_payment(date, method)
    invoice.paid_on = date
    invoice.payment_method = method
    invoice.payment_reference = reference.strip()[:100]
    note = f"{format_date(date)} · {PaymentMethod(method).label}"
    if invoice.payment_reference:
        note += f" · {invoice.payment_reference}"
    _state(invoice, to=SupplierInvoiceStatus.PAID, actor=actor, note=note)
    _post_invoice_paid(actor, invoice)
    audit_record(
        actor=actor,
        action="update",
        target=invoice,
        summary=_("Facture fournisseur %(number)s payée (%(amount)s)")
        % {"number": invoice.number, "amount": format_cents(invoice.due_cents)},
    )
    return invoice


# --- supplier invoices: internal purchases ----------------------------------------------


def _internal_lines(lines: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """The seller's lines as issued (nets included) and the category their nature suggests."""
    built = []
    goods = services = 0
    for line in lines:
        net = int(line["net_cents"])
        rate = Decimal(str(line.get("vat_rate", 0)))
        quantity = line.get("quantity")
        price = line.get("unit_price")
        built.append(
            {
                "kind": SupplierInvoiceLine.Kind.LINE,
                "description": str(line.get("description") or "").strip() or "—",
                "quantity": None if quantity is None else Decimal(str(quantity)),
                "unit": str(line.get("unit") or "")[:20],
                "unit_price": None if price is None else Decimal(str(price)),
                "vat_category": str(line.get("vat_category") or ("S" if rate else "E")),
                "vat_rate": rate,
                "net_cents": net,
            }
        )
        if line.get("nature") == "goods":
            goods += abs(net)
        else:
            services += abs(net)
    if not built:
        raise ValidationError({"lines": [_("Une facture a au moins une ligne.")]})
    category = (
        PurchaseCategory.GOODS_FOR_RESALE if goods > services else PurchaseCategory.SUBCONTRACTING
    )
    return built, category


@transaction.atomic
def supplier_invoice_create_internal(
    *,
    actor: Any,
    seller_business: Business,
    buyer_business: Business,
    number: str,
    issue_date: datetime.date,
    due_date: datetime.date | None,
    lines: Iterable[Mapping[str, Any]],
    source_invoice_id: int,
    is_credit_note: bool = False,
    category: str | None = None,
    title: str = "",
    total_excl_vat_cents: int | None = None,
    total_vat_cents: int | None = None,
) -> SupplierInvoice:
    """The buyer's side of an invoice one business of the cooperative issued to another.

    Called by the sales app when it issues the invoice, inside its transaction. `lines`
    are the issued lines (description, quantity, unit_price, vat_rate, net_cents and the
    optional `nature` goods/service that suggests the category). Calling it twice for
    the same sales invoice returns the first record. See docs/adr/0009.
    """
    existing = SupplierInvoice.objects.filter(source_invoice_id=source_invoice_id).first()
    if existing is not None:
        return existing
    if seller_business.pk == buyer_business.pk:
        raise ValidationError(_("Une activité ne s'achète pas à elle-même."))
    number = _check_number(number)
    built, suggested = _internal_lines(lines)
    category = category or suggested
    _check_category(category)
    supplier = internal_supplier_for(actor=actor, business=seller_business)
    invoice = SupplierInvoice(
        supplier=supplier,
        business=buyer_business,
        seller_business=seller_business,
        source_invoice_id=source_invoice_id,
        number=number,
        type_code="381" if is_credit_note else "380",
        is_credit_note=is_credit_note,
        origin=SupplierInvoice.Origin.INTERNAL,
        status=SupplierInvoiceStatus.ASSIGNED,
        category=category,
        issue_date=issue_date,
        due_date=due_date,
        title=title.strip()[:200],
        created_by=_user(actor),
    )
    _set_computed_totals(invoice, built)
    for declared, computed, label in (
        (total_excl_vat_cents, invoice.total_excl_vat_cents, "total_excl_vat_cents"),
        (total_vat_cents, invoice.total_vat_cents, "total_vat_cents"),
    ):
        if declared is not None and declared != computed:
            raise ValidationError(
                _(
                    "Les montants de la facture interne ne concordent pas (%(field)s : %(a)s ≠ %(b)s)."
                )
                % {"field": label, "a": declared, "b": computed}
            )
    _duplicate(supplier, number)
    invoice.save()
    _write_lines_and_vat(invoice, built, None)
    _history_start(
        invoice,
        actor=actor,
        note=_("Achat interne à %(code)s") % {"code": seller_business.code},
    )
    audit_record(
        actor=actor,
        action="create",
        target=invoice,
        summary=_("Achat interne %(number)s de %(seller)s par %(buyer)s (%(amount)s)")
        % {
            "number": number,
            "seller": seller_business.code,
            "buyer": buyer_business.code,
            "amount": format_cents(invoice.total_incl_vat_cents),
        },
    )
    return invoice


# --- supplier invoices: received e-invoices ---------------------------------------------


def read_received_file(content: bytes) -> ReceivedData:
    """Read a received e-invoice, or refuse it (too big, not an invoice) with the reason."""
    limit = einvoice_max_bytes()
    if len(content) > limit:
        raise ValidationError(
            {
                "file": _(
                    "Le fichier dépasse la taille maximale (%(max)s) : une facture électronique "
                    "n'est pas si grosse, vérifiez le fichier."
                )
                % {"max": _size(limit)}
            },
            code="too_big",
        )
    try:
        return parse_received(content)
    except Unreadable as error:
        raise ValidationError({"file": str(error)}, code="unreadable") from None


def _size(nbytes: int) -> str:
    if nbytes >= 1024 * 1024:
        return _("%(n)s Mo") % {"n": round(nbytes / (1024 * 1024), 1)}
    return _("%(n)s ko") % {"n": max(1, nbytes // 1024)}


def _find_supplier(data: ReceivedData) -> Supplier | None:
    seller = data.supplier
    for name, value in (
        ("siren", seller.siren),
        ("vat_number", seller.vat_number),
        ("siret", seller.siret),
    ):
        if value:
            found = Supplier.objects.filter(**{name: value}).first()
            if found is not None:
                return found
    if not (seller.siren or seller.vat_number or seller.siret):
        return Supplier.objects.filter(
            name__iexact=seller.name, siren="", vat_number="", internal_business__isnull=True
        ).first()
    return None


def _supplier_for(actor: Any, data: ReceivedData, findings: list[InvoiceFinding]) -> Supplier:
    """Find the supplier by SIREN, VAT number, SIRET (or name without identifiers) or add it."""
    found = _find_supplier(data)
    seller = data.supplier
    if found is None:
        fields = {k: v for k, v in vars(seller).items() if v}
        fields.setdefault("country", "FR")
        supplier = Supplier.objects.create(created_by=_user(actor), **fields)
        audit_record(
            actor=actor,
            action="create",
            target=supplier,
            summary=_("Fournisseur %(name)s créé à la réception d'une facture")
            % {"name": supplier.name},
        )
        findings.append(
            InvoiceFinding(
                source=InvoiceFinding.Source.RECEPTION,
                severity=InvoiceFinding.Severity.INFO,
                message=_("Nouveau fournisseur enregistré : %(name)s.") % {"name": supplier.name},
            )
        )
        return supplier
    if seller.iban and found.iban and seller.iban != found.iban:
        # A changed bank account is how invoice fraud works: say it loudly, change nothing.
        findings.append(
            InvoiceFinding(
                source=InvoiceFinding.Source.RECEPTION,
                severity=InvoiceFinding.Severity.WARNING,
                rule_id="BT-84",
                message=_(
                    "L'IBAN de la facture (%(new)s) diffère de celui du fournisseur (%(old)s) : "
                    "vérifiez auprès du fournisseur, par un autre moyen, avant de payer."
                )
                % {"new": seller.iban, "old": found.iban},
            )
        )
    elif seller.iban and not found.iban:
        found.iban, found.bic = seller.iban, found.bic or seller.bic
        found.save(update_fields=["iban", "bic", "updated_at"])
    return found


def _buyer_findings(data: ReceivedData) -> list[InvoiceFinding]:
    """Warn when the invoice is addressed to someone other than the cooperative."""
    cooperative = Cooperative.objects.order_by("pk").first()
    if cooperative is None:
        return []
    ours = {cooperative.siren, cooperative.vat_number}
    theirs = {v for v in (data.buyer_siren, data.buyer_vat_number) if v}
    if not theirs or theirs & ours:
        return []
    return [
        InvoiceFinding(
            source=InvoiceFinding.Source.RECEPTION,
            severity=InvoiceFinding.Severity.WARNING,
            rule_id="BT-47",
            message=_(
                "Cette facture est adressée à %(name)s (%(ids)s), pas à la coopérative "
                "(SIREN %(siren)s) : vérifiez qu'elle nous concerne."
            )
            % {
                "name": data.buyer_name or "?",
                "ids": ", ".join(sorted(theirs)),
                "siren": cooperative.siren,
            },
        )
    ]


def _business_from_references(actor: Any, data: ReceivedData) -> Business | None:
    """A business whose analytic code the supplier wrote as the buyer's reference."""
    for reference in data.buyer_references:
        business = Business.objects.filter(code__iexact=reference).first()
        if business is not None and can_use_business(actor, business):
            return business
    return None


@transaction.atomic
def _receive(
    *,
    actor: Any,
    data: ReceivedData,
    content: bytes,
    filename: str,
    business: Business | None,
    category: str | None,
    enqueue_validation: bool,
    stored: list[str],
) -> SupplierInvoice:
    findings = [
        InvoiceFinding(
            source=finding.source,
            severity=finding.severity,
            rule_id=finding.rule_id,
            message=finding.message,
        )
        for finding in data.findings
    ]
    findings += _buyer_findings(data)
    note = _("Reçue : %(file)s") % {"file": filename}
    if business is None:
        business = _business_from_references(actor, data)
        if business is not None:
            note += " · " + _("activité %(code)s d'après la référence de l'acheteur") % {
                "code": business.code
            }
    status = _initial_status(actor, business)
    supplier = _supplier_for(actor, data, findings)
    _duplicate(supplier, data.number)
    invoice = SupplierInvoice(
        supplier=supplier,
        business=business,
        number=data.number,
        type_code=data.type_code,
        is_credit_note=data.is_credit_note,
        origin=SupplierInvoice.Origin.RECEIVED,
        status=status,
        category=category or PurchaseCategory.OTHER,
        issue_date=data.issue_date,
        due_date=data.due_date,
        currency=data.currency,
        total_excl_vat_cents=data.total_excl_vat_cents,
        total_vat_cents=data.total_vat_cents,
        total_incl_vat_cents=data.total_incl_vat_cents,
        prepaid_cents=data.prepaid_cents,
        due_cents=data.due_cents,
        original_filename=filename[:255],
        original_sha256=hashlib.sha256(content).hexdigest(),
        syntax=data.syntax,
        profile=data.profile,
        validation_state=SupplierInvoice.ValidationState.PENDING,
        created_by=_user(actor),
    )
    invoice.original_file.save(filename, ContentFile(content), save=False)
    stored.append(invoice.original_file.name or "")
    invoice.save()
    lines = [
        {
            "kind": line.kind,
            "description": line.description,
            "quantity": line.quantity,
            "unit": line.unit,
            "unit_price": line.unit_price,
            "vat_category": line.vat_category,
            "vat_rate": line.vat_rate,
            "net_cents": line.net_cents,
        }
        for line in data.lines
    ]
    _write_lines_and_vat(invoice, lines, data.vat_rows)
    for finding in findings:
        finding.invoice = invoice
    InvoiceFinding.objects.bulk_create(findings)
    _history_start(invoice, actor=actor, note=note)
    audit_record(
        actor=actor,
        action="import",
        target=invoice,
        summary=_("Facture %(number)s de %(supplier)s reçue (%(syntax)s, %(amount)s)")
        % {
            "number": invoice.number,
            "supplier": supplier.name,
            "syntax": data.syntax,
            "amount": format_cents(invoice.total_incl_vat_cents),
        },
    )
    if enqueue_validation:
        # With the database task backend the task row is written in this transaction: it
        # exists if and only if the invoice does.
        check_received_invoice.enqueue(invoice.pk)
    return invoice


def supplier_invoice_receive(
    *,
    actor: Any,
    content: bytes,
    filename: str,
    business: Business | None = None,
    category: str | None = None,
    enqueue_validation: bool = True,
) -> SupplierInvoice:
    """Take in a received e-invoice (Factur-X / ZUGFeRD PDF, CII or UBL of any profile).

    Reads it, refuses it with the reason when it cannot be read (nothing is created), finds
    or adds the supplier, refuses a duplicate, keeps the original file, records the
    reading's findings and the discrepancies between lines and totals, and queues the
    validation pipeline as a background task (`supplier_invoice_check`).
    """
    if actor is not None and not _authenticated(actor):
        raise PermissionDenied
    if category is not None:
        _check_category(category)
    if business is not None:
        _require_business(actor, business)
    data = read_received_file(content)
    stored: list[str] = []
    try:
        return _receive(
            actor=actor,
            data=data,
            content=content,
            filename=filename.rsplit("/", 1)[-1] or "facture",
            business=business,
            category=category,
            enqueue_validation=enqueue_validation,
            stored=stored,
        )
    except IntegrityError:
        _forget_files(stored)
        raise ValidationError(
            _("La facture n'a pas pu être enregistrée (enregistrement simultané) : réessayez.")
        ) from None
    except BaseException:
        # FileField writes the file before the row commits: a rolled-back reception must
        # not leave it behind.
        _forget_files(stored)
        raise


def _forget_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


# --- the validation pipeline, in the background -----------------------------------------


def supplier_invoice_check(*, invoice_id: int) -> SupplierInvoice:
    """Run the official validation pipeline on a received invoice and store its findings.

    The slow part (Saxon stylesheets, ≈ 0.1 s warm, a few seconds for the first document of
    a process) runs outside any transaction; the findings are written in one.
    """
    invoice = SupplierInvoice.objects.get(pk=invoice_id)
    try:
        with invoice.original_file.open("rb") as handle:
            content = handle.read()
        result = validation.validate(content)
    except Exception as error:  # the engine, the storage: say so on the invoice, keep going
        logger.exception("validation of supplier invoice %s failed", invoice_id)
        with transaction.atomic():
            invoice.findings.filter(source=InvoiceFinding.Source.VALIDATION).delete()
            InvoiceFinding.objects.create(
                invoice=invoice,
                source=InvoiceFinding.Source.VALIDATION,
                severity=InvoiceFinding.Severity.WARNING,
                message=_("Le contrôle de conformité n'a pas pu s'exécuter : %(error)s")
                % {"error": error},
            )
            SupplierInvoice.objects.filter(pk=invoice_id).update(
                validation_state=SupplierInvoice.ValidationState.FAILED,
                validated_by_pipeline_at=timezone.now(),
            )
        invoice.refresh_from_db()
        return invoice
    findings = [
        InvoiceFinding(
            invoice=invoice,
            source=InvoiceFinding.Source.VALIDATION,
            step=validation.STEP_LABELS[f.step],
            rule_id=f.rule_id[:60],
            severity=f.severity.value,
            location=f.location[:500],
            message=f.message_fr,
        )
        for f in result.findings
    ]
    findings += [
        InvoiceFinding(
            invoice=invoice,
            source=InvoiceFinding.Source.VALIDATION,
            step=validation.STEP_LABELS[skipped.step],
            severity=InvoiceFinding.Severity.INFO,
            message=_("Étape non exécutée : %(reason)s") % {"reason": skipped.reason},
        )
        for skipped in result.not_run
    ]
    with transaction.atomic():
        invoice.findings.filter(source=InvoiceFinding.Source.VALIDATION).delete()
        InvoiceFinding.objects.bulk_create(findings)
        SupplierInvoice.objects.filter(pk=invoice_id).update(
            validation_state=SupplierInvoice.ValidationState.DONE,
            validation_fatal_count=len(result.fatal),
            validation_warning_count=len(result.warnings),
            validated_by_pipeline_at=timezone.now(),
        )
        audit_record(
            actor=None,
            action="update",
            target=invoice,
            summary=_(
                "Contrôle de conformité de %(number)s : %(fatal)s erreur(s) bloquante(s), "
                "%(warnings)s avertissement(s)"
            )
            % {
                "number": invoice.number,
                "fatal": len(result.fatal),
                "warnings": len(result.warnings),
            },
        )
    invoice.refresh_from_db()
    return invoice


@task
def check_received_invoice(invoice_id: int) -> int:
    """Background task: validate a received invoice; returns its number of fatal findings."""
    return supplier_invoice_check(invoice_id=invoice_id).validation_fatal_count


# --- expense reports --------------------------------------------------------------------


def _check_owner(actor: Any, report: ExpenseReport) -> None:
    if actor is None:
        return
    if not (_authenticated(actor) and actor.person_id == report.person_id):
        raise PermissionDenied(_("Seul·e l'auteur·e de la note de dépenses peut la modifier."))


def _check_editable(report: ExpenseReport) -> None:
    if report.status not in EXPENSE_EDITABLE_STATUSES:
        raise ValidationError(
            _("Cette note de dépenses est %(status)s : elle ne se modifie plus.")
            % {"status": report.get_status_display().lower()}
        )


def _lock_report(report: ExpenseReport) -> ExpenseReport:
    return ExpenseReport.objects.select_for_update(of=("self",)).get(pk=report.pk)


def _update_report_totals(report: ExpenseReport) -> None:
    sums = report.lines.aggregate(
        total=Sum("amount_cents", default=0), vat=Sum("vat_cents", default=0)
    )
    report.total_cents = sums["total"]
    report.total_vat_cents = sums["vat"]
    report.save(update_fields=["total_cents", "total_vat_cents", "updated_at"])


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def expense_report_create(
    *, actor: Any, person: Person, business: Business, month: datetime.date
) -> ExpenseReport:
    """Open an entrepreneur's expense report for one month and one of their businesses."""
    if actor is not None and not (_authenticated(actor) and actor.person_id == person.pk):
        raise PermissionDenied(_("Une note de dépenses se crée à son propre nom."))
    month = _month_start(month)
    errors: dict[str, list[str]] = {}
    if not business.memberships.filter(person=person).exists():
        errors["business"] = [_("Vous n'êtes pas membre de cette activité.")]
    if month > _month_start(today()):
        errors["month"] = [_("Une note de dépenses porte sur un mois commencé.")]
    if ExpenseReport.objects.filter(person=person, business=business, month=month).exists():
        errors.setdefault("month", []).append(
            _("Il existe déjà une note de dépenses pour %(month)s et cette activité.")
            % {"month": month.strftime("%m/%Y")}
        )
    if errors:
        raise ValidationError(errors)
    report = ExpenseReport.objects.create(person=person, business=business, month=month)
    _history_start(report, actor=actor, note="")
    audit_record(
        actor=actor,
        action="create",
        target=report,
        summary=_("Note de dépenses %(month)s de %(person)s ouverte")
        % {"month": month.strftime("%m/%Y"), "person": person},
    )
    return report


def _check_line_date(report: ExpenseReport, date: datetime.date | None) -> datetime.date:
    if date is None:
        raise ValidationError({"date": [_("La date est obligatoire.")]})
    if _month_start(date) != report.month:
        raise ValidationError(
            {
                "date": [
                    _("La date doit être dans le mois de la note (%(month)s).")
                    % {"month": report.month.strftime("%m/%Y")}
                ]
            }
        )
    if date > today():
        raise ValidationError({"date": [_("La date ne peut pas être dans le futur.")]})
    return date


def expense_line_add(
    *,
    actor: Any,
    report: ExpenseReport,
    date: datetime.date,
    category: str,
    description: str,
    amount_cents: int,
    vat_cents: int = 0,
    receipt: bytes,
    receipt_filename: str,
) -> ExpenseLine:
    """Add an expense with its receipt (a photo or a PDF) to a draft or refused report."""
    stored: list[str] = []
    try:
        return _expense_line_add(
            actor=actor,
            report=report,
            date=date,
            category=category,
            description=description,
            amount_cents=amount_cents,
            vat_cents=vat_cents,
            receipt=receipt,
            receipt_filename=receipt_filename,
            stored=stored,
        )
    except BaseException:
        _forget_files(stored)  # the line rolled back: its receipt goes too
        raise


@transaction.atomic
def _expense_line_add(
    *,
    actor: Any,
    report: ExpenseReport,
    date: datetime.date,
    category: str,
    description: str,
    amount_cents: int,
    vat_cents: int,
    receipt: bytes,
    receipt_filename: str,
    stored: list[str],
) -> ExpenseLine:
    report = _lock_report(report)
    _check_owner(actor, report)
    _check_editable(report)
    errors: dict[str, list[str]] = {}
    try:
        date = _check_line_date(report, date)
    except ValidationError as error:
        errors.update(error.message_dict)
    if category not in ExpenseCategory.values or category == ExpenseCategory.MILEAGE:
        errors["category"] = [_("Catégorie de dépense inconnue.")]
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Dites en quelques mots ce qui a été acheté.")]
    if amount_cents <= 0:
        errors["amount_cents"] = [_("Le montant doit être positif.")]
    if vat_cents < 0 or vat_cents > amount_cents:
        errors["vat_cents"] = [_("La TVA est comprise entre 0 et le montant TTC.")]
    checked = None
    try:
        checked = check_receipt(receipt, receipt_filename)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors or checked is None:
        raise ValidationError(errors)
    line = ExpenseLine(
        report=report,
        kind=ExpenseLine.Kind.EXPENSE,
        date=date,
        category=category,
        description=description[:255],
        amount_cents=amount_cents,
        vat_cents=vat_cents,
        receipt_filename=checked.filename,
        receipt_content_type=checked.content_type,
    )
    extension = RECEIPT_TYPES[checked.content_type]
    line.receipt.save(f"justificatif{extension}", ContentFile(checked.content), save=False)
    stored.append(line.receipt.name or "")
    line.save()
    _update_report_totals(report)
    audit_record(
        actor=actor,
        action="create",
        target=line,
        summary=_("Dépense de %(amount)s ajoutée à la note %(report)s")
        % {"amount": format_cents(amount_cents), "report": report.pk},
    )
    return line


def _scale_bands(scale: MileageScale) -> list[mileage.Band]:
    return [
        mileage.Band(
            b.horsepower_min,
            b.horsepower_max,
            b.distance_min_km,
            b.distance_max_km,
            b.rate_per_km,
            b.fixed_cents,
        )
        for b in scale.bands.all()
    ]


def _reprice_mileage(person_id: int, year: int, horsepower: int, electric: bool) -> None:
    """Recompute, in the order they were entered, the trips of one year and one vehicle.

    Trips of reports already submitted or validated keep their amount but count in the
    year's distance; the others are repriced, so that the year adds up to the scale. The
    person's row is locked first: two trips of different months entered at once must not
    both be priced as the first of the year.
    """
    Person.objects.select_for_update(of=("self",)).filter(pk=person_id).first()
    trips = (
        ExpenseLine.objects.select_related("report", "mileage_scale")
        .filter(
            report__person_id=person_id,
            kind=ExpenseLine.Kind.MILEAGE,
            date__year=year,
            horsepower=horsepower,
            electric=electric,
        )
        .order_by("pk")
    )
    before = Decimal(0)
    touched: set[int] = set()
    bands_cache: dict[int, list[mileage.Band]] = {}
    for trip in trips:
        distance = trip.distance_km or Decimal(0)
        if trip.report.status in EXPENSE_EDITABLE_STATUSES and trip.mileage_scale is not None:
            scale = trip.mileage_scale
            bands = bands_cache.setdefault(scale.pk, _scale_bands(scale))
            amount = mileage.trip_amount_cents(
                bands,
                horsepower=horsepower,
                distance=distance,
                distance_before=before,
                electric_bonus=scale.electric_bonus_percent if electric else None,
            )
            if amount != trip.amount_cents or trip.year_distance_before_km != before:
                ExpenseLine.objects.filter(pk=trip.pk).update(
                    amount_cents=amount, year_distance_before_km=before
                )
                touched.add(trip.report_id)
        before += distance
    for report in ExpenseReport.objects.filter(pk__in=touched):
        _update_report_totals(report)


@transaction.atomic
def expense_mileage_add(
    *,
    actor: Any,
    report: ExpenseReport,
    date: datetime.date,
    description: str,
    distance_km: Decimal,
    horsepower: int,
    electric: bool = False,
) -> ExpenseLine:
    """Add a trip with the entrepreneur's own car, paid by the fiscal scale in force."""
    report = _lock_report(report)
    # The year's trips are priced in order: one trip of a person at a time (see _reprice_mileage).
    Person.objects.select_for_update(of=("self",)).filter(pk=report.person_id).first()
    _check_owner(actor, report)
    _check_editable(report)
    errors: dict[str, list[str]] = {}
    try:
        date = _check_line_date(report, date)
    except ValidationError as error:
        errors.update(error.message_dict)
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Indiquez le trajet et son motif (Auch → Tarbes, client X).")]
    try:
        distance = Decimal(str(distance_km)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        distance = Decimal(0)
    if not (Decimal(0) < distance <= MAX_TRIP_KM):
        errors["distance_km"] = [
            _("La distance est comprise entre 0,1 et %(max)s km.") % {"max": MAX_TRIP_KM}
        ]
    if not isinstance(horsepower, int) or not 1 <= horsepower <= 50:
        errors["horsepower"] = [
            _("La puissance fiscale (case P.6 de la carte grise) va de 1 à 50 CV.")
        ]
    scale = None
    if "date" not in errors:
        scale = MileageScale.objects.in_force(date)
        if scale is None:
            errors["date"] = [_("Aucun barème kilométrique n'est en vigueur à cette date.")]
    if errors:
        raise ValidationError(errors)
    assert scale is not None
    if not scale.bands.filter(
        Q(horsepower_max__isnull=True) | Q(horsepower_max__gte=horsepower),
        horsepower_min__lte=horsepower,
    ).exists():
        raise ValidationError(
            {"horsepower": [_("Le barème n'a pas de tranche pour cette puissance.")]}
        )
    line = ExpenseLine.objects.create(
        report=report,
        kind=ExpenseLine.Kind.MILEAGE,
        date=date,
        category=ExpenseCategory.MILEAGE,
        description=description[:255],
        amount_cents=1,  # priced just below, with the year's other trips
        vat_cents=0,
        distance_km=distance,
        horsepower=horsepower,
        electric=electric,
        mileage_scale=scale,
    )
    _reprice_mileage(report.person_id, date.year, horsepower, electric)
    line.refresh_from_db()
    _update_report_totals(report)
    audit_record(
        actor=actor,
        action="create",
        target=line,
        summary=_("Trajet de %(km)s km (%(hp)s CV) : %(amount)s")
        % {"km": distance, "hp": horsepower, "amount": format_cents(line.amount_cents)},
    )
    return line


@transaction.atomic
def expense_line_delete(*, actor: Any, line: ExpenseLine) -> None:
    """Remove a line from a draft or refused report (its receipt goes once committed)."""
    report = _lock_report(line.report)
    _check_owner(actor, report)
    _check_editable(report)
    line = ExpenseLine.objects.get(pk=line.pk, report=report)
    receipt = line.receipt.name
    trip = (
        (line.date.year, line.horsepower, line.electric)
        if line.kind == ExpenseLine.Kind.MILEAGE
        else None
    )
    audit_record(
        actor=actor,
        action="delete",
        target=line,
        summary=_("Ligne « %(what)s » (%(amount)s) retirée de la note %(report)s")
        % {
            "what": line.description,
            "amount": format_cents(line.amount_cents),
            "report": report.pk,
        },
    )
    line.delete()
    if trip is not None and trip[1] is not None:
        _reprice_mileage(report.person_id, trip[0], trip[1], trip[2])
    _update_report_totals(report)
    if receipt:
        transaction.on_commit(lambda: default_storage.delete(receipt))


@transaction.atomic
def expense_report_submit(*, actor: Any, report: ExpenseReport) -> ExpenseReport:
    """The entrepreneur hands the report to the support team for validation."""
    report = _lock_report(report)
    _check_owner(actor, report)
    _check_editable(report)
    if not report.lines.exists():
        raise ValidationError(_("Une note de dépenses vide ne se soumet pas."))
    report.submitted_at = timezone.now()
    _state(
        report, to=ExpenseReportStatus.SUBMITTED, actor=actor, note=format_cents(report.total_cents)
    )
    audit_record(
        actor=actor,
        action="update",
        target=report,
        summary=_("Note de dépenses %(pk)s soumise (%(amount)s)")
        % {"pk": report.pk, "amount": format_cents(report.total_cents)},
    )
    return report


def _check_decider(actor: Any, report: ExpenseReport) -> None:
    _require_cooperative_wide(actor)
    if actor is not None and actor.person_id and actor.person_id == report.person_id:
        raise PermissionDenied(
            _("Une note de dépenses est validée par quelqu'un d'autre que son auteur·e.")
        )


@transaction.atomic
def expense_report_validate(*, actor: Any, report: ExpenseReport) -> ExpenseReport:
    """Staff accept a submitted report: it will be reimbursed."""
    report = _lock_report(report)
    _check_decider(actor, report)
    if report.status != ExpenseReportStatus.SUBMITTED:
        raise ValidationError(_("Seule une note soumise se valide."))
    report.refusal_reason = ""
    _state(report, to=ExpenseReportStatus.VALIDATED, actor=actor)
    _post_report_validated(actor, report)
    audit_record(
        actor=actor,
        action="update",
        target=report,
        summary=_("Note de dépenses %(pk)s validée") % {"pk": report.pk},
    )
    return report


@transaction.atomic
def expense_report_refuse(*, actor: Any, report: ExpenseReport, reason: str) -> ExpenseReport:
    """Staff send a submitted report back with the reason; the entrepreneur corrects it."""
    report = _lock_report(report)
    _check_decider(actor, report)
    if report.status != ExpenseReportStatus.SUBMITTED:
        raise ValidationError(_("Seule une note soumise se refuse."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Dites pourquoi la note est refusée.")]})
    report.refusal_reason = reason[:500]
    _state(report, to=ExpenseReportStatus.REFUSED, actor=actor, note=reason)
    audit_record(
        actor=actor,
        action="update",
        target=report,
        summary=_("Note de dépenses %(pk)s refusée : %(reason)s")
        % {"pk": report.pk, "reason": reason},
    )
    return report


@transaction.atomic
def expense_report_pay(
    *,
    actor: Any,
    report: ExpenseReport,
    method: str,
    date: datetime.date | None = None,
    reference: str = "",
) -> ExpenseReport:
    """Record the reimbursement of a validated report: date, method, reference."""
    report = _lock_report(report)
    _require_cooperative_wide(actor)
    if report.status != ExpenseReportStatus.VALIDATED:
        raise ValidationError(_("Seule une note validée se rembourse."))
    date = _check_payment(date, method)
    report.paid_on = date
    report.payment_method = method
    report.payment_reference = reference.strip()[:100]
    _state(
        report,
        to=ExpenseReportStatus.PAID,
        actor=actor,
        note=f"{format_date(date)} · {PaymentMethod(method).label}",
    )
    _post_report_paid(actor, report)
    audit_record(
        actor=actor,
        action="update",
        target=report,
        summary=_("Note de dépenses %(pk)s remboursée (%(amount)s)")
        % {"pk": report.pk, "amount": format_cents(report.total_cents)},
    )
    return report
