"""With books kept for the year, contributions and VAT come from the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

from alveole.businesses.models import Business
from alveole.ledger import posting, services
from alveole.ledger.posting import DocumentRef
from alveole.reports.figures import report_compute

D = datetime.date


def test_figures_from_the_ledger(coop_2025):
    alice = coop_2025.entrepreneur.business
    support = Business.objects.get(kind=Business.Kind.SUPPORT_STRUCTURE)
    day = D(2025, 6, 30)
    services.entry_post(
        actor=None,
        draft=posting.contribution(
            document=DocumentRef(
                "contribution", f"C-{alice.code}-2025-06", day, f"2025-06:{alice.pk}"
            ),
            business_id=alice.pk,
            business_code=alice.code,
            support_business_id=support.pk,
            amount_cents=30_000,
            period_label="06/2025",
        ),
    )
    services.entry_create_manual(
        actor=None, journal="OD", date=day, label="TVA de l'année",
        lines=[
            posting.LineDraft("44566", 10_000, business_id=support.pk),
            posting.LineDraft("512", 38_000, business_id=support.pk),
            posting.LineDraft("44571", 0, 48_000, business_id=support.pk),
        ],
    )  # fmt: skip
    figures = report_compute(year=2025).figures
    values = {key: figures[key].value for key in (
        "contributions", "vat_remitted", "support_structure_turnover", "support_structure_shares",
        "cooperative_turnover", "returned_to_community", "return_per_public_euro",
    )}  # fmt: skip
    assert values == {
        "contributions": Decimal("300.00"),
        "vat_remitted": Decimal("380.00"),  # 480 collected − 100 deductible
        "support_structure_turnover": Decimal("1550.00"),  # 1 000 + 300 + 250
        "support_structure_shares": {
            "grants": Decimal("0.65"),
            "contributions": Decimal("0.19"),
            "external_services": Decimal("0.16"),
        },
        "cooperative_turnover": Decimal("3950.00"),  # 2 400 + 1 550
        "returned_to_community": Decimal("3500.00"),  # 3 120 + 380
        "return_per_public_euro": Decimal("3.5"),  # 3 500 / 1 000
    }
