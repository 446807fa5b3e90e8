"""The entry each business event produces, built from plain values (pure functions).

The services of sales, purchases, payroll and coop call one of these functions and pass the
draft to `alveole.ledger.services.entry_post` inside their own transaction. Nothing here
reads the database nor imports another app's models: the ledger sits below them
(docs/adr/0010-ledger-below-the-documents.md). Amounts are integer cents, never negative
unless a function says so; a function returns None when the event moves no money.

Conventions: every line of a business's operation carries its analytic code
(`business_id`); lines on a third-party account (411, 401, 4671, 441) carry the
third party as auxiliary account (FEC CompAuxNum/CompAuxLib) and the document they settle
(`match_ref`, used for automatic lettering).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from alveole.core.money import round_cents
from alveole.ledger import chart
from alveole.ledger.models import Event


@dataclass(frozen=True)
class DocumentRef:
    """The document behind an entry (FEC PieceRef, PieceDate): kind, number, date, id."""

    kind: str
    number: str
    date: datetime.date
    id: str = ""


@dataclass(frozen=True)
class Party:
    """A third party as auxiliary account: a customer, supplier, person or funder."""

    number: str
    label: str


@dataclass(frozen=True)
class LineDraft:
    """One line of a draft entry: an account, a debit or a credit, the business concerned."""

    account: str
    debit_cents: int = 0
    credit_cents: int = 0
    business_id: int | None = None
    label: str = ""
    auxiliary_number: str = ""
    auxiliary_label: str = ""
    base_cents: int | None = None
    match_ref: str = ""


@dataclass(frozen=True)
class EntryDraft:
    """An entry ready to post: `entry_post` numbers it and writes it."""

    journal: str
    date: datetime.date
    label: str
    event: str
    document: DocumentRef
    lines: tuple[LineDraft, ...]
    reverses_id: int | None = None

    @property
    def debit_cents(self) -> int:
        return sum(line.debit_cents for line in self.lines)

    @property
    def credit_cents(self) -> int:
        return sum(line.credit_cents for line in self.lines)

    @property
    def is_balanced(self) -> bool:
        return self.debit_cents == self.credit_cents


@dataclass(frozen=True)
class SaleAmounts:
    """An invoice's or credit note's amounts excl. VAT and VAT, goods and services apart."""

    goods_net_cents: int = 0
    services_net_cents: int = 0
    goods_vat_cents: int = 0
    services_vat_cents: int = 0

    @property
    def net_cents(self) -> int:
        return self.goods_net_cents + self.services_net_cents

    @property
    def vat_cents(self) -> int:
        return self.goods_vat_cents + self.services_vat_cents

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.vat_cents


@dataclass(frozen=True)
class SaleLine:
    """What `sale_amounts` needs of an invoice line: its nature, VAT rate and net amount."""

    nature: str  # "goods" or "service"
    vat_rate: Decimal
    net_cents: int


@dataclass(frozen=True)
class ExpenseItem:
    """One line of an expense report: category, amount incl. VAT, recoverable VAT."""

    category: str
    amount_cents: int
    vat_cents: int = 0
    account: str = ""


@dataclass(frozen=True)
class PaymentShares:
    """The parts of a customer payment: turnover excl. VAT, and VAT that becomes due."""

    excl_vat_cents: int
    pending_vat_cents: int


@dataclass(frozen=True)
class Balance:
    """An account's balance to carry forward (debit minus credit) for one business/party."""

    account: str
    amount_cents: int
    business_id: int | None = None
    auxiliary_number: str = ""
    auxiliary_label: str = ""
    match_ref: str = ""


@dataclass
class _Lines:
    """Collects lines, skipping zero amounts and turning a negative debit into a credit."""

    items: list[LineDraft] = field(default_factory=list)

    def debit(self, account: str, cents: int, **extra) -> None:
        if cents > 0:
            self.items.append(LineDraft(account=account, debit_cents=cents, **extra))
        elif cents < 0:
            self.items.append(LineDraft(account=account, credit_cents=-cents, **extra))

    def credit(self, account: str, cents: int, **extra) -> None:
        self.debit(account, -cents, **extra)


