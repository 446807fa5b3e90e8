"""The records behind a figure of the report, with the very filters the figure uses: the
list, its count and total, and its export. A figure's total and its list's always agree."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, QuerySet, Sum, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from alveole.core.money import from_cents
from alveole.core.permissions import role_required
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.core.tabular import export_response
from alveole.payroll.models import PayrollRecord
from alveole.people.models import Person, Status
from alveole.reports import figures as f
from alveole.reports.presentation import display
from alveole.sales.models import Invoice

PAGE_SIZE = 50


@dataclass(frozen=True)
class Records:
    """What a figure's list shows: rows, columns, and what its total adds up."""

    title: str
    rows: QuerySet
    header: list[str]
    cells: Callable[[Any], list[Any]]
    total: Callable[[QuerySet], Any] | None = None
    total_label: str = ""
    link: Callable[[Any], str] | None = None
    unit: str = f.EUROS


def _signed_amount() -> Case:
    return Case(
        When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("total_excl_vat_cents")),
        default=F("total_excl_vat_cents"),
        output_field=IntegerField(),
    )


def _people(title: str, people: QuerySet[Person]) -> Records:
    return Records(
        title=title,
        rows=people.order_by("last_name", "first_name", "pk"),
        header=[_("Nom"), _("Prénom"), _("Statut"), _("Département")],
        cells=lambda p: [p.last_name, p.first_name, Status(p.status).label if getattr(p, "status", None) else "", p.department],
        link=lambda p: reverse("people:detail", args=[p.pk]),
    )  # fmt: skip


def _invoices(title: str, documents: QuerySet[Invoice]) -> Records:
    return Records(
        title=title,
        rows=documents.select_related("business", "customer")
        .annotate(signed_cents=_signed_amount())
        .order_by("issue_date", "number", "pk"),
        header=[_("Numéro"), _("Type"), _("Activité"), _("Client"), _("Date"), _("HT (avoirs en négatif)")],
        cells=lambda i: [i.number, i.get_kind_display(), i.business.code, i.customer.name, i.issue_date, from_cents(i.signed_cents)],
        total=lambda rows: from_cents(rows.aggregate(t=Sum("signed_cents", default=0))["t"]),
        total_label=_("Total HT"),
        link=lambda i: reverse("sales:invoice_detail", args=[i.pk]),
    )  # fmt: skip


def _payroll(title: str, year: int, field: str, label: str) -> Records:
    records = PayrollRecord.objects.filter(
        month__gte=datetime.date(year, 1, 1), month__lte=datetime.date(year, 12, 1)
    ).select_related("person")
    sums = {
        "paid_hours": Sum("paid_hours_hundredths", default=0),
        "social": Sum(
            F("employee_contributions_cents") + F("employer_contributions_cents"), default=0
        ),
        "gross": Sum("gross_cents", default=0),
    }

    def total_of(rows: QuerySet) -> Any:
        total = rows.aggregate(t=sums[field])["t"]
        return Decimal(total) / 100 if field == "paid_hours" else from_cents(total)

    return Records(
        title=title,
        rows=records.order_by("month", "person__last_name", "pk"),
        header=[_("Personne"), _("Mois"), _("Brut"), _("Heures payées"), _("Cotisations salariales"), _("Cotisations patronales")],
        cells=lambda r: [str(r.person), r.month.strftime("%m/%Y"), from_cents(r.gross_cents), Decimal(r.paid_hours_hundredths) / 100, from_cents(r.employee_contributions_cents), from_cents(r.employer_contributions_cents)],
        total=total_of,
        total_label=label,
        unit=f.HOURS if field == "paid_hours" else f.EUROS,
    )  # fmt: skip


