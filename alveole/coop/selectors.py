"""Reads of the cooperative's reference data, grants and payroll rates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from alveole.coop.models import (
    Cooperative,
    Grant,
    GrantAllocation,
    Office,
    PayrollParameters,
    PayrollRate,
    Sector,
)
from alveole.core.formatting import format_date


class CooperativeMissing(Exception):
    """Alvéole has not been set up with its cooperative yet."""


def cooperative_get() -> Cooperative:
    """The cooperative (there is exactly one per installation)."""
    cooperative = Cooperative.objects.order_by("pk").first()
    if cooperative is None:
        raise CooperativeMissing(_("La coopérative n'est pas encore paramétrée."))
    return cooperative


def offices_list():
    return Office.objects.all()


def sectors_active():
    return Sector.objects.filter(active=True)


# --- grants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantFilters:
    """The filters of the grants list (page, export and API share them)."""

    year: int | None = None
    funder_kind: str = ""
    received: bool | None = None


def grants_list(*, user: Any, filters: GrantFilters | None = None) -> QuerySet[Grant]:
    """Grants the user may see (staff, accountant, direction), with their yearly parts."""
    filters = filters or GrantFilters()
    grants = Grant.objects.visible_to(user).prefetch_related(
        Prefetch("allocations", queryset=GrantAllocation.objects.order_by("year"))
    )
    if filters.year:
        grants = grants.filter(start_year__lte=filters.year, end_year__gte=filters.year)
    if filters.funder_kind:
        grants = grants.filter(funder_kind=filters.funder_kind)
    if filters.received is True:
        grants = grants.filter(received_date__isnull=False)
    elif filters.received is False:
        grants = grants.filter(received_date__isnull=True)
    return grants.order_by("-start_year", "funder_kind", "programme", "pk")


def grant_get(*, user: Any, pk: int) -> Grant:
    """One grant the user may see (404 otherwise)."""
    return get_object_or_404(grants_list(user=user), pk=pk)


def grants_for_year(year: int) -> list[dict[str, Any]]:
    """Public funding recognised for `year`, by funder kind, summed by the database.

    Each row: `funder_kind`, `label`, `amount_cents`; kinds without funding are left out.
    An aggregate for the yearly report: the caller decides who may see the report.
    """
    rows = (
        GrantAllocation.objects.filter(year=year, amount_cents__gt=0)
        .values("grant__funder_kind")
        .annotate(amount_cents=Sum("amount_cents"))
        .order_by("grant__funder_kind")
    )
    labels = dict(Grant.FunderKind.choices)
    order = list(Grant.FunderKind.values)
    result = [
        {
            "funder_kind": row["grant__funder_kind"],
            "label": str(labels.get(row["grant__funder_kind"], row["grant__funder_kind"])),
            "amount_cents": row["amount_cents"],
        }
        for row in rows
    ]
    return sorted(result, key=lambda row: order.index(row["funder_kind"]))


def grants_total_for_year(year: int) -> int:
    """The `grants` figure of the report: all public funding recognised for `year`, in cents."""
    return (
        GrantAllocation.objects.filter(year=year).aggregate(total=Sum("amount_cents"))["total"] or 0
    )


# --- payroll rates --------------------------------------------------------------------------


class PayrollRatesMissing(Exception):
    """No payroll parameters or rates are in force at the date asked."""


def payroll_parameters_at(day: datetime.date) -> PayrollParameters:
    """The SMIC, ceiling and reduction figures in force on `day`."""
    parameters = PayrollParameters.objects.valid_at(day).order_by("-valid_from").first()
    if parameters is None:
        raise PayrollRatesMissing(
            _("Aucun paramètre de paie (SMIC, plafond) n'est en vigueur au %(date)s.")
            % {"date": format_date(day)}
        )
    return parameters


def payroll_rates_at(day: datetime.date) -> list[PayrollRate]:
    """The contribution lines in force on `day`, in payslip order."""
    rates = list(PayrollRate.objects.valid_at(day).order_by("position", "code"))
    if not rates:
        raise PayrollRatesMissing(
            _("Aucun taux de cotisation n'est en vigueur au %(date)s.") % {"date": format_date(day)}
        )
    return rates
