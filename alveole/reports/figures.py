"""Every figure of the yearly activity report (docs REPORT.md), computed by the database.

Each figure is a `Figure`: its REPORT.md key, a French label, a unit, the definition printed
in the appendix, a value (or the reason it is missing, never a 0 standing for "no data")
and the list page that shows the records behind it. Queries are aggregates: their number
does not depend on how many people or invoices the cooperative has.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from alveole.businesses.models import Business, Membership
from alveole.coop.models import GrantAllocation
from alveole.coop.selectors import cooperative_get, grants_for_year
from alveole.core.money import from_cents
from alveole.ledger.models import Line
from alveole.ledger.selectors import contributions_total, vat_remitted
from alveole.payroll.selectors import PayrollYearFigures, payroll_year_figures
from alveole.people.models import (
    Associateship,
    Contract,
    EntrySituation,
    Exit,
    IntakeInterview,
    Person,
    PersonKind,
    Status,
)
from alveole.reports.regions import departments_of
from alveole.sales.models import Customer, Invoice
from alveole.support.models import WorkshopKind, WorkshopSession

COUNT, EUROS, SHARE, HOURS, RATIO = "count", "euros", "share", "hours", "ratio"
PEOPLE, ECONOMY, GOVERNANCE = "people", "economy", "governance"
GROUP_LABELS = {
    PEOPLE: "Une entreprise de personnes",
    ECONOMY: "Une entreprise productive et pérenne",
    GOVERNANCE: "Une gouvernance démocratique",
}
NO_LEDGER = "comptabilité non disponible"
AGE_BRACKETS = ("30_or_less", "31_40", "41_50", "51_60", "61_or_more")
AGE_LABELS = {
    "30_or_less": "30 ans et moins",
    "31_40": "31-40 ans",
    "41_50": "41-50 ans",
    "51_60": "51-60 ans",
    "61_or_more": "61 ans et +",
    "unknown": "Non renseigné",
}
CUSTOMER_KINDS = tuple(Customer.Kind.values)


@dataclass(frozen=True)
class Figure:
    """One figure of the report: what it is, its value or why it is missing, where it comes from."""

    key: str
    label: str
    unit: str
    definition: str
    group: str
    value: Any = None
    missing: str = ""
    url_name: str = ""
    query: dict[str, Any] = field(default_factory=dict)
    history: dict[int, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def is_missing(self) -> bool:
        return self.value is None

    @property
    def drilldown_url(self) -> str:
        if not self.url_name:
            return ""
        url = reverse(self.url_name)
        return f"{url}?{urlencode(self.query)}" if self.query else url


@dataclass(frozen=True)
class Report:
    """The figures of one year, in the order of the seed report."""

    year: int
    figures: dict[str, Figure]

    def group(self, name: str) -> list[Figure]:
        return [f for f in self.figures.values() if f.group == name]


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """A share as a decimal rounded half-up to the hundredth (None when the whole is 0)."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else from_cents(cents)


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _signed_excl_vat() -> Case:
    """The excl.-VAT amount of a document: credit notes subtract."""
    return Case(
        When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("total_excl_vat_cents")),
        default=F("total_excl_vat_cents"),
        output_field=IntegerField(),
    )


def _issued_in(first: datetime.date, last: datetime.date) -> QuerySet[Invoice]:
    return Invoice.objects.issued().filter(issue_date__gte=first, issue_date__lte=last)


def support_documents() -> Q:
    return Q(business__kind=Business.Kind.SUPPORT_STRUCTURE)


def internal_documents() -> Q:
    return Q(buyer_business__isnull=False) | Q(customer__internal_business__isnull=False)


def turnover_documents(year: int, part: str) -> QuerySet[Invoice]:
    """The invoices and credit notes behind a turnover figure of `year`: "entrepreneurs"
    (all businesses but the support structure), "internal" (their part invoiced to another
    business of the cooperative) or "external" (the support structure's own)."""
    documents = _issued_in(*_year_bounds(year))
    if part == "external":
        return documents.filter(support_documents())
    documents = documents.exclude(support_documents())
    return documents.filter(internal_documents()) if part == "internal" else documents