def figure_records(key: str, year: int) -> Records:
    """The records behind figure `key` of `year` (Http404 for a figure without a list)."""
    day = datetime.date(year, 12, 31)
    members = Person.objects.members_at(day)
    builders: dict[str, Callable[[], Records]] = {
        "members": lambda: _people(_("Coopérateurs au 31/12"), members),
        "members_by_status": lambda: _people(_("Coopérateurs au 31/12"), members),
        "members_by_age": lambda: _people(_("Coopérateurs au 31/12"), members),
        "members_by_entry_situation": lambda: _people(_("Coopérateurs au 31/12"), members),
        "members_by_department": lambda: _people(_("Coopérateurs au 31/12"), members),
        "members_by_sector": lambda: _people(_("Coopérateurs au 31/12"), members),
        "support_staff": lambda: _people(_("Équipe d'appui au 31/12"), f.support_staff_at(day)),
        "integrated": lambda: _people(_("Intégrés dans l'année"), f.integrated_in(year).with_status(day)),
        "exits": lambda: _people(_("Sorties de l'année"), Person.objects.with_status(day).filter(exit__in=f.exits_in(year))),
        "intake_interviews": lambda: Records(
            title=_("Entretiens d'accueil de l'année"),
            rows=f.intake_interviews_in(year).select_related("person").order_by("date", "pk"),
            header=[_("Date"), _("Personne"), _("Décision")],
            cells=lambda i: [i.date, str(i.person), i.get_decision_display()],
            link=lambda i: reverse("people:detail", args=[i.person_id]),
        ),
        "workshops_held": lambda: Records(
            title=_("Ateliers de formation de l'année"),
            rows=f.workshops_held_in(year).select_related("workshop").order_by("first_day", "pk"),
            header=[_("Première date"), _("Atelier")],
            cells=lambda s: [s.first_day, s.workshop.title],
            link=lambda s: reverse("support:session_detail", args=[s.pk]),
        ),
        "entrepreneurs_turnover": lambda: _invoices(_("Factures et avoirs des entrepreneurs"), f.turnover_documents(year, "entrepreneurs")),
        "internal_turnover": lambda: _invoices(_("Ventes internes"), f.turnover_documents(year, "internal")),
        "external_services": lambda: _invoices(_("Prestations de la structure d'accompagnement"), f.turnover_documents(year, "external")),
        "wage_bill": lambda: _payroll(_("Paies de l'année"), year, "gross", _("Total brut")),
        "paid_hours": lambda: _payroll(_("Paies de l'année"), year, "paid_hours", _("Total des heures")),
        "social_contributions": lambda: _payroll(_("Paies de l'année"), year, "social", _("Total des cotisations")),
        "associates": lambda: Records(
            title=_("Associé·es au 31/12"),
            rows=f.associates_at(day).select_related("person").order_by("person__last_name", "pk"),
            header=[_("Personne"), _("Catégorie"), _("Depuis le")],
            cells=lambda a: [str(a.person), a.get_category_display(), a.start_date],
            link=lambda a: reverse("people:detail", args=[a.person_id]),
        ),
    }  # fmt: skip
    if key not in builders:
        raise Http404
    return builders[key]()


#: The figures whose records have a list here.
RECORD_KEYS = frozenset(
    {
        "members", "members_by_status", "members_by_age", "members_by_entry_situation",
        "members_by_department", "members_by_sector", "support_staff", "integrated", "exits",
        "intake_interviews", "workshops_held", "entrepreneurs_turnover", "internal_turnover",
        "external_services", "wage_bill", "paid_hours", "social_contributions", "associates",
    }
)  # fmt: skip


def _rows(records: Records, rows: Iterable[Any]) -> Iterable[list[Any]]:
    for row in rows:
        yield records.cells(row)


@role_required(*COOPERATIVE_WIDE_ROLES)
def figure_records_page(request: HttpRequest, year: int, key: str) -> HttpResponse:
    """The list behind one figure of the report, with its count, its total and its export."""
    records = figure_records(key, year)
    if request.GET.get("format") in ("csv", "xlsx"):
        return export_response(
            request,
            target_type=f"reports.figure.{key}",
            name=f"rapport-{year}-{key}",
            header=[str(h) for h in records.header],
            rows=_rows(records, records.rows.iterator()),
        )
    page = Paginator(records.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/records.html",
        {
            "year": year,
            "key": key,
            "records": records,
            "count": page.paginator.count,
            "total": display(records.total(records.rows), records.unit) if records.total else None,
            "page": page,
            "lines": [(records.link(r) if records.link else "", records.cells(r)) for r in page],
            "query": "",
        },
    )