def _draft(
    *, journal: str, event: str, document: DocumentRef, label: str, lines: _Lines
) -> EntryDraft | None:
    if not lines.items:
        return None
    draft = EntryDraft(
        journal=journal,
        date=document.date,
        label=label[:200],
        event=event,
        document=document,
        lines=tuple(line if line.label else _with_label(line, label[:200]) for line in lines.items),
    )
    if not draft.is_balanced:  # a bug in this module, never a user error
        raise ValueError(f"unbalanced draft {label!r}: {draft.debit_cents} ≠ {draft.credit_cents}")
    return draft


def _with_label(line: LineDraft, label: str) -> LineDraft:
    return LineDraft(**{**line.__dict__, "label": label})


def _not_negative(**amounts: int) -> None:
    for name, value in amounts.items():
        if value < 0:
            raise ValueError(f"{name} cannot be negative: {value}")


# --- helpers for the callers -------------------------------------------------------------


def sale_amounts(lines: Iterable[SaleLine], vat_by_rate: dict[Decimal, int]) -> SaleAmounts:
    """Split a document's VAT (as it computed it, per rate) between goods and services.

    Within a rate, the services' share is the rate's VAT × services net / rate net, rounded
    half-up; goods take the rest, so that the shares add up to the document's VAT exactly.
    """
    nets: dict[Decimal, dict[str, int]] = {}
    for line in lines:
        nature = "goods" if line.nature == "goods" else "service"
        by_nature = nets.setdefault(Decimal(line.vat_rate), {"goods": 0, "service": 0})
        by_nature[nature] += line.net_cents
    goods_net = sum(n["goods"] for n in nets.values())
    services_net = sum(n["service"] for n in nets.values())
    goods_vat = services_vat = 0
    for rate, vat in vat_by_rate.items():
        by_nature = nets.get(Decimal(rate), {"goods": 0, "service": 0})
        total = by_nature["goods"] + by_nature["service"]
        share = round_cents(Decimal(vat) * by_nature["service"] / total / 100) if total else 0
        services_vat += share
        goods_vat += vat - share
    return SaleAmounts(
        goods_net_cents=goods_net,
        services_net_cents=services_net,
        goods_vat_cents=goods_vat,
        services_vat_cents=services_vat,
    )


def prorata(part_cents: int, total_cents: int, before_cents: int, amount_cents: int) -> int:
    """The share of `part` that a payment of `amount` settles, after `before` was paid.

    Cumulative rounding (half-up on what is settled after minus before), so that the
    payments that settle a document in full add up to `part` exactly.
    """
    if total_cents <= 0:
        return 0

    def settled(paid: int) -> int:
        return round_cents(Decimal(part_cents) * Decimal(paid) / Decimal(total_cents) / 100)

    return settled(before_cents + amount_cents) - settled(before_cents)


def payment_shares(
    *,
    amount_cents: int,
    paid_before_cents: int,
    invoice: SaleAmounts,
    vat_on_debits: bool,
    deposit: bool = False,
) -> PaymentShares:
    """What a payment on an invoice settles: its turnover excl. VAT and the VAT that
    becomes due on receipt (services unless the cooperative opted for debits; all VAT of a
    deposit invoice on goods)."""
    pending = pending_vat_of(invoice, vat_on_debits=vat_on_debits, deposit=deposit)
    total = invoice.total_cents
    return PaymentShares(
        excl_vat_cents=prorata(invoice.net_cents, total, paid_before_cents, amount_cents),
        pending_vat_cents=prorata(pending, total, paid_before_cents, amount_cents),
    )


def pending_vat_of(amounts: SaleAmounts, *, vat_on_debits: bool, deposit: bool = False) -> int:
    """The VAT of a sale that is due only when the customer pays."""
    pending = 0 if vat_on_debits else amounts.services_vat_cents
    if deposit:  # VAT on a deposit for goods is due on receipt (CGI art. 269, 2, a)
        pending += amounts.goods_vat_cents
    return pending


