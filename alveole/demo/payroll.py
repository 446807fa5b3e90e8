"""The demo's payroll, grants, contribution rules and purchases, through the services.

Monthly pay for every CESA entrepreneur and every staff member on a contract that month,
calibrated on the seed's last full year (≈ 1.7 M€ gross for ≈ 108 000 paid hours, an
entrepreneur's average gross ≈ 1 250 € a month); the grants by funder (≈ 133 k€ a year);
the contribution rules decided by the assemblies.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q

from alveole.businesses.models import Business, Membership
from alveole.coop.models import Grant
from alveole.core.dates import add_months
from alveole.demo.calendar import assembly_dates
from alveole.ledger.grants import grant_record
from alveole.payroll.models import ContributionRule
from alveole.payroll.services import contribution_rule_create, payroll_record_create
from alveole.people.models import Contract, ContractChange

if TYPE_CHECKING:
    from alveole.demo.generator import DemoContext

D = datetime.date

ENTREPRENEUR_AVERAGE_GROSS = 1250  # euros a month, last full year
TARGET_HOURS = 108_000  # paid hours of the last full year (≈ 59 FTE), at scale 1
FULL_TIME = Decimal("151.67")
STAFF_GROSS = {"director": 3300}
STAFF_DEFAULT_GROSS = 2450
EMPLOYEE_RATE = Decimal("0.22")
EMPLOYER_RATE = Decimal("0.42")

#: Yearly grants at scale 1 for the last full year: (kind, funder, programme, euros).
GRANTS = (
    (Grant.FunderKind.FSE, "Fonds social européen (FSE+)", "Accompagnement des créateurs", 52_000),
    (Grant.FunderKind.REGION, "Région Occitanie", "Pass Création — parcours CAE", 41_000),
    (Grant.FunderKind.DEPARTMENT, "Département du Gers", "Insertion des allocataires du RSA",
     21_000),
    (Grant.FunderKind.DEPARTMENT, "Département des Hautes-Pyrénées", "Appui à la création",
     11_000),
    (Grant.FunderKind.OTHER, "Communauté d'agglomération Grand Auch Cœur de Gascogne",
     "Soutien à l'économie sociale et solidaire", 8_000),
)  # fmt: skip


def _months(start: D, end: D) -> list[D]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def step_payroll(ctx: DemoContext) -> None:
    """Monthly pay of the CESA entrepreneurs and of the support team."""
    rng = ctx.random("payroll")
    actor = ctx.users.get("accountant") or ctx.users.get("director")
    first = D(ctx.plan.first_year, 1, 1)
    last_month = add_months(ctx.today.replace(day=1), -1)  # months already paid
    contracts = list(
        Contract.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=first),
            kind__in=[Contract.Kind.CESA, Contract.Kind.STAFF],
            start_date__lte=last_month,
        )
        .select_related("person")
        .order_by("start_date", "pk")
    )
    changes: dict[int, list[tuple[D, Decimal]]] = {}
    for change in ContractChange.objects.filter(new_monthly_hours__isnull=False).order_by("date"):
        changes.setdefault(change.contract_id, []).append((change.date, change.new_monthly_hours))
    memberships: dict[int, list[Membership]] = {}
    for membership in Membership.objects.select_related("business").order_by("start_date", "pk"):
        memberships.setdefault(membership.person_id, []).append(membership)

    # (contract, month, hours, rate) planned first, then calibrated on the last full year.
    planned: list[tuple[Contract, D, Decimal, float]] = []
    rates: dict[int, float] = {}
    for contract in contracts:
        start = max(contract.start_date, first)
        end = min(contract.end_date or last_month, last_month)
        staff = contract.kind == Contract.Kind.STAFF
        rates[contract.pk] = rng.uniform(0.6, 1.5)
        for month in _months(start, end):
            if staff:
                hours = FULL_TIME
            else:
                hours = contract.monthly_hours
                initial = [h for d, h in changes.get(contract.pk, []) if d <= month]
                if changes.get(contract.pk):
                    # the hours before the first amendment are the contract's first ones
                    history = changes[contract.pk]
                    hours = initial[-1] if initial else _initial_hours(contract, history)
            planned.append((contract, month, Decimal(hours), rates[contract.pk]))
    year = ctx.plan.last_full_year
    entrepreneurs = [p for p in planned if p[0].kind == Contract.Kind.CESA and p[1].year == year]
    staff_hours = sum(
        h for c, m, h, _ in planned if c.kind == Contract.Kind.STAFF and m.year == year
    )
    contract_hours = sum(h for _, _, h, _ in entrepreneurs) or Decimal(1)
    # Paid hours go beyond the contract's when the activity pays for them (complementary
    # hours), up to a full time; the factor brings the year's hours to the seed's.
    target = Decimal(TARGET_HOURS * ctx.scale) - staff_hours
    hours_factor = max(Decimal(1), target / contract_hours)
    weighted = (
        sum(float(min(h * hours_factor, FULL_TIME)) * r for _, _, h, r in entrepreneurs) or 1.0
    )
    euros_per_hour = ENTREPRENEUR_AVERAGE_GROSS * len(entrepreneurs) / weighted
    staff_gross = {
        p.key: STAFF_GROSS.get(p.staff_key or "", STAFF_DEFAULT_GROSS)
        for p in ctx.plan.people
        if p.staff_key
    }
    by_person = {ctx.people[p.key].pk: p.key for p in ctx.plan.people if p.key in ctx.people}
    for contract, month, hours, rate in ctx.bar(planned, "Paies"):
        person = contract.person
        if contract.kind == Contract.Kind.STAFF:
            gross = Decimal(staff_gross.get(by_person.get(person.pk), STAFF_DEFAULT_GROSS))
            paid = hours
            business = ctx.support_structure
        else:
            paid = min(hours * hours_factor, FULL_TIME).quantize(Decimal("0.01"))
            gross = Decimal(float(paid) * rate * euros_per_hour)
            business = _business_of(memberships.get(person.pk, []), month)
        gross = max(gross, Decimal("11.88") * paid)  # never under the minimum wage
        gross_cents = int(gross * 100)
        employee = int(gross_cents * EMPLOYEE_RATE)
        employer = int(gross_cents * EMPLOYER_RATE)
        low_wage = gross < Decimal("1.6") * Decimal("11.88") * paid
        payroll_record_create(
            actor=actor,
            person=person,
            month=month,
            gross_cents=gross_cents,
            employee_contributions_cents=employee,
            employer_contributions_cents=employer,
            reduction_cents=int(employer * Decimal("0.45")) if low_wage else 0,
            net_cents=gross_cents - employee,
            paid_hours=paid,
            charges=[(business, None)] if business is not None else None,
        )


def _initial_hours(contract: Contract, history: list[tuple[D, Decimal]]) -> Decimal:
    """The hours a contract started with, before its amendments (the plan's first step)."""
    from alveole.demo.data import CESA_HOUR_STEPS

    first = history[0][1]
    steps = [Decimal(h) for h in CESA_HOUR_STEPS]
    below = [h for h in steps if h < first]
    return below[-1] if below else first


def _business_of(memberships: list[Membership], month: D) -> Business | None:
    end = add_months(month, 1) - datetime.timedelta(days=1)
    running = [
        m
        for m in memberships
        if m.start_date <= end and (m.end_date is None or m.end_date >= month)
    ]
    chosen = running or memberships
    if not chosen:
        return None
    main = [m for m in chosen if m.is_main]
    return (main or chosen)[0].business


def step_grants(ctx: DemoContext) -> None:
    """The yearly grants by funder, and the contribution rules decided by the assemblies."""
    rng = ctx.random("grants")
    actor = ctx.users.get("director")
    for year in range(ctx.plan.first_year, ctx.today.year + 1):
        growth = 1 + 0.03 * (year - ctx.plan.last_full_year)
        for kind, funder, programme, euros in GRANTS:
            decision = D(year, rng.randint(2, 5), rng.randint(1, 28))
            if decision > ctx.today:
                continue
            received = decision + datetime.timedelta(days=rng.randint(30, 120))
            amount = round(euros * growth * ctx.scale * rng.uniform(0.97, 1.03)) * 100
            grant_record(
                actor=actor,
                funder_kind=kind,
                funder_name=funder,
                programme=programme,
                amount_cents=amount,
                start_year=year,
                end_year=year,
                decision_date=decision,
                received_date=received if received <= ctx.today else None,
            )
    # The later rule first: a default may be backdated only before any default known.
    june = assembly_dates(ctx.plan.last_full_year)[0]
    contribution_rule_create(
        actor=actor,
        base=ContributionRule.Base.GROSS_MARGIN,
        rate=Decimal(12),
        effective_from=D(ctx.today.year, 1, 1),
        decision_reference=f"AG du {june:%d/%m/%Y}, résolution n° 6",
        decision_date=june,
        notes="Passage de la contribution coopérative sur la marge brute.",
    )
    first_assembly = assembly_dates(ctx.plan.first_year - 1)[0]
    contribution_rule_create(
        actor=actor,
        base=ContributionRule.Base.TURNOVER_INVOICED,
        rate=Decimal(10),
        effective_from=D(ctx.plan.first_year, 1, 1),
        decision_reference=f"AG du {first_assembly:%d/%m/%Y}, résolution n° 4",
        decision_date=first_assembly,
    )


def step_purchases(ctx: DemoContext) -> None:
    """Suppliers, supplier invoices and expense reports (when the purchases app offers them)."""
    try:
        from alveole.purchases.demo import populate_demo
    except ImportError:  # not written yet: nothing to add
        return
    # The businesses that buy in the last twelve months: the purchases demo covers a year.
    since = ctx.today - datetime.timedelta(days=365)
    running = [b for b in ctx.businesses.values() if b.end_date is None or b.end_date >= since]
    businesses = [ctx.support_structure, *running]
    populate_demo(
        ctx.random("purchases"),
        ctx.today,
        [b for b in businesses if b is not None],
        ctx.users.get("accountant") or ctx.users.get("director"),
    )
