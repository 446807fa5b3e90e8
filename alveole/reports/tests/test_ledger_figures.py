"""With books kept for the year, contributions and VAT come from the ledger."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from alveole.businesses.models import Business
from alveole.ledger import posting, services
from alveole.ledger.posting import DocumentRef
from alveole.reports.figures import report_compute, share

D = datetime.date


def test_figures_from_the_ledger(coop_2025):
    """Entries posted by hand add exactly their amounts to what the documents posted."""
    before = report_compute(year=2025).figures
    base_contributions = before["contributions"].value or Decimal(0)
    base_vat = before["vat_remitted"].value or Decimal(0)
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
    contributions = base_contributions + Decimal("300.00")
    vat = base_vat + Decimal("380.00")  # 480 collected − 100 deductible
    support = Decimal("1000.00") + contributions + Decimal("250.00")
    returned = Decimal("3120.00") + vat
    values = {key: figures[key].value for key in (
        "contributions", "vat_remitted", "support_structure_turnover", "support_structure_shares",
        "cooperative_turnover", "returned_to_community", "return_per_public_euro",
    )}  # fmt: skip
    assert values == {
        "contributions": contributions,
        "vat_remitted": vat,
        "support_structure_turnover": support,  # grants + contributions + external services
        "support_structure_shares": {
            "grants": share(Decimal("1000.00"), support),
            "contributions": share(contributions, support),
            "external_services": share(Decimal("250.00"), support),
        },
        "cooperative_turnover": Decimal("2400.00") + support,
        "returned_to_community": returned,  # social contributions + VAT
        "return_per_public_euro": (returned / 1000).quantize(Decimal("0.1"), ROUND_HALF_UP),
    }
    if not base_contributions and not base_vat:  # the documents posted nothing: by hand
        assert values["support_structure_turnover"] == Decimal("1550.00")
        assert values["support_structure_shares"] == {
            "grants": Decimal("0.65"), "contributions": Decimal("0.19"),
            "external_services": Decimal("0.16"),
        }  # fmt: skip
        assert values["return_per_public_euro"] == Decimal("3.5")