# --- sales ------------------------------------------------------------------------------


def invoice_issued(
    *,
    document: DocumentRef,
    business_id: int,
    customer: Party,
    amounts: SaleAmounts,
    vat_on_debits: bool,
    deposit: bool = False,
) -> EntryDraft | None:
    """An invoice (or deposit invoice) issued to a customer: 411 / 706, 707 / VAT.

    VAT on goods is collected at issue (44571); VAT on services waits for the payment
    (44574) unless the cooperative opted for VAT on debits; a deposit for goods too.
    """
    _not_negative(**amounts.__dict__)
    label = f"Facture {document.number} — {customer.label}"
    lines = _Lines()
    lines.debit(
        chart.CUSTOMERS,
        amounts.total_cents,
        business_id=business_id,
        auxiliary_number=customer.number,
        auxiliary_label=customer.label,
        match_ref=document.number,
    )
    lines.credit(chart.GOODS_SOLD, amounts.goods_net_cents, business_id=business_id)
    lines.credit(chart.SERVICES_SOLD, amounts.services_net_cents, business_id=business_id)
    goods_account = chart.VAT_COLLECTED_PENDING if deposit else chart.VAT_COLLECTED
    services_account = chart.VAT_COLLECTED if vat_on_debits else chart.VAT_COLLECTED_PENDING
    lines.credit(
        goods_account,
        amounts.goods_vat_cents,
        business_id=business_id,
        base_cents=amounts.goods_net_cents,
    )
    lines.credit(
        services_account,
        amounts.services_vat_cents,
        business_id=business_id,
        base_cents=amounts.services_net_cents,
    )
    return _draft(
        journal=chart.SALES_JOURNAL,
        event=Event.INVOICE_ISSUED,
        document=document,
        label=label,
        lines=lines,
    )


def credit_note_issued(
    *,
    document: DocumentRef,
    business_id: int,
    customer: Party,
    amounts: SaleAmounts,
    vat_on_debits: bool,
    credited_invoice_number: str,
    collected_vat_cents: int | None = None,
    deposit: bool = False,
) -> EntryDraft | None:
    """A credit note: the invoice's entry the other way round.

    The VAT it cancels comes off the pending account for the part of the invoice still
    unpaid, and off VAT collected for the rest: `collected_vat_cents` is the part already
    collected (default: the VAT collected at issue, i.e. none of the pending part).
    """
    _not_negative(**amounts.__dict__)
    pending = pending_vat_of(amounts, vat_on_debits=vat_on_debits, deposit=deposit)
    from_collected = amounts.vat_cents - pending
    if collected_vat_cents is not None:
        if not 0 <= collected_vat_cents <= pending:
            raise ValueError("collected_vat_cents must lie between 0 and the pending VAT")
        from_collected += collected_vat_cents
        pending -= collected_vat_cents
    label = f"Avoir {document.number} sur {credited_invoice_number} — {customer.label}"
    lines = _Lines()
    lines.credit(
        chart.CUSTOMERS,
        amounts.total_cents,
        business_id=business_id,
        auxiliary_number=customer.number,
        auxiliary_label=customer.label,
        match_ref=credited_invoice_number,
    )
    lines.debit(chart.GOODS_SOLD, amounts.goods_net_cents, business_id=business_id)
    lines.debit(chart.SERVICES_SOLD, amounts.services_net_cents, business_id=business_id)
    lines.debit(chart.VAT_COLLECTED, from_collected, business_id=business_id)
    lines.debit(chart.VAT_COLLECTED_PENDING, pending, business_id=business_id)
    return _draft(
        journal=chart.SALES_JOURNAL,
        event=Event.CREDIT_NOTE_ISSUED,
        document=document,
        label=label,
        lines=lines,
    )


