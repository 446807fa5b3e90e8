"""Operations on customers, quotes, invoices, credit notes and payments.

Every write of the sales app goes through here: pages, API, admin, imports and the demo.
Each service runs in one transaction, checks who acts, records the change of state and an
audit event, and returns the object.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import exceptions as stdnum_exceptions
from stdnum.eu import vat as eu_vat

from alveole.businesses.models import Business
from alveole.coop.selectors import cooperative_get
from alveole.core.bulk import insert_rows, update_rows
from alveole.core.dates import today
from alveole.core.formatting import format_cents, format_date
from alveole.core.models import AuditEvent
from alveole.core.money import round_cents
from alveole.core.roles import COOPERATIVE_WIDE_ROLES, MANAGER_ROLES
from alveole.core.services import audit_record, audit_records, model_changes
from alveole.core.validators import (
    clean_department,
    clean_postal_code,
    clean_siren,
    clean_siret,
    clean_vat_fr,
    department_from_postal_code,
)
from alveole.ledger.bulk import entries_post
from alveole.ledger.models import Entry
from alveole.ledger.services import (
    document_entries_reverse,
    entry_post_if_any,
    entry_prepare,
    lock_date,
)
from alveole.purchases.services import supplier_invoice_create_internal
from alveole.sales import accounting
from alveole.sales.mentions import document_snapshot, seller_snapshot
from alveole.sales.models import (
    EDITABLE_STATUSES,
    INTERNAL_EXEMPTION,
    LIFECYCLE_FIELDS,
    VAT_RATES,
    Customer,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineType,
    Nature,
    NumberingSeries,
    Payment,
    Quote,
    QuoteLine,
    Reminder,
    SalesSettings,
    Sending,
    StateChange,
)
from alveole.sales.numbering import check_number, number_draw, numbers_draw, series_for
from alveole.sales.pdf import invoice_pdf, quote_pdf
from alveole.sales.totals import compute_totals, excl_vat_price, format_rate, line_net_cents

logger = logging.getLogger(__name__)

#: B2B invoices are due at most 60 days after issue (Code de commerce L441-10).
MAX_PAYMENT_DAYS = 60
QUANTITY_PLACES = 4
UNIT_PRICE_PLACES = 6


# --- who may act ------------------------------------------------------------------------


def can_write(user: Any, business: Business) -> bool:
    """Staff roles work on every business; an entrepreneur on the businesses they belong to."""
    if user is None:
        return True  # the system itself: imports, the demo, data repairs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role in COOPERATIVE_WIDE_ROLES:
        return True
    return bool(user.person_id and business.memberships.filter(person_id=user.person_id).exists())


def _check_write(actor: Any, business: Business) -> None:
    if not can_write(actor, business):
        raise PermissionDenied(_("Vous n'avez pas accès aux ventes de cette activité."))


def _is_manager(actor: Any) -> bool:
    return actor is None or (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.role in MANAGER_ROLES
    )


def can_validate(user: Any) -> bool:
    """Support staff and direction validate invoices of businesses that require it."""
    return _is_manager(user)


def _state(
    document: Quote | Invoice,
    *,
    to: str,
    actor: Any,
    note: str = "",
    save: bool = True,
    previous: str | None = None,
) -> None:
    """Move a document to a status and write the history row.

    save=False records a status the caller already saved: `previous` names the one before
    ("" for a document just created).
    """
    if previous is None:
        previous = document.status if save else ""
    document.status = to
    if save:
        document.save(update_fields=["status", "updated_at"])
    StateChange.objects.create(
        quote=document if isinstance(document, Quote) else None,
        invoice=document if isinstance(document, Invoice) else None,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=previous,
        to_status=to,
        note=note[:255],
    )


# --- sales settings ---------------------------------------------------------------------


def sales_settings_of(business: Business) -> SalesSettings:
    """A business's sales settings, or the defaults when none were saved."""
    found = SalesSettings.objects.filter(business=business).first()
    return found or SalesSettings(business=business)


def _selected_sales_settings(business: Business) -> SalesSettings:
    """`sales_settings_of` for a business just read with `select_related("sales_settings")`."""
    try:
        return business.sales_settings
    except SalesSettings.DoesNotExist:
        return SalesSettings(business=business)


SETTINGS_FIELDS = (
    "requires_validation",
    "payment_terms_days",
    "late_penalty_text",
    "early_payment_text",
    "footer",
)


@transaction.atomic
def sales_settings_update(*, actor: Any, business: Business, **fields: Any) -> SalesSettings:
    """Change a business's sales settings (validation before issue is the staff's call)."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings fields: {sorted(unknown)}")
    _check_write(actor, business)
    current = (
        SalesSettings.objects.select_for_update(of=("self",)).filter(business=business).first()
    )
    current = current or SalesSettings(business=business)
    if (
        "requires_validation" in fields
        and fields["requires_validation"] != current.requires_validation
        and not _is_manager(actor)
    ):
        raise PermissionDenied(_("Seule l'équipe d'appui décide de la validation des factures."))
    if fields.get("payment_terms_days", 0) > MAX_PAYMENT_DAYS:
        raise ValidationError(
            {"payment_terms_days": _("Le délai de paiement ne peut dépasser 60 jours.")}
        )
    changes = model_changes(current, fields) if current.pk else {}
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    audit_record(
        actor=actor,
        action="update",
        target=current,
        summary=f"Paramètres de vente de {business}",
        changes=changes,
    )
    return current


@transaction.atomic
def numbering_series_update(
    *, actor: Any, series: NumberingSeries, pattern: str, scope: str
) -> NumberingSeries:
    """Change how a document kind is numbered (director only; numbers already given stay)."""
    if actor is not None and not (
        getattr(actor, "is_authenticated", False) and actor.has_role("director")
    ):
        raise PermissionDenied(_("Seule la direction modifie la numérotation."))
    series = NumberingSeries.objects.select_for_update(of=("self",)).get(pk=series.pk)
    if scope != series.scope and series.counters.exists():
        # Counters of the old scope would restart at 1 and print numbers already given.
        raise ValidationError(
            {"scope": _("La portée ne change plus : des numéros ont déjà été donnés.")}
        )
    changes = model_changes(series, {"pattern": pattern, "scope": scope})
    series.pattern, series.scope = pattern.strip(), scope
    series.full_clean()
    sample = series.render(seq=99999, day=datetime.date(2099, 12, 31), code="X" * 12)
    check_number(sample)
    series.save()
    audit_record(
        actor=actor, action="update", target=series, summary=f"Série {series}", changes=changes
    )
    return series


# --- customers --------------------------------------------------------------------------

CUSTOMER_FIELDS = (
    "kind", "name", "siren", "siret", "vat_number", "address", "postal_code", "city",
    "country", "department", "delivery_address", "delivery_postal_code", "delivery_city",
    "delivery_country", "email", "electronic_address", "internal_business",
    "payment_terms_days", "notes", "archived",
)  # fmt: skip


def _clean_vat(value: str) -> str:
    value = value.strip().upper().replace(" ", "")
    if value.startswith("FR"):
        return clean_vat_fr(value)
    try:
        return eu_vat.validate(value)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro de TVA intracommunautaire valide.")
            % {"value": value},
            code="invalid_vat",
        ) from None


def _clean_customer(customer: Customer) -> None:
    errors: dict[str, list[str]] = {}

    def attempt(name: str, cleaner) -> None:
        value = (getattr(customer, name) or "").strip()
        if not value:
            setattr(customer, name, "")
            return
        try:
            setattr(customer, name, cleaner(value))
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)

    for name in ("name", "address", "city", "email", "electronic_address", "notes"):
        setattr(customer, name, (getattr(customer, name) or "").strip())
    customer.email = customer.email.lower()
    customer.country = (customer.country or "FR").strip().upper()
    customer.delivery_country = (customer.delivery_country or "").strip().upper()
    attempt("siren", clean_siren)
    attempt("siret", clean_siret)
    attempt("vat_number", _clean_vat)
    if customer.country == "FR":
        attempt("postal_code", clean_postal_code)
        if customer.postal_code and not customer.department and "postal_code" not in errors:
            customer.department = department_from_postal_code(customer.postal_code)
        attempt("department", clean_department)
    else:
        customer.department = ""
    if customer.siren and customer.siret and not customer.siret.startswith(customer.siren):
        errors.setdefault("siret", []).append(_("Le SIRET doit commencer par le SIREN."))
    if customer.siret and not customer.siren:
        customer.siren = customer.siret[:9]
    if customer.kind == Customer.Kind.INDIVIDUAL and (customer.siren or customer.vat_number):
        errors.setdefault("kind", []).append(
            _("Un particulier n'a ni SIREN ni numéro de TVA : choisissez un autre type.")
        )
    if customer.internal_business_id:
        if customer.internal_business_id == customer.business_id:
            errors.setdefault("internal_business", []).append(
                _("Une activité ne se vend pas à elle-même.")
            )
        elif customer.kind != Customer.Kind.COMPANY:
            errors.setdefault("kind", []).append(
                _("Une activité de la coopérative est un client de type entreprise.")
            )
    if customer.payment_terms_days and customer.payment_terms_days > MAX_PAYMENT_DAYS:
        errors.setdefault("payment_terms_days", []).append(
            _("Le délai de paiement ne peut dépasser 60 jours.")
        )
    try:
        customer.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                if message not in errors.get(name, []):
                    errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def customer_create(*, actor: Any, business: Business, **fields: Any) -> Customer:
    """Add a customer to a business (another business of the cooperative for internal sales)."""
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    _check_write(actor, business)
    customer = Customer(business=business, **fields)
    _clean_customer(customer)
    customer.save()
    audit_record(actor=actor, action="create", target=customer, summary=f"Client {customer}")
    return customer


@transaction.atomic
def customer_update(*, actor: Any, customer: Customer, **fields: Any) -> Customer:
    """Change a customer's details; documents already issued keep what they printed."""
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    customer = Customer.objects.select_for_update(of=("self",)).get(pk=customer.pk)
    _check_write(actor, customer.business)
    changes = model_changes(customer, fields)
    for name, value in fields.items():
        setattr(customer, name, value)
    _clean_customer(customer)
    customer.save()
    if changes:
        audit_record(
            actor=actor,
            action="update",
            target=customer,
            summary=f"Client {customer}",
            changes=changes,
        )
    return customer


