"""Funder statistics: staff count people or businesses by the criteria funders ask for
(status at a date, age bracket, situation at entry, department, sector, programme, exit
outcome), see the list and export it."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business, Membership
from alveole.coop.models import Sector
from alveole.core.dates import today
from alveole.core.permissions import role_required
from alveole.core.roles import SENSITIVE_DATA_ROLES
from alveole.core.tabular import export_response
from alveole.people.models import EntrySituation, Exit, Person, PersonKind, Status
from alveole.reports.figures import AGE_BRACKETS, AGE_LABELS
from alveole.support.models import Programme

PEOPLE, BUSINESSES = "people", "businesses"
PAGE_SIZE = 50


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_bracket_at(day: datetime.date) -> Case:
    """The age bracket at `day` (exact age): 30 or less, 31-40, 41-50, 51-60, 61 and more.

    Someone is 30 or less on `day` when born after the same date 31 years earlier; on a
    31 December this is the report's bracket (age reached in the year)."""

    def older_than(age: int) -> Q:  # age > `age` on `day`
        return Q(birth_date__lte=_years_before(day, age + 1))

    return Case(
        When(birth_date__isnull=True, then=Value("unknown")),
        When(older_than(60), then=Value("61_or_more")),
        When(older_than(50), then=Value("51_60")),
        When(older_than(40), then=Value("41_50")),
        When(older_than(30), then=Value("31_40")),
        default=Value("30_or_less"),
        output_field=CharField(),
    )


def main_business_matches(condition: Q) -> Exists:
    """Whether a person is the main entrepreneur of an entrepreneur business matching `condition`."""
    return Exists(
        Membership.objects.filter(
            condition,
            person=OuterRef("pk"),
            is_main=True,
            business__kind=Business.Kind.ENTREPRENEUR,
        )
    )


class FunderFilter(django_filters.FilterSet):
    """The criteria; every one is optional and they add up (AND); the choices of one criterion
    add up as OR."""

    population = django_filters.ChoiceFilter(
        label=_("Compter"),
        choices=[(PEOPLE, _("des personnes")), (BUSINESSES, _("des activités"))],
        method="keep",
        empty_label=None,
    )
    at = django_filters.DateFilter(
        label=_("Situation au"), method="keep", widget=forms.DateInput(attrs={"type": "date"})
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Statut à cette date"), choices=Status.choices, field_name="status"
    )
    age = django_filters.MultipleChoiceFilter(
        label=_("Tranche d'âge à cette date"),
        choices=[(b, AGE_LABELS[b]) for b in (*AGE_BRACKETS, "unknown")],
        field_name="age_bracket",
    )
    entry_situation = django_filters.MultipleChoiceFilter(
        label=_("Situation à l'entrée"), choices=EntrySituation.choices
    )
    department = django_filters.CharFilter(
        label=_("Départements (ex. 32, 65)"), method="filter_department"
    )
    sector = django_filters.ModelMultipleChoiceFilter(
        label=_("Secteur de l'activité principale"),
        queryset=Sector.objects.order_by("position", "name"),
        method="filter_sector",
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Programme.objects.all(), field_name="programmes"
    )
    exit_outcome = django_filters.MultipleChoiceFilter(
        label=_("Devenir à la sortie"), choices=Exit.Outcome.choices, field_name="exit__outcome"
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def keep(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset  # read by the view, not a filter of the rows

    def filter_department(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        codes = [c.strip().upper() for c in value.replace(";", ",").split(",") if c.strip()]
        return queryset.filter(department__in=codes) if codes else queryset

    def filter_sector(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(main_business_matches(Q(business__sector__in=value)))


def funder_people(*, data: Any, user: Any) -> tuple[FunderFilter, QuerySet[Person]]:
    """The criteria form and the people matching it, with their status and age at the date."""
    data = data.copy()  # a QueryDict (the page's GET) or a dict
    if not data.get("population"):
        data["population"] = PEOPLE
    day = today()
    probe = FunderFilter(data, queryset=Person.objects.none())
    if probe.is_valid() and probe.form.cleaned_data.get("at"):
        day = probe.form.cleaned_data["at"]
    people = (
        Person.objects.visible_to(user)
        .filter(kind=PersonKind.ENTREPRENEUR)
        .with_status(day)
        .annotate(age_bracket=age_bracket_at(day))
    )
    filterset = FunderFilter(data, queryset=people)
    filterset.day = day  # type: ignore[attr-defined]
    return filterset, filterset.qs.order_by("last_name", "first_name", "pk")


def funder_businesses(people: QuerySet[Person]) -> QuerySet[Business]:
    """Entrepreneur businesses whose main entrepreneur is one of `people`."""
    return (
        Business.objects.filter(kind=Business.Kind.ENTREPRENEUR)
        .filter(
            Exists(
                Membership.objects.filter(
                    business=OuterRef("pk"), is_main=True, person__in=people.values("pk")
                )
            )
        )
        .select_related("sector")
        .order_by("code", "pk")
    )


def _people_rows(people: QuerySet[Person]) -> Any:
    for p in people.select_related("exit"):
        exit_ = getattr(p, "exit", None)
        yield [
            p.pk, p.last_name, p.first_name, Status(p.status).label, AGE_LABELS[p.age_bracket],
            p.get_entry_situation_display(), p.department,
            exit_.date if exit_ else "", exit_.get_outcome_display() if exit_ else "",
        ]  # fmt: skip


def _business_rows(businesses: QuerySet[Business]) -> Any:
    for b in businesses:
        yield [b.pk, b.code, b.name, str(b.sector or ""), b.start_date, b.end_date or ""]


@role_required(*SENSITIVE_DATA_ROLES)
def funder_statistics(request: HttpRequest) -> HttpResponse:
    """Count people or businesses with the funders' criteria; list and export them."""
    filterset, people = funder_people(data=request.GET, user=request.user)
    population = filterset.form.cleaned_data.get("population") if filterset.is_valid() else PEOPLE
    population = population or PEOPLE
    rows: QuerySet = people if population == PEOPLE else funder_businesses(people)
    if request.GET.get("format") in ("csv", "xlsx"):
        if population == PEOPLE:
            header = [_("Id"), _("Nom"), _("Prénom"), _("Statut"), _("Tranche d'âge"),
                      _("Situation à l'entrée"), _("Département"), _("Date de sortie"), _("Devenir")]  # fmt: skip
            data = _people_rows(rows)
        else:
            header = [_("Id"), _("Code"), _("Nom"), _("Secteur"), _("Début"), _("Fin")]
            data = _business_rows(rows)
        return export_response(
            request,
            target_type=f"reports.funders.{population}",
            name=f"statistiques-financeurs-{population}",
            header=[str(h) for h in header],
            rows=data,
        )
    count = rows.count()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "reports/funders.html",
        {
            "filter": filterset,
            "population": population,
            "day": filterset.day,  # type: ignore[attr-defined]
            "count": count,
            "page": page,
            "query": query.urlencode(),
            "status_labels": dict(Status.choices),
            "age_labels": AGE_LABELS,
        },
        status=200 if filterset.is_valid() else 400,
    )
