"""A business's treasury, computed from its ledger lines by the database.

The available balance is, by construction, a signed sum of the business's lines (opening
entries aside, since the lines they carry forward are already counted):

    available = bank (512) − VAT collected (44571) + VAT deductible (44566)
                − salaries charged (641, 645) − contribution (1811) + internal sales (1812)

The bank is shown split into what customers paid (411 in the bank journal), suppliers and
expense reports paid (401, 4671 in the bank journal) and the other bank movements (the
rest). The projected balance adds what is still to be received and paid: customer
invoices (411) less the VAT that will fall due with them (44574), bills and expense reports
to pay (401, 4671), VAT that becomes deductible on payment (44564), grants to receive (441).
When every entry of a business balances for that business (all but the payroll and the
contribution, whose other side is the cooperative's), the projected balance equals the
business's analytic result (classes 7 − 6) minus its contributions.

A closing keeps each business's sums up to its date (`ClosingBalance`); since nothing can be
posted into a closed period, they are exactly those of its lines, and a treasury reads them
plus the lines after the last closing only.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

from django.db.models import BigIntegerField, Case, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business
from alveole.core.dates import add_months
from alveole.ledger import chart
from alveole.ledger.models import TREASURY_SUM_KEYS, ClosingBalance, Line, PeriodClosing


@dataclass(frozen=True)
class Component:
    """One figure of the treasury: the lines behind it, how it counts, what it means."""

    key: str
    label: Any
    explanation: Any
    lines: Q
    #: +1 when the figure is debit − credit, −1 when it is credit − debit.
    direction: int
    #: +1 when it adds to the balance, −1 when it is taken off.
    sign: int
    projected_only: bool = False


def _account(*prefixes: str) -> Q:
    query = Q()
    for prefix in prefixes:
        query |= Q(account__number__startswith=prefix)
    return query


_BANK_JOURNAL = Q(journal_id=chart.BANK_JOURNAL)

COMPONENTS: tuple[Component, ...] = (
    Component(
        "received",
        _("Encaissements clients"),
        _("Ce que vos clients ont payé sur le compte bancaire de la coopérative, TVA comprise."),
        _account(chart.CUSTOMERS) & _BANK_JOURNAL,
        -1,
        +1,
    ),
    Component(
        "vat_collected",
        _("TVA collectée"),
        _(
            "La TVA facturée à vos clients et devenue exigible — à l'encaissement pour les "
            "prestations de services (sauf option pour les débits), dès la facture pour les "
            "ventes de biens. La coopérative la reverse à l'État : elle ne vous appartient pas."
        ),
        _account(chart.VAT_COLLECTED),
        -1,
        -1,
    ),
    Component(
        "vat_deductible",
        _("TVA déductible"),
        _(
            "La TVA payée sur vos achats et vos frais, que la coopérative déduit de ce qu'elle "
            "doit à l'État : elle vous revient."
        ),
        _account(chart.VAT_DEDUCTIBLE),
        +1,
        +1,
    ),
    Component(
        "purchases_paid",
        _("Factures fournisseurs payées"),
        _("Les factures de vos fournisseurs réglées par la coopérative, TVA comprise."),
        _account(chart.SUPPLIERS) & _BANK_JOURNAL,
        +1,
        -1,
    ),
    Component(
        "expenses_paid",
        _("Notes de dépenses remboursées"),
        _("Les dépenses que vous avez avancées et que la coopérative vous a remboursées."),
        _account(chart.EXPENSE_REPORTS_DUE[:3]) & _BANK_JOURNAL,
        +1,
        -1,
    ),
    Component(
        "salaries",
        _("Salaires et cotisations"),
        _(
            "Le coût employeur de vos salaires, mois par mois : brut + cotisations patronales "
            "− réduction générale."
        ),
        _account(chart.GROSS_WAGES, chart.EMPLOYER_CONTRIBUTIONS),
        +1,
        -1,
    ),
    Component(
        "contribution",
        _("Contribution coopérative"),
        _(
            "La contribution due chaque mois selon la règle votée en assemblée générale ; "
            "elle finance l'accompagnement et les services mutualisés de la coopérative."
        ),
        _account(chart.LIAISON_CONTRIBUTIONS),
        +1,
        -1,
    ),
    Component(
        "internal",
        _("Ventes et achats internes"),
        _(
            "Vos ventes à d'autres activités de la coopérative, moins vos achats auprès "
            "d'elles (réglés par compensation interne, sans TVA)."
        ),
        _account(chart.LIAISON_INTERNAL),
        +1,
        +1,
    ),
    Component(
        "other_bank",
        _("Autres mouvements bancaires"),
        _(
            "Les autres entrées et sorties d'argent de votre activité sur le compte bancaire "
            "(subventions reçues, remboursements, frais bancaires…)."
        ),
        _account(chart.BANK),
        +1,
        +1,
    ),
    Component(
        "receivable",
        _("Factures clients à encaisser"),
        _("Les factures émises que vos clients n'ont pas encore payées, TVA comprise."),
        _account(chart.CUSTOMERS),
        +1,
        +1,
        projected_only=True,
    ),
    Component(
        "pending_vat",
        _("TVA à reverser sur ces factures"),
        _(
            "La TVA comprise dans ces factures impayées, qui deviendra exigible quand elles "
            "seront payées."
        ),
        _account(chart.VAT_COLLECTED_PENDING),
        -1,
        -1,
        projected_only=True,
    ),
    Component(
        "payable",
        _("Factures fournisseurs à payer"),
        _("Les factures fournisseurs validées et pas encore payées, TVA comprise."),
        _account(chart.SUPPLIERS),
        -1,
        -1,
        projected_only=True,
    ),
    Component(
        "expenses_due",
        _("Notes de dépenses à rembourser"),
        _("Les notes de dépenses validées et pas encore remboursées."),
        _account(chart.EXPENSE_REPORTS_DUE[:3]),
        -1,
        -1,
        projected_only=True,
    ),
    Component(
        "pending_deductible",
        _("TVA déductible au paiement"),
        _("La TVA de factures fournisseurs qui deviendra déductible quand elles seront payées."),
        _account(chart.VAT_DEDUCTIBLE_PENDING),
        +1,
        +1,
        projected_only=True,
    ),
    Component(
        "grants_receivable",
        _("Subventions à recevoir"),
        _("Les subventions attribuées que le financeur n'a pas encore versées."),
        _account(chart.GRANTS_RECEIVABLE),
        +1,
        +1,
        projected_only=True,
    ),
)

COMPONENTS_BY_KEY = {component.key: component for component in COMPONENTS}

#: The bank movements explained by the figures above; "other" is the rest of the bank.
_BANK_EXPLAINED = ("received", "purchases_paid", "expenses_paid")

#: The accounts the available balance sums, with their sign on debit − credit.
AVAILABLE_SIGNS: tuple[tuple[str, int], ...] = (
    (chart.BANK, +1),
    (chart.VAT_COLLECTED, +1),
    (chart.VAT_DEDUCTIBLE, +1),
    (chart.GROSS_WAGES, -1),
    (chart.EMPLOYER_CONTRIBUTIONS, -1),
    (chart.LIAISON_CONTRIBUTIONS, -1),
    (chart.LIAISON_INTERNAL, +1),
)

_ZERO = Value(0, output_field=BigIntegerField())


def _sum(condition: Q, sign: int = 1) -> Coalesce:
    amount = F("debit_cents") - F("credit_cents")
    return Coalesce(
        Sum(
            Case(
                When(condition, then=amount if sign > 0 else -amount),
                default=_ZERO,
                output_field=BigIntegerField(),
            )
        ),
        _ZERO,
    )


def component_sums(extra: Q | None = None) -> dict[str, Coalesce]:
    """The aggregate expressions of every figure (debit − credit, before direction)."""
    condition = extra or Q()
    sums = {
        component.key: _sum(component.lines & condition)
        for component in COMPONENTS
        if component.key != "other_bank"
    }
    sums["bank"] = _sum(_account(chart.BANK) & condition)
    return sums


def available_sum(condition: Q) -> Coalesce:
    """The available balance as one aggregate expression (see the module's docstring)."""
    amount = F("debit_cents") - F("credit_cents")
    whens = [
        When(condition & _account(prefix), then=amount if sign > 0 else -amount)
        for prefix, sign in AVAILABLE_SIGNS
    ]
    return Coalesce(Sum(Case(*whens, default=_ZERO, output_field=BigIntegerField())), _ZERO)


def _matches(condition: Q, account: str, journal: str) -> bool:
    """Whether a line of `account` in `journal` meets one of the conditions above (built by
    `_account` and `_BANK_JOURNAL`): the same definitions, applied to grouped sums."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_matches(child, account, journal))
            continue
        lookup, value = cast(tuple[str, str], child)
        if lookup == "account__number__startswith":
            results.append(account.startswith(value))
        elif lookup == "journal_id":
            results.append(journal == value)
        else:  # pragma: no cover - a condition this function does not know
            raise ValueError(f"treasury condition {lookup!r} not evaluable in Python")
    result = any(results) if condition.connector == Q.OR else all(results)
    return not result if condition.negated else result


@functools.cache
def _component_signs(account: str, journal: str) -> dict[str, int]:
    """For lines of one account and journal: +1 for each figure of `component_sums` they
    count in (debit − credit), and the sign they have in the available balance (fixed by
    the definitions above, so kept per account and journal; callers only read it)."""
    signs = {
        component.key: 1
        for component in COMPONENTS
        if component.key != "other_bank" and _matches(component.lines, account, journal)
    }
    if account.startswith(chart.BANK):
        signs["bank"] = 1
    # As `available_sum`: the first prefix that matches decides.
    for prefix, sign in AVAILABLE_SIGNS:
        if account.startswith(prefix):
            signs["available"] = sign
            break
    return signs


@functools.cache
def _group_signs(account: str, journal: str) -> tuple[tuple[tuple[str, int], ...], int | None]:
    """`_component_signs` split for a loop: the figures' signs, and the available balance's
    sign (None when the account is not in it)."""
    signs = _component_signs(account, journal)
    figures = tuple((name, sign) for name, sign in signs.items() if name != "available")
    return figures, signs.get("available")


def treasury_lines() -> Any:
    """The lines the treasury reads: analytic lines, opening entries aside."""
    return Line.objects.filter(business__isnull=False).exclude(journal_id=chart.OPENING_JOURNAL)


@dataclass(frozen=True)
class Figure:
    """A figure as shown: its component, its value (as it reads) and its effect on the
    balance (value × sign)."""

    component: Component
    value_cents: int

    @property
    def effect_cents(self) -> int:
        return self.value_cents * self.component.sign

    @property
    def key(self) -> str:
        return self.component.key


@dataclass(frozen=True)
class Treasury:
    """A business's treasury on a day: each figure, the available and projected balances."""

    day: datetime.date
    figures: tuple[Figure, ...]

    def value(self, key: str) -> int:
        return next(f.value_cents for f in self.figures if f.key == key)

    @property
    def available_figures(self) -> tuple[Figure, ...]:
        return tuple(f for f in self.figures if not f.component.projected_only)

    @property
    def projection_figures(self) -> tuple[Figure, ...]:
        return tuple(f for f in self.figures if f.component.projected_only)

    @cached_property
    def available_cents(self) -> int:
        return sum(f.effect_cents for f in self.available_figures)

    @cached_property
    def projected_cents(self) -> int:
        return self.available_cents + sum(f.effect_cents for f in self.projection_figures)


_DIRECTIONS = {component.key: component.direction for component in COMPONENTS}
_AVAILABLE_SIGNS_BY_KEY = tuple(
    (component.key, component.sign) for component in COMPONENTS if not component.projected_only
)


def _figure_values(sums: dict[str, int]) -> dict[str, int]:
    """Each figure's value from the database's debit − credit sums (other bank = the rest)."""
    values = {key: sums[key] * _DIRECTIONS[key] for key in sums if key != "bank"}
    explained = sum(values[key] * COMPONENTS_BY_KEY[key].sign for key in _BANK_EXPLAINED)
    values["other_bank"] = sums["bank"] - explained
    return values


def treasury_from_sums(day: datetime.date, sums: dict[str, int]) -> Treasury:
    """Turn the database's debit − credit sums into figures (other bank = the rest)."""
    values = _figure_values(sums)
    return Treasury(
        day=day,
        figures=tuple(Figure(component, values[component.key]) for component in COMPONENTS),
    )


def available_from_sums(sums: dict[str, int]) -> int:
    """`treasury_from_sums(day, sums).available_cents` without building the figures."""
    values = _figure_values(sums)
    return sum(values[key] * sign for key, sign in _AVAILABLE_SIGNS_BY_KEY)


def _closing_on(day: datetime.date) -> PeriodClosing | None:
    """The last closing on or before a day: its balances stand for every line up to it."""
    return PeriodClosing.objects.filter(through__lte=day).order_by("-through").first()


def _closings_on(day: datetime.date, before: datetime.date) -> tuple[PeriodClosing | None, ...]:
    """`_closing_on(day)` and `_closing_on(before)` (before <= day) in one query: the last
    closings up to the day, newest first, until one is on or before `before`."""
    closing = closing_before = None
    # A handful of closings fall between two dates months apart; more, and ask again.
    recent = list(PeriodClosing.objects.filter(through__lte=day).order_by("-through")[:13])
    if recent:
        closing = recent[0]
        closing_before = next((c for c in recent if c.through <= before), None)
        if closing_before is None and len(recent) == 13:
            closing_before = _closing_on(before)
    return closing, closing_before


def _after(closing: PeriodClosing | None) -> Q:
    return Q(date__gt=closing.through) if closing is not None else Q()


def _add(*sums: dict[str, int]) -> dict[str, int]:
    """The sum of each treasury key over the dicts (other keys left out, missing ones 0)."""
    total = dict.fromkeys(TREASURY_SUM_KEYS, 0)
    for one in sums:
        for key, value in one.items():
            if key in total:
                total[key] += value
    return total


def _snapshots(
    closing: PeriodClosing | None, business_ids: Any = None
) -> dict[int, dict[str, int]]:
    if closing is None:
        return {}
    balances = ClosingBalance.objects.filter(closing=closing)
    if business_ids is not None:
        balances = balances.filter(business_id__in=business_ids)
    # Plain values, not models: `ClosingBalance.sums()` without building an instance per row.
    fields = [f"{key}_cents" for key in TREASURY_SUM_KEYS]
    return {
        business_id: dict(zip(TREASURY_SUM_KEYS, values, strict=True))
        for business_id, *values in balances.values_list("business_id", *fields)
    }


def business_sums(business: Business, day: datetime.date) -> dict[str, int]:
    """The debit − credit sums of a business's treasury on a day: the balances kept at the
    last closing plus the lines after it (three queries whatever the history's length)."""
    closing = _closing_on(day)
    after = (
        treasury_lines()
        .filter(_after(closing), business=business, date__lte=day)
        .aggregate(**component_sums())
    )
    return _add(_snapshots(closing, [business.pk]).get(business.pk, {}), after)


def component_sums_of_lines(business: Business, day: datetime.date) -> dict[str, int]:
    """The same sums from the lines alone, every one of them (to check the kept balances)."""
    return treasury_lines().filter(business=business, date__lte=day).aggregate(**component_sums())


def business_treasury(business: Business, day: datetime.date) -> Treasury:
    """The treasury of one business on a day."""
    return treasury_from_sums(day, business_sums(business, day))


def closing_balances_write(closing: PeriodClosing) -> int:
    """Keep every business's treasury sums at a closing: those of the previous closing plus
    the lines in between (one grouped query), so later reads skip the closed lines."""
    previous = (
        PeriodClosing.objects.filter(through__lt=closing.through).order_by("-through").first()
    )
    base = _snapshots(previous)
    delta = {
        row.pop("business_id"): row
        for row in treasury_lines()
        .filter(_after(previous), date__lte=closing.through)
        .values("business_id")
        .annotate(**component_sums())
        .order_by()
    }
    rows = []
    for business_id in sorted(set(base) | set(delta)):
        sums = _add(base.get(business_id, {}), delta.get(business_id, {}))
        rows.append(
            ClosingBalance(
                closing=closing,
                business_id=business_id,
                **{f"{key}_cents": value for key, value in sums.items()},
            )
        )
    ClosingBalance.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@dataclass(frozen=True)
class MonthTreasury:
    """One month of a business's year: its movements and the balances at its end."""

    month: datetime.date
    movements: Treasury
    available_cents: int
    projected_cents: int


def business_treasury_months(business: Business, year: int) -> list[MonthTreasury]:
    """Month by month for a year: the balances at the year's start, then the year's lines
    grouped by month."""
    start = datetime.date(year, 1, 1)
    opening_sums = business_sums(business, start - datetime.timedelta(days=1))
    rows = {
        row["month"]: row
        for row in treasury_lines()
        .filter(business=business, date__gte=start, date__lte=datetime.date(year, 12, 31))
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(**component_sums())
        .order_by("month")
    }
    opening = treasury_from_sums(start, opening_sums)
    available, projected = opening.available_cents, opening.projected_cents
    months = []
    for index in range(12):
        month = add_months(start, index)
        row = rows.get(month) or rows.get(_as_datetime(month)) or {}
        movement = treasury_from_sums(month, {key: row.get(key, 0) for key in TREASURY_SUM_KEYS})
        available += movement.available_cents
        projected += movement.projected_cents
        months.append(MonthTreasury(month, movement, available, projected))
    return months


def _as_datetime(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day)


@dataclass
class BusinessTreasuryRow:
    """A line of the all-businesses page."""

    business: Business
    treasury: Treasury
    available_before_cents: int
    risk: str = ""
    months: list[int] = field(default_factory=list)

    @property
    def trend_cents(self) -> int:
        return self.treasury.available_cents - self.available_before_cents

    @property
    def is_negative(self) -> bool:
        return self.treasury.available_cents < 0

    @property
    def is_falling(self) -> bool:
        return self.trend_cents < 0


#: How far back "falling" looks.
TREND_MONTHS = 3

#: Up to this many businesses, `all_treasuries` reads only their lines.
FEW_BUSINESSES = 50


def all_treasuries(businesses: Iterable[Business], day: datetime.date) -> list[BusinessTreasuryRow]:
    """Every business's treasury on a day, riskiest first: the balances kept at the last
    closings and one grouped query over the lines after them.

    At risk: a negative available balance (most negative first), then a balance lower than
    three months ago (largest fall first); then the others, lowest balance first.
    """
    businesses = list(businesses)
    before = add_months(day, -TREND_MONTHS)
    closing, closing_before = _closings_on(day, before)
    lines = treasury_lines()
    ids = None
    if len(businesses) <= FEW_BUSINESSES:
        # An entrepreneur's businesses: their lines only (the ledger_line_business_idx),
        # not every line of the cooperative for a few rows; their kept balances only.
        ids = [business.pk for business in businesses]
        lines = lines.filter(business_id__in=ids)
    # One grouped query of plain sums per business, account, journal and period (after the
    # last closing / up to three months ago): a few dozen rows per business, whatever the
    # number of lines; each figure is then the sum of the groups its accounts make.
    # (Fifteen CASE sums per line cost the database more than the scan itself.)
    groups = (
        lines.filter(_after(closing_before), date__lte=day)
        .annotate(
            after_closing=Value(1)
            if closing is None
            else Case(When(date__gt=closing.through, then=Value(1)), default=Value(0)),
            up_to_before=Case(When(date__lte=before, then=Value(1)), default=Value(0)),
        )
        .values("business_id", "account_id", "journal_id", "after_closing", "up_to_before")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .order_by()
        .values_list(
            "business_id", "account_id", "journal_id", "after_closing", "up_to_before",
            "debit", "credit",
        )
    )  # fmt: skip
    sums: dict[int, dict[str, int]] = {}
    for business_id, account, journal, after_closing, up_to_before, debit, credit in groups:
        figure_signs, available_sign = _group_signs(account, journal)
        amount = debit - credit
        row = sums.setdefault(business_id, {"before": 0})
        if up_to_before and available_sign is not None:
            row["before"] += amount * available_sign
        if after_closing:
            for name, sign in figure_signs:
                row[name] = row.get(name, 0) + amount * sign
    snapshots = _snapshots(closing, ids)
    snapshots_before = snapshots if closing_before == closing else _snapshots(closing_before, ids)
    rows = []
    for business in businesses:
        row = sums.get(business.pk, {})
        treasury = treasury_from_sums(day, _add(snapshots.get(business.pk, {}), row))
        before_sums = snapshots_before.get(business.pk)
        available_before = row.get("before", 0) + (
            available_from_sums(_add(before_sums)) if before_sums else 0
        )
        result = BusinessTreasuryRow(business, treasury, available_before)
        result.risk = "negative" if result.is_negative else "falling" if result.is_falling else ""
        rows.append(result)

    def order(row: BusinessTreasuryRow) -> tuple[int, int, str]:
        if row.is_negative:
            return (0, row.treasury.available_cents, row.business.code)
        if row.is_falling:
            return (1, row.trend_cents, row.business.code)
        return (2, row.treasury.available_cents, row.business.code)

    return sorted(rows, key=order)


def component_lines(business: Business, key: str, day: datetime.date) -> Any:
    """The lines behind one figure of a business's treasury on a day."""
    component = COMPONENTS_BY_KEY[key]
    lines = treasury_lines().filter(business=business, date__lte=day)
    if key == "other_bank":
        explained = Line.objects.filter(
            entry=OuterRef("entry"),
            business=OuterRef("business"),
            journal_id=chart.BANK_JOURNAL,
        ).filter(_account(chart.CUSTOMERS, chart.SUPPLIERS, chart.EXPENSE_REPORTS_DUE[:3]))
        return lines.filter(component.lines).filter(~Exists(explained))
    return lines.filter(component.lines)
