"""The demo cooperative's calendar: month ends, information meetings, general assemblies."""

from __future__ import annotations

import datetime

from alveole.core.dates import add_months

DAY = datetime.timedelta(days=1)


def last_day_of_month(day: datetime.date) -> datetime.date:
    return add_months(day.replace(day=1), 1) - DAY


def first_of_next_month(day: datetime.date) -> datetime.date:
    return add_months(day.replace(day=1), 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    """The n-th (1-based) given weekday (0 = Monday) of a month."""
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def assembly_dates(year: int) -> list[datetime.date]:
    """The two general assemblies of a year (June and December), where associates join."""
    return [nth_weekday(year, 6, 4, 2), nth_weekday(year, 12, 4, 2)]


def meeting_date_before(office: str, day: datetime.date) -> datetime.date:
    """The last information meeting of an office at least a week before a date.

    Auch holds them on the first Tuesday of the month, Tarbes on the second Thursday;
    none in August.
    """
    weekday, n = (1, 1) if office == "Auch" else (3, 2)
    limit = day - datetime.timedelta(days=7)
    month = limit.replace(day=1)
    while True:
        if month.month != 8:
            meeting = nth_weekday(month.year, month.month, weekday, n)
            if meeting <= limit:
                return meeting
        month = add_months(month, -1)
