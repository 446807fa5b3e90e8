"""The demo cooperative: planned in memory (`plan.py`), then written through the services.

`generate()` runs `STEPS` in order, in one transaction, with a progress bar in the
terminal. A later capability (sales, payroll, workshops…) adds its own step: a function
that takes the `DemoContext` — which holds the plan and every object already created,
keyed by plan key — and draws its randomness from `context.random(step_key)`, so that
adding a step never changes what the earlier steps create.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import get_hasher
from django.db import transaction
from django.db.models import Q
from tqdm import tqdm

from alveole.businesses.models import Business, Membership
from alveole.businesses.services import (
    business_create,
    business_update,
    membership_add,
    membership_end,
    membership_set_main,
)
from alveole.coop.data import SEED_SECTORS
from alveole.coop.models import Cooperative, Office, Sector
from alveole.coop.services import (
    cooperative_setup,
    fiscal_year_create,
    office_create,
    sector_create,
)
from alveole.core import dates
from alveole.core.roles import Role
from alveole.demo import data
from alveole.demo.contributions import step_contributions
from alveole.demo.governance import step_assemblies, step_governance
from alveole.demo.payroll import step_grants, step_payroll, step_purchases
from alveole.demo.plan import build_plan
from alveole.demo.records import Event, PersonPlan, Plan
from alveole.demo.sales import step_sales
from alveole.demo.support import step_support
from alveole.people.models import Associateship, Contract, Person, PersonKind, Status, User
from alveole.people.services import (
    associate_join,
    associate_leave,
    cape_renew,
    cape_start,
    cesa_amend,
    cesa_start,
    contract_end,
    information_meeting_attend,
    intake_interview_record,
    person_create,
    person_exit,
    staff_contract_start,
    user_create,
)

#: The password of every demo account (printed at start; the demo is public by design).
DEMO_PASSWORD = "demo-alveole"  # noqa: S105 - published on purpose
DEFAULT_SEED = 2021
SUPPORT_STRUCTURE_CODE = "CAE"


@dataclass
class DemoContext:
    """What the steps share: the plan, and every object created so far by plan key."""

    seed: int | str
    today: datetime.date
    scale: float
    plan: Plan
    progress: bool = False
    cooperative: Cooperative | None = None
    support_structure: Business | None = None
    offices: dict[str, Office] = field(default_factory=dict)
    sectors: dict[str, Sector] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)
    contracts: dict[int, Contract] = field(default_factory=dict)
    associateships: dict[int, Associateship] = field(default_factory=dict)
    businesses: dict[int, Business] = field(default_factory=dict)
    #: Accounts by staff key ("director", "staff-auch-1"…) and by person plan key.
    users: dict[str | int, User] = field(default_factory=dict)

    def random(self, step_key: str) -> random.Random:
        """A random generator of its own for a step, derived from the seed."""
        return random.Random(f"alveole-demo:{self.seed}:{step_key}")

    def bar(self, items: Iterable[Any], description: str, total: int | None = None) -> Any:
        return tqdm(
            items,
            desc=description,
            total=total,
            disable=None if self.progress else True,  # None: only on a terminal
            leave=False,
            position=1,
            unit=" écritures",
            dynamic_ncols=True,
        )

    def actor_for(self, person: PersonPlan | None = None) -> User | None:
        """Who records a change: the person's accompagnateur·rice, else the director."""
        if person is not None and person.follow_up in self.users:
            return self.users[person.follow_up]
        return self.users.get("director")


@dataclass(frozen=True)
class Step:
    """One stage of the demo: a label for the progress bar and what it does."""

    key: str
    label: str
    run: Callable[[DemoContext], None]


@dataclass(frozen=True)
class DemoLogin:
    """An account printed at start so that anyone can try the demo."""

    label: str
    email: str
    detail: str = ""


@dataclass
class DemoResult:
    seed: int | str
    today: datetime.date
    scale: float
    seconds: float
    logins: list[DemoLogin]


# --- the steps -------------------------------------------------------------------------