# --- people -----------------------------------------------------------------------------


def _age_bracket(day: datetime.date) -> Case:
    """The age bracket at `day` (31 December): born on or after 1 Jan of Y−30 is 30 or less."""
    year = day.year
    return Case(
        When(birth_date__isnull=True, then=Value("unknown")),
        When(birth_date__gte=datetime.date(year - 30, 1, 1), then=Value("30_or_less")),
        When(birth_date__gte=datetime.date(year - 40, 1, 1), then=Value("31_40")),
        When(birth_date__gte=datetime.date(year - 50, 1, 1), then=Value("41_50")),
        When(birth_date__gte=datetime.date(year - 60, 1, 1), then=Value("51_60")),
        default=Value("61_or_more"),
        output_field=CharField(),
    )


def _situation(show_rsa: bool) -> Case:
    whens = [
        When(entry_situation=EntrySituation.EMPLOYED, then=Value("employed")),
        When(entry_situation=EntrySituation.JOB_SEEKER, then=Value("job_seeker")),
        When(entry_situation="", then=Value("unknown")),
    ]
    if show_rsa:
        whens.append(When(entry_situation=EntrySituation.RSA, then=Value("rsa")))
    return Case(*whens, default=Value("other"), output_field=CharField())


def _main_sector() -> Subquery:
    """The sector of the entrepreneur business a person is the main member of (latest first)."""
    return Subquery(
        Membership.objects.filter(
            person=OuterRef("pk"), is_main=True, business__kind=Business.Kind.ENTREPRENEUR
        )
        .order_by("-start_date", "-pk")
        .values("business__sector__name")[:1]
    )


def _counts(queryset: QuerySet, expression: Any) -> dict[str, int]:
    rows = queryset.annotate(bucket=expression).values("bucket").annotate(n=Count("pk"))
    return {row["bucket"] if row["bucket"] is not None else "unknown": row["n"] for row in rows}


def support_staff_at(day: datetime.date) -> QuerySet[Person]:
    """Support-team members under a running staff contract on `day`."""
    running_staff = Contract.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        Q(planned_end_date__isnull=True) | Q(end_date__isnull=False) | Q(planned_end_date__gte=day),
        person=OuterRef("pk"),
        kind=Contract.Kind.STAFF,
        start_date__lte=day,
    )
    return Person.objects.with_status(day).filter(Exists(running_staff), status=Status.STAFF)


def integrated_in(year: int) -> QuerySet[Person]:
    """People whose first CAPE or CESA started in `year`."""
    first, day = _year_bounds(year)
    return Person.objects.annotate(
        first_contract=Min(
            "contracts__start_date",
            filter=Q(contracts__kind__in=[Contract.Kind.CAPE, Contract.Kind.CESA]),
        )
    ).filter(first_contract__gte=first, first_contract__lte=day)


def workshops_held_in(year: int) -> QuerySet[WorkshopSession]:
    """Training sessions (not cancelled) whose first half-day falls in `year`."""
    first, day = _year_bounds(year)
    return (
        WorkshopSession.objects.filter(workshop__kind=WorkshopKind.TRAINING)
        .exclude(status=WorkshopSession.Status.CANCELLED)
        .annotate(first_day=Min("slots__date"))
        .filter(first_day__gte=first, first_day__lte=day)
    )


def intake_interviews_in(year: int) -> QuerySet[IntakeInterview]:
    first, day = _year_bounds(year)
    return IntakeInterview.objects.filter(date__gte=first, date__lte=day)


def exits_in(year: int) -> QuerySet[Exit]:
    first, day = _year_bounds(year)
    return Exit.objects.filter(date__gte=first, date__lte=day)


def associates_at(day: datetime.date) -> QuerySet[Associateship]:
    return Associateship.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=day), start_date__lte=day
    )