def internal_customer_for(*, actor: Any, seller: Business, buyer: Business) -> Customer:
    """The customer record of a buyer business in a seller's customers (created when missing)."""
    found = Customer.objects.filter(business=seller, internal_business=buyer).first()
    if found is not None:
        return found
    coop = cooperative_get()
    return customer_create(
        actor=actor,
        business=seller,
        kind=Customer.Kind.COMPANY,
        name=f"{coop.name} — {buyer.name}",
        siren=coop.siren,
        address=coop.address,
        postal_code=coop.postal_code,
        city=coop.city,
        internal_business=buyer,
    )


# --- lines ------------------------------------------------------------------------------

LINE_FIELDS = (
    "line_type", "description", "quantity", "unit", "unit_price", "unit_price_incl_vat",
    "discount_cents", "vat_rate", "vat_exemption_reason", "nature",
)  # fmt: skip


def default_prices_include_vat(customer: Customer) -> bool:
    """Prices are entered incl. VAT for an individual (B2C), excl. VAT for everyone else."""
    return customer.kind == Customer.Kind.INDIVIDUAL and not customer.is_internal


def _decimal(value: Any, places: int, label: str, errors: list[str]) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        errors.append(
            _("%(label)s : « %(value)s » n'est pas un nombre") % {"label": label, "value": value}
        )
        return Decimal(0)
    if not number.is_finite():
        errors.append(_("%(label)s : nombre invalide") % {"label": label})
        return Decimal(0)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        errors.append(_("%(label)s : au plus %(n)s décimales") % {"label": label, "n": places})
    return number.quantize(Decimal(1).scaleb(-places))


def _build_lines(
    model: type,
    lines: Iterable[Mapping[str, Any]],
    *,
    prices_include_vat: bool = False,
    internal: bool = False,
) -> list:
    """Validate line dicts into unsaved line objects with their net computed.

    With `prices_include_vat` each item line's price is `unit_price_incl_vat` and its
    `unit_price` excl. VAT is derived from it; the nets are then shared per rate by
    `_apply_totals`. An `internal` sale (to another business of the cooperative) carries
    no VAT: its lines are put at 0 % with the internal exemption, whatever was asked.
    """
    built = []
    errors: list[str] = []
    for index, data in enumerate(lines, start=1):
        unknown = set(data) - set(LINE_FIELDS)
        if unknown:
            raise TypeError(f"unknown line fields: {sorted(unknown)}")
        line_errors: list[str] = []
        line_type = data.get("line_type") or LineType.ITEM
        description = (data.get("description") or "").strip()
        if line_type not in LineType.values:
            line_errors.append(_("type de ligne inconnu"))
        if not description:
            line_errors.append(_("la désignation est obligatoire"))
        line = model(position=index, line_type=line_type, description=description)
        if line_type == LineType.ITEM:
            line.quantity = _decimal(
                data.get("quantity", 1), QUANTITY_PLACES, _("quantité"), line_errors
            )
            if (
                prices_include_vat
                and data.get("unit_price_incl_vat") is None
                and data.get("unit_price")
            ):
                line_errors.append(
                    _("les prix de ce document sont saisis TTC : donnez le prix unitaire TTC")
                )
            if prices_include_vat:
                line.unit_price_incl_vat = _decimal(
                    data.get("unit_price_incl_vat")
                    if data.get("unit_price_incl_vat") is not None
                    else 0,
                    UNIT_PRICE_PLACES,
                    _("prix unitaire TTC"),
                    line_errors,
                )
            else:
                line.unit_price = _decimal(
                    data.get("unit_price", 0), UNIT_PRICE_PLACES, _("prix unitaire"), line_errors
                )
            line.discount_cents = int(data.get("discount_cents") or 0)
            line.unit = (data.get("unit") or "").strip()[:20]
            rate = _decimal(data.get("vat_rate", "20"), 2, _("taux de TVA"), line_errors)
            if rate not in VAT_RATES:
                line_errors.append(
                    _("taux de TVA %(rate)s %% inconnu (20, 10, 5,5, 2,1 ou 0)")
                    % {"rate": format_rate(rate)}
                )
            line.vat_rate = rate
            line.vat_exemption_reason = (data.get("vat_exemption_reason") or "").strip()
            if internal:
                line.vat_rate = rate = Decimal(0)
                line.vat_exemption_reason = str(INTERNAL_EXEMPTION)
            if rate == 0 and not line.vat_exemption_reason:
                line_errors.append(_("sans TVA, le motif d'exonération est obligatoire"))
            if rate != 0:
                line.vat_exemption_reason = ""
            line.nature = data.get("nature") or Nature.SERVICE
            if line.nature not in Nature.values:
                line_errors.append(_("nature inconnue (biens ou services)"))
            if line.discount_cents < 0:
                line_errors.append(_("la remise ne peut pas être négative"))
            if not line_errors and prices_include_vat:
                line.unit_price = excl_vat_price(line.unit_price_incl_vat, rate)
            if not line_errors:
                line.net_cents = line_net_cents(line.quantity, line.unit_price, line.discount_cents)
        if line_errors:
            errors.append(
                _("Ligne %(n)s : %(errors)s.") % {"n": index, "errors": ", ".join(line_errors)}
            )
        built.append(line)
    if errors:
        raise ValidationError({"lines": errors})
    return built


def _line_dict(line: Any) -> dict[str, Any]:
    return {name: getattr(line, name) for name in LINE_FIELDS}


def _lines_in_mode(lines: Iterable[Any], prices_include_vat: bool) -> list[dict[str, Any]]:
    """Stored lines as line dicts for a document now priced incl. VAT or not: the price
    and the discount are converted at the line's rate when the mode changes."""
    result = []
    for line in lines:
        data = _line_dict(line)
        if line.line_type == LineType.ITEM:
            factor = (Decimal(100) + Decimal(line.vat_rate)) / Decimal(100)
            was_incl = line.unit_price_incl_vat is not None
            if prices_include_vat and not was_incl:
                data["unit_price_incl_vat"] = (Decimal(line.unit_price) * factor).quantize(
                    Decimal(1).scaleb(-UNIT_PRICE_PLACES)
                )
                data["discount_cents"] = round_cents(Decimal(line.discount_cents) * factor / 100)
            elif was_incl and not prices_include_vat:
                data["discount_cents"] = round_cents(Decimal(line.discount_cents) / factor / 100)
        result.append(data)
    return result


def _apply_totals(document: Quote | Invoice, lines: list) -> None:
    """The document's totals from its lines, and each line's net (and amount incl. VAT)."""
    items = [line for line in lines if line.line_type == LineType.ITEM]
    totals = compute_totals(items, prices_include_vat=document.prices_include_vat)
    for index, line in enumerate(items):
        line.net_cents = totals.line_nets[index]
        line.incl_vat_cents = totals.line_incl_vat[index] if totals.prices_include_vat else None
    document.total_excl_vat_cents = totals.excl_vat_cents
    document.total_vat_cents = totals.vat_cents
    document.total_incl_vat_cents = totals.incl_vat_cents
    if isinstance(document, Invoice):
        natures = {line.nature for line in lines if line.line_type == LineType.ITEM}
        if natures == {Nature.GOODS}:
            document.operation_category = Invoice.OperationCategory.GOODS
        elif natures == {Nature.GOODS, Nature.SERVICE}:
            document.operation_category = Invoice.OperationCategory.MIXED
        else:
            document.operation_category = Invoice.OperationCategory.SERVICES


def _line_mode(document: Quote | Invoice) -> dict[str, bool]:
    """How a document's lines are read: prices incl. VAT or not, internal sale or not."""
    return {
        "prices_include_vat": document.prices_include_vat,
        "internal": document.customer.is_internal,
    }


def _check_customer(business: Business, customer: Customer) -> None:
    if customer.business_id != business.pk:
        raise ValidationError({"customer": _("Ce client n'est pas un client de cette activité.")})
    if customer.archived:
        raise ValidationError({"customer": _("Ce client est archivé.")})


# --- quotes -----------------------------------------------------------------------------

