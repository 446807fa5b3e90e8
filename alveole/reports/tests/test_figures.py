"""Every figure of the 2025 report of the small cooperative of conftest.py, by hand."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.core.money import from_cents
from alveole.ledger.models import Line
from alveole.ledger.selectors import contributions_total, vat_remitted
from alveole.reports.figures import NO_LEDGER, report_compute
from alveole.reports.tests.conftest import coop_2025_data

E = Decimal

EXPECTED = {
    # Alice, Bob (CESA), Carol (CESA + associate since June), Dan (CAPE ending 31/12).
    "members": 4,
    "members_by_status": {"cape": 1, "salaried": 2, "associate": 1},
    "members_by_age": {"30_or_less": 1, "31_40": 2, "41_50": 0, "51_60": 0, "61_or_more": 1},
    # Alice is on RSA: counted in "other" for whoever may not see it.
    "members_by_entry_situation": {"employed": 1, "job_seeker": 1, "other": 1, "unknown": 1},
    "members_by_department": {"32": 3, "65": 1, "other": 0},
    "members_by_sector": {
        "Formation, coaching et conseils": 2,
        "Techniques de l'information et de la communication (TIC)": 1,
        "unknown": 1,
    },
    "members_with_other_income_rate": E("0.25"),
    "support_staff": 1,
    "intake_interviews": 3,  # 1 Jan, 5 May, 31 Dec; not the 2024 one
    "integrated": 2,  # Dan and Eve; Carol's first contract (CAPE) started in 2024
    "workshops_held": 2,  # co-development and the 2024 session left out
    "exits": 2,
    "positive_exit_rate": E("0.50"),
    # 1000 − 100 (credit note on a 2024 invoice) + 400 + 200 (internal) + 300 + 600;
    # the credit note of January 2026 counts in 2026.
    "entrepreneurs_turnover": E("2400.00"),
    # Bob was an associate until 1 March (his 400 of February), Carol from 1 June (her 600).
    "entrepreneurs_turnover_by_status": {"cape_and_salaried": E("1400.00"), "associate": E("1000.00")},
    "internal_turnover": E("200.00"),
    "grants": E("1000.00"),  # 2 000 over 2025-2026
    "external_services": E("250.00"),
    "turnover_growth": E("3.80"),  # 2 400 / 500 − 1
    # company 1000 + 200 internal; individual −100 + 600; public body 400; association 300
    "turnover_by_customer_kind": {
        "company": E("0.50"), "individual": E("0.21"), "public_body": E("0.17"),
        "association": E("0.13"),
    },
    "regional_turnover_share": E("0.83"),  # all but the 400 invoiced in Paris
    "wage_bill": E("5200.00"),
    "paid_hours": E("361.67"),
    "fte": E("0.20"),  # 361.67 / 1 820
    "fte_created": E("0.15"),  # 2024: 91 h → 0.05
    "average_gross_monthly_salary": E("1600.00"),  # Alice's two months; staff left out
    "social_contributions": E("3120.00"),
    "associates": {"total": 3, "entrepreneurs": 1, "support_staff": 1, "external": 1},
    "associates_joined": 1,
    "associates_left": 1,
}  # fmt: skip


#: Figures read from the books: the sales, purchases and payroll post to the ledger, so their
#: values follow the posting rules; test_ledger_figures.py checks them with entries by hand.
LEDGER_KEYS = {
    "contributions", "vat_remitted", "support_structure_turnover", "support_structure_shares",
    "cooperative_turnover", "returned_to_community", "return_per_public_euro",
}  # fmt: skip


def test_every_figure_equals_the_hand_computed_value(coop_2025):
    report = report_compute(year=2025)
    values = {key: f.value for key, f in report.figures.items() if key not in LEDGER_KEYS}
    assert values == EXPECTED
    assert set(report.figures) == set(EXPECTED) | LEDGER_KEYS


def test_figures_from_the_books_add_up(coop_2025):
    figures = report_compute(year=2025).figures
    value = {key: figures[key].value for key in LEDGER_KEYS}
    if not Line.objects.filter(date__year=2025).exists():
        assert value == dict.fromkeys(LEDGER_KEYS)
        assert figures["contributions"].missing == NO_LEDGER
        return
    contributions, vat = from_cents(contributions_total(2025)), from_cents(vat_remitted(2025))
    assert value["contributions"] == contributions
    assert value["vat_remitted"] == vat
    support = E("1000.00") + contributions + E("250.00")  # grants + contributions + external
    assert value["support_structure_turnover"] == support
    assert value["cooperative_turnover"] == E("2400.00") + support
    assert value["returned_to_community"] == E("3120.00") + vat
    assert value["return_per_public_euro"] == ((E("3120.00") + vat) / 1000).quantize(
        E("0.1"), ROUND_HALF_UP
    )


def test_missing_figures_say_why_and_are_never_zero(coop_2025):
    figures = report_compute(year=2025).figures
    assert figures["wage_bill"].missing == ""
    empty = report_compute(year=2023).figures  # no payroll, no sales, no books in 2023
    for key in ("wage_bill", "paid_hours", "fte", "average_gross_monthly_salary",
                "social_contributions", "entrepreneurs_turnover"):  # fmt: skip
        assert empty[key].value is None
        assert empty[key].missing
    assert empty["wage_bill"].missing == "aucune paie enregistrée pour l'année"
    assert empty["contributions"].value is None
    assert empty["contributions"].missing == NO_LEDGER
    assert empty["vat_remitted"].missing == NO_LEDGER


def test_rsa_is_split_only_for_viewers_who_may_see_it(coop_2025):
    figure = report_compute(year=2025, show_rsa=True).figures["members_by_entry_situation"]
    assert figure.value == {"employed": 1, "job_seeker": 1, "rsa": 1, "other": 0, "unknown": 1}


def test_drilldowns_point_to_filtered_lists(coop_2025):
    figures = report_compute(year=2025).figures
    assert figures["entrepreneurs_turnover"].drilldown_url == (
        "/sales/invoices/?date_from=2025-01-01&date_to=2025-12-31"
    )
    assert figures["members"].drilldown_url == "/people/?at=2025-12-31&kind=entrepreneur"
    assert figures["wage_bill"].drilldown_url == "/payroll/?year=2025"


def test_the_number_of_queries_does_not_depend_on_the_data(personas):
    with CaptureQueriesContext(connection) as small:
        report_compute(year=2025)
    coop_2025_data(personas)
    with CaptureQueriesContext(connection) as big:
        report_compute(year=2025)
    assert len(big.captured_queries) == len(small.captured_queries)


def test_other_drilldowns(coop_2025):
    figures = report_compute(year=2025).figures
    assert figures["workshops_held"].drilldown_url == (
        "/support/sessions/?kind=training&start=2025-01-01&end=2025-12-31"
    )
    assert figures["exits"].drilldown_url == "/people/?status=exited&at=2025-12-31"
    assert figures["grants"].drilldown_url == "/cooperative/grants/?year=2025"