def internal_sale_issued(
    *,
    document: DocumentRef,
    seller_id: int,
    buyer_code: str,
    goods_net_cents: int = 0,
    services_net_cents: int = 0,
    credit_note: bool = False,
) -> EntryDraft | None:
    """An invoice (or credit note) from one business of the cooperative to another, the
    seller's side: its turnover (706/707) against the liaison account 1812.

    No customer account and no VAT: the cooperative is one taxable person and an operation
    within it is not taxable (VAT printed on an internal invoice is not posted); the buyer
    pays by internal compensation, which the liaison account records. The buyer's side is
    `internal_purchase_validated`, when purchases validates the mirrored supplier invoice.
    """
    _not_negative(goods=goods_net_cents, services=services_net_cents)
    sign = -1 if credit_note else 1
    total = goods_net_cents + services_net_cents
    word = "Avoir interne" if credit_note else "Vente interne"
    label = f"{word} {document.number} à {buyer_code}"
    lines = _Lines()
    lines.debit(chart.LIAISON_INTERNAL, sign * total, business_id=seller_id)
    lines.credit(chart.GOODS_SOLD, sign * goods_net_cents, business_id=seller_id)
    lines.credit(chart.SERVICES_SOLD, sign * services_net_cents, business_id=seller_id)
    return _draft(
        journal=chart.SALES_JOURNAL,
        event=Event.CREDIT_NOTE_ISSUED if credit_note else Event.INVOICE_ISSUED,
        document=document,
        label=label,
        lines=lines,
    )


def internal_purchase_validated(
    *,
    document: DocumentRef,
    buyer_id: int,
    seller_code: str,
    category: str,
    excl_vat_cents: int,
    charge_account: str = "",
    credit_note: bool = False,
) -> EntryDraft | None:
    """The buyer's side of an internal sale, when its supplier invoice is validated: the
    charge (607 goods for resale, 604 subcontracting…) against the liaison account 1812.

    With `internal_sale_issued` the liaison nets to zero: the cooperative's books show the
    seller's turnover and the buyer's purchase, no debt and no VAT between its sections.
    Its payment by internal compensation posts nothing: the liaison already settled it.
    """
    _not_negative(excl_vat=excl_vat_cents)
    account = charge_account or chart.PURCHASE_ACCOUNTS.get(category, "")
    if not account:
        raise ValueError(f"unknown purchase category {category!r}")
    sign = -1 if credit_note else 1
    word = "Avoir interne" if credit_note else "Achat interne"
    label = f"{word} {document.number} de {seller_code}"
    lines = _Lines()
    lines.debit(account, sign * excl_vat_cents, business_id=buyer_id)
    lines.credit(chart.LIAISON_INTERNAL, sign * excl_vat_cents, business_id=buyer_id)
    return _draft(
        journal=chart.PURCHASES_JOURNAL,
        event=Event.SUPPLIER_INVOICE_VALIDATED,
        document=document,
        label=label,
        lines=lines,
    )


def payment_received(
    *,
    document: DocumentRef,
    business_id: int,
    customer: Party,
    amount_cents: int,
    settles: str,
    shares: PaymentShares,
) -> EntryDraft | None:
    """Money received from a customer: 512 / 411, and the VAT that was waiting for this
    payment moves from 44574 to 44571. The 411 line records the turnover excl. VAT
    received (`base_cents`), the base of a contribution on received turnover."""
    _not_negative(amount=amount_cents, **shares.__dict__)
    label = f"Règlement {settles} — {customer.label}"
    lines = _Lines()
    lines.debit(chart.BANK, amount_cents, business_id=business_id)
    lines.credit(
        chart.CUSTOMERS,
        amount_cents,
        business_id=business_id,
        auxiliary_number=customer.number,
        auxiliary_label=customer.label,
        base_cents=shares.excl_vat_cents,
        match_ref=settles,
    )
    lines.debit(chart.VAT_COLLECTED_PENDING, shares.pending_vat_cents, business_id=business_id)
    lines.credit(chart.VAT_COLLECTED, shares.pending_vat_cents, business_id=business_id)
    return _draft(
        journal=chart.BANK_JOURNAL,
        event=Event.PAYMENT_RECEIVED,
        document=document,
        label=label,
        lines=lines,
    )