QUOTE_FIELDS = ("customer", "title", "issue_date", "validity_date", "notes")


def _check_quote_dates(quote: Quote) -> None:
    if quote.validity_date < quote.issue_date:
        raise ValidationError(
            {"validity_date": _("La date de validité doit suivre la date du devis.")}
        )


@transaction.atomic
def quote_create(
    *,
    actor: Any,
    business: Business,
    customer: Customer,
    issue_date: datetime.date | None = None,
    validity_date: datetime.date | None = None,
    title: str = "",
    notes: str = "",
    lines: Iterable[Mapping[str, Any]] = (),
    prices_include_vat: bool = False,
) -> Quote:
    """Draft a quote for a customer of the business, with its lines and sections.

    With `prices_include_vat` the lines' prices are `unit_price_incl_vat` (the pages and
    the API preselect it for an individual: `default_prices_include_vat`)."""
    _check_write(actor, business)
    _check_customer(business, customer)
    issue_date = issue_date or today()
    quote = Quote(
        business=business,
        customer=customer,
        issue_date=issue_date,
        validity_date=validity_date or issue_date + datetime.timedelta(days=30),
        title=title.strip(),
        notes=notes.strip(),
        prices_include_vat=bool(prices_include_vat),
    )
    _check_quote_dates(quote)
    built = _build_lines(QuoteLine, lines, **_line_mode(quote))
    _apply_totals(quote, built)
    quote.status = Quote.Status.DRAFT
    quote.save()
    for line in built:
        line.quote = quote
    QuoteLine.objects.bulk_create(built)
    _state(quote, to=Quote.Status.DRAFT, actor=actor, save=False)
    audit_record(actor=actor, action="create", target=quote, summary=f"Devis {quote}")
    return quote


@transaction.atomic
def quote_update(
    *, actor: Any, quote: Quote, lines: Iterable[Mapping[str, Any]] | None = None, **fields: Any
) -> Quote:
    """Change a draft quote; its lines, when given, replace the old ones (and are read in
    the new `prices_include_vat` mode when it changes)."""
    unknown = set(fields) - set(QUOTE_FIELDS) - {"prices_include_vat"}
    if unknown:
        raise TypeError(f"unknown quote fields: {sorted(unknown)}")
    quote = Quote.objects.select_for_update(of=("self",)).get(pk=quote.pk)
    _check_write(actor, quote.business)
    if quote.status != Quote.Status.DRAFT:
        raise ValidationError(_("Seul un devis brouillon peut être modifié."))
    if "customer" in fields:
        _check_customer(quote.business, fields["customer"])
    changes = model_changes(quote, fields)
    for name, value in fields.items():
        setattr(quote, name, value.strip() if isinstance(value, str) else value)
    _check_quote_dates(quote)
    if lines is None and ("prices_include_vat" in changes or "customer" in changes):
        lines = _lines_in_mode(quote.lines.all(), quote.prices_include_vat)
    if lines is not None:
        built = _build_lines(QuoteLine, lines, **_line_mode(quote))
        _apply_totals(quote, built)
        quote.lines.all().delete()
        for line in built:
            line.quote = quote
        QuoteLine.objects.bulk_create(built)
        changes["lines"] = [None, len(built)]
    else:
        _apply_totals(quote, list(quote.lines.all()))
    quote.save()
    audit_record(
        actor=actor, action="update", target=quote, summary=f"Devis {quote}", changes=changes
    )
    return quote


def _send_document_mail(
    *, sending_id: int, subject: str, body: str, recipient: str, attachment: tuple | None
) -> None:
    """Hand the e-mail to the mail backend after commit and note the result."""
    message = EmailMessage(subject=subject, body=body, to=[recipient])
    if attachment is not None:
        filename, render = attachment
        message.attach(filename, render(), "application/pdf")
    try:
        message.send()
    except Exception as error:  # the backend's failure must not lose the record
        logger.exception("sending %s failed", sending_id)
        Sending.objects.filter(pk=sending_id).update(error=str(error)[:255])
    else:
        Sending.objects.filter(pk=sending_id).update(delivered_at=timezone.now())


def _record_sending(
    *,
    actor: Any,
    document: Quote | Invoice,
    recipient: str,
    subject: str,
    body: str,
    attachment: tuple | None,
) -> Sending:
    sending = Sending.objects.create(
        quote=document if isinstance(document, Quote) else None,
        invoice=document if isinstance(document, Invoice) else None,
        recipient=recipient,
        subject=subject[:255],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    transaction.on_commit(
        lambda: _send_document_mail(
            sending_id=sending.pk,
            subject=subject,
            body=body,
            recipient=recipient,
            attachment=attachment,
        )
    )
    return sending


def _recipient(document: Quote | Invoice, recipient: str | None) -> str:
    address = (recipient or document.customer.email or "").strip()
    if not address:
        raise ValidationError(
            {"recipient": _("Le client n'a pas d'adresse e-mail : indiquez un destinataire.")}
        )
    return address


@transaction.atomic
def quote_send(
    *, actor: Any, quote: Quote, email: bool = True, recipient: str | None = None
) -> Quote:
    """Number a draft quote, freeze its mentions and send it (or mark it handed over)."""
    quote = (
        Quote.objects.select_for_update(of=("self",))
        .select_related("customer", "business")
        .get(pk=quote.pk)
    )
    _check_write(actor, quote.business)
    if quote.status != Quote.Status.DRAFT:
        raise ValidationError(_("Ce devis a déjà été envoyé."))
    if not quote.lines.filter(line_type=LineType.ITEM).exists():
        raise ValidationError(_("Un devis sans ligne ne peut pas être envoyé."))
    address = _recipient(quote, recipient) if email else ""
    quote.number = number_draw(
        kind=DocumentKind.QUOTE, business=quote.business, day=quote.issue_date
    )
    quote.snapshot = document_snapshot(
        business=quote.business, customer=quote.customer, day=quote.issue_date
    )
    quote.sent_at = timezone.now()
    quote.save()
    _state(quote, to=Quote.Status.SENT, actor=actor)
    if email:
        subject = _("Devis %(number)s — %(business)s") % {
            "number": quote.number,
            "business": quote.business.name,
        }
        body = _(
            "Bonjour,\n\nVeuillez trouver ci-joint notre devis %(number)s d'un montant de "
            "%(total)s TTC, valable jusqu'au %(date)s.\n\nCordialement,\n%(business)s"
        ) % {
            "number": quote.number,
            "total": format_cents(quote.total_incl_vat_cents),
            "date": format_date(quote.validity_date),
            "business": quote.business.name,
        }
        pk = quote.pk
        _record_sending(
            actor=actor,
            document=quote,
            recipient=address,
            subject=subject,
            body=body,
            attachment=(f"{quote.number}.pdf", lambda: quote_pdf(Quote.objects.get(pk=pk))),
        )
    audit_record(actor=actor, action="update", target=quote, summary=f"Envoi du devis {quote}")
    return quote


def _decide_quote(*, actor: Any, quote: Quote, to: str, day: datetime.date | None) -> Quote:
    quote = Quote.objects.select_for_update(of=("self",)).get(pk=quote.pk)
    _check_write(actor, quote.business)
    if quote.status != Quote.Status.SENT:
        raise ValidationError(_("Seul un devis envoyé peut être accepté ou refusé."))
    day = day or today()
    if to == Quote.Status.ACCEPTED and day > quote.validity_date:
        raise ValidationError(_("Ce devis n'est plus valable : il ne peut pas être accepté."))
    quote.decided_at = day
    quote.save(update_fields=["decided_at", "updated_at"])
    _state(quote, to=to, actor=actor)
    audit_record(
        actor=actor,
        action="update",
        target=quote,
        summary=f"Devis {quote} : {quote.get_status_display()}",
    )
    return quote


@transaction.atomic
def quote_accept(*, actor: Any, quote: Quote, day: datetime.date | None = None) -> Quote:
    """Record the customer's acceptance of a sent quote still valid."""
    return _decide_quote(actor=actor, quote=quote, to=Quote.Status.ACCEPTED, day=day)


@transaction.atomic
def quote_refuse(*, actor: Any, quote: Quote, day: datetime.date | None = None) -> Quote:
    """Record the customer's refusal of a sent quote."""
    return _decide_quote(actor=actor, quote=quote, to=Quote.Status.REFUSED, day=day)


@transaction.atomic
def quotes_expire(*, actor: Any, day: datetime.date | None = None) -> int:
    """Mark as expired the sent quotes whose validity date has passed; returns how many."""
    day = day or today()
    expired = 0
    for quote in Quote.objects.select_for_update(of=("self",)).filter(
        status=Quote.Status.SENT, validity_date__lt=day
    ):
        _state(quote, to=Quote.Status.EXPIRED, actor=actor)
        audit_record(
            actor=actor,
            action="update",
            target=quote,
            summary=f"Devis {quote} expiré (valable jusqu'au {format_date(quote.validity_date)})",
        )
        expired += 1
    return expired


@dataclass(frozen=True)
class DailyResult:
    """What the daily maintenance did: quotes expired, late invoices found, reminders sent."""

    day: datetime.date
    expired_quotes: int
    late_invoices: int
    late_cents: int
    reminders: int


def sales_daily(*, day: datetime.date | None = None, remind: bool = False) -> DailyResult:
    """The daily maintenance of sales, safe to run twice: expire the quotes past their
    validity date, count the late invoices and, with `remind`, e-mail a first reminder for
    each late invoice that has none yet (never a second one: that stays a person's call)."""
    day = day or today()
    expired = quotes_expire(actor=None, day=day)
    late = Invoice.objects.late(day).select_related("customer")
    late_count, late_cents, reminders = 0, 0, 0
    for invoice in late:
        late_count += 1
        late_cents += invoice.remaining_cents
        if remind and invoice.last_reminder_level == 0 and invoice.customer.email:
            reminder_send(actor=None, invoice=invoice, level=Reminder.Level.FIRST, day=day)
            reminders += 1
    logger.info(
        "sales daily %s: %s quote(s) expired, %s late invoice(s), %s reminder(s)",
        day,
        expired,
        late_count,
        reminders,
    )
    return DailyResult(
        day=day,
        expired_quotes=expired,
        late_invoices=late_count,
        late_cents=late_cents,
        reminders=reminders,
    )


# --- invoices ---------------------------------------------------------------------------

INVOICE_FIELDS = (
    "customer", "title", "supply_date", "due_date", "notes", "late_penalty_text",
    "early_payment_text", "prices_include_vat",
)  # fmt: skip


def _check_editable(invoice: Invoice) -> None:
    if invoice.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Une facture émise ne peut plus être modifiée : corrigez-la par un avoir."),
            code="immutable",
        )


