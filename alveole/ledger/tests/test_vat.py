"""VAT on receipts for services unless the cooperative opted for debits; on issue for goods;
deductible VAT; due per month or quarter; the report's `vat_remitted`."""

from __future__ import annotations

import datetime

import pytest

from alveole.ledger import selectors, services
from alveole.ledger.tests.conftest import bill, invoice, payment

pytestmark = pytest.mark.django_db
D = datetime.date


def by_month(periods):
    return {
        p.label: (p.collected_cents, p.deductible_cents, p.due_cents, p.pending_cents)
        for p in periods
    }


def scenario(business, *, on_debits):
    # March: 1 000 € of services (VAT 200 €) and 100 € of goods (VAT 20 €), a 50 € bill.
    invoice(
        business, "A-1", D(2026, 3, 10), services=100_000, services_vat=20_000, on_debits=on_debits
    )
    invoice(business, "A-2", D(2026, 3, 11), goods=10_000, goods_vat=2_000, on_debits=on_debits)
    bill(business, "F-1", D(2026, 3, 12), 5_000, 1_000)
    # May: the services are paid.
    payment(
        business,
        "A-1",
        D(2026, 5, 2),
        120_000,
        excl_vat=100_000,
        pending_vat=0 if on_debits else 20_000,
    )


def test_services_on_receipts_are_due_when_paid(personas):
    scenario(personas.entrepreneur.business, on_debits=False)
    months = by_month(selectors.vat_periods(user=personas.accountant.user, year=2026))
    assert months["03/2026"] == (2_000, 1_000, 1_000, 20_000)
    assert months["04/2026"] == (0, 0, 0, 20_000)
    assert months["05/2026"] == (20_000, 0, 20_000, 0)
    quarters = by_month(
        selectors.vat_periods(user=personas.accountant.user, year=2026, quarterly=True)
    )
    assert quarters == {
        "T1 2026": (2_000, 1_000, 1_000, 20_000),
        "T2 2026": (20_000, 0, 20_000, 0),
        "T3 2026": (0, 0, 0, 0),
        "T4 2026": (0, 0, 0, 0),
    }
    assert selectors.vat_remitted(2026) == 21_000


def test_services_on_debits_are_due_at_issue(personas):
    scenario(personas.entrepreneur.business, on_debits=True)
    months = by_month(selectors.vat_periods(user=personas.director.user, year=2026))
    assert months["03/2026"] == (22_000, 1_000, 21_000, 0)
    assert months["05/2026"] == (0, 0, 0, 0)
    assert selectors.vat_remitted(2026) == 21_000


def test_declared_periods_are_marked_and_returns_do_not_count_as_vat(personas, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2026, 6, 10))
    scenario(personas.entrepreneur.business, on_debits=False)
    services.vat_return_post(actor=None, start=D(2026, 3, 1), end=D(2026, 3, 31))
    periods = selectors.vat_periods(user=personas.accountant.user, year=2026)
    assert [p.label for p in periods if p.declared] == ["03/2026"]
    assert by_month(periods)["03/2026"] == (2_000, 1_000, 1_000, 20_000)
    assert selectors.vat_remitted(2026) == 21_000


def test_vat_is_for_the_bookkeepers(personas):
    for who in ("entrepreneur", "staff", "anonymous"):
        with pytest.raises(Exception) as refused:
            selectors.vat_periods(user=getattr(personas, who).user, year=2026)
        assert refused.type.__name__ == "PermissionDenied"