# --- purchases --------------------------------------------------------------------------


def supplier_invoice_validated(
    *,
    document: DocumentRef,
    business_id: int,
    supplier: Party,
    category: str,
    excl_vat_cents: int,
    deductible_vat_cents: int = 0,
    non_deductible_vat_cents: int = 0,
    credit_note: bool = False,
    charge_account: str = "",
    deductible_on_payment: bool = False,
) -> EntryDraft | None:
    """A supplier invoice validated for a business: charge / deductible VAT / 401.

    The charge account follows the category (607 goods for resale, 604 subcontracting,
    606 otherwise) unless `charge_account` names another; VAT that cannot be deducted is
    part of the charge. VAT on a service whose supplier pays VAT on receipts is deductible
    when paid: `deductible_on_payment` parks it on 44564 until then.
    """
    _not_negative(
        excl_vat=excl_vat_cents, deductible=deductible_vat_cents, other=non_deductible_vat_cents
    )
    account = charge_account or chart.PURCHASE_ACCOUNTS.get(category, "")
    if not account:
        raise ValueError(f"unknown purchase category {category!r}")
    sign = -1 if credit_note else 1
    total = excl_vat_cents + deductible_vat_cents + non_deductible_vat_cents
    word = "Avoir fournisseur" if credit_note else "Facture fournisseur"
    label = f"{word} {document.number} — {supplier.label}"
    vat_account = chart.VAT_DEDUCTIBLE_PENDING if deductible_on_payment else chart.VAT_DEDUCTIBLE
    lines = _Lines()
    lines.debit(
        account, sign * (excl_vat_cents + non_deductible_vat_cents), business_id=business_id
    )
    lines.debit(
        vat_account, sign * deductible_vat_cents, business_id=business_id, base_cents=excl_vat_cents
    )
    lines.credit(
        chart.SUPPLIERS,
        sign * total,
        business_id=business_id,
        auxiliary_number=supplier.number,
        auxiliary_label=supplier.label,
        match_ref=document.number,
    )
    return _draft(
        journal=chart.PURCHASES_JOURNAL,
        event=Event.SUPPLIER_INVOICE_VALIDATED,
        document=document,
        label=label,
        lines=lines,
    )


def supplier_invoice_paid(
    *,
    document: DocumentRef,
    business_id: int,
    supplier: Party,
    amount_cents: int,
    settles: str,
    pending_vat_cents: int = 0,
    refund: bool = False,
) -> EntryDraft | None:
    """A supplier paid (or refunding a credit note): 401 / 512, and VAT parked on 44564
    becomes deductible (44566)."""
    _not_negative(amount=amount_cents, pending_vat=pending_vat_cents)
    sign = -1 if refund else 1
    word = "Remboursement fournisseur" if refund else "Paiement fournisseur"
    label = f"{word} {settles} — {supplier.label}"
    lines = _Lines()
    lines.debit(
        chart.SUPPLIERS,
        sign * amount_cents,
        business_id=business_id,
        auxiliary_number=supplier.number,
        auxiliary_label=supplier.label,
        match_ref=settles,
    )
    lines.credit(chart.BANK, sign * amount_cents, business_id=business_id)
    lines.debit(chart.VAT_DEDUCTIBLE, sign * pending_vat_cents, business_id=business_id)
    lines.credit(chart.VAT_DEDUCTIBLE_PENDING, sign * pending_vat_cents, business_id=business_id)
    return _draft(
        journal=chart.BANK_JOURNAL,
        event=Event.SUPPLIER_INVOICE_PAID,
        document=document,
        label=label,
        lines=lines,
    )