def _new_invoice(
    *,
    business: Business,
    customer: Customer,
    kind: str,
    title: str = "",
    supply_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    notes: str = "",
    quote: Quote | None = None,
    credited_invoice: Invoice | None = None,
    prices_include_vat: bool = False,
) -> Invoice:
    terms = sales_settings_of(business)
    return Invoice(
        business=business,
        customer=customer,
        kind=kind,
        title=title.strip(),
        supply_date=supply_date,
        due_date=due_date,
        notes=notes.strip(),
        late_penalty_text=str(terms.late_penalty_text),
        early_payment_text=str(terms.early_payment_text),
        quote=quote,
        credited_invoice=credited_invoice,
        buyer_business=customer.internal_business,
        status=InvoiceStatus.DRAFT,
        prices_include_vat=bool(prices_include_vat),
    )


def _save_new_invoice(*, actor: Any, invoice: Invoice, built: list, summary: str) -> Invoice:
    _apply_totals(invoice, built)
    invoice.save()
    for position, line in enumerate(built, start=1):
        line.invoice = invoice
        line.position = position
    # The invoice is the draft saved just above: the manager's check that no line joins
    # an issued invoice (one query) has nothing to find.
    InvoiceLine._base_manager.bulk_create(built)
    _state(invoice, to=InvoiceStatus.DRAFT, actor=actor, save=False)
    audit_record(actor=actor, action="create", target=invoice, summary=summary)
    return invoice


@transaction.atomic
def invoice_create(
    *,
    actor: Any,
    business: Business,
    customer: Customer,
    kind: str = Invoice.Kind.INVOICE,
    title: str = "",
    supply_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    notes: str = "",
    lines: Iterable[Mapping[str, Any]] = (),
    prices_include_vat: bool = False,
) -> Invoice:
    """Draft an invoice (no number yet: it is given at issue); with `prices_include_vat`
    the lines' prices are `unit_price_incl_vat`. A sale to another business of the
    cooperative carries no VAT (its lines are put at 0 %, see `_build_lines`)."""
    _check_write(actor, business)
    _check_customer(business, customer)
    if kind == Invoice.Kind.CREDIT_NOTE:
        raise ValidationError(_("Un avoir se crée à partir de la facture qu'il corrige."))
    if kind not in Invoice.Kind.values:
        raise ValidationError({"kind": _("Type de facture inconnu.")})
    invoice = _new_invoice(
        business=business,
        customer=customer,
        kind=kind,
        title=title,
        supply_date=supply_date,
        due_date=due_date,
        notes=notes,
        prices_include_vat=prices_include_vat,
    )
    built = _build_lines(InvoiceLine, lines, **_line_mode(invoice))
    return _save_new_invoice(
        actor=actor, invoice=invoice, built=built, summary=f"Brouillon de facture pour {customer}"
    )