def _people_figures(year: int, show_rsa: bool) -> list[Figure]:
    first, day = _year_bounds(year)
    at = day.isoformat()
    members = Person.objects.members_at(day)
    totals = members.aggregate(
        n=Count("pk"),
        other_income=Count("pk", filter=Q(has_other_income=True)),
        cape=Count("pk", filter=Q(status=Status.CAPE)),
        salaried=Count("pk", filter=Q(status=Status.SALARIED)),
        associate=Count("pk", filter=Q(status=Status.ASSOCIATE)),
    )
    n = totals["n"]
    ages = _counts(members, _age_bracket(day))
    situations = _counts(members, _situation(show_rsa))
    departments = _counts(members, F("department"))
    sectors = _counts(members, _main_sector())
    top = [d for d, _n in sorted(departments.items(), key=lambda kv: (-kv[1], kv[0])) if d][:4]
    by_department = {d: departments[d] for d in top}
    by_department["other"] = n - sum(by_department.values())
    support_staff = support_staff_at(day)
    associateships = associates_at(day).aggregate(
        entrepreneurs=Count(
            "person", distinct=True, filter=Q(category=Associateship.Category.ENTREPRENEUR)
        ),
        support_staff=Count(
            "person", distinct=True, filter=Q(category=Associateship.Category.SUPPORT_STAFF)
        ),
        external=Count("person", distinct=True, filter=Q(category=Associateship.Category.EXTERNAL)),
    )
    movements = Associateship.objects.filter(
        category=Associateship.Category.ENTREPRENEUR
    ).aggregate(
        joined=Count("person", distinct=True, filter=Q(start_date__gte=first, start_date__lte=day)),
        left=Count("person", distinct=True, filter=Q(end_date__gte=first, end_date__lte=day)),
    )
    exits = exits_in(year).aggregate(
        n=Count("pk"), positive=Count("pk", filter=Q(outcome__in=Exit.POSITIVE_OUTCOMES))
    )
    first_contract = integrated_in(year)
    workshops = workshops_held_in(year)
    members_query = {"at": at, "kind": "entrepreneur"}
    associates_total = sum(associateships.values())
    situation_labels = {
        "employed": "Salarié·es", "job_seeker": "Demandeur·ses d'emploi", "rsa": "Bénéficiaires du RSA",
        "other": "Autres statuts", "unknown": "Non renseigné",
    }  # fmt: skip
    return [
        Figure(
            "members",
            "Coopérateurs",
            COUNT,
            "Entrepreneur·es en CAPE ou en CESA en cours au 31/12 de l'année.",
            PEOPLE,
            n,
            url_name="people:list",
            query=members_query,
        ),
        Figure(
            "members_by_status",
            "Coopérateurs par statut",
            COUNT,
            "Les coopérateurs répartis entre CAPE, entrepreneur·es salarié·es (CESA, non associé·es) et associé·es.",
            PEOPLE,
            {
                "cape": totals["cape"],
                "salaried": totals["salaried"],
                "associate": totals["associate"],
            },
            url_name="people:list",
            query=members_query,
            labels={
                "cape": "CAPE",
                "salaried": "Entrepreneur·es salarié·es",
                "associate": "Associé·es",
            },
        ),
        Figure(
            "members_by_age",
            "Coopérateurs par âge",
            COUNT,
            "Les coopérateurs par âge au 31/12 : 30 ans et moins, 31-40, 41-50, 51-60, 61 ans et plus.",
            PEOPLE,
            {b: ages.get(b, 0) for b in AGE_BRACKETS}
            | ({"unknown": ages["unknown"]} if "unknown" in ages else {}),
            url_name="people:list",
            query=members_query,
            labels=AGE_LABELS,
        ),
        Figure(
            "members_by_entry_situation",
            "Coopérateurs par situation à l'entrée",
            COUNT,
            "Les coopérateurs selon leur situation à l'entrée : salarié·e, demandeur·se d'emploi, autre "
            "(les bénéficiaires du RSA sont comptés dans « autre » sauf pour l'équipe d'appui).",
            PEOPLE,
            {
                k: situations.get(k, 0)
                for k in ("employed", "job_seeker", *(("rsa",) if show_rsa else ()), "other")
            }
            | ({"unknown": situations["unknown"]} if "unknown" in situations else {}),
            url_name="people:list",
            query=members_query,
            labels=situation_labels,
        ),
        Figure(
            "members_by_department",
            "Coopérateurs par département",
            COUNT,
            "Les coopérateurs par département de résidence (les quatre premiers, les autres ensemble).",
            PEOPLE,
            by_department,
            url_name="people:list",
            query=members_query,
            labels={"other": "Autres"},
        ),
        Figure(
            "members_by_sector",
            "Coopérateurs par secteur d'activité",
            COUNT,
            "Les coopérateurs selon le secteur de l'activité dont ils sont l'entrepreneur·e principal·e.",
            PEOPLE,
            dict(sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0]))),
            url_name="people:list",
            query=members_query,
            labels={"unknown": "Non renseigné"},
        ),
        Figure(
            "members_with_other_income_rate",
            "Part des coopérateurs ayant un autre revenu",
            SHARE,
            "Part des coopérateurs qui ont déclaré un revenu complémentaire d'activité.",
            PEOPLE,
            share(totals["other_income"], n),
            missing="" if n else _("aucun coopérateur au 31/12"),
            url_name="people:list",
            query=members_query,
        ),
        Figure(
            "support_staff",
            "Membres de l'équipe d'appui",
            COUNT,
            "Membres de l'équipe d'appui sous contrat de travail au 31/12.",
            PEOPLE,
            support_staff.count(),
            url_name="people:list",
            query={"status": Status.STAFF.value, "at": at},
        ),
        Figure(
            "intake_interviews",
            "Reçus en entretien individuel",
            COUNT,
            "Entretiens individuels d'accueil tenus dans l'année.",
            PEOPLE,
            intake_interviews_in(year).count(),
            url_name="support:intake_board",
        ),
        Figure(
            "integrated",
            "Intégrés",
            COUNT,
            "Personnes dont le premier contrat (CAPE ou CESA) avec la coopérative a commencé dans l'année.",
            PEOPLE,
            first_contract.count(),
            url_name="people:list",
            query={"at": at},
        ),
        Figure(
            "workshops_held",
            "Ateliers de formation réalisés",
            COUNT,
            "Sessions d'ateliers de formation tenues dans l'année (rencontres de co-développement et "
            "événements exclus).",
            PEOPLE,
            workshops.count(),
            url_name="support:session_list",
            query={"kind": WorkshopKind.TRAINING.value, "start": first.isoformat(), "end": at},
        ),
        Figure(
            "exits",
            "Sorties",
            COUNT,
            "Sorties de la coopérative dans l'année.",
            PEOPLE,
            exits["n"],
            url_name="people:list",
            query={"status": Status.EXITED.value, "at": at},
        ),
        Figure(
            "positive_exit_rate",
            "Sorties positives",
            SHARE,
            "Part des sorties de l'année vers une création d'entreprise ou un emploi salarié.",
            PEOPLE,
            share(exits["positive"], exits["n"]),
            missing="" if exits["n"] else _("aucune sortie dans l'année"),
            url_name="people:list",
            query={"status": Status.EXITED.value, "at": at},
        ),
        Figure(
            "associates",
            "Associé·es",
            COUNT,
            "Associé·es au 31/12 : entrepreneur·es, membres de l'équipe, associé·es extérieur·es.",
            GOVERNANCE,
            {"total": associates_total, **associateships},
            url_name="people:list",
            query={"status": Status.ASSOCIATE.value, "at": at},
            labels={
                "total": "Total",
                "entrepreneurs": "Associé·es entrepreneur·es",
                "support_staff": "Membres de l'équipe",
                "external": "Associé·es extérieur·es",
            },
        ),
        Figure(
            "associates_joined",
            "Nouveaux associé·es entrepreneur·es",
            COUNT,
            "Entrepreneur·es devenu·es associé·es dans l'année.",
            GOVERNANCE,
            movements["joined"],
            url_name="people:list",
            query={"status": Status.ASSOCIATE.value, "at": at},
        ),
        Figure(
            "associates_left",
            "Associé·es entrepreneur·es sorti·es",
            COUNT,
            "Entrepreneur·es ayant cessé d'être associé·es dans l'année.",
            GOVERNANCE,
            movements["left"],
            url_name="people:list",
            query={"status": Status.ASSOCIATE.value, "at": first.isoformat()},
        ),
    ]


