"""What sales post to the ledger (docs/adr/0010): the entries of an invoice, a credit note
and a payment, built from the documents with the ledger's posting functions.

The services of `alveole.sales.services` build these drafts and pass them to
`alveole.ledger.services.entry_post_if_any` inside their own transaction, after every check
and after the document's number is drawn: a failed issue leaves neither number nor entry.

The rules, as DOMAIN.md and the ledger's posting functions state them:

- an invoice (or deposit invoice): 411 / 706 services, 707 goods / VAT on goods 44571,
  VAT on services 44574 until paid (44571 at once when the cooperative opted for VAT on
  debits, as printed on the invoice: its snapshot); a deposit for goods waits too;
- an internal invoice (to another business of the cooperative): 1812 / 706, 707, no VAT;
  its payment (an internal compensation) posts nothing;
- a payment: 512 / 411, and the pending VAT it makes due moves from 44574 to 44571;
- a credit note: the invoice's entry the other way round, for its own amounts.

Pending VAT is released along what settles the invoice, paid or credited, in that order:
the part of the invoice's pending VAT released between "settled before" and "settled after"
(cumulative rounding, `posting.prorata`) is collected by a payment, or cancelled off 44574
by a credit note, the rest of the credit note's VAT coming off 44571. So an invoice paid in
full then credited in full leaves nothing on either account, and one half paid then
credited for the other half leaves the VAT of the half received collected. A credit note
whose goods/services mix differs from the invoice's takes at most its own pending VAT off
44574 (a cent-level remainder stays there for the accountant: rare, never silent).

Entries are dated the document's date, or the first open day when that date falls in a
closed period (corrections go to the open period). An imported historical invoice dated in
a closed period posts nothing: the closed books already hold it (the accountant carried
its balance).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from typing import Any

from alveole.coop.selectors import cooperative_get
from alveole.ledger import posting
from alveole.ledger.posting import DocumentRef, EntryDraft, Party, SaleAmounts
from alveole.ledger.services import first_open_day
from alveole.sales.models import Invoice, LineType, Nature, Payment
from alveole.sales.totals import compute_totals

#: The `document_kind` of the entries sales post (a payment's entries are reversed by it).
INVOICE_DOCUMENT = "invoice"
CREDIT_NOTE_DOCUMENT = "credit_note"
PAYMENT_DOCUMENT = "payment"


def customer_party(invoice: Invoice) -> Party:
    """The customer as auxiliary account of 411: C + its id, and its name."""
    return Party(number=f"C{invoice.customer_id:06d}", label=invoice.customer.name[:150])


def ledger_date(day: datetime.date, first_open: datetime.date | None) -> datetime.date:
    """The day itself, or the first open day when the day lies in a closed period."""
    return day if first_open is None or day >= first_open else first_open


def is_closed(day: datetime.date, first_open: datetime.date | None) -> bool:
    return first_open is not None and day < first_open


def open_day() -> datetime.date | None:
    """The first day one may post to (None when nothing was ever closed): one query."""
    return first_open_day()


def vat_on_debits(invoice: Invoice) -> bool:
    """Whether the invoice's VAT on services is due at issue: the cooperative's option as
    printed on the invoice (its snapshot), else as it stands today."""
    seller = (invoice.snapshot or {}).get("seller") or {}
    if "vat_on_debits" in seller:
        return bool(seller["vat_on_debits"])
    return bool(cooperative_get().vat_on_debits)


def _fold_negative(amounts: SaleAmounts) -> SaleAmounts:
    """Keep each part non-negative: a final invoice deducting a deposit of the other
    nature may leave one nature negative; it then comes off the other one."""
    goods_net, services_net = amounts.goods_net_cents, amounts.services_net_cents
    goods_vat, services_vat = amounts.goods_vat_cents, amounts.services_vat_cents
    if goods_net < 0 or goods_vat < 0:
        services_net, goods_net = services_net + goods_net, 0
        services_vat, goods_vat = services_vat + goods_vat, 0
    if services_net < 0 or services_vat < 0:
        goods_net, services_net = goods_net + services_net, 0
        goods_vat, services_vat = goods_vat + services_vat, 0
    return SaleAmounts(goods_net, services_net, goods_vat, services_vat)


def sale_amounts(invoice: Invoice, lines: Sequence[Any]) -> SaleAmounts:
    """A document's amounts excl. VAT and VAT, goods and services apart, adding up to its
    stored totals exactly (the difference, if the document's own rule differs, goes to
    its main nature)."""
    items = [line for line in lines if line.line_type == LineType.ITEM]
    totals = compute_totals(items, prices_include_vat=invoice.prices_include_vat)
    amounts = posting.sale_amounts(
        [posting.SaleLine(line.nature, line.vat_rate, line.net_cents) for line in items],
        {vat.rate: vat.vat_cents for vat in totals.vat_lines},
    )
    net_gap = invoice.total_excl_vat_cents - amounts.net_cents
    vat_gap = invoice.total_vat_cents - amounts.vat_cents
    if net_gap or vat_gap:
        goods = amounts.goods_net_cents > amounts.services_net_cents or all(
            line.nature == Nature.GOODS for line in items
        )
        if goods:
            amounts = dataclasses.replace(
                amounts,
                goods_net_cents=amounts.goods_net_cents + net_gap,
                goods_vat_cents=amounts.goods_vat_cents + vat_gap,
            )
        else:
            amounts = dataclasses.replace(
                amounts,
                services_net_cents=amounts.services_net_cents + net_gap,
                services_vat_cents=amounts.services_vat_cents + vat_gap,
            )
    return _fold_negative(amounts)


def _pending(invoice: Invoice, amounts: SaleAmounts) -> int:
    return posting.pending_vat_of(
        amounts,
        vat_on_debits=vat_on_debits(invoice),
        deposit=invoice.kind == Invoice.Kind.DEPOSIT,
    )


def _released(pending: int, total: int, before: int, amount: int) -> int:
    """The part of an invoice's pending VAT released when what settles it goes from
    `before` to `before + amount` (capped at its total: a credit note may exceed what
    is left to pay)."""
    low, high = min(before, total), min(before + amount, total)
    return posting.prorata(pending, total, low, high - low)


def issue_draft(
    *,
    invoice: Invoice,
    lines: Sequence[Any],
    day: datetime.date,
    original: Invoice | None = None,
    original_lines: Sequence[Any] = (),
    number: str | None = None,
) -> EntryDraft | None:
    """The entry of an invoice, deposit invoice, credit note or internal invoice issued.

    For a credit note, `original` is the invoice it corrects *before* the credit note is
    counted in its `credited_cents`, and `original_lines` its lines. `number` stands for
    the document's number before it is drawn (to check the entry beforehand).
    """
    number = number or invoice.number
    assert number is not None
    amounts = sale_amounts(invoice, lines)
    kind = CREDIT_NOTE_DOCUMENT if invoice.is_credit_note else INVOICE_DOCUMENT
    document = DocumentRef(kind=kind, number=number, date=day, id=str(invoice.pk))
    if invoice.buyer_business_id:
        return posting.internal_sale_issued(
            document=document,
            seller_id=invoice.business_id,
            buyer_code=invoice.buyer_business.code if invoice.buyer_business else "",
            goods_net_cents=amounts.goods_net_cents,
            services_net_cents=amounts.services_net_cents,
            credit_note=invoice.is_credit_note,
        )
    if not invoice.is_credit_note:
        return posting.invoice_issued(
            document=document,
            business_id=invoice.business_id,
            customer=customer_party(invoice),
            amounts=amounts,
            vat_on_debits=vat_on_debits(invoice),
            deposit=invoice.kind == Invoice.Kind.DEPOSIT,
        )
    assert original is not None and original.number is not None
    original_amounts = sale_amounts(original, original_lines)
    released = _released(
        _pending(original, original_amounts),
        original.total_incl_vat_cents,
        original.paid_cents + original.credited_cents,
        invoice.total_incl_vat_cents,
    )
    own_pending = _pending(original, amounts)
    return posting.credit_note_issued(
        document=document,
        business_id=invoice.business_id,
        customer=customer_party(invoice),
        amounts=amounts,
        vat_on_debits=vat_on_debits(original),
        credited_invoice_number=original.number,
        collected_vat_cents=max(0, own_pending - released),
        deposit=original.kind == Invoice.Kind.DEPOSIT,
    )


def payment_draft(
    *, payment: Payment, invoice: Invoice, lines: Sequence[Any], day: datetime.date
) -> EntryDraft | None:
    """The entry of a payment received, `invoice` as it was *before* the payment. An
    internal invoice is settled by internal compensation: its liaison entry says it all."""
    if invoice.buyer_business_id:
        return None
    assert invoice.number is not None
    amounts = sale_amounts(invoice, lines)
    shares = posting.payment_shares(
        amount_cents=payment.amount_cents,
        paid_before_cents=invoice.paid_cents + invoice.credited_cents,
        invoice=amounts,
        vat_on_debits=vat_on_debits(invoice),
        deposit=invoice.kind == Invoice.Kind.DEPOSIT,
    )
    return posting.payment_received(
        document=DocumentRef(
            kind=PAYMENT_DOCUMENT,
            number=(payment.reference or invoice.number)[:100],
            date=day,
            id=str(payment.pk),
        ),
        business_id=invoice.business_id,
        customer=customer_party(invoice),
        amount_cents=payment.amount_cents,
        settles=invoice.number,
        shares=shares,
    )
