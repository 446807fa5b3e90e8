"""Each posting function builds the entry of its event with exact amounts (no database)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from alveole.ledger import posting
from alveole.ledger.posting import (
    Balance,
    DocumentRef,
    ExpenseItem,
    Party,
    PaymentShares,
    SaleAmounts,
    SaleLine,
)

D = datetime.date
DOC = DocumentRef(kind="invoice", number="ALICE-2026-00001", date=D(2026, 3, 10), id="17")
CUSTOMER = Party("C42", "Mairie d'Auch")
SUPPLIER = Party("F7", "Imprimerie Gasconne")
PERSON = Party("P3", "Alice Martin")
B, S, OTHER = 1, 2, 3  # business ids: Alice's, the support structure, Bob's


def rows(draft):
    """(journal) and each line as (account, business, debit, credit)."""
    assert draft.is_balanced
    return [
        (line.account, line.business_id, line.debit_cents, line.credit_cents)
        for line in draft.lines
    ]


def test_invoice_of_services_on_receipts_parks_the_vat():
    amounts = SaleAmounts(services_net_cents=100_000, services_vat_cents=20_000)
    draft = posting.invoice_issued(
        document=DOC, business_id=B, customer=CUSTOMER, amounts=amounts, vat_on_debits=False
    )
    assert (
        draft.journal == "VE" and draft.event == "invoice_issued" and draft.date == D(2026, 3, 10)
    )
    assert rows(draft) == [
        ("411", B, 120_000, 0),
        ("706", B, 0, 100_000),
        ("44574", B, 0, 20_000),
    ]
    customer_line = draft.lines[0]
    assert (customer_line.auxiliary_number, customer_line.auxiliary_label) == (
        "C42",
        "Mairie d'Auch",
    )
    assert customer_line.match_ref == "ALICE-2026-00001"
    assert draft.lines[2].base_cents == 100_000


def test_invoice_on_debits_and_goods_collect_the_vat_at_issue():
    amounts = SaleAmounts(
        goods_net_cents=50_000,
        services_net_cents=30_000,
        goods_vat_cents=10_000,
        services_vat_cents=6_000,
    )
    on_receipts = posting.invoice_issued(
        document=DOC, business_id=B, customer=CUSTOMER, amounts=amounts, vat_on_debits=False
    )
    assert rows(on_receipts) == [
        ("411", B, 96_000, 0),
        ("707", B, 0, 50_000),
        ("706", B, 0, 30_000),
        ("44571", B, 0, 10_000),
        ("44574", B, 0, 6_000),
    ]
    on_debits = posting.invoice_issued(
        document=DOC, business_id=B, customer=CUSTOMER, amounts=amounts, vat_on_debits=True
    )
    assert rows(on_debits)[3:] == [("44571", B, 0, 10_000), ("44571", B, 0, 6_000)]


def test_deposit_for_goods_waits_for_the_payment():
    amounts = SaleAmounts(goods_net_cents=10_000, goods_vat_cents=2_000)
    draft = posting.invoice_issued(
        document=DOC,
        business_id=B,
        customer=CUSTOMER,
        amounts=amounts,
        vat_on_debits=True,
        deposit=True,
    )
    assert rows(draft) == [("411", B, 12_000, 0), ("707", B, 0, 10_000), ("44574", B, 0, 2_000)]


def test_exempt_invoice_has_no_vat_line_and_a_free_one_no_entry():
    amounts = SaleAmounts(services_net_cents=80_000)
    draft = posting.invoice_issued(
        document=DOC, business_id=B, customer=CUSTOMER, amounts=amounts, vat_on_debits=False
    )
    assert rows(draft) == [("411", B, 80_000, 0), ("706", B, 0, 80_000)]
    assert (
        posting.invoice_issued(
            document=DOC,
            business_id=B,
            customer=CUSTOMER,
            amounts=SaleAmounts(),
            vat_on_debits=False,
        )
        is None
    )


def test_sale_amounts_split_a_rate_between_goods_and_services():
    lines = [
        SaleLine("goods", Decimal("20"), 3_333),
        SaleLine("service", Decimal("20"), 6_667),
        SaleLine("service", Decimal("5.5"), 1_000),
    ]
    amounts = posting.sale_amounts(lines, {Decimal("20"): 2_000, Decimal("5.5"): 55})
    # 2 000 × 6 667 / 10 000 = 1 333.4 → 1 333 for services, 667 for goods.
    assert amounts == SaleAmounts(
        goods_net_cents=3_333,
        services_net_cents=7_667,
        goods_vat_cents=667,
        services_vat_cents=1_388,
    )
    assert amounts.total_cents == 11_000 + 2_055


def test_credit_note_reverses_pending_vat_and_collected_vat_for_what_was_paid():
    amounts = SaleAmounts(services_net_cents=100_000, services_vat_cents=20_000)
    note = DocumentRef(kind="credit_note", number="ALICE-AV2026-0001", date=D(2026, 4, 2))
    unpaid = posting.credit_note_issued(
        document=note,
        business_id=B,
        customer=CUSTOMER,
        amounts=amounts,
        vat_on_debits=False,
        credited_invoice_number=DOC.number,
    )
    assert unpaid.event == "credit_note_issued"
    assert rows(unpaid) == [("411", B, 0, 120_000), ("706", B, 100_000, 0), ("44574", B, 20_000, 0)]
    assert unpaid.lines[0].match_ref == DOC.number
    half_paid = posting.credit_note_issued(
        document=note,
        business_id=B,
        customer=CUSTOMER,
        amounts=amounts,
        vat_on_debits=False,
        credited_invoice_number=DOC.number,
        collected_vat_cents=10_000,
    )
    assert rows(half_paid) == [
        ("411", B, 0, 120_000),
        ("706", B, 100_000, 0),
        ("44571", B, 10_000, 0),
        ("44574", B, 10_000, 0),
    ]
    with pytest.raises(ValueError):
        posting.credit_note_issued(
            document=note,
            business_id=B,
            customer=CUSTOMER,
            amounts=amounts,
            vat_on_debits=False,
            credited_invoice_number=DOC.number,
            collected_vat_cents=30_000,
        )


def test_payment_shares_add_up_to_the_invoice_over_several_payments():
    invoice = SaleAmounts(services_net_cents=100_000, services_vat_cents=20_000)
    first = posting.payment_shares(
        amount_cents=33_333, paid_before_cents=0, invoice=invoice, vat_on_debits=False
    )
    second = posting.payment_shares(
        amount_cents=86_667, paid_before_cents=33_333, invoice=invoice, vat_on_debits=False
    )
    assert first == PaymentShares(excl_vat_cents=27_778, pending_vat_cents=5_556)
    assert second == PaymentShares(excl_vat_cents=72_222, pending_vat_cents=14_444)
    on_debits = posting.payment_shares(
        amount_cents=60_000, paid_before_cents=0, invoice=invoice, vat_on_debits=True
    )
    assert on_debits == PaymentShares(excl_vat_cents=50_000, pending_vat_cents=0)


def test_payment_received_moves_the_vat_it_makes_due():
    payment = DocumentRef(kind="payment", number="VIR-123", date=D(2026, 4, 5), id="9")
    draft = posting.payment_received(
        document=payment,
        business_id=B,
        customer=CUSTOMER,
        amount_cents=60_000,
        settles=DOC.number,
        shares=PaymentShares(excl_vat_cents=50_000, pending_vat_cents=10_000),
    )
    assert draft.journal == "BQ" and draft.event == "payment_received"
    assert rows(draft) == [
        ("512", B, 60_000, 0),
        ("411", B, 0, 60_000),
        ("44574", B, 10_000, 0),
        ("44571", B, 0, 10_000),
    ]
    assert draft.lines[1].base_cents == 50_000 and draft.lines[1].match_ref == DOC.number


def test_internal_sale_and_purchase_meet_on_the_liaison_account():
    sale = posting.internal_sale_issued(
        document=DOC, seller_id=B, buyer_code="BOB", goods_net_cents=4_000, services_net_cents=6_000
    )
    assert sale.journal == "VE" and sale.label == "Vente interne ALICE-2026-00001 à BOB"
    assert rows(sale) == [("1812", B, 10_000, 0), ("707", B, 0, 4_000), ("706", B, 0, 6_000)]
    purchase = posting.internal_purchase_validated(
        document=DOC,
        buyer_id=OTHER,
        seller_code="ALICE",
        category="subcontracting",
        excl_vat_cents=10_000,
    )
    assert purchase.journal == "AC"
    assert rows(purchase) == [("604", OTHER, 10_000, 0), ("1812", OTHER, 0, 10_000)]
    credit = posting.internal_sale_issued(
        document=DOC, seller_id=B, buyer_code="BOB", services_net_cents=6_000, credit_note=True
    )
    assert rows(credit) == [("1812", B, 0, 6_000), ("706", B, 6_000, 0)]
    refund = posting.internal_purchase_validated(
        document=DOC, buyer_id=OTHER, seller_code="ALICE", category="goods_for_resale",
        excl_vat_cents=6_000, credit_note=True,
    )  # fmt: skip
    assert rows(refund) == [("607", OTHER, 0, 6_000), ("1812", OTHER, 6_000, 0)]


@pytest.mark.parametrize(
    ("category", "account"),
    [("goods_for_resale", "607"), ("subcontracting", "604"), ("other", "606")],
)
def test_supplier_invoice_charge_follows_the_category(category, account):
    doc = DocumentRef(kind="supplier_invoice", number="FA-889", date=D(2026, 3, 3), id="4")
    draft = posting.supplier_invoice_validated(
        document=doc,
        business_id=B,
        supplier=SUPPLIER,
        category=category,
        excl_vat_cents=50_000,
        deductible_vat_cents=10_000,
    )
    assert draft.journal == "AC"
    assert rows(draft) == [(account, B, 50_000, 0), ("44566", B, 10_000, 0), ("401", B, 0, 60_000)]
    assert draft.lines[2].auxiliary_label == "Imprimerie Gasconne"


def test_supplier_invoice_variants():
    doc = DocumentRef(kind="supplier_invoice", number="FA-890", date=D(2026, 3, 3))
    explicit = posting.supplier_invoice_validated(
        document=doc,
        business_id=B,
        supplier=SUPPLIER,
        category="other",
        charge_account="6226",
        excl_vat_cents=10_000,
        deductible_vat_cents=1_500,
        non_deductible_vat_cents=500,
        deductible_on_payment=True,
    )
    assert rows(explicit) == [("6226", B, 10_500, 0), ("44564", B, 1_500, 0), ("401", B, 0, 12_000)]
    credit = posting.supplier_invoice_validated(
        document=doc,
        business_id=B,
        supplier=SUPPLIER,
        category="goods_for_resale",
        excl_vat_cents=1_000,
        deductible_vat_cents=200,
        credit_note=True,
    )
    assert rows(credit) == [("607", B, 0, 1_000), ("44566", B, 0, 200), ("401", B, 1_200, 0)]
    with pytest.raises(ValueError):
        posting.supplier_invoice_validated(
            document=doc, business_id=B, supplier=SUPPLIER, category="jewels", excl_vat_cents=1
        )


def test_supplier_invoice_paid_and_refunded():
    doc = DocumentRef(kind="supplier_payment", number="PAY-1", date=D(2026, 3, 20))
    paid = posting.supplier_invoice_paid(
        document=doc,
        business_id=B,
        supplier=SUPPLIER,
        amount_cents=12_000,
        settles="FA-890",
        pending_vat_cents=1_500,
    )
    assert paid.journal == "BQ"
    assert rows(paid) == [
        ("401", B, 12_000, 0),
        ("512", B, 0, 12_000),
        ("44566", B, 1_500, 0),
        ("44564", B, 0, 1_500),
    ]
    refund = posting.supplier_invoice_paid(
        document=doc,
        business_id=B,
        supplier=SUPPLIER,
        amount_cents=1_200,
        settles="AV-1",
        refund=True,
    )
    assert rows(refund) == [("401", B, 0, 1_200), ("512", B, 1_200, 0)]


def test_expense_report_validated_and_paid():
    doc = DocumentRef(kind="expense_report", number="NDF-2026-03-3", date=D(2026, 3, 31), id="3")
    draft = posting.expense_report_validated(
        document=doc,
        business_id=B,
        person=PERSON,
        items=[
            ExpenseItem("transport", 6_000, 545),
            ExpenseItem("mileage", 12_345),
            ExpenseItem("meals", 2_200, 200),
            ExpenseItem("supplies", 1_200, 200, account="6064"),
        ],
    )
    assert draft.journal == "AC" and draft.event == "expense_report_validated"
    assert rows(draft) == [
        ("6064", B, 1_000, 0),
        ("6251", B, 17_800, 0),
        ("6256", B, 2_000, 0),
        ("44566", B, 945, 0),
        ("4671", B, 0, 21_745),
    ]
    paid = posting.expense_report_paid(
        document=DocumentRef(kind="expense_payment", number="VIR-NDF-3", date=D(2026, 4, 4)),
        business_id=B,
        person=PERSON,
        amount_cents=21_745,
        settles=doc.number,
    )
    assert rows(paid) == [("4671", B, 21_745, 0), ("512", B, 0, 21_745)]
    with pytest.raises(ValueError):
        posting.expense_report_validated(
            document=doc, business_id=B, person=PERSON, items=[ExpenseItem("casino", 100)]
        )


def test_payroll_month_for_one_business():
    doc = DocumentRef(kind="payroll", number="2026-03", date=D(2026, 3, 31), id="88")
    draft = posting.payroll_month(
        document=doc,
        person=PERSON,
        gross_cents=182_303,
        employee_contributions_cents=40_107,
        employer_contributions_cents=72_921,
        reduction_cents=58_066,
        net_cents=142_196,
        charges=[(B, 197_158)],
        other_bodies_cents=12_000,
    )
    assert draft.journal == "PA" and draft.event == "payroll_month"
    assert rows(draft) == [
        ("641", B, 182_303, 0),
        ("645", B, 72_921, 0),
        ("6459", B, 0, 58_066),
        ("421", None, 0, 142_196),
        ("431", None, 0, 42_962),
        ("437", None, 0, 12_000),
    ]


def test_payroll_month_split_between_businesses_keeps_each_cost_exact():
    doc = DocumentRef(kind="payroll", number="2026-03", date=D(2026, 3, 31))
    draft = posting.payroll_month(
        document=doc,
        person=PERSON,
        gross_cents=200_000,
        employee_contributions_cents=44_000,
        employer_contributions_cents=84_000,
        reduction_cents=10_001,
        net_cents=150_000,
        charges=[(B, 91_333), (OTHER, 182_666)],
    )
    lines = rows(draft)
    cost = {b: sum(d - c for account, bb, d, c in lines if bb == b) for b in (B, OTHER)}
    assert cost == {B: 91_333, OTHER: 182_666}
    assert lines[:3] == [("641", B, 66_667, 0), ("645", B, 28_000, 0), ("6459", B, 0, 3_334)]
    assert lines[3:6] == [
        ("641", OTHER, 133_333, 0),
        ("645", OTHER, 56_000, 0),
        ("6459", OTHER, 0, 6_667),
    ]
    # 6 000 of the gross is neither contribution nor net: withheld (427).
    assert lines[6:] == [
        ("421", None, 0, 150_000),
        ("431", None, 0, 117_999),
        ("427", None, 0, 6_000),
    ]
    with pytest.raises(ValueError, match="employer cost"):
        posting.payroll_month(
            document=doc,
            person=PERSON,
            gross_cents=200_000,
            employee_contributions_cents=44_000,
            employer_contributions_cents=84_000,
            reduction_cents=0,
            net_cents=156_000,
            charges=[(B, 1)],
        )


def test_payroll_paid():
    draft = posting.payroll_paid(
        document=DocumentRef(kind="salary_payment", number="VIR-SAL-03", date=D(2026, 4, 1)),
        person=PERSON,
        amount_cents=142_196,
        settles="2026-03",
    )
    assert rows(draft) == [("421", None, 142_196, 0), ("512", None, 0, 142_196)]


def test_grant_recognised_then_received():
    doc = DocumentRef(kind="grant", number="SUB-2026-REGION", date=D(2026, 1, 15), id="5")
    funder = Party("REGION", "Région Occitanie")
    recognised = posting.grant_recognised(
        document=doc, support_business_id=S, funder=funder, amount_cents=4_000_000
    )
    assert recognised.journal == "OD"
    assert rows(recognised) == [("441", S, 4_000_000, 0), ("740", S, 0, 4_000_000)]
    received = posting.grant_received(
        document=DocumentRef(kind="grant_payment", number="VIR-REG", date=D(2026, 6, 1)),
        support_business_id=S,
        funder=funder,
        amount_cents=4_000_000,
        settles=doc.number,
    )
    assert rows(received) == [("512", S, 4_000_000, 0), ("441", S, 0, 4_000_000)]
    at_once = posting.grant_recognised(
        document=doc, support_business_id=S, funder=funder, amount_cents=100_000, received=True
    )
    assert at_once.journal == "BQ"
    assert rows(at_once) == [("512", S, 100_000, 0), ("740", S, 0, 100_000)]


def test_contribution_is_a_transfer_between_analytic_codes():
    doc = DocumentRef(kind="contribution", number="CONTRIB-ALICE-2026-03", date=D(2026, 3, 31))
    draft = posting.contribution(
        document=doc,
        business_id=B,
        business_code="ALICE",
        support_business_id=S,
        amount_cents=12_345,
        period_label="03/2026",
    )
    assert draft.journal == "OD" and draft.event == "contribution"
    assert rows(draft) == [("1811", B, 12_345, 0), ("1811", S, 0, 12_345)]
    refund = posting.contribution(
        document=doc,
        business_id=B,
        business_code="ALICE",
        support_business_id=S,
        amount_cents=-500,
        period_label="03/2026",
    )
    assert rows(refund) == [("1811", B, 0, 500), ("1811", S, 500, 0)]
    assert (
        posting.contribution(
            document=doc,
            business_id=B,
            business_code="ALICE",
            support_business_id=S,
            amount_cents=0,
            period_label="x",
        )
        is None
    )


def test_vat_return_due_or_credit():
    doc = DocumentRef(kind="vat_return", number="TVA 03/2026", date=D(2026, 3, 31))
    due = posting.vat_return(
        document=doc, collected_cents=30_000, deductible_cents=12_000, period_label="03/2026"
    )
    assert rows(due) == [
        ("44571", None, 30_000, 0),
        ("44566", None, 0, 12_000),
        ("44551", None, 0, 18_000),
    ]
    credit = posting.vat_return(
        document=doc, collected_cents=5_000, deductible_cents=12_000, period_label="03/2026"
    )
    assert rows(credit) == [
        ("44571", None, 5_000, 0),
        ("44566", None, 0, 12_000),
        ("44567", None, 7_000, 0),
    ]


def test_opening_entry_carries_balances_and_the_result():
    doc = DocumentRef(kind="opening", number="2027", date=D(2027, 1, 1))
    draft = posting.opening_entry(
        document=doc,
        balances=[
            Balance("512", 150_000, B),
            Balance("411", 20_000, B, "C42", "Mairie d'Auch"),
            Balance("1013", -100_000),
            Balance("44551", -18_000),
        ],
    )
    assert draft.journal == "AN" and draft.event == "opening"
    assert rows(draft) == [
        ("512", B, 150_000, 0),
        ("411", B, 20_000, 0),
        ("1013", None, 0, 100_000),
        ("44551", None, 0, 18_000),
        ("120", None, 0, 52_000),
    ]
    loss = posting.opening_entry(
        document=doc, balances=[Balance("512", -5_000), Balance("1013", -1_000)]
    )
    assert rows(loss) == [
        ("512", None, 0, 5_000),
        ("1013", None, 0, 1_000),
        ("129", None, 6_000, 0),
    ]
    with pytest.raises(ValueError):
        posting.opening_entry(document=doc, balances=[Balance("706", -1)])


def test_reversal_swaps_debit_and_credit():
    original = posting.contribution(
        document=DocumentRef(kind="contribution", number="C-1", date=D(2026, 3, 31)),
        business_id=B,
        business_code="ALICE",
        support_business_id=S,
        amount_cents=700,
        period_label="03/2026",
    )
    draft = posting.reversal(
        document=DocumentRef(kind="contribution", number="C-1", date=D(2026, 4, 2)),
        original_label=original.label,
        lines=original.lines,
        journal=original.journal,
    )
    assert draft.event == "reversal" and draft.date == D(2026, 4, 2)
    assert rows(draft) == [("1811", B, 0, 700), ("1811", S, 700, 0)]