def expense_report_validated(
    *,
    document: DocumentRef,
    business_id: int,
    person: Party,
    items: Sequence[ExpenseItem],
) -> EntryDraft | None:
    """An expense report validated: charges by category (62x, 606x…) / 44566 / 4671.

    What is owed to the entrepreneur goes to 4671 rather than 421: a CAPE holder is not
    an employee, and 421 stays the net pay due.
    """
    charges: dict[str, int] = {}
    vat = total = 0
    for item in items:
        _not_negative(amount=item.amount_cents, vat=item.vat_cents)
        if item.vat_cents > item.amount_cents:
            raise ValueError("the VAT of an expense cannot exceed its amount")
        account = item.account or chart.EXPENSE_ACCOUNTS.get(item.category, "")
        if not account:
            raise ValueError(f"unknown expense category {item.category!r}")
        charges[account] = charges.get(account, 0) + item.amount_cents - item.vat_cents
        vat += item.vat_cents
        total += item.amount_cents
    label = f"Note de dépenses {document.number} — {person.label}"
    lines = _Lines()
    for account in sorted(charges):
        lines.debit(account, charges[account], business_id=business_id)
    lines.debit(chart.VAT_DEDUCTIBLE, vat, business_id=business_id)
    lines.credit(
        chart.EXPENSE_REPORTS_DUE,
        total,
        business_id=business_id,
        auxiliary_number=person.number,
        auxiliary_label=person.label,
        match_ref=document.number,
    )
    return _draft(
        journal=chart.PURCHASES_JOURNAL,
        event=Event.EXPENSE_REPORT_VALIDATED,
        document=document,
        label=label,
        lines=lines,
    )


def expense_report_paid(
    *,
    document: DocumentRef,
    business_id: int,
    person: Party,
    amount_cents: int,
    settles: str,
) -> EntryDraft | None:
    """An expense report reimbursed: 4671 / 512."""
    _not_negative(amount=amount_cents)
    label = f"Remboursement {settles} — {person.label}"
    lines = _Lines()
    lines.debit(
        chart.EXPENSE_REPORTS_DUE,
        amount_cents,
        business_id=business_id,
        auxiliary_number=person.number,
        auxiliary_label=person.label,
        match_ref=settles,
    )
    lines.credit(chart.BANK, amount_cents, business_id=business_id)
    return _draft(
        journal=chart.BANK_JOURNAL,
        event=Event.EXPENSE_REPORT_PAID,
        document=document,
        label=label,
        lines=lines,
    )


# --- payroll ----------------------------------------------------------------------------


def payroll_month(
    *,
    document: DocumentRef,
    person: Party,
    gross_cents: int,
    employee_contributions_cents: int,
    employer_contributions_cents: int,
    reduction_cents: int,
    net_cents: int,
    charges: Sequence[tuple[int, int]],
    other_bodies_cents: int = 0,
) -> EntryDraft | None:
    """One person's month of pay: 641 gross, 645 employer contributions, 6459 general
    reduction (a credit: it lowers the contributions) / 421 net, 431 URSSAF, 437 other
    bodies, 427 what else the payslip withholds.

    `charges` are the (business id, cents) parts of the employer cost (gross + employer
    contributions − reduction) that each business bears; they must add up to it. Each
    business gets its share of gross and reduction pro rata (the last takes the rest) and
    the employer contributions that make its cost exact. The liabilities are the
    cooperative's: they carry no analytic code.
    """
    _not_negative(
        gross=gross_cents,
        employee=employee_contributions_cents,
        employer=employer_contributions_cents,
        reduction=reduction_cents,
        net=net_cents,
        other_bodies=other_bodies_cents,
    )
    cost = gross_cents + employer_contributions_cents - reduction_cents
    if sum(amount for _, amount in charges) != cost:
        raise ValueError("the charges must add up to the employer cost")
    social = employee_contributions_cents + employer_contributions_cents - reduction_cents
    if other_bodies_cents > social:
        raise ValueError("other_bodies_cents exceeds the contributions")
    label = f"Paie {document.number} — {person.label}"
    lines = _Lines()
    gross_left, reduction_left = gross_cents, reduction_cents
    for index, (business_id, amount) in enumerate(charges):
        if index == len(charges) - 1:
            gross_part, reduction_part = gross_left, reduction_left
        else:
            gross_part = round_cents(Decimal(gross_cents) * amount / cost / 100)
            reduction_part = round_cents(Decimal(reduction_cents) * amount / cost / 100)
        gross_left -= gross_part
        reduction_left -= reduction_part
        employer_part = amount - gross_part + reduction_part
        lines.debit(chart.GROSS_WAGES, gross_part, business_id=business_id)
        lines.debit(chart.EMPLOYER_CONTRIBUTIONS, employer_part, business_id=business_id)
        lines.credit(chart.GENERAL_REDUCTION, reduction_part, business_id=business_id)
    party = {"auxiliary_number": person.number, "auxiliary_label": person.label}
    lines.credit(chart.WAGES_DUE, net_cents, match_ref=document.number, **party)
    lines.credit(chart.URSSAF, social - other_bodies_cents)
    lines.credit(chart.OTHER_SOCIAL_BODIES, other_bodies_cents)
    lines.credit(
        chart.WAGE_WITHHOLDINGS, gross_cents - employee_contributions_cents - net_cents, **party
    )
    return _draft(
        journal=chart.PAYROLL_JOURNAL,
        event=Event.PAYROLL_MONTH,
        document=document,
        label=label,
        lines=lines,
    )