# --- economy ----------------------------------------------------------------------------


def _associates_documents(documents: QuerySet[Invoice]) -> QuerySet[Invoice, Any]:
    """The ids of the documents whose business's main entrepreneur was an associate on the
    issue date: `status_expression` gives ASSOCIATE exactly when the person has no exit on or
    before that date, is of the entrepreneur kind, and has a running CESA and a running
    associateship on it (its other branches come first only for exited, staff and external
    people).

    Written as joins (membership → person → contract, associateship; exit, one per person)
    rather than a status subquery per document: the database computes this set once (a
    hashed subplan / a temporary index) for the `pk IN (…)` filter, instead of four
    correlated subqueries for each of the year's documents."""
    day = F("issue_date")
    main = "business__memberships__"
    person = f"{main}person__"
    return documents.filter(
        Q(**{f"{person}exit__isnull": True}) | Q(**{f"{person}exit__date__gt": day}),
        Q(**{f"{person}contracts__end_date__gte": day})
        | (
            Q(**{f"{person}contracts__end_date__isnull": True})
            & (
                Q(**{f"{person}contracts__planned_end_date__isnull": True})
                | Q(**{f"{person}contracts__planned_end_date__gte": day})
            )
        ),
        Q(**{f"{person}associateships__end_date__isnull": True})
        | Q(**{f"{person}associateships__end_date__gt": day}),
        **{
            f"{main}is_main": True,
            f"{person}kind": PersonKind.ENTREPRENEUR,
            f"{person}contracts__kind": Contract.Kind.CESA,
            f"{person}contracts__start_date__lte": day,
            f"{person}associateships__start_date__lte": day,
        },
    ).values("pk")


