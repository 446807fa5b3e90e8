"""Importing historical invoices (`alveole import invoices FILE`), all or nothing.

One line per invoice or credit note, with its own number and its amounts excl. VAT per
VAT rate; the customer is found by name in the business, or created from the line.

Invoices are checked then written in batches by `alveole.sales.bulk_import`, with the
checks and writes of `invoice_import` (frozen at once) and `payment_record`; credit notes
go through those services one by one, in the file's order (`save_invoices`).
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.businesses.models import Business
from alveole.core.formatting import format_cents
from alveole.core.importing import (
    Column,
    Importer,
    RowValues,
    error_message,
    parse_choice,
    register,
    reported_as,
    save_one,
)
from alveole.core.money import to_cents
from alveole.core.tabular import Row
from alveole.sales.bulk_import import InvoiceImportBatch
from alveole.sales.models import Customer, Invoice, Payment
from alveole.sales.services import customer_create, invoice_import, payment_record
from alveole.sales.totals import compute_totals

#: The columns of amounts excl. VAT, with their rate.
RATE_COLUMNS = {
    "net_20": Decimal("20"),
    "net_10": Decimal("10"),
    "net_5_5": Decimal("5.5"),
    "net_2_1": Decimal("2.1"),
    "net_0": Decimal("0"),
}

COLUMNS = (
    Column("number", gettext_lazy("Numéro d'origine, conservé : F2021-0042"), required=True),
    Column("business", gettext_lazy("Code de l'activité : ALICE"), required=True),
    Column("customer", gettext_lazy("Nom du client : Brasserie du Gers"), required=True),
    Column("issue_date", gettext_lazy("Date d'émission : 04/03/2021"), required=True),
    Column("kind", gettext_lazy("invoice (défaut), deposit ou credit_note")),
    Column("due_date", gettext_lazy("Échéance : 03/04/2021")),
    Column("description", gettext_lazy("Désignation des lignes (défaut : Reprise d'historique)")),
    Column("net_20", gettext_lazy("Montant HT à 20 % : 1 000,00")),
    Column("net_10", gettext_lazy("Montant HT à 10 %")),
    Column("net_5_5", gettext_lazy("Montant HT à 5,5 %")),
    Column("net_2_1", gettext_lazy("Montant HT à 2,1 %")),
    Column("net_0", gettext_lazy("Montant HT sans TVA (avec exemption_reason)")),
    Column("exemption_reason", gettext_lazy("Motif d'exonération du montant sans TVA")),
    Column("total_incl_vat", gettext_lazy("Total TTC attendu, vérifié : 1 200,00")),
    Column("credited_number", gettext_lazy("Pour un avoir : numéro de la facture corrigée")),
    Column("customer_kind", gettext_lazy("company (défaut), individual, public_body, association")),
    Column("customer_siren", gettext_lazy("SIREN du client")),
    Column("customer_address", gettext_lazy("Adresse du client (s'il est à créer)")),
    Column("customer_postal_code", gettext_lazy("Code postal du client")),
    Column("customer_city", gettext_lazy("Ville du client")),
    Column("customer_email", gettext_lazy("E-mail du client")),
    Column("paid_amount", gettext_lazy("Montant déjà payé : 1 200,00")),
    Column("paid_date", gettext_lazy("Date du paiement")),
    Column("payment_method", gettext_lazy("transfer (défaut), cheque, card, cash")),
)

KIND_ALIASES = {"facture": "invoice", "acompte": "deposit", "avoir": "credit_note"}
METHOD_ALIASES = {"virement": "transfer", "cheque": "cheque", "carte": "card", "especes": "cash"}


def _business(code: str) -> Business:
    business = Business.objects.filter(code=code.strip().upper()).first()
    if business is None:
        raise ValidationError(_("activité inconnue « %(code)s »") % {"code": code})
    return business


def _find_customer(business: Business, name: str) -> Customer | None:
    return Customer.objects.filter(business=business, name__iexact=name).first()


def _customer(
    row: RowValues,
    business: Business,
    actor: Any,
    find: Callable[[Business, str], Customer | None] = _find_customer,
) -> Customer | None:
    name = row.text("customer")
    found = find(business, name)
    if found is not None:
        return found
    missing = [
        c for c in ("customer_address", "customer_postal_code", "customer_city") if not row.has(c)
    ]
    if missing:
        row.error(
            "customer",
            _("client « %(name)s » inconnu de l'activité : donnez %(cols)s pour le créer")
            % {"name": name, "cols": ", ".join(missing)},
        )
        return None
    kind = row.choice("customer_kind", Customer.Kind, default=Customer.Kind.COMPANY)
    with reported_as("customer", {"siren": "customer_siren", "email": "customer_email"}):
        return customer_create(
            actor=actor,
            business=business,
            kind=kind,
            name=name,
            siren=row.text("customer_siren"),
            address=row.text("customer_address"),
            postal_code=row.text("customer_postal_code"),
            city=row.text("customer_city"),
            email=row.text("customer_email"),
        )


def unique_key(values: dict[str, str]) -> Hashable | None:
    """A number appears once."""
    return (values.get("number") or "").strip() or None


@dataclass
class _Read:
    """What one line says, read and checked cell by cell (errors are in the RowValues)."""

    business: Business | None
    issue_date: datetime.date | None
    due_date: datetime.date | None
    kind: str
    lines: list[dict[str, Any]]
    credited: Invoice | None
    paid: Decimal | None
    paid_date: datetime.date | None
    method: str


def _read(
    row: RowValues,
    find_business: Callable[[str], Business],
    find_credited: Callable[[str], Invoice | None],
    history: str = "",
) -> _Read:
    business = row.lookup("business", find_business)
    issue_date = row.date("issue_date")
    due_date = row.date("due_date")
    kind = row.choice("kind", Invoice.Kind, KIND_ALIASES, default=Invoice.Kind.INVOICE)
    description = row.text("description") or history or _("Reprise d'historique")
    lines = []
    for column, rate in RATE_COLUMNS.items():
        amount = row.decimal(column)
        if amount:
            lines.append(
                {
                    "description": description,
                    "unit_price": amount,
                    "vat_rate": rate,
                    "vat_exemption_reason": row.text("exemption_reason") if rate == 0 else "",
                }
            )
    if not lines and not row.errors:
        row.error("net_20", _("aucun montant HT : remplissez au moins une colonne net_…"))
    expected = row.decimal("total_incl_vat")
    if expected is not None and lines and not row.errors:
        total = compute_totals(
            [SimpleNamespace(discount_cents=0, quantity=Decimal(1), **line) for line in lines]
        ).incl_vat_cents
        if total != to_cents(expected):
            row.error(
                "total_incl_vat",
                _("le total TTC calculé (%(total)s) diffère de celui du fichier (%(expected)s)")
                % {"total": format_cents(total), "expected": format_cents(to_cents(expected))},
            )
    credited = None
    if kind == Invoice.Kind.CREDIT_NOTE:
        number = row.text("credited_number")
        credited = find_credited(number) if number else None
        if credited is None:
            row.error(
                "credited_number", _("un avoir indique la facture qu'il corrige, déjà importée")
            )
    return _Read(
        business=business,
        issue_date=issue_date,
        due_date=due_date,
        kind=kind,
        lines=lines,
        credited=credited,
        paid=row.decimal("paid_amount"),
        paid_date=row.date("paid_date"),
        method=row.choice("payment_method", Payment.Method, METHOD_ALIASES, default="transfer"),
    )


#: Where a refusal of `invoice_import` and of `payment_record` is reported in the file.
INVOICE_FIELDS = {"issue_date": "issue_date", "due_date": "due_date", "lines": "net_20"}
PAYMENT_FIELDS = {"date": "paid_date", "method": "payment_method"}


def save_invoice(values: dict[str, str], actor: Any) -> Invoice:
    """Import one historical invoice or credit note, and its payment when given."""
    row = RowValues(values)
    read = _read(row, _business, lambda number: Invoice.objects.filter(number=number).first())
    business = read.business
    customer = _customer(row, business, actor) if business is not None else None
    row.check()
    assert business is not None and customer is not None and read.issue_date is not None
    with reported_as("number", INVOICE_FIELDS):
        invoice = invoice_import(
            actor=actor,
            business=business,
            customer=customer,
            number=row.text("number"),
            kind=read.kind,
            issue_date=read.issue_date,
            due_date=read.due_date,
            lines=read.lines,
            credited_invoice=read.credited,
        )
    if read.paid:
        with reported_as("paid_amount", PAYMENT_FIELDS):
            payment_record(
                actor=actor,
                invoice=invoice,
                amount_cents=to_cents(read.paid),
                method=read.method,
                date=read.paid_date or read.issue_date,
                reference=_("Reprise d'historique"),
            )
    return invoice


# --- in batches -----------------------------------------------------------------------------


def _is_credit_note(row: Row) -> bool:
    kind = row.values.get("kind") or ""
    try:
        return bool(kind.strip()) and parse_choice(kind, Invoice.Kind, KIND_ALIASES) == (
            Invoice.Kind.CREDIT_NOTE
        )
    except ValidationError:
        return False


def save_invoices(rows: Iterable[Row], actor: Any) -> dict[int, str]:
    """Import the lines in batches (`InvoiceImportBatch`); a credit note, which changes the
    invoice it corrects, is imported alone through `save_invoice`, in the file's order:
    the invoices before it are written first, those after it later."""
    refused: dict[int, str] = {}
    run: list[Row] = []
    for row in rows:
        if _is_credit_note(row):
            if run:
                refused.update(_save_batch(run, actor))
                run = []
            message = save_one(save_invoice, row, actor)
            if message:
                refused[row.line] = message
            continue
        run.append(row)
        if len(run) >= IMPORT_BATCH_ROWS:
            refused.update(_save_batch(run, actor))
            run = []
    if run:
        refused.update(_save_batch(run, actor))
    return refused


#: Lines checked then written together: the look-ups are made once per batch.
IMPORT_BATCH_ROWS = 5_000


class _Customers:
    """The customers of the batch's businesses, found by name as `_find_customer` does
    (case aside, the first in the model's order), and those the batch creates."""

    def __init__(self, businesses: Iterable[Business]) -> None:
        self.by_name: dict[tuple[int, str], Customer] = {}
        for customer in (
            Customer.objects.filter(business__in=list(businesses))
            .select_related("internal_business")
            .order_by(*(Customer._meta.ordering or ()))
        ):
            self.by_name.setdefault((customer.business_id, customer.name.upper()), customer)

    def find(self, business: Business, name: str) -> Customer | None:
        return self.by_name.get((business.pk, name.upper()))

    def add(self, customer: Customer) -> None:
        self.by_name.setdefault((customer.business_id, customer.name.upper()), customer)


def _save_batch(rows: Sequence[Row], actor: Any) -> dict[int, str]:
    """Check every line of the batch, then write the good ones together."""
    codes = {(row.values.get("business") or "").strip().upper() for row in rows}
    businesses = {b.code: b for b in Business.objects.filter(code__in=codes)}

    def find_business(code: str) -> Business:
        business = businesses.get(code.strip().upper())
        if business is None:
            raise ValidationError(_("activité inconnue « %(code)s »") % {"code": code})
        return business

    customers = _Customers(businesses.values())
    history = _("Reprise d'historique")  # translated once, not for every line
    batch = InvoiceImportBatch(
        actor=actor,
        businesses=businesses.values(),
        numbers=[(row.values.get("number") or "") for row in rows],
    )
    refused: dict[int, str] = {}
    for row in rows:
        try:
            _prepare_row(row, actor, batch, customers, find_business, history)
        except ValidationError as error:
            refused[row.line] = error_message(error)
    batch.write()
    return refused


def _prepare_row(
    row: Row,
    actor: Any,
    batch: InvoiceImportBatch,
    customers: _Customers,
    find_business: Callable[[str], Business],
    history: str,
) -> None:
    """What `save_invoice` does with a line, the writes left to the batch."""
    values = RowValues(row.values)
    read = _read(values, find_business, lambda number: None, history)
    business = read.business
    creates = business is not None and customers.find(business, values.text("customer")) is None
    # A customer created for a line that is then refused goes with it, as line by line.
    with transaction.atomic() if creates else contextlib.nullcontext():
        customer = _customer(values, business, actor, customers.find) if business else None
        values.check()
        assert business is not None and customer is not None and read.issue_date is not None
        with reported_as("number", INVOICE_FIELDS):
            prepared = batch.prepare_invoice(
                business=business,
                customer=customer,
                number=values.text("number"),
                kind=read.kind,
                issue_date=read.issue_date,
                due_date=read.due_date,
                lines=read.lines,
            )
        if read.paid:
            with reported_as("paid_amount", PAYMENT_FIELDS):
                batch.prepare_payment(
                    prepared,
                    amount_cents=to_cents(read.paid),
                    method=read.method,
                    date=read.paid_date or read.issue_date,
                    reference=history,
                )
    if creates:
        customers.add(customer)
    batch.add(prepared)


INVOICES = register(
    Importer(
        kind="invoices",
        label=gettext_lazy("Factures historiques"),
        required=tuple(c.name for c in COLUMNS if c.required),
        optional=tuple(c.name for c in COLUMNS if not c.required),
        save_row=save_invoice,
        save_rows=save_invoices,
        columns=COLUMNS,
        doc=gettext_lazy(
            "Une ligne par facture ou avoir déjà émis ailleurs, avec son numéro d'origine et "
            "ses montants HT par taux de TVA. Les activités doivent exister ; les avoirs "
            "suivent la facture qu'ils corrigent."
        ),
        unique_key=unique_key,
        duplicate_message=gettext_lazy("numéro en double : déjà à la ligne %(line)s"),
    )
)
