"""Date helpers: months, ages, today in the cooperative's time zone."""

from __future__ import annotations

import calendar
import datetime

from django.utils import timezone


def today() -> datetime.date:
    """Today's date in the cooperative's time zone."""
    return timezone.localdate()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def months_between(start: datetime.date, end: datetime.date) -> float:
    """Calendar months from start to end (day-precise fraction), used for contract caps."""
    whole = (end.year - start.year) * 12 + (end.month - start.month)
    anchor = add_months(start, whole)
    if anchor > end:
        whole -= 1
        anchor = add_months(start, whole)
    next_anchor = add_months(start, whole + 1)
    span = (next_anchor - anchor).days or 1
    return whole + (end - anchor).days / span


def age_at(birth_date: datetime.date, day: datetime.date) -> int:
    """Age in whole years at the given day."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