def step_cooperative(ctx: DemoContext) -> None:
    """Identity, sectors, offices, fiscal years and the support structure's business."""
    existing = set(Sector.objects.values_list("code", flat=True))
    for position, (code, name) in enumerate(SEED_SECTORS, start=1):
        if code not in existing:  # after `demo --reset`: flush removed the migration's rows
            sector_create(actor=None, code=code, name=name, position=position)
    ctx.sectors = {sector.code: sector for sector in Sector.objects.all()}
    ctx.cooperative = cooperative_setup(actor=None, **data.COOPERATIVE)
    for name, head, address, postal_code, city in data.OFFICES:
        ctx.offices[name] = office_create(
            actor=None,
            name=name,
            city=city,
            is_head_office=head,
            address=address,
            postal_code=postal_code,
        )
    for year in range(ctx.plan.first_year, ctx.today.year + 1):
        fiscal_year_create(
            actor=None, start_date=datetime.date(year, 1, 1), end_date=datetime.date(year, 12, 31)
        )
    ctx.support_structure = business_create(
        actor=None,
        kind=Business.Kind.SUPPORT_STRUCTURE,
        name="Structure d'accompagnement",
        code=SUPPORT_STRUCTURE_CODE,
        description="Les services de la coopérative : accompagnement, formation, prestations.",
        start_date=ctx.plan.founded,
    )


def step_staff(ctx: DemoContext) -> None:
    """The support team (with their accounts) and the external associates."""
    _Writer(ctx).run(ctx.plan.staff_events, "Équipe d'appui")
    for person in ctx.plan.people:
        if person.staff_key and person.role:
            ctx.users[person.staff_key] = user_create(
                actor=None,
                email=person.email,
                role=person.role,
                person=ctx.people[person.key],
                password=DEMO_PASSWORD,
            )


def step_paths(ctx: DemoContext) -> None:
    """Information meetings, intake interviews, contracts, businesses, associates, exits."""
    _Writer(ctx).run(ctx.plan.path_events, "Parcours")


def step_accounts(ctx: DemoContext) -> None:
    """An account for every entrepreneur who has had a contract."""
    entrepreneurs = [p for p in ctx.plan.people if p.kind == "entrepreneur" and p.role]
    for person in ctx.bar(entrepreneurs, "Comptes"):
        ctx.users[person.key] = user_create(
            actor=ctx.actor_for(person),
            email=person.email,
            role=Role.ENTREPRENEUR,
            person=ctx.people[person.key],
            password=DEMO_PASSWORD,
        )


STEPS: list[Step] = [
    Step("cooperative", "Coopérative", step_cooperative),
    Step("staff", "Équipe d'appui", step_staff),
    Step("paths", "Parcours des entrepreneur·es", step_paths),
    Step("support", "Accompagnement et ateliers", step_support),
    Step("accounts", "Comptes", step_accounts),
    Step("sales", "Ventes", step_sales),
    Step("payroll", "Paies", step_payroll),
    Step("grants", "Subventions et contributions", step_grants),
    Step("purchases", "Achats et notes de frais", step_purchases),
    Step("contributions", "Contributions et clôtures", step_contributions),
    Step("governance", "Sociétariat", step_governance),
    Step("assemblies", "Assemblées générales et conseil", step_assemblies),
]