def payroll_paid(
    *, document: DocumentRef, person: Party, amount_cents: int, settles: str
) -> EntryDraft | None:
    """A net salary paid from the cooperative's bank account: 421 / 512."""
    _not_negative(amount=amount_cents)
    label = f"Virement du salaire {settles} — {person.label}"
    lines = _Lines()
    lines.debit(
        chart.WAGES_DUE,
        amount_cents,
        auxiliary_number=person.number,
        auxiliary_label=person.label,
        match_ref=settles,
    )
    lines.credit(chart.BANK, amount_cents)
    return _draft(
        journal=chart.BANK_JOURNAL,
        event=Event.PAYROLL_PAID,
        document=document,
        label=label,
        lines=lines,
    )


# --- grants, contributions, VAT, closing ------------------------------------------------


def grant_recognised(
    *,
    document: DocumentRef,
    support_business_id: int,
    funder: Party,
    amount_cents: int,
    received: bool = False,
) -> EntryDraft | None:
    """A grant (or a year's part of it) recognised for the support structure: 441 / 740,
    or 512 / 740 when the money is received at once."""
    _not_negative(amount=amount_cents)
    label = f"Subvention {document.number} — {funder.label}"
    lines = _Lines()
    if received:
        lines.debit(chart.BANK, amount_cents, business_id=support_business_id)
    else:
        lines.debit(
            chart.GRANTS_RECEIVABLE,
            amount_cents,
            business_id=support_business_id,
            auxiliary_number=funder.number,
            auxiliary_label=funder.label,
            match_ref=document.number,
        )
    lines.credit(chart.OPERATING_GRANTS, amount_cents, business_id=support_business_id)
    return _draft(
        journal=chart.BANK_JOURNAL if received else chart.MISC_JOURNAL,
        event=Event.GRANT_RECOGNISED,
        document=document,
        label=label,
        lines=lines,
    )


def grant_received(
    *,
    document: DocumentRef,
    support_business_id: int,
    funder: Party,
    amount_cents: int,
    settles: str,
) -> EntryDraft | None:
    """A recognised grant paid by the funder: 512 / 441."""
    _not_negative(amount=amount_cents)
    label = f"Versement de la subvention {settles} — {funder.label}"
    lines = _Lines()
    lines.debit(chart.BANK, amount_cents, business_id=support_business_id)
    lines.credit(
        chart.GRANTS_RECEIVABLE,
        amount_cents,
        business_id=support_business_id,
        auxiliary_number=funder.number,
        auxiliary_label=funder.label,
        match_ref=settles,
    )
    return _draft(
        journal=chart.BANK_JOURNAL,
        event=Event.GRANT_RECEIVED,
        document=document,
        label=label,
        lines=lines,
    )