@transaction.atomic
def invoice_update(
    *,
    actor: Any,
    invoice: Invoice,
    lines: Iterable[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Invoice:
    """Change a draft invoice or credit note; its lines, when given, replace the old ones."""
    unknown = set(fields) - set(INVOICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown invoice fields: {sorted(unknown)}")
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    _check_write(actor, invoice.business)
    _check_editable(invoice)
    if "customer" in fields and fields["customer"].pk != invoice.customer_id:
        if invoice.is_credit_note:
            raise ValidationError({"customer": _("Un avoir va au client de la facture.")})
        _check_customer(invoice.business, fields["customer"])
        invoice.buyer_business = fields["customer"].internal_business
    changes = model_changes(invoice, fields)
    for name, value in fields.items():
        setattr(invoice, name, value.strip() if isinstance(value, str) else value)
    if lines is None and ("prices_include_vat" in changes or "customer" in changes):
        lines = _lines_in_mode(invoice.lines.all(), invoice.prices_include_vat)
    if lines is not None:
        built = _build_lines(InvoiceLine, lines, **_line_mode(invoice))
        _apply_totals(invoice, built)
        invoice.lines.all().delete()
        for line in built:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create(built)
        changes["lines"] = [None, len(built)]
    else:
        _apply_totals(invoice, list(invoice.lines.all()))
    if invoice.is_credit_note:
        _check_creditable(invoice.credited_invoice, invoice.total_incl_vat_cents)
    invoice.save()
    audit_record(
        actor=actor,
        action="update",
        target=invoice,
        summary=f"Brouillon {invoice}",
        changes=changes,
    )
    return invoice


@transaction.atomic
def invoice_delete(*, actor: Any, invoice: Invoice) -> None:
    """Delete a draft (an issued document is never deleted)."""
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    _check_write(actor, invoice.business)
    _check_editable(invoice)
    audit_record(actor=actor, action="delete", target=invoice, summary=f"Brouillon {invoice}")
    invoice.delete()


@transaction.atomic
def invoice_submit(*, actor: Any, invoice: Invoice) -> Invoice:
    """Ask the support staff to validate a draft before it is issued."""
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    _check_write(actor, invoice.business)
    if invoice.status != InvoiceStatus.DRAFT:
        raise ValidationError(_("Seul un brouillon peut être soumis à validation."))
    _check_issuable(invoice)
    _state(invoice, to=InvoiceStatus.TO_VALIDATE, actor=actor)
    audit_record(
        actor=actor, action="update", target=invoice, summary=f"{invoice} soumise à validation"
    )
    return invoice


@transaction.atomic
def invoice_return_to_draft(*, actor: Any, invoice: Invoice, reason: str) -> Invoice:
    """The support staff send a document awaiting validation back to its author."""
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if not _is_manager(actor):
        raise PermissionDenied(_("Seule l'équipe d'appui valide les factures."))
    if invoice.status != InvoiceStatus.TO_VALIDATE:
        raise ValidationError(_("Cette facture n'attend pas de validation."))
    if not reason.strip():
        raise ValidationError({"reason": _("Expliquez ce qui doit être corrigé.")})
    _state(invoice, to=InvoiceStatus.DRAFT, actor=actor, note=reason.strip())
    audit_record(actor=actor, action="update", target=invoice, summary=f"{invoice} à corriger")
    return invoice


def _check_issuable(invoice: Invoice) -> list[InvoiceLine]:
    lines = list(invoice.lines.all())
    if not any(line.line_type == LineType.ITEM for line in lines):
        raise ValidationError(_("Une facture sans ligne ne peut pas être émise."))
    if invoice.total_incl_vat_cents <= 0:
        raise ValidationError(
            _("Le total TTC doit être positif (un montant à rendre se fait par avoir).")
        )
    if invoice.customer.archived:
        raise ValidationError({"customer": _("Ce client est archivé.")})
    return lines


def _check_creditable(original: Invoice | None, amount_cents: int) -> None:
    if original is None or original.is_credit_note:
        raise ValidationError(_("Un avoir corrige une facture."))
    if not original.is_frozen:
        raise ValidationError(_("Un brouillon se modifie : il n'a pas besoin d'avoir."))
    if amount_cents > original.creditable_cents:
        raise ValidationError(
            _(
                "L'avoir (%(amount)s) dépasse ce qui reste à créditer sur la facture "
                "%(number)s (%(left)s)."
            )
            % {
                "amount": format_cents(amount_cents),
                "number": original.number,
                "left": format_cents(original.creditable_cents),
            },
            code="credit_exceeds_total",
        )


def _settle_status(invoice: Invoice) -> str:
    """The status an issued invoice has from what was paid and credited."""
    if invoice.is_credit_note:
        return invoice.status
    if invoice.credited_cents >= invoice.total_incl_vat_cents:
        return InvoiceStatus.CANCELLED
    if invoice.paid_cents + invoice.credited_cents >= invoice.total_incl_vat_cents:
        return InvoiceStatus.PAID
    if invoice.paid_cents > 0:
        return InvoiceStatus.PARTLY_PAID
    return InvoiceStatus.SENT if invoice.sent_at else InvoiceStatus.ISSUED


def series_kind(invoice: Invoice) -> str:
    """The numbering series a document draws from."""
    if invoice.is_credit_note:
        return DocumentKind.CREDIT_NOTE
    if invoice.buyer_business_id:
        return DocumentKind.INTERNAL_INVOICE
    return DocumentKind.INVOICE


def _due_date(invoice: Invoice, issue_date: datetime.date, terms: SalesSettings) -> datetime.date:
    if invoice.is_credit_note:
        return issue_date
    if invoice.due_date is not None:
        if invoice.due_date < issue_date:
            raise ValidationError({"due_date": _("L'échéance ne peut précéder l'émission.")})
        if (
            invoice.customer.is_professional
            and (invoice.due_date - issue_date).days > MAX_PAYMENT_DAYS
        ):
            raise ValidationError(
                {"due_date": _("L'échéance ne peut dépasser 60 jours après l'émission.")}
            )
        return invoice.due_date
    days = invoice.customer.payment_terms_days
    if days is None:
        days = terms.payment_terms_days
    return issue_date + datetime.timedelta(days=days)


_ISSUE_SELECT = (
    "business",
    "business__sales_settings",
    "customer",
    "customer__internal_business",
    "buyer_business",
)


def _issue_date_of(issue_date: datetime.date | None) -> datetime.date:
    """The day a document is issued: today by default, never later."""
    issue_date = issue_date or today()
    if issue_date > today():
        raise ValidationError(
            {"issue_date": _("Une facture ne peut pas être émise à une date future.")}
        )
    return issue_date


def _issue_checks(
    actor: Any, invoice: Invoice, allowed: set[int] | None = None
) -> tuple[SalesSettings, list[InvoiceLine]]:
    """Who may issue this draft and whether it can be: its business's terms and its lines.
    `allowed`: the businesses the actor was already found to write for (added to)."""
    if allowed is None or invoice.business_id not in allowed:
        _check_write(actor, invoice.business)
        if allowed is not None:
            allowed.add(invoice.business_id)
    _check_editable(invoice)
    terms = _selected_sales_settings(invoice.business)
    if terms.requires_validation and not _is_manager(actor):
        raise PermissionDenied(
            _("Cette activité fait valider ses factures : soumettez-la à l'équipe d'appui.")
        )
    return terms, _check_issuable(invoice)


def _freeze(
    *,
    actor: Any,
    invoice: Invoice,
    issue_date: datetime.date,
    terms: SalesSettings,
    snapshot: dict[str, Any],
) -> None:
    """Set what issuing fixes on the draft (in memory): dates, the printed facts, who and when."""
    invoice.due_date = _due_date(invoice, issue_date, terms)
    invoice.supply_date = invoice.supply_date or issue_date
    invoice.issue_date = issue_date
    invoice.snapshot = snapshot
    invoice.issued_at = timezone.now()
    invoice.issued_by = actor if getattr(actor, "is_authenticated", False) else None


def _issue_summary(invoice: Invoice) -> str:
    return f"Émission de {invoice.get_kind_display().lower()} {invoice.number}"


@transaction.atomic
def invoice_issue(
    *, actor: Any, invoice: Invoice, issue_date: datetime.date | None = None
) -> Invoice:
    """Give a draft its number and freeze it; the number is drawn in this very transaction."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related(*_ISSUE_SELECT)
        .prefetch_related("lines")  # checked here, and what the API answers
        .get(pk=invoice.pk)
    )
    terms, lines = _issue_checks(actor, invoice)
    issue_date = _issue_date_of(issue_date)
    original, original_lines = None, []
    if invoice.is_credit_note:
        original = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=invoice.credited_invoice_id)
        )
        _check_creditable(original, invoice.total_incl_vat_cents)
        if issue_date < original.issue_date:
            raise ValidationError(_("Un avoir ne peut précéder la facture qu'il corrige."))
        original_lines = list(original.lines.all())
    # The entry is dated in the open period (docs/adr/0010); known before the number.
    entry_day = accounting.ledger_date(issue_date, accounting.open_day())
    _freeze(
        actor=actor,
        invoice=invoice,
        issue_date=issue_date,
        terms=terms,
        snapshot=document_snapshot(
            business=invoice.business, customer=invoice.customer, day=issue_date,
            footer=terms.footer,
        ),
    )  # fmt: skip
    # Still a draft, locked above: all but its number and status, before the draw.
    Invoice._base_manager.filter(pk=invoice.pk).update(
        due_date=invoice.due_date,
        supply_date=invoice.supply_date,
        issue_date=invoice.issue_date,
        snapshot=invoice.snapshot,
        issued_at=invoice.issued_at,
        issued_by=invoice.issued_by,
        updated_at=invoice.issued_at,
    )
    previous = invoice.status
    _state(invoice, to=InvoiceStatus.ISSUED, actor=actor, save=False, previous=previous)
    # Everything the ledger checks (accounts, fiscal year, open period) is checked now too.
    provisional = accounting.issue_draft(
        invoice=invoice,
        lines=lines,
        day=entry_day,
        original=original,
        original_lines=original_lines,
        number="-",
    )
    prepared = entry_prepare(actor=actor, draft=provisional) if provisional else None
    series = series_for(series_kind(invoice))
    # The number is drawn last: the series stays locked from here to the commit, so the
    # less work after the draw, the more documents a series issues per second.
    invoice.number = number_draw(
        kind=series.document_kind, business=invoice.business, day=issue_date, series=series
    )
    # The row is ours (locked above) and still a draft in the database: one UPDATE.
    Invoice._base_manager.filter(pk=invoice.pk).update(
        number=invoice.number, status=invoice.status, updated_at=timezone.now()
    )
    audit_record(actor=actor, action="update", target=invoice, summary=_issue_summary(invoice))
    # Built before the credit note counts in the original's credited amount.
    draft = accounting.issue_draft(
        invoice=invoice,
        lines=lines,
        day=entry_day,
        original=original,
        original_lines=original_lines,
    )
    if original is not None:
        _credit_original(actor=actor, original=original, credit_note=invoice)
    if invoice.buyer_business_id:
        _internal_purchase_create(actor=actor, invoice=invoice)
    else:
        from alveole.sales.tasks import enqueue_submission  # imports the platform client

        enqueue_submission(invoice)  # the deposit on the platform, once committed
    # Last: the journal's entry number is drawn there, all its checks done above. A new
    # invoice's number is on no earlier line: nothing to letter (a credit note may settle).
    entry_post_if_any(actor=actor, draft=draft, prepared=prepared, letter=invoice.is_credit_note)
    return invoice


#: Drafts issued together at most: a selection on a page or a script's batch.
ISSUE_BATCH_MAX = 500

#: What `invoices_issue` writes on each draft it issues, in one UPDATE per draft.
_ISSUED_FIELDS = (
    "due_date", "supply_date", "issue_date", "snapshot", "issued_at", "issued_by_id",
    "number", "status", "updated_at",
)  # fmt: skip


def invoices_not_found(pks: Iterable[int]) -> ValidationError:
    """The error for ids that name no invoice the caller may see (the same words whether it
    does not exist or belongs to another business)."""
    return ValidationError(
        _("Facture introuvable : n° %(pks)s.") % {"pks": ", ".join(map(str, pks))},
        code="not_found",
    )


def issuable_drafts(user: Any, invoices: Iterable[Invoice]) -> set[int]:
    """The ids of the drafts among `invoices` (read with their business) that `user` may
    issue together (`invoices_issue`, which checks the same and the rest): no credit note
    or internal invoice, the right to write, validation by the support team. No query per
    invoice: one per business of an entrepreneur's (`can_write`), none for the staff roles,
    and one for the validation settings unless the user validates."""
    drafts = [i for i in invoices if not (i.is_frozen or i.is_credit_note or i.buyer_business_id)]
    businesses = {invoice.business_id: invoice.business for invoice in drafts}
    allowed = {pk for pk, business in businesses.items() if can_write(user, business)}
    if allowed and not can_validate(user):
        allowed -= set(
            SalesSettings.objects.filter(
                business_id__in=allowed, requires_validation=True
            ).values_list("business_id", flat=True)
        )
    return {invoice.pk for invoice in drafts if invoice.business_id in allowed}


@transaction.atomic
def invoices_issue(
    *, actor: Any, invoices: Sequence[Invoice | int], issue_date: datetime.date | None = None
) -> list[Invoice]:
    """Issue several invoices or deposit invoices at once, all or none: each as
    `invoice_issue` would.

    Every draft is checked first; if any cannot be issued, a ValidationError lists each
    one with its reason (code `not_issuable`) and nothing is written. The drafts of a
    business get consecutive numbers of its series in the order given, drawn together (one
    statement and one lock per business), and their entries are posted together
    (`entries_post`): a batch costs the same queries for 3 drafts or 500.

    Credit notes and internal invoices are refused: each touches another document (the
    invoice it corrects, the buyer's purchase) and takes its series' lock before the sales
    journal's, so mixed into a batch, which takes the journal's after every invoice
    series', two issues could each wait for the other. They are issued one at a time.
    Returns the issued invoices in the order given.
    """
    pks = [item if isinstance(item, int) else item.pk for item in invoices]
    if not pks:
        raise ValidationError(_("Choisissez au moins une facture à émettre."))
    if len(pks) > ISSUE_BATCH_MAX:
        raise ValidationError(
            _("%(count)s factures choisies : au plus %(max)s s'émettent ensemble.")
            % {"count": len(pks), "max": ISSUE_BATCH_MAX}
        )
    if len(set(pks)) != len(pks):
        raise ValidationError(_("Une même facture est choisie deux fois."))
    issue_date = _issue_date_of(issue_date)
    # Locked in id order, as every batch locks them: two batches never wait on each other
    # in a cycle.
    found = {
        invoice.pk: invoice
        for invoice in Invoice.objects.select_for_update(of=("self",))
        .select_related(*_ISSUE_SELECT)
        .prefetch_related("lines")
        .filter(pk__in=pks)
        .order_by("pk")
    }
    if missing := [pk for pk in pks if pk not in found]:
        raise invoices_not_found(missing)
    errors: list[ValidationError] = []
    batch: list[tuple[Invoice, SalesSettings, list[InvoiceLine]]] = []
    allowed: set[int] = set()  # one permission check per business
    for invoice in (found[pk] for pk in pks):
        try:
            if invoice.is_credit_note and not invoice.is_frozen:
                raise ValidationError(_("Un avoir s'émet seul, depuis sa page."))
            if invoice.buyer_business_id and not invoice.is_frozen:
                raise ValidationError(_("Une facture interne s'émet seule, depuis sa page."))
            terms, lines = _issue_checks(actor, invoice, allowed)
            _due_date(invoice, issue_date, terms)
            batch.append((invoice, terms, lines))
        except ValidationError as error:
            reason = _("Elle est déjà émise.") if invoice.is_frozen else " ".join(error.messages)
            errors.append(
                ValidationError(
                    f"{invoice} ({invoice.customer.name}) : {reason}", code="not_issuable"
                )
            )
        except PermissionDenied as error:  # the whole batch is refused, this draft named
            reason = str(error) or _("Vous ne pouvez pas émettre cette facture.")
            raise PermissionDenied(f"{invoice} : {reason}") from None
    if errors:
        raise ValidationError(errors)
    _issue_together(actor=actor, batch=batch, issue_date=issue_date)
    return [found[pk] for pk in pks]


def _issue_together(
    *,
    actor: Any,
    batch: list[tuple[Invoice, SalesSettings, list[InvoiceLine]]],
    issue_date: datetime.date,
) -> None:
    """The writes of `invoices_issue`, for drafts it checked: numbers drawn per business,
    then every row in bulk, entries last (the sales journal's lock after the series')."""
    from alveole.sales.tasks import enqueue_submission  # imports the platform client

    entry_day = accounting.ledger_date(issue_date, accounting.open_day())
    sellers: dict[int, dict[str, Any]] = {}  # the seller's part, read once per business
    by_business: dict[int, list[Invoice]] = {}
    previous: dict[int, str] = {}
    for invoice, terms, _lines in batch:
        if invoice.business_id not in sellers:
            sellers[invoice.business_id] = seller_snapshot(
                invoice.business, issue_date, terms.footer
            )
        snapshot = document_snapshot(
            business=invoice.business, customer=invoice.customer, day=issue_date,
            seller=sellers[invoice.business_id],
        )  # fmt: skip
        _freeze(actor=actor, invoice=invoice, issue_date=issue_date, terms=terms, snapshot=snapshot)
        previous[invoice.pk] = invoice.status
        invoice.status = InvoiceStatus.ISSUED
        by_business.setdefault(invoice.business_id, []).append(invoice)
    # The numbers last but for the writes: each series stays locked from its draw to
    # the commit.
    series = series_for(DocumentKind.INVOICE)
    for business_id in sorted(by_business):  # always locked in one order
        group = by_business[business_id]
        numbers = numbers_draw(
            kind=DocumentKind.INVOICE,
            business=group[0].business,
            day=issue_date,
            count=len(group),
            series=series,
        )
        for invoice, number in zip(group, numbers, strict=True):
            invoice.number = number
    now = timezone.now()
    invoices = [invoice for invoice, _terms, _lines in batch]
    for invoice in invoices:
        invoice.updated_at = now
    update_rows(
        Invoice,
        _ISSUED_FIELDS,
        [
            (invoice.pk, *(getattr(invoice, name) for name in _ISSUED_FIELDS))
            for invoice in invoices
        ],
    )
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    insert_rows(
        StateChange,
        ("invoice_id", "at", "actor_id", "from_status", "to_status", "note"),
        [
            (invoice.pk, now, actor_id, previous[invoice.pk], InvoiceStatus.ISSUED.value, "")
            for invoice in invoices
        ],
    )
    audit_records(
        actor=actor,
        action=AuditEvent.Action.UPDATE.value,
        target_type=Invoice._meta.label_lower,
        events=((invoice.pk, _issue_summary(invoice), None) for invoice in invoices),
        at=now,
    )
    drafts = [
        accounting.issue_draft(invoice=invoice, lines=lines, day=entry_day)
        for invoice, _terms, lines in batch
    ]
    # A new invoice's number is on no earlier line: nothing to letter.
    entries_post(actor=actor, drafts=[draft for draft in drafts if draft], letter=False)
    for invoice in invoices:
        enqueue_submission(invoice)  # the deposit on the platform, once committed


def _internal_purchase_create(*, actor: Any, invoice: Invoice) -> None:
    """The buyer business's supplier invoice for an internal sale, in the issuing transaction."""
    assert invoice.buyer_business is not None and invoice.issue_date is not None
    assert invoice.number is not None
    supplier_invoice_create_internal(
        actor=actor,
        seller_business=invoice.business,
        buyer_business=invoice.buyer_business,
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        source_invoice_id=invoice.pk,
        is_credit_note=invoice.is_credit_note,
        lines=[
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "vat_rate": line.vat_rate,
                "net_cents": line.net_cents,
                "nature": line.nature,
            }
            for line in invoice.lines.filter(line_type=LineType.ITEM)
        ],
        total_excl_vat_cents=invoice.total_excl_vat_cents,
        total_vat_cents=invoice.total_vat_cents,
    )


def _credit_original(*, actor: Any, original: Invoice, credit_note: Invoice) -> None:
    original.credited_cents += credit_note.total_incl_vat_cents
    original.save(update_fields=["credited_cents", "updated_at"])
    status = _settle_status(original)
    if status != original.status:
        _state(
            original,
            to=status,
            actor=actor,
            note=_("Avoir %(number)s") % {"number": credit_note.number},
        )


def _invoice_mail(invoice: Invoice) -> tuple[str, str]:
    kind = invoice.get_kind_display()
    subject = f"{kind} {invoice.number} — {invoice.business.name}"
    body = _(
        "Bonjour,\n\nVeuillez trouver ci-joint %(kind)s %(number)s d'un montant de %(total)s TTC"
        "%(due)s.\n\nCordialement,\n%(business)s"
    ) % {
        "kind": kind.lower(),
        "number": invoice.number,
        "total": format_cents(invoice.total_incl_vat_cents),
        "due": (
            _(", à régler au plus tard le %(date)s") % {"date": format_date(invoice.due_date)}
            if not invoice.is_credit_note
            else ""
        ),
        "business": invoice.business.name,
    }
    return subject, body


def _pdf_attachment(invoice: Invoice) -> tuple:
    pk = invoice.pk
    return (f"{invoice.number}.pdf", lambda: invoice_pdf(Invoice.objects.get(pk=pk)))


@transaction.atomic
def invoice_send(*, actor: Any, invoice: Invoice, recipient: str | None = None) -> Sending:
    """E-mail an issued document with its PDF to the customer, after commit; recorded."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("business", "customer")
        .get(pk=invoice.pk)
    )
    _check_write(actor, invoice.business)
    if not invoice.is_frozen:
        raise ValidationError(_("Une facture doit être émise avant d'être envoyée."))
    address = _recipient(invoice, recipient)
    subject, body = _invoice_mail(invoice)
    sending = _record_sending(
        actor=actor,
        document=invoice,
        recipient=address,
        subject=subject,
        body=body,
        attachment=_pdf_attachment(invoice),
    )
    if invoice.sent_at is None:
        invoice.sent_at = timezone.now()
        invoice.save(update_fields=["sent_at", "updated_at"])
    if invoice.status == InvoiceStatus.ISSUED:
        _state(invoice, to=InvoiceStatus.SENT, actor=actor, note=address)
    audit_record(
        actor=actor, action="update", target=invoice, summary=f"Envoi de {invoice} à {address}"
    )
    return sending


# --- from quotes to invoices ------------------------------------------------------------


def _quote_item_lines(quote: Quote) -> list[dict[str, Any]]:
    return [_line_dict(line) for line in quote.lines.all()]


@transaction.atomic
def quote_to_invoice(
    *,
    actor: Any,
    quote: Quote,
    mode: str = "full",
    percent: Decimal | None = None,
) -> Invoice:
    """Draft the invoice of an accepted quote: in full, a deposit of a percentage, or the
    final invoice that deducts the deposits already issued."""
    quote = (
        Quote.objects.select_for_update(of=("self",))
        .select_related("business", "customer")
        .get(pk=quote.pk)
    )
    _check_write(actor, quote.business)
    if quote.status != Quote.Status.ACCEPTED:
        raise ValidationError(_("Seul un devis accepté peut être facturé."))
    existing = [i for i in quote.invoices.all() if i.status != InvoiceStatus.CANCELLED]
    finals = [i for i in existing if i.kind == Invoice.Kind.INVOICE]
    deposits = [i for i in existing if i.kind == Invoice.Kind.DEPOSIT]
    if finals:
        raise ValidationError(
            _("Ce devis est déjà facturé (%(invoice)s).") % {"invoice": finals[0]}
        )
    common: dict[str, Any] = {
        "business": quote.business,
        "customer": quote.customer,
        "title": quote.title,
        "quote": quote,
        "prices_include_vat": quote.prices_include_vat,
    }
    mode_of_lines = {
        "prices_include_vat": quote.prices_include_vat,
        "internal": quote.customer.is_internal,
    }
    if mode == "full":
        if deposits:
            raise ValidationError(
                _("Des acomptes ont été facturés : établissez la facture de solde.")
            )
        invoice = _new_invoice(kind=Invoice.Kind.INVOICE, **common)
        built = _build_lines(InvoiceLine, _quote_item_lines(quote), **mode_of_lines)
        summary = f"Facture du devis {quote}"
    elif mode == "deposit":
        try:
            percent = Decimal(str(percent))
        except InvalidOperation:
            percent = Decimal(0)
        if not Decimal(0) < percent < Decimal(100):
            raise ValidationError({"percent": _("Le pourcentage d'acompte est entre 0 et 100.")})
        invoiced = sum(d.total_incl_vat_cents for d in deposits)
        totals = compute_totals(
            [line for line in quote.lines.all() if line.line_type == LineType.ITEM]
        )
        lines = []
        for vat in totals.vat_lines:
            priced = vat.base_cents + (vat.vat_cents if quote.prices_include_vat else 0)
            amount = (Decimal(priced) * percent / Decimal(10000)).quantize(Decimal("0.01"))
            lines.append(
                {
                    "description": _(
                        "Acompte de %(percent)s %% sur le devis %(number)s (TVA %(rate)s %%)"
                    )
                    % {
                        "percent": format_rate(percent),
                        "number": quote.number,
                        "rate": format_rate(vat.rate),
                    },
                    "quantity": Decimal(1),
                    "unit_price": amount,
                    "unit_price_incl_vat": amount if quote.prices_include_vat else None,
                    "vat_rate": vat.rate,
                    "vat_exemption_reason": vat.exemption_reasons[0]
                    if vat.exemption_reasons
                    else "",
                    "nature": _dominant_nature(quote),
                }
            )
        built = _build_lines(InvoiceLine, lines, **mode_of_lines)
        invoice = _new_invoice(kind=Invoice.Kind.DEPOSIT, **common)
        _apply_totals(invoice, built)
        if invoiced + invoice.total_incl_vat_cents >= quote.total_incl_vat_cents:
            raise ValidationError(
                {"percent": _("Les acomptes atteindraient le total du devis : facturez le solde.")}
            )
        summary = f"Facture d'acompte du devis {quote}"
    elif mode == "final":
        if not deposits:
            raise ValidationError(_("Aucun acompte à déduire : facturez le devis en entier."))
        unissued = [d for d in deposits if not d.is_frozen]
        if unissued:
            raise ValidationError(_("Émettez d'abord les factures d'acompte en brouillon."))
        lines = _quote_item_lines(quote)
        for deposit in deposits:
            for line in deposit.lines.filter(line_type=LineType.ITEM):
                data = _line_dict(line)
                data["description"] = _("Déduction de l'acompte %(number)s (TVA %(rate)s %%)") % {
                    "number": deposit.number,
                    "rate": format_rate(line.vat_rate),
                }
                data["quantity"] = -line.quantity
                lines.append(data)
        invoice = _new_invoice(kind=Invoice.Kind.INVOICE, **common)
        built = _build_lines(InvoiceLine, lines, **mode_of_lines)
        summary = f"Facture de solde du devis {quote}"
    else:
        raise ValidationError({"mode": _("Mode de facturation inconnu.")})
    return _save_new_invoice(actor=actor, invoice=invoice, built=built, summary=summary)


def _dominant_nature(quote: Quote) -> str:
    natures = {line.nature for line in quote.lines.all() if line.line_type == LineType.ITEM}
    return Nature.GOODS if natures == {Nature.GOODS} else Nature.SERVICE


# --- credit notes -----------------------------------------------------------------------


@transaction.atomic
def credit_note_create(
    *,
    actor: Any,
    invoice: Invoice,
    lines: Iterable[Mapping[str, Any]] | None = None,
    reason: str = "",
) -> Invoice:
    """Draft a credit note correcting an issued invoice: all of it, or the lines given."""
    original = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=invoice.pk)
    )
    _check_write(actor, original.business)
    if original.is_credit_note:
        raise ValidationError(_("Un avoir ne se corrige pas par un autre avoir."))
    if not original.is_frozen:
        raise ValidationError(_("Un brouillon se modifie : il n'a pas besoin d'avoir."))
    full = lines is None
    given = [_line_dict(line) for line in original.lines.all()] if lines is None else lines
    built = _build_lines(
        InvoiceLine,
        given,
        prices_include_vat=original.prices_include_vat,
        internal=original.customer.is_internal,
    )
    credit_note = _new_invoice(
        business=original.business,
        customer=original.customer,
        kind=Invoice.Kind.CREDIT_NOTE,
        title=_("Avoir sur la facture %(number)s") % {"number": original.number},
        notes=reason,
        credited_invoice=original,
        prices_include_vat=original.prices_include_vat,
    )
    credit_note.buyer_business = original.buyer_business
    credit_note.supply_date = original.supply_date
    _apply_totals(credit_note, built)
    if credit_note.total_incl_vat_cents <= 0:
        raise ValidationError(_("Le montant de l'avoir doit être positif."))
    _check_creditable(original, credit_note.total_incl_vat_cents)
    return _save_new_invoice(
        actor=actor,
        invoice=credit_note,
        built=built,
        summary=f"Avoir {'total' if full else 'partiel'} sur {original.number}",
    )


# --- payments and reminders -------------------------------------------------------------


def _check_payment(
    invoice: Invoice,
    *,
    amount_cents: int,
    method: str,
    date: datetime.date | None,
    day: datetime.date | None = None,
) -> datetime.date:
    """A payment's own checks (method, amount, no overpayment, not in the future), shared
    by `payment_record` and the bulk import; returns its date (`day`, default today)."""
    day = day or today()
    if method not in Payment.Method.values:
        raise ValidationError({"method": _("Moyen de paiement inconnu.")})
    if amount_cents <= 0:
        raise ValidationError({"amount_cents": _("Le montant doit être positif.")})
    if amount_cents > invoice.remaining_cents:
        raise ValidationError(
            {
                "amount_cents": _(
                    "Le paiement (%(amount)s) dépasse le restant dû (%(left)s) : "
                    "un trop-perçu n'est pas enregistré."
                )
                % {
                    "amount": format_cents(amount_cents),
                    "left": format_cents(invoice.remaining_cents),
                }
            },
            code="overpayment",
        )
    date = date or day
    if date > day:
        raise ValidationError({"date": _("Un paiement ne peut être daté dans le futur.")})
    return date


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    invoice: Invoice,
    amount_cents: int,
    method: str,
    date: datetime.date | None = None,
    reference: str = "",
) -> Payment:
    """Record money received for an issued invoice; more than what is owed is refused.

    Its entry (512 / 411, and the VAT it makes due) is posted in the same transaction,
    dated the payment's date or the first open day if that date is in a closed period."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("business", "customer")
        .get(pk=invoice.pk)
    )
    _check_write(actor, invoice.business)
    if not invoice.is_frozen or invoice.is_credit_note:
        raise ValidationError(_("Un paiement se rapporte à une facture émise."))
    if invoice.status == InvoiceStatus.CANCELLED:
        raise ValidationError(_("Cette facture est annulée par avoir."))
    date = _check_payment(invoice, amount_cents=amount_cents, method=method, date=date)
    payment = Payment.objects.create(
        invoice=invoice,
        date=date,
        amount_cents=amount_cents,
        method=method,
        reference=reference.strip()[:100],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    draft = accounting.payment_draft(  # the invoice as it was before this payment
        payment=payment,
        invoice=invoice,
        lines=list(invoice.lines.all()),
        day=accounting.ledger_date(date, accounting.open_day()),
    )
    # Checked (journal, accounts, fiscal year held, period open) in this transaction: an
    # error rolls it back whole, so the posting needs no savepoint of its own.
    prepared = entry_prepare(actor=actor, draft=draft) if draft else None
    previous = invoice.status
    invoice.paid_cents += amount_cents
    invoice.status = _settle_status(invoice)
    invoice.updated_at = timezone.now()
    # The row is ours (locked above) and issued: only its paid amount and its status
    # (never back to a draft) change, which is what `Invoice.save` would check.
    Invoice._base_manager.filter(pk=invoice.pk).update(
        paid_cents=invoice.paid_cents, status=invoice.status, updated_at=invoice.updated_at
    )
    if invoice.status != previous:
        _state(
            invoice,
            to=invoice.status,
            actor=actor,
            note=format_cents(amount_cents),
            save=False,
            previous=previous,
        )
    audit_record(
        actor=actor,
        action="create",
        target=payment,
        summary=f"Paiement de {format_cents(amount_cents)} sur {invoice.number}",
    )
    entry_post_if_any(actor=actor, draft=draft, prepared=prepared)
    return payment


#: The `document_kind` under which a payment's ledger entries are posted (`accounting`).
PAYMENT_ENTRY_KIND = "payment"


@transaction.atomic
def payment_cancel(*, actor: Any, payment: Payment, reason: str) -> Payment:
    """Cancel a payment recorded by mistake: it is marked cancelled (never deleted) with
    who, when and why, the invoice's paid amount and status follow, and the ledger entries
    the payment posted get their counter-entries (nothing when it posted none).

    Refused when the payment, or an entry it posted, lies in a closed period: the closed
    books hold it, the accountant corrects it in the open period."""
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=payment.invoice_id)
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    _check_write(actor, invoice.business)
    if payment.cancelled_at is not None:
        raise ValidationError(_("Ce paiement est déjà annulé."), code="already_cancelled")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi ce paiement est annulé.")})
    closed = lock_date()
    if closed is not None:
        entry_dates = Entry.objects.filter(
            document_kind=PAYMENT_ENTRY_KIND, document_id=str(payment.pk)
        ).values_list("date", flat=True)
        if payment.date <= closed or any(day <= closed for day in entry_dates):
            raise ValidationError(
                _(
                    "La période est clôturée jusqu'au %(closed)s : ce paiement du %(date)s ne "
                    "peut plus être annulé. Demandez à la comptable une écriture de correction "
                    "dans la période ouverte."
                )
                % {"closed": format_date(closed), "date": format_date(payment.date)},
                code="closed_period",
            )
    payment.cancelled_at = timezone.now()
    payment.cancelled_by = actor if getattr(actor, "is_authenticated", False) else None
    payment.cancel_reason = reason[:255]
    payment.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    invoice.paid_cents -= payment.amount_cents
    invoice.save(update_fields=["paid_cents", "updated_at"])
    status = _settle_status(invoice)
    if status != invoice.status:
        _state(
            invoice,
            to=status,
            actor=actor,
            note=_("Paiement de %(amount)s annulé")
            % {"amount": format_cents(payment.amount_cents)},
        )
    reversals = document_entries_reverse(
        actor=actor, document_kind=PAYMENT_ENTRY_KIND, document_id=str(payment.pk)
    )
    audit_record(
        actor=actor,
        action="update",
        target=payment,
        summary=(
            f"Annulation du paiement de {format_cents(payment.amount_cents)} "
            f"sur {invoice.number} : {payment.cancel_reason}"
        ),
        changes={
            "cancelled_at": [None, payment.cancelled_at.isoformat()],
            "reversed_entries": [e.reference for e in reversals],
        },
    )
    return payment


REMINDER_SUBJECTS = {
    Reminder.Level.FIRST: gettext_lazy("Relance : facture %(number)s"),
    Reminder.Level.SECOND: gettext_lazy("Seconde relance : facture %(number)s"),
    Reminder.Level.FORMAL_NOTICE: gettext_lazy("Mise en demeure de payer la facture %(number)s"),
}


@transaction.atomic
def reminder_send(
    *,
    actor: Any,
    invoice: Invoice,
    level: int | None = None,
    day: datetime.date | None = None,
    recipient: str | None = None,
) -> Reminder:
    """E-mail a payment reminder for a late invoice, one level up from the last; recorded."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("business", "customer")
        .get(pk=invoice.pk)
    )
    _check_write(actor, invoice.business)
    day = day or today()
    if not invoice.is_late(day):
        raise ValidationError(_("Cette facture n'est pas en retard de paiement."))
    level = level or min(invoice.last_reminder_level + 1, Reminder.Level.FORMAL_NOTICE)
    if level not in Reminder.Level.values:
        raise ValidationError({"level": _("Niveau de relance inconnu.")})
    if level < invoice.last_reminder_level:
        raise ValidationError({"level": _("Une relance de niveau supérieur a déjà été envoyée.")})
    address = _recipient(invoice, recipient)
    subject = str(REMINDER_SUBJECTS[Reminder.Level(level)]) % {"number": invoice.number}
    body = _(
        "Bonjour,\n\nSauf erreur de notre part, la facture %(number)s du %(issued)s, échue le "
        "%(due)s, reste impayée pour %(left)s.%(terms)s\n\nMerci de procéder à son règlement."
        "\n\nCordialement,\n%(business)s"
    ) % {
        "number": invoice.number,
        "issued": format_date(invoice.issue_date),
        "due": format_date(invoice.due_date),
        "left": format_cents(invoice.remaining_cents),
        "terms": (
            " "
            + _("Pénalités : %(text)s ; indemnité forfaitaire pour frais de recouvrement : 40 €.")
            % {"text": invoice.late_penalty_text}
            if invoice.customer.is_professional
            else ""
        ),
        "business": invoice.business.name,
    }
    sending = _record_sending(
        actor=actor,
        document=invoice,
        recipient=address,
        subject=subject,
        body=body,
        attachment=_pdf_attachment(invoice),
    )
    reminder = Reminder.objects.create(
        invoice=invoice,
        level=level,
        date=day,
        sending=sending,
        remaining_cents=invoice.remaining_cents,
    )
    invoice.last_reminder_level = level
    invoice.save(update_fields=["last_reminder_level", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        target=invoice,
        summary=f"{reminder.get_level_display()} pour {invoice.number}",
    )
    return reminder


# --- historical invoices ----------------------------------------------------------------


@transaction.atomic
def invoice_import(
    *,
    actor: Any,
    business: Business,
    customer: Customer,
    number: str,
    kind: str,
    issue_date: datetime.date,
    due_date: datetime.date | None,
    lines: Iterable[Mapping[str, Any]],
    credited_invoice: Invoice | None = None,
) -> Invoice:
    """Bring in an invoice issued before Alvéole with its own number; frozen at once.

    It posts its entry like an issue, on its own date, unless that date is in a closed
    period: the closed books already hold it (see alveole/sales/accounting.py)."""
    _check_write(actor, business)
    _check_customer(business, customer)
    number = check_number(number.strip())
    if Invoice.objects.filter(number=number).exists():
        raise ValidationError(
            {"number": _("Le numéro %(number)s existe déjà.") % {"number": number}}
        )
    if issue_date > today():
        raise ValidationError({"issue_date": _("Date d'émission dans le futur.")})
    invoice = _new_invoice(
        business=business,
        customer=customer,
        kind=kind,
        due_date=due_date or issue_date,
        credited_invoice=credited_invoice,
    )
    invoice.imported = True
    built = _build_lines(InvoiceLine, lines)
    _apply_totals(invoice, built)
    if invoice.total_incl_vat_cents <= 0:
        raise ValidationError(_("Le total TTC doit être positif."))
    if credited_invoice is not None:
        _check_creditable(credited_invoice, invoice.total_incl_vat_cents)
    invoice.save()
    for line in built:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(built)
    invoice.number = number
    invoice.issue_date = issue_date
    invoice.supply_date = issue_date
    invoice.snapshot = document_snapshot(business=business, customer=customer, day=issue_date)
    invoice.issued_at = timezone.now()
    invoice.save()
    _state(invoice, to=InvoiceStatus.ISSUED, actor=actor, note=_("Reprise d'historique"))
    original = None
    if credited_invoice is not None:
        original = Invoice.objects.select_for_update(of=("self",)).get(pk=credited_invoice.pk)
    draft = None
    if not accounting.is_closed(issue_date, accounting.open_day()):
        draft = accounting.issue_draft(
            invoice=invoice,
            lines=built,
            day=issue_date,
            original=original,
            original_lines=list(original.lines.all()) if original is not None else (),
        )
    if original is not None:
        _credit_original(actor=actor, original=original, credit_note=invoice)
    audit_record(actor=actor, action="import", target=invoice, summary=f"Reprise de {number}")
    entry_post_if_any(actor=actor, draft=draft)
    return invoice


__all__ = [
    "LIFECYCLE_FIELDS",
    "can_write",
    "credit_note_create",
    "customer_create",
    "customer_update",
    "internal_customer_for",
    "invoice_create",
    "invoice_delete",
    "invoice_import",
    "invoice_issue",
    "invoice_return_to_draft",
    "invoice_send",
    "invoice_submit",
    "invoice_update",
    "invoices_issue",
    "invoices_not_found",
    "issuable_drafts",
    "numbering_series_update",
    "payment_record",
    "quote_accept",
    "quote_create",
    "quote_refuse",
    "quote_send",
    "quote_to_invoice",
    "quote_update",
    "quotes_expire",
    "reminder_send",
    "sales_settings_update",
]