class _Writer:
    """Replays planned events through the services, one `do_<action>` per action."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx

    def run(self, events: list[Event], description: str) -> None:
        for event in self.ctx.bar(events, description):
            getattr(self, f"do_{event.action}")(**event.args)

    def _membership(self, business: Any, person: PersonPlan) -> Membership:
        return Membership.objects.get(
            business=self.ctx.businesses[business.key], person=self.ctx.people[person.key]
        )

    def do_person(self, *, person: PersonPlan) -> None:
        ctx = self.ctx
        ctx.people[person.key] = person_create(
            actor=ctx.actor_for(person),
            kind=person.kind,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            email=person.email,
            phone=person.phone,
            address=person.address,
            postal_code=person.postal_code,
            city=person.city,
            entry_situation=person.entry_situation,
            has_other_income=person.has_other_income,
            office=ctx.offices[person.office],
            follow_up_staff=ctx.users.get(person.follow_up) if person.follow_up else None,
            notes=person.notes,
        )

    def do_staff_contract(self, *, person: PersonPlan, contract: Any) -> None:
        self.ctx.contracts[contract.key] = staff_contract_start(
            actor=self.ctx.actor_for(),
            person=self.ctx.people[person.key],
            start_date=contract.start,
        )

    def do_contract_end(self, *, person: PersonPlan, contract: Any, date: datetime.date) -> None:
        contract_end(
            actor=self.ctx.actor_for(), contract=self.ctx.contracts[contract.key], end_date=date
        )

    def do_meeting(self, *, person: PersonPlan, date: datetime.date, office: str) -> None:
        information_meeting_attend(
            actor=self.ctx.actor_for(person),
            person=self.ctx.people[person.key],
            date=date,
            office=self.ctx.offices[office],
        )

    def do_interview(
        self,
        *,
        person: PersonPlan,
        date: datetime.date,
        decision: str,
        reason: str,
        interviewer: str,
    ) -> None:
        user = self.ctx.users.get(interviewer)
        intake_interview_record(
            actor=user,
            person=self.ctx.people[person.key],
            date=date,
            decision=decision,
            interviewer=user,
            reason=reason,
        )

    def do_cape_start(
        self, *, person: PersonPlan, contract: Any, planned_end: datetime.date
    ) -> None:
        self.ctx.contracts[contract.key] = cape_start(
            actor=self.ctx.actor_for(person),
            person=self.ctx.people[person.key],
            start_date=contract.start,
            planned_end_date=planned_end,
        )

    def do_cape_renew(
        self, *, person: PersonPlan, contract: Any, date: datetime.date, new_end: datetime.date
    ) -> None:
        cape_renew(
            actor=self.ctx.actor_for(person),
            contract=self.ctx.contracts[contract.key],
            date=date,
            new_planned_end_date=new_end,
        )

    def do_cesa_start(self, *, person: PersonPlan, contract: Any) -> None:
        self.ctx.contracts[contract.key] = cesa_start(
            actor=self.ctx.actor_for(person),
            person=self.ctx.people[person.key],
            start_date=contract.start,
            monthly_hours=contract.monthly_hours,
        )

    def do_cesa_amend(
        self, *, person: PersonPlan, contract: Any, date: datetime.date, hours: Any
    ) -> None:
        cesa_amend(
            actor=self.ctx.actor_for(person),
            contract=self.ctx.contracts[contract.key],
            date=date,
            monthly_hours=hours,
        )

    def do_business(self, *, business: Any) -> None:
        ctx = self.ctx
        ctx.businesses[business.key] = business_create(
            actor=ctx.actor_for(business.main),
            main_person=ctx.people[business.main.key],
            name=business.name,
            code=business.code,
            sector=ctx.sectors[business.sector],
            start_date=business.start,
        )

    def do_membership(self, *, business: Any, person: PersonPlan, date: datetime.date) -> None:
        membership_add(
            actor=self.ctx.actor_for(person),
            business=self.ctx.businesses[business.key],
            person=self.ctx.people[person.key],
            start_date=date,
        )

    def do_membership_handover(
        self, *, business: Any, person: PersonPlan, new_main: PersonPlan, date: datetime.date
    ) -> None:
        actor = self.ctx.actor_for(person)
        membership_set_main(actor=actor, membership=self._membership(business, new_main))
        membership_end(actor=actor, membership=self._membership(business, person), end_date=date)

    def do_membership_end(self, *, business: Any, person: PersonPlan, date: datetime.date) -> None:
        membership_end(
            actor=self.ctx.actor_for(person),
            membership=self._membership(business, person),
            end_date=date,
        )

    def do_business_close(self, *, business: Any, date: datetime.date) -> None:
        business_update(
            actor=self.ctx.actor_for(business.main),
            business=self.ctx.businesses[business.key],
            end_date=date,
        )

    def do_associate_join(self, *, person: PersonPlan, date: datetime.date) -> None:
        self.ctx.associateships[person.key] = associate_join(
            actor=self.ctx.actor_for(person), person=self.ctx.people[person.key], date=date
        )

    def do_associate_leave(self, *, person: PersonPlan, date: datetime.date) -> None:
        associate_leave(
            actor=self.ctx.actor_for(person),
            associateship=self.ctx.associateships[person.key],
            date=date,
        )

    def do_exit(
        self, *, person: PersonPlan, date: datetime.date, outcome: str, reason: str
    ) -> None:
        person_exit(
            actor=self.ctx.actor_for(person),
            person=self.ctx.people[person.key],
            date=date,
            outcome=outcome,
            reason=reason,
        )


@contextmanager
def _hash_demo_password_once() -> Iterator[None]:
    """Hash the demo password once and give every demo account that same hash.

    Every demo account has the same published password, so one salt per account would
    protect nothing, and Argon2 takes ~0.2 s a hash: ~300 accounts would add a minute.
    The stored value is an ordinary hash of the configured hasher; logins check it as usual.
    """
    hasher = get_hasher("default")
    encode = hasher.encode
    hashes: dict[str, str] = {}

    def encode_once(password: str, salt: str, *args: Any, **kwargs: Any) -> str:
        if password not in hashes:
            hashes[password] = encode(password, salt, *args, **kwargs)
        return hashes[password]

    hasher.encode = encode_once  # type: ignore[method-assign]
    try:
        yield
    finally:
        del hasher.encode


def generate(
    *,
    seed: int | str = DEFAULT_SEED,
    today: datetime.date | None = None,
    scale: float = 1.0,
    progress: bool = False,
    steps: list[Step] | None = None,
) -> DemoResult:
    """Create the demo cooperative in an empty database; the same seed and date give the same data.

    `today` anchors the history (four full years before its year, then its year to date);
    `scale` shrinks or grows the flows of people (1 = the seed cooperative's size).
    """
    today = today or dates.today()
    if today > dates.today():
        raise ValueError("the demo cannot be anchored in the future: services refuse future events")
    if Cooperative.objects.exists():
        raise ValueError("the database already has a cooperative")
    started = time.perf_counter()
    ctx = DemoContext(
        seed=seed,
        today=today,
        scale=scale,
        plan=build_plan(seed=seed, today=today, scale=scale),
        progress=progress,
    )
    steps = STEPS if steps is None else steps
    with (
        transaction.atomic(),
        _hash_demo_password_once(),
        tqdm(
            total=len(steps),
            disable=None if progress else True,  # None: only on a terminal
            leave=False,
            position=0,
            unit=" étape",
            bar_format="{desc:<32} {bar} {n_fmt}/{total_fmt} étapes",
            dynamic_ncols=True,
        ) as bar,
    ):
        for step in steps:
            bar.set_description_str(step.label)
            step.run(ctx)
            bar.update()
    return DemoResult(
        seed=seed,
        today=today,
        scale=scale,
        seconds=time.perf_counter() - started,
        logins=demo_logins(today),
    )


# --- what the command prints -------------------------------------------------------------


def is_demo_database() -> bool:
    """Whether the database holds the demo cooperative (never print logins for a real one)."""
    return Cooperative.objects.filter(siren=data.COOPERATIVE["siren"]).exists()


def demo_logins(today: datetime.date | None = None) -> list[DemoLogin]:
    """The accounts to try the demo with: direction, team, accounting, two entrepreneurs.

    Chosen by a fixed rule (the first created of each kind), so that the same accounts are
    printed each time the demo starts; empty when the database is not the demo's.
    """
    if not is_demo_database():
        return []
    today = today or dates.today()
    logins = []
    for role, label in (
        (Role.DIRECTOR, "Direction"),
        (Role.STAFF, "Équipe d'appui"),
        (Role.ACCOUNTANT, "Comptabilité"),
    ):
        user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        if user is not None:
            logins.append(DemoLogin(label, user.email, str(user.person or "")))
    for status in (Status.ASSOCIATE, Status.CAPE):
        person = (
            Person.objects.with_status(today)
            .filter(
                status=status,
                kind=PersonKind.ENTREPRENEUR,
                user__isnull=False,
                memberships__is_main=True,
                memberships__business__end_date__isnull=True,
            )
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if person is not None:
            business = person.memberships.filter(is_main=True).select_related("business").first()
            label = str(Status(status).label)
            detail = f"{person}, {label[0].lower()}{label[1:]}"
            if business is not None:
                detail += f" — « {business.business.name} »"
            logins.append(DemoLogin("Entrepreneur·e", person.user.email, detail))
    return logins


@dataclass(frozen=True)
class DemoSummary:
    """The demo's headline figures at the end of the last full year."""

    census_day: datetime.date
    members: int
    support_staff: int
    associates: int
    offices: list[str]


def demo_summary(today: datetime.date | None = None) -> DemoSummary:
    today = today or dates.today()
    census_day = datetime.date(today.year - 1, 12, 31)
    running = Q(start_date__lte=census_day) & (
        Q(end_date__isnull=True) | Q(end_date__gte=census_day)
    )
    associates = Associateship.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=census_day), start_date__lte=census_day
    )
    return DemoSummary(
        census_day=census_day,
        members=Person.objects.members_at(census_day).count(),
        support_staff=Contract.objects.filter(running, kind=Contract.Kind.STAFF).count(),
        associates=associates.count(),
        offices=list(Office.objects.values_list("name", flat=True)),
    )