def contribution(
    *,
    document: DocumentRef,
    business_id: int,
    business_code: str,
    support_business_id: int,
    amount_cents: int,
    period_label: str,
) -> EntryDraft | None:
    """A business's contribution for a month: an analytic transfer on the liaison account
    1811, the business's code debited and the support structure's credited. It nets to
    zero in the cooperative's books (one legal entity does not invoice itself) and shows
    in each section's analytic balance. A negative amount (credit notes above the month's
    sales) gives the contribution back."""
    label = f"Contribution coopérative {period_label} — {business_code}"
    lines = _Lines()
    lines.debit(chart.LIAISON_CONTRIBUTIONS, amount_cents, business_id=business_id)
    lines.credit(chart.LIAISON_CONTRIBUTIONS, amount_cents, business_id=support_business_id)
    return _draft(
        journal=chart.MISC_JOURNAL,
        event=Event.CONTRIBUTION,
        document=document,
        label=label,
        lines=lines,
    )


def vat_return(
    *,
    document: DocumentRef,
    collected_cents: int,
    deductible_cents: int,
    period_label: str,
) -> EntryDraft | None:
    """The VAT return of a period: 44571 collected / 44566 deductible / 44551 VAT to pay,
    or 44567 a credit to carry forward when deductible exceeds collected."""
    _not_negative(collected=collected_cents, deductible=deductible_cents)
    label = f"Déclaration de TVA {period_label}"
    lines = _Lines()
    lines.debit(chart.VAT_COLLECTED, collected_cents)
    lines.credit(chart.VAT_DEDUCTIBLE, deductible_cents)
    due = collected_cents - deductible_cents
    if due >= 0:
        lines.credit(chart.VAT_PAYABLE, due)
    else:
        lines.debit(chart.VAT_CREDIT, -due)
    return _draft(
        journal=chart.MISC_JOURNAL,
        event=Event.VAT_RETURN,
        document=document,
        label=label,
        lines=lines,
    )


def opening_entry(*, document: DocumentRef, balances: Sequence[Balance]) -> EntryDraft | None:
    """The opening entry of a fiscal year (à-nouveaux): the balance-sheet balances (classes
    1 to 5) at the previous year's end, and its result as 120 (profit) or 129 (loss)."""
    lines = _Lines()
    result = 0
    for balance in balances:
        if balance.account[0] not in "12345":
            raise ValueError(f"only balance-sheet accounts are carried forward: {balance}")
        lines.debit(
            balance.account,
            balance.amount_cents,
            business_id=balance.business_id,
            auxiliary_number=balance.auxiliary_number,
            auxiliary_label=balance.auxiliary_label,
            match_ref=balance.match_ref,
        )
        result += balance.amount_cents
    # Assets minus liabilities is the year's result: profit when positive.
    if result > 0:
        lines.credit(chart.PROFIT, result, label="Résultat de l'exercice précédent")
    elif result < 0:
        lines.debit(chart.LOSS, -result, label="Résultat de l'exercice précédent")
    return _draft(
        journal=chart.OPENING_JOURNAL,
        event=Event.OPENING,
        document=document,
        label=f"À-nouveaux {document.number}",
        lines=lines,
    )


def reversal(
    *, document: DocumentRef, original_label: str, lines: Sequence[LineDraft], journal: str
) -> EntryDraft | None:
    """The counter-entry of a posted entry: the same lines, debit and credit swapped."""
    swapped = _Lines()
    for line in lines:
        swapped.items.append(
            LineDraft(
                **{
                    **line.__dict__,
                    "debit_cents": line.credit_cents,
                    "credit_cents": line.debit_cents,
                }
            )
        )
    return _draft(
        journal=journal,
        event=Event.REVERSAL,
        document=document,
        label=f"Contre-passation : {original_label}",
        lines=swapped,
    )
