"""The plan's records: planned people, contracts, businesses, and the events to write."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(eq=False)
class ContractPlan:
    """A planned contract: CAPE (with its planned end), CESA or staff (with hours)."""

    key: int
    kind: str
    start: datetime.date
    planned_end: datetime.date | None = None
    monthly_hours: Decimal | None = None


@dataclass(eq=False)
class PersonPlan:
    """A planned person, their demographics and a summary of their path for counting."""

    key: int
    kind: str
    first_name: str
    last_name: str
    birth_date: datetime.date
    email: str
    phone: str
    address: str
    postal_code: str
    city: str
    office: str
    entry_situation: str = ""
    has_other_income: bool | None = None
    follow_up: str | None = None  # the staff key of their accompagnateur·rice
    notes: str = ""
    staff_key: str | None = None
    role: str | None = None  # the account to open (entrepreneurs: when they have a contract)
    contracts: list[ContractPlan] = field(default_factory=list)
    associate_from: datetime.date | None = None
    associate_until: datetime.date | None = None
    exit_date: datetime.date | None = None
    settled: bool = False  # in CESA, likely to stay and become an associate
    business: BusinessPlan | None = None

    @property
    def entered(self) -> datetime.date | None:
        return self.contracts[0].start if self.contracts else None

    def member_at(self, day: datetime.date) -> bool:
        """A running CAPE or CESA at the date (the plan never leaves a gap between them)."""
        return (
            self.kind == "entrepreneur"
            and self.entered is not None
            and self.entered <= day
            and (self.exit_date is None or day < self.exit_date)
        )

    def associate_at(self, day: datetime.date) -> bool:
        return (
            self.associate_from is not None
            and self.associate_from <= day
            and (self.associate_until is None or day < self.associate_until)
        )

    def cesa(self) -> ContractPlan | None:
        return next((c for c in self.contracts if c.kind == "cesa"), None)


@dataclass(eq=False)
class BusinessPlan:
    """A planned business and who works in it from when."""

    key: int
    name: str
    code: str
    sector: str
    start: datetime.date
    main: PersonPlan
    members: list[tuple[PersonPlan, datetime.date]] = field(default_factory=list)


@dataclass
class Event:
    """One write of the plan: a service call at a date, in a stable order."""

    date: datetime.date
    order: int
    seq: int
    action: str
    args: dict[str, Any]

    @property
    def sort_key(self) -> tuple[datetime.date, int, int]:
        return (self.date, self.order, self.seq)


# Same-day order of the actions: a person exists before they attend, sign, leave…
ORDER = {
    "person": 0, "staff_contract": 1, "meeting": 2, "interview": 3, "cape_start": 4,
    "cesa_start": 4, "business": 5, "membership": 5, "cape_renew": 6, "cesa_amend": 6,
    "associate_join": 7, "associate_leave": 7, "contract_end": 7, "membership_handover": 8,
    "membership_end": 8, "business_close": 9, "exit": 9,
}  # fmt: skip


@dataclass
class Plan:
    """Everything the generator writes, in the order it writes it."""

    today: datetime.date
    first_year: int
    last_full_year: int
    founded: datetime.date
    people: list[PersonPlan]
    businesses: list[BusinessPlan]
    staff_events: list[Event]
    path_events: list[Event]

    @property
    def census_day(self) -> datetime.date:
        return datetime.date(self.last_full_year, 12, 31)