def _customer_department() -> Case:
    return Case(
        When(~Q(customer__department=""), then=F("customer__department")),
        default=Substr("customer__postal_code", 1, 2),
        output_field=CharField(),
    )


def _turnover_history(years: list[int]) -> dict[int, int | None]:
    """Entrepreneurs' turnover of several years in one query (None for a year without sales)."""
    first, _last = _year_bounds(min(years))
    _first, last = _year_bounds(max(years))
    documents = _issued_in(first, last).exclude(business__kind=Business.Kind.SUPPORT_STRUCTURE)
    amount = _signed_excl_vat()
    aggregates: dict[str, Any] = {}
    for y in years:
        period = Q(issue_date__gte=datetime.date(y, 1, 1), issue_date__lte=datetime.date(y, 12, 31))
        aggregates[f"t{y}"] = Sum(amount, filter=period)
    totals = documents.aggregate(**aggregates)
    return {y: totals[f"t{y}"] for y in years}


def _economy_figures(year: int) -> list[Figure]:
    first, day = _year_bounds(year)
    period = {"date_from": first.isoformat(), "date_to": day.isoformat()}
    documents = _issued_in(first, day)
    amount = _signed_excl_vat()
    support = support_documents()
    internal = internal_documents()
    region = cooperative_get().region
    region_departments = departments_of(region)
    associates = _associates_documents(documents)
    totals = documents.annotate(customer_department=_customer_department()).aggregate(
        documents=Count("pk", filter=~support),
        entrepreneurs=Sum(amount, filter=~support, default=0),
        associates=Sum(amount, filter=~support & Q(pk__in=associates), default=0),
        internal=Sum(amount, filter=~support & internal, default=0),
        regional=Sum(
            amount,
            filter=~support & Q(customer__country="FR", customer_department__in=region_departments),
            default=0,
        ),
        external=Sum(amount, filter=support, default=0),
        support_documents=Count("pk", filter=support),
        **{
            f"kind_{kind}": Sum(
                amount,
                filter=~support & (internal | Q(customer__kind=kind))
                if kind == Customer.Kind.COMPANY
                else ~support & ~internal & Q(customer__kind=kind),
                default=0,
            )
            for kind in CUSTOMER_KINDS
        },
    )
    years = [year - 3, year - 2, year - 1, year]
    entrepreneurs = totals["entrepreneurs"] if totals["documents"] else None
    # The year itself is `entrepreneurs` (the same sum, None without documents): the
    # history query reads the three years before only.
    history = {**_turnover_history(years[:-1]), year: entrepreneurs}
    no_sales = _("aucune facture émise dans l'année")
    grant_rows = grants_for_year(year)
    has_grants = GrantAllocation.objects.filter(year=year).exists()
    grants = sum(row["amount_cents"] for row in grant_rows) if has_grants else None
    has_ledger = Line.objects.filter(date__gte=first, date__lte=day).exists()
    # Both always run, so that the number of queries does not depend on the data.
    contributions_sum, vat_sum = contributions_total(year), vat_remitted(year)
    contributions = contributions_sum if has_ledger else None
    vat = vat_sum if has_ledger else None
    external = totals["external"]
    parts = (grants, contributions, external)
    support_turnover = None if None in parts else sum(p for p in parts if p is not None)
    previous = history[year - 1]
    payroll = {y: payroll_year_figures(y) for y in years}
    this: PayrollYearFigures = payroll[year]
    no_payroll = _("aucune paie enregistrée pour l'année")
    returned = (
        None
        if this.social_contributions_cents is None or vat is None
        else this.social_contributions_cents + vat
    )
    invoices: dict[str, Any] = {"url_name": "sales:invoice_list", "query": period}
    payroll_list: dict[str, Any] = {"url_name": "payroll:list", "query": {"year": year}}
    fte_before = payroll[year - 1].fte
    fte_created = this.fte - fte_before if this.fte is not None and fte_before is not None else None
    status_split = None
    if entrepreneurs is not None:
        status_split = {
            "cape_and_salaried": from_cents(entrepreneurs - totals["associates"]),
            "associate": from_cents(totals["associates"]),
        }
    by_kind = None
    if entrepreneurs:
        by_kind = {kind: share(totals[f"kind_{kind}"], entrepreneurs) for kind in CUSTOMER_KINDS}
    return [
        Figure(
            "entrepreneurs_turnover",
            "CA des entrepreneurs",
            EUROS,
            "Factures moins avoirs émis dans l'année par toutes les activités sauf la structure "
            "d'accompagnement (ventes internes comprises), hors taxes.",
            ECONOMY,
            _euros(entrepreneurs),
            missing="" if entrepreneurs is not None else no_sales,
            history={y: _euros(v) for y, v in history.items()},
            **invoices,
        ),
        Figure(
            "entrepreneurs_turnover_by_status",
            "CA des entrepreneurs par statut",
            EUROS,
            "Le même chiffre réparti selon le statut, à la date de la facture, de l'entrepreneur·e "
            "principal·e de l'activité : CAPE et salarié·es / associé·es.",
            ECONOMY,
            status_split,
            missing="" if status_split else no_sales,
            labels={
                "cape_and_salaried": "Entrepreneur·es salarié·es + CAPE",
                "associate": "Entrepreneur·es salarié·es associé·es",
            },
            **invoices,
        ),
        Figure(
            "internal_turnover",
            "CA facturé en interne",
            EUROS,
            "La part du CA des entrepreneurs facturée à une autre activité de la coopérative.",
            ECONOMY,
            _euros(totals["internal"]) if entrepreneurs is not None else None,
            missing="" if entrepreneurs is not None else no_sales,
            url_name="sales:purchase_list",
            query=period,
        ),
        Figure(
            "grants",
            "Financements publics",
            EUROS,
            "Financements publics reconnus pour l'année (par financeur).",
            ECONOMY,
            _euros(grants),
            missing=""
            if grants is not None
            else _("aucun financement public enregistré pour l'année"),
            url_name="coop:grants",
            query={"year": year},
            labels={row["funder_kind"]: row["label"] for row in grant_rows},
        ),
        Figure(
            "contributions",
            "Contribution coopérative des entrepreneurs",
            EUROS,
            "Contributions dues par les activités pour l'année.",
            ECONOMY,
            _euros(contributions),
            missing="" if has_ledger else NO_LEDGER,
            url_name="ledger:entries",
            query=period,
        ),
        Figure(
            "external_services",
            "Prestations externes",
            EUROS,
            "Factures moins avoirs émis dans l'année par la structure d'accompagnement elle-même.",
            ECONOMY,
            _euros(external),
            **invoices,
        ),
        Figure(
            "support_structure_turnover",
            "CA de la structure d'accompagnement",
            EUROS,
            "Financements publics + contributions des entrepreneurs + prestations externes.",
            ECONOMY,
            _euros(support_turnover),
            missing="" if support_turnover is not None else _("une de ses composantes manque"),
        ),
        Figure(
            "support_structure_shares",
            "Budget de la structure d'accompagnement",
            SHARE,
            "Part de chacune des trois ressources dans le CA de la structure d'accompagnement.",
            ECONOMY,
            {
                "grants": share(grants or 0, support_turnover),
                "contributions": share(contributions or 0, support_turnover),
                "external_services": share(external, support_turnover),
            }
            if support_turnover
            else None,
            missing=""
            if support_turnover
            else _("CA de la structure d'accompagnement indisponible"),
            labels={
                "grants": "Financements publics",
                "contributions": "Contribution coopérative des ES",
                "external_services": "Prestations externes",
            },
        ),
        Figure(
            "cooperative_turnover",
            "CA de la coopérative",
            EUROS,
            "CA des entrepreneurs + CA de la structure d'accompagnement.",
            ECONOMY,
            _euros(entrepreneurs + support_turnover)
            if entrepreneurs is not None and support_turnover is not None
            else None,
            missing=""
            if entrepreneurs is not None and support_turnover is not None
            else _("une de ses composantes manque"),
        ),
        Figure(
            "turnover_growth",
            "Évolution du CA des entrepreneurs",
            RATIO,
            "CA des entrepreneurs de l'année rapporté à celui de l'année précédente, moins 1.",
            ECONOMY,
            share(entrepreneurs - previous, previous)
            if entrepreneurs is not None and previous
            else None,
            missing=""
            if entrepreneurs is not None and previous
            else _("pas de CA l'année précédente"),
            history={y: _euros(v) for y, v in history.items()},
            **invoices,
        ),
        Figure(
            "turnover_by_customer_kind",
            "CA des entrepreneurs par type de client",
            SHARE,
            "Le CA des entrepreneurs selon le type de client : entreprise, particulier, organisme "
            "public, association (les clients internes comptent comme entreprises).",
            ECONOMY,
            by_kind,
            missing="" if by_kind else no_sales,
            labels={k: str(v) for k, v in Customer.Kind.choices},
            **invoices,
        ),
        Figure(
            "regional_turnover_share",
            f"Part du CA réalisée en {region}",
            SHARE,
            "Part du CA des entrepreneurs facturée à des clients dont l'adresse est dans la région "
            "de la coopérative.",
            ECONOMY,
            share(totals["regional"], entrepreneurs) if entrepreneurs else None,
            missing="" if entrepreneurs else no_sales,
            **invoices,
        ),
        Figure(
            "wage_bill",
            "Masse salariale",
            EUROS,
            "Salaires bruts de toutes les paies de l'année.",
            ECONOMY,
            _euros(this.wage_bill_cents),
            missing="" if this.records else no_payroll,
            history={y: _euros(p.wage_bill_cents) for y, p in payroll.items()},
            **payroll_list,
        ),
        Figure(
            "paid_hours",
            "Heures rémunérées",
            HOURS,
            "Heures payées de toutes les paies de l'année.",
            ECONOMY,
            this.paid_hours,
            missing="" if this.records else no_payroll,
            **payroll_list,
        ),
        Figure(
            "fte",
            "Équivalents temps plein",
            RATIO,
            "Heures rémunérées divisées par les heures payées d'un temps plein (1 820 par défaut).",
            ECONOMY,
            this.fte,
            missing="" if this.fte is not None else no_payroll,
            history={y: p.fte for y, p in payroll.items()},
            **payroll_list,
        ),
        Figure(
            "fte_created",
            "ETP créés",
            RATIO,
            "ETP de l'année moins ETP de l'année précédente.",
            ECONOMY,
            fte_created,
            missing=""
            if fte_created is not None
            else _("paie de l'année ou de l'année précédente absente"),
            **payroll_list,
        ),
        Figure(
            "average_gross_monthly_salary",
            "Salaire moyen brut mensuel par entrepreneur·e",
            EUROS,
            "Salaires bruts des paies des entrepreneur·es de l'année divisés par le nombre de leurs "
            "mois payés (salaire brut > 0) ; avec les trois années précédentes.",
            ECONOMY,
            _euros(this.average_gross_monthly_salary_cents),
            missing="" if this.average_gross_monthly_salary_cents is not None else no_payroll,
            history={y: _euros(p.average_gross_monthly_salary_cents) for y, p in payroll.items()},
            **payroll_list,
        ),
        Figure(
            "social_contributions",
            "Cotisations sociales",
            EUROS,
            "Cotisations salariales et patronales de toutes les paies de l'année.",
            ECONOMY,
            _euros(this.social_contributions_cents),
            missing="" if this.records else no_payroll,
            **payroll_list,
        ),
        Figure(
            "vat_remitted",
            "TVA reversée",
            EUROS,
            "TVA collectée moins TVA déductible de l'année.",
            ECONOMY,
            _euros(vat),
            missing="" if has_ledger else NO_LEDGER,
            url_name="ledger:entries",
            query=period,
        ),
        Figure(
            "returned_to_community",
            "Restitué à la collectivité",
            EUROS,
            "Cotisations sociales + TVA reversée.",
            ECONOMY,
            _euros(returned),
            missing="" if returned is not None else (NO_LEDGER if not has_ledger else no_payroll),
        ),
        Figure(
            "return_per_public_euro",
            "Retour pour 1 € d'argent public",
            RATIO,
            "Montant restitué à la collectivité divisé par les financements publics.",
            ECONOMY,
            (Decimal(returned) / Decimal(grants)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if returned is not None and grants
            else None,
            missing=""
            if returned is not None and grants
            else _("restitution ou financements publics indisponibles"),
        ),
    ]


def report_compute(*, year: int, show_rsa: bool = False) -> Report:
    """Every figure of the report for `year`; `show_rsa` for viewers who may see RSA (staff)."""
    figures = [*_people_figures(year, show_rsa), *_economy_figures(year)]
    fixed = []
    for figure in figures:
        if figure.value is None and not figure.missing:
            figure = Figure(**{**figure.__dict__, "missing": _("donnée indisponible")})
        if figure.value is not None and figure.missing:
            figure = Figure(**{**figure.__dict__, "missing": ""})
        fixed.append(figure)
    order = {g: i for i, g in enumerate(GROUP_LABELS)}
    fixed.sort(key=lambda f: order[f.group])
    return Report(year=year, figures={f.key: f for f in fixed})
