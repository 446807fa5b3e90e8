"""Importing historical invoices in batches: `invoice_import` and `payment_record` for
thousands of lines, with the same checks and the same writes, in bulk.

`alveole import invoices` brings in years of invoices issued before Alvéole. Line by line,
each invoice cost some forty queries (its own look-ups, its snapshot, its entry's checks,
numbers and lettering). Here an `InvoiceImportBatch` looks up once what the lines share
(sales settings, numbers already taken, the first open day, the sellers' mentions), checks
each invoice and its payment in Python exactly as the two services do — same order, same
messages — then writes them all: invoices, lines, changes of state, payments, audit events
with `bulk_create`, and their ledger entries with `alveole.ledger.bulk.entries_post`.

Credit notes are not batched: they change the invoice they correct, which may be in the
same file; the importer brings them in one by one through `invoice_import`, between
batches, in the order of the file.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.businesses.models import Business, Membership
from alveole.core.bulk import Prototype, insert, insert_rows
from alveole.core.dates import today
from alveole.core.formatting import format_cents
from alveole.core.models import AuditEvent
from alveole.ledger.bulk import entries_post
from alveole.ledger.posting import EntryDraft
from alveole.people.models import Contract, Person
from alveole.sales import accounting
from alveole.sales.mentions import cape_mention, customer_snapshot, seller_snapshot
from alveole.sales.models import (
    Customer,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    SalesSettings,
    StateChange,
)
from alveole.sales.numbering import check_number
from alveole.sales.services import (
    _apply_totals,
    _build_lines,
    _check_customer,
    _check_payment,
    _check_write,
    _settle_status,
)

#: Rows per INSERT statement.
BATCH_SIZE = 500


def _numbers_taken(numbers: set[str]) -> set[str]:
    """The invoice numbers among `numbers` already given, in one query with one parameter:
    a `number__in` of thousands of values costs more to build than to run."""
    if not numbers:
        return set()
    quote = connection.ops.quote_name
    table, column = quote(Invoice._meta.db_table), quote("number")
    if connection.vendor == "postgresql":
        sql = f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)"  # noqa: S608
        parameter: Any = sorted(numbers)
    elif connection.vendor == "sqlite":
        sql = (
            f"SELECT {column} FROM {table} "  # noqa: S608
            f"WHERE {column} IN (SELECT value FROM json_each(%s))"
        )
        parameter = json.dumps(sorted(numbers))
    else:  # pragma: no cover - SQLite and PostgreSQL only
        return set(Invoice.objects.filter(number__in=numbers).values_list("number", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(sql, [parameter])
        return {row[0] for row in cursor.fetchall()}


@dataclass
class PreparedInvoice:
    """An invoice checked by `InvoiceImportBatch.prepare_invoice`, not yet written."""

    invoice: Invoice
    lines: list[InvoiceLine]
    payment: Payment | None = None
    state_changes: list[StateChange] = field(default_factory=list)


class InvoiceImportBatch:
    """Historical invoices checked one by one, then written together (see the module).

    Built for the businesses and the numbers of the lines to come (one query each);
    `prepare_invoice` and `prepare_payment` raise what `invoice_import` and
    `payment_record` would raise; `add` keeps a prepared invoice; `write` writes them all.
    """

    def __init__(
        self, *, actor: Any, businesses: Iterable[Business], numbers: Iterable[str]
    ) -> None:
        self.actor = actor
        self.user = actor if getattr(actor, "is_authenticated", False) else None
        self.businesses = {business.pk: business for business in businesses}
        self.settings = {
            settings.business_id: settings
            for settings in SalesSettings.objects.filter(business_id__in=list(self.businesses))
        }
        self.taken = _numbers_taken({n.strip() for n in numbers})
        self.open_day = accounting.open_day()
        self.today = today()
        self.prepared: list[PreparedInvoice] = []
        self._writable: set[int] = set()
        self._sellers: dict[int, dict[str, Any]] = {}
        self._cooperative: dict[str, Any] | None = None
        self._persons: dict[int, Person | None] | None = None
        self._capes: dict[int, list[Contract]] = {}
        self._cape_mentions: dict[tuple[int, datetime.date], dict[str, Any] | None] = {}
        self._customers: dict[int, dict[str, Any]] = {}
        self._terms_texts: dict[int, tuple[str, str]] = {}
        # The objects are copies of these (see `Prototype`), with the values `invoice_import`
        # and `payment_record` give every invoice and payment of an import.
        self._new_invoice = Prototype(
            Invoice,
            title="",
            notes="",
            status=InvoiceStatus.DRAFT,
            prices_include_vat=False,
            imported=True,
        )
        self._new_line = Prototype(InvoiceLine)
        self._new_payment = Prototype(Payment, recorded_by=self.user)

    # --- checks ---------------------------------------------------------------------------

    def _check_write(self, business: Business) -> None:
        if business.pk not in self._writable:
            _check_write(self.actor, business)
            self._writable.add(business.pk)

    def prepare_invoice(
        self,
        *,
        business: Business,
        customer: Customer,
        number: str,
        kind: str,
        issue_date: datetime.date,
        due_date: datetime.date | None,
        lines: Iterable[Mapping[str, Any]],
    ) -> PreparedInvoice:
        """`invoice_import`'s checks, in its order, for an invoice or a deposit invoice."""
        if kind == Invoice.Kind.CREDIT_NOTE:
            raise ValueError("credit notes go through invoice_import, one by one")
        self._check_write(business)
        _check_customer(business, customer)
        number = check_number(number.strip())
        if number in self.taken:
            raise ValidationError(
                {"number": _("Le numéro %(number)s existe déjà.") % {"number": number}}
            )
        if issue_date > self.today:
            raise ValidationError({"issue_date": _("Date d'émission dans le futur.")})
        texts = self._terms_texts.get(business.pk)
        if texts is None:
            terms = self.settings.get(business.pk)
            if terms is None:  # the defaults, as `sales_settings_of` gives them
                terms = self.settings[business.pk] = SalesSettings(business=business)
            # Translated once per business, not for every invoice.
            texts = self._terms_texts[business.pk] = (
                str(terms.late_penalty_text),
                str(terms.early_payment_text),
            )
        invoice = self._new_invoice(
            business=business,
            customer=customer,
            kind=kind,
            supply_date=issue_date,
            due_date=due_date or issue_date,
            late_penalty_text=texts[0],
            early_payment_text=texts[1],
            buyer_business=customer.internal_business,
            number=number,
            issue_date=issue_date,
        )
        # `_build_lines` makes each line by calling what it is given: a prototype's copy.
        built = _build_lines(cast(type, self._new_line), lines)
        _apply_totals(invoice, built)
        if invoice.total_incl_vat_cents <= 0:
            raise ValidationError(_("Le total TTC doit être positif."))
        invoice.snapshot = {
            "seller": self._seller(business, issue_date),
            "customer": self._customer(customer),
        }
        return PreparedInvoice(invoice=invoice, lines=built)

    def prepare_payment(
        self,
        prepared: PreparedInvoice,
        *,
        amount_cents: int,
        method: str,
        date: datetime.date | None,
        reference: str,
    ) -> None:
        """`payment_record`'s checks, in its order, for the payment of a prepared invoice."""
        invoice = prepared.invoice
        date = _check_payment(
            invoice, amount_cents=amount_cents, method=method, date=date, day=self.today
        )
        prepared.payment = self._new_payment(
            invoice=invoice,
            date=date,
            amount_cents=amount_cents,
            method=method,
            reference=reference.strip()[:100],
        )

    def add(self, prepared: PreparedInvoice) -> None:
        """Keep a prepared invoice (and its payment) for `write`; its number is now taken."""
        assert prepared.invoice.number is not None
        self.taken.add(prepared.invoice.number)
        self.prepared.append(prepared)

    # --- the snapshot: `document_snapshot`, its look-ups done once per business -------------

    def _seller(self, business: Business, day: datetime.date) -> dict[str, Any]:
        """`seller_snapshot`: the cooperative's part read once, each business's from the
        batch's look-ups (its main entrepreneur, its footer), the CAPE of the day."""
        base = self._sellers.get(business.pk)
        if base is None:
            if self._cooperative is None:
                self._cooperative = seller_snapshot(business, day)
            if self._persons is None:
                self._load_capes()
            assert self._persons is not None
            person = self._persons.get(business.pk)
            terms = self.settings.get(business.pk)
            base = self._sellers[business.pk] = {
                **self._cooperative,
                "business_name": business.name,
                "business_code": business.code,
                "entrepreneur": str(person) if person else "",
                "footer": terms.footer if terms is not None and terms.pk is not None else "",
            }
        return {**base, "cape": self._cape(business, day)}

    def _cape(self, business: Business, day: datetime.date) -> dict[str, Any] | None:
        """`cape_mention` of the main entrepreneur, asked only on the days one of their
        CAPEs runs (most days of most entrepreneurs: none, and no query)."""
        if self._persons is None:
            self._load_capes()
        assert self._persons is not None
        person = self._persons.get(business.pk)
        if person is None or not any(c.is_running_at(day) for c in self._capes.get(person.pk, ())):
            return None
        key = (person.pk, day)
        if key not in self._cape_mentions:
            self._cape_mentions[key] = cape_mention(person, day)
        return self._cape_mentions[key]

    def _load_capes(self) -> None:
        self._persons = {}
        # The first main membership in the model's order, as `seller_snapshot` takes it.
        for membership in (
            Membership.objects.filter(business_id__in=list(self.businesses), is_main=True)
            .select_related("person")
            .order_by(*(Membership._meta.ordering or ()))
        ):
            self._persons.setdefault(membership.business_id, membership.person)
        persons = [person.pk for person in self._persons.values() if person is not None]
        for contract in Contract.objects.filter(person_id__in=persons, kind=Contract.Kind.CAPE):
            self._capes.setdefault(contract.person_id, []).append(contract)

    def _customer(self, customer: Customer) -> dict[str, Any]:
        found = self._customers.get(customer.pk)
        if found is None:
            found = self._customers[customer.pk] = customer_snapshot(customer)
        return found

    # --- writing --------------------------------------------------------------------------

    @transaction.atomic
    def write(self) -> list[Invoice]:
        """Write every prepared invoice with its lines, history, payment and entries."""
        prepared = self.prepared
        if not prepared:
            return []
        now = timezone.now()
        actor_id = self.user.pk if self.user is not None else None
        imported = _("Reprise d'historique")[:255]
        # The history `invoice_import` then `payment_record` write: draft → issued, then
        # issued → paid or partly paid; the invoices are inserted in their final state.
        history: list[tuple[Invoice, str, str, str]] = []
        for item in prepared:
            invoice = item.invoice
            invoice.issued_at = now
            invoice.status = InvoiceStatus.ISSUED
            history.append((invoice, InvoiceStatus.DRAFT.value, invoice.status, imported))
            if item.payment is not None:
                invoice.paid_cents = item.payment.amount_cents
                status = _settle_status(invoice)
                if status != invoice.status:
                    note = format_cents(item.payment.amount_cents)[:255]
                    history.append((invoice, invoice.status, status, note))
                    invoice.status = status
        invoices = [item.invoice for item in prepared]
        insert(invoices, with_ids=True)
        lines = []
        for item in prepared:
            for line in item.lines:
                line.invoice = item.invoice  # sets invoice_id, now known
                lines.append(line)
        insert(lines)
        insert_rows(
            StateChange,
            ("invoice_id", "at", "actor_id", "from_status", "to_status", "note"),
            ((invoice.pk, now, actor_id, old, new, note) for invoice, old, new, note in history),
        )
        payments = []
        for item in prepared:
            if item.payment is not None:
                item.payment.invoice = item.invoice
                payments.append(item.payment)
        insert(payments, with_ids=True)
        entries_post(actor=self.actor, drafts=self._drafts(prepared))
        insert_rows(
            AuditEvent,
            ("at", "actor_id", "action", "target_type", "target_id", "summary", "changes"),
            self._audit(prepared, now, actor_id),
        )
        self.prepared = []
        return invoices

    def _drafts(self, prepared: Sequence[PreparedInvoice]) -> list[EntryDraft]:
        """Each invoice's entry (none in a closed period) then its payment's, in order."""
        drafts = []
        for item in prepared:
            invoice = item.invoice
            assert invoice.issue_date is not None
            if not accounting.is_closed(invoice.issue_date, self.open_day):
                draft = accounting.issue_draft(
                    invoice=invoice, lines=item.lines, day=invoice.issue_date
                )
                if draft is not None:
                    drafts.append(draft)
            payment = item.payment
            if payment is not None:
                # The invoice as it was before its payment.
                paid, invoice.paid_cents = invoice.paid_cents, 0
                draft = accounting.payment_draft(
                    payment=payment,
                    invoice=invoice,
                    lines=item.lines,
                    day=accounting.ledger_date(payment.date, self.open_day),
                )
                invoice.paid_cents = paid
                if draft is not None:
                    drafts.append(draft)
        return drafts

    def _audit(
        self, prepared: Sequence[PreparedInvoice], now: datetime.datetime, actor_id: int | None
    ) -> list[tuple[Any, ...]]:
        """What `audit_record` writes for each invoice imported and each payment."""
        invoice_type = Invoice._meta.label_lower
        payment_type = Payment._meta.label_lower
        imported, created = AuditEvent.Action.IMPORT.value, AuditEvent.Action.CREATE.value
        no_changes: dict[str, Any] = {}  # one object for all: turned into JSON once
        events: list[tuple[Any, ...]] = []
        for item in prepared:
            invoice = item.invoice
            events.append(
                (
                    now,
                    actor_id,
                    imported,
                    invoice_type,
                    str(invoice.pk),
                    f"Reprise de {invoice.number}"[:255],
                    no_changes,
                )
            )
            payment = item.payment
            if payment is not None:
                amount = format_cents(payment.amount_cents)
                events.append(
                    (
                        now,
                        actor_id,
                        created,
                        payment_type,
                        str(payment.pk),
                        f"Paiement de {amount} sur {invoice.number}"[:255],
                        no_changes,
                    )
                )
        return events


__all__ = ["InvoiceImportBatch", "PreparedInvoice"]
