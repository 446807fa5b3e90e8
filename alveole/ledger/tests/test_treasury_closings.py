"""`treasury._closings_on`: the two closings the treasuries read, in one query."""

import datetime

import pytest
from django.utils import timezone

from alveole.coop.models import FiscalYear
from alveole.ledger.models import PeriodClosing
from alveole.ledger.treasury import _closing_on, _closings_on

D = datetime.date


def _close(year: FiscalYear, *days: datetime.date) -> None:
    for day in days:
        PeriodClosing.objects.create(
            kind=PeriodClosing.Kind.MONTH, through=day, fiscal_year=year, closed_at=timezone.now()
        )


def _month_ends(year: int) -> list[datetime.date]:
    return [D(year, m + 1, 1) - datetime.timedelta(days=1) for m in range(1, 12)] + [
        D(year, 12, 31)
    ]


@pytest.fixture
def years(db) -> dict[int, FiscalYear]:
    return {
        y: FiscalYear.objects.create(start_date=D(y, 1, 1), end_date=D(y, 12, 31))
        for y in (2024, 2025, 2026)
    }


@pytest.mark.parametrize(
    "closed",
    [
        [],  # no closing at all
        [D(2025, 12, 31)],  # one yearly closing
        "monthly",  # every month of two years and of 2026 so far: many between the two dates
    ],
)
def test_the_same_closings_as_two_reads(years, closed, django_assert_max_num_queries):
    days = _month_ends(2024) + _month_ends(2025) + [D(2026, m, 28) for m in range(1, 11)]
    if closed == "monthly":
        for day in days:
            _close(years[day.year], day)
    else:
        for day in closed:
            _close(years[day.year], day)
    for day in [D(2024, 1, 15), D(2024, 3, 31), D(2025, 1, 10), D(2026, 2, 27), D(2026, 11, 26)]:
        for before in [day - datetime.timedelta(days=n) for n in (0, 1, 40, 92, 500)]:
            expected = (_closing_on(day), _closing_on(before))
            with django_assert_max_num_queries(1 if closed != "monthly" else 2):
                assert _closings_on(day, before) == expected, (day, before)
