"""The demo cooperative's history, planned in memory before anything is written.

The planner draws every person and every dated event of their path from one seeded
`random.Random`, with `today` as the only anchor in time, so that a seed and a date
always give the same cooperative. It then calibrates the people already in the
cooperative at the start of the history (the "stock") so that, on 31 December of the
last full year, the cooperative has the seed report's shape: about 130 members of whom
about 52 are associates; the sectors and ages of those members are apportioned to the
seed's proportions. The generator then replays the plan through the services.
"""

from __future__ import annotations

import datetime
import itertools
import random
from decimal import Decimal
from typing import Any

from alveole.core.dates import add_months
from alveole.demo import data
from alveole.demo.calendar import (
    DAY,
    assembly_dates,
    first_of_next_month,
    last_day_of_month,
    meeting_date_before,
    nth_weekday,
)
from alveole.demo.draws import Deck, Strata, apportion, ascii_slug, share
from alveole.demo.records import (
    ORDER,
    BusinessPlan,
    ContractPlan,
    Event,
    PersonPlan,
    Plan,
)

D = datetime.date

# How people move through the cooperative (tuned so that the yearly flows look like the
# seed's: ~80 intake interviews, ~45 integrated, ~8 associates joining and ~7 leaving).
FIRST_INTERVIEWS_PER_YEAR = 75
MEETING_ONLY_SHARE = 0.3  # people who come to an information meeting and no further
DECISION_WEIGHTS = {"integrated": 53, "not_integrated": 33, "postponed": 14}
POSTPONED_SECOND_INTERVIEW = 0.5
DIRECT_CESA_SHARE = 0.15  # micro-entrepreneurs who bring an activity already running
CAPE_CONVERSION = 0.45  # CAPE holders who go on to a CESA
CAPE_SHORT_SHARE = 0.3  # CAPEs signed for 6 months rather than 12
# Salaried entrepreneurs are of two kinds: those who settle (and may become associates)
# and those for whom the cooperative is a stage; they leave at different rates per year.
SETTLED_SHARE = 0.45
SETTLED_EXIT_RATE = 0.13
PASSING_EXIT_RATE = 0.5
JOINS_PER_ASSEMBLY = 4.3  # salaried entrepreneurs who become associates at each assembly
AMENDMENT_PER_YEAR = 0.3  # chance of a CESA hours amendment at each anniversary
SECOND_MEMBER_SHARE = 0.04  # newcomers who join a running business instead of starting one
FEMALE_SHARE = 58

# The stock at the start of the history, before calibration (for scale 1).
STOCK_CAPE = 33
STOCK_SALARIED = 15

# Targets on 31 December of the last full year (for scale 1).
TARGET_MEMBERS = 130
TARGET_ENTREPRENEUR_ASSOCIATES = 52


class Planner:
    """Plans the demo cooperative for a seed, a date and a scale (1 = the seed's size)."""

    def __init__(self, *, seed: int | str, today: datetime.date, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.rng = random.Random(f"alveole-demo:{seed}")
        self.today = today
        self.scale = scale
        self.first_year = today.year - 4
        self.last_full_year = today.year - 1
        self.start = D(self.first_year, 1, 1)
        self.census_day = D(self.last_full_year, 12, 31)
        self.founded = D(self.first_year - 22, 3, 1)
        rng = self.rng
        self.gender = Deck(rng, {"F": FEMALE_SHARE, "M": 100 - FEMALE_SHARE})
        self.department = Deck(rng, data.DEPARTMENT_WEIGHTS)
        self.entry_age = Deck(rng, data.ENTRY_AGE_WEIGHTS)
        self.situation = Deck(rng, data.ENTRY_SITUATION_WEIGHTS)
        self.other_income = Deck(rng, data.OTHER_INCOME_WEIGHTS)
        self.sector = Deck(rng, data.SECTOR_WEIGHTS)
        self.decision = Deck(rng, DECISION_WEIGHTS)
        self.cesa_hours = Deck(rng, data.CESA_START_HOURS)
        self.direct_cesa = share(rng, DIRECT_CESA_SHARE)
        self.short_cape = share(rng, CAPE_SHORT_SHARE)
        self.cape_conversion = share(rng, CAPE_CONVERSION)
        self.settled = share(rng, SETTLED_SHARE)
        self.cape_length = Strata(rng)
        self.leaving = {True: Strata(rng), False: Strata(rng)}
        self.outcome = {
            phase: Deck(rng, weights) for phase, weights in data.EXIT_OUTCOME_WEIGHTS.items()
        }
        self.keys = itertools.count(1)
        self.seq = itertools.count()
        self.people: list[PersonPlan] = []
        self.businesses: list[BusinessPlan] = []
        self.staff_events: list[Event] = []
        self.path_events: list[Event] = []
        self.staff: dict[str, PersonPlan] = {}
        self.staff_periods: dict[str, tuple[datetime.date, datetime.date | None]] = {}
        self.emails: set[str] = set()
        self.codes: set[str] = {"CAE"}
        self.business_names: set[str] = set()

    # --- the whole plan ----------------------------------------------------------------

    def build(self) -> Plan:
        self.plan_staff()
        self.plan_external_associates()
        for year in range(self.first_year, self.today.year + 1):
            self.plan_year(year)
        self.plan_stock()
        self.plan_business_endings()
        self.plan_sectors()
        self.plan_ages()
        self.staff_events.sort(key=lambda e: e.sort_key)
        self.path_events.sort(key=lambda e: e.sort_key)
        self.plan_exit_outcomes()
        return Plan(
            today=self.today,
            first_year=self.first_year,
            last_full_year=self.last_full_year,
            founded=self.founded,
            people=self.people,
            businesses=self.businesses,
            staff_events=self.staff_events,
            path_events=self.path_events,
        )

    def event(self, events: list[Event], day: datetime.date, action: str, **args: Any) -> None:
        events.append(Event(day, ORDER[action], next(self.seq), action, args))

    def path(self, day: datetime.date, action: str, **args: Any) -> None:
        self.event(self.path_events, day, action, **args)

    # --- people -------------------------------------------------------------------------

    def new_person(
        self,
        *,
        kind: str,
        age_on: datetime.date,
        age: int,
        gender: str | None = None,
        department: str | None = None,
        domain: str | None = None,
    ) -> PersonPlan:
        rng = self.rng
        gender = gender or self.gender.draw()
        first = rng.choice(data.FEMALE_FIRST_NAMES if gender == "F" else data.MALE_FIRST_NAMES)
        last = rng.choice(data.LAST_NAMES)
        department = department or self.department.draw()
        towns = data.TOWNS[department]
        city, postal_code, _ = rng.choices(towns, weights=[w for *_, w in towns])[0]
        birth = age_on - datetime.timedelta(days=int(age * 365.25) + rng.randrange(365))
        person = PersonPlan(
            key=next(self.keys),
            kind=kind,
            first_name=first,
            last_name=last,
            birth_date=birth,
            email=self.unique_email(first, last, domain or rng.choice(data.EMAIL_DOMAINS)),
            phone=f"0{rng.choice('67')} {' '.join(f'{rng.randrange(100):02d}' for _ in range(4))}",
            address=f"{rng.randint(1, 48)} {rng.choice(data.STREETS)}",
            postal_code=postal_code,
            city=city,
            office=data.OFFICE_FOR_DEPARTMENT.get(department, data.DEFAULT_OFFICE),
        )
        self.people.append(person)
        return person

    def unique_email(self, first: str, last: str, domain: str) -> str:
        base = f"{ascii_slug(first)}.{ascii_slug(last)}"
        for n in itertools.count(1):
            email = f"{base}{n if n > 1 else ''}@{domain}"
            if email not in self.emails:
                self.emails.add(email)
                return email
        raise AssertionError("unreachable")

    def new_entrepreneur(
        self, *, age_on: datetime.date, min_age_at: datetime.date | None = None
    ) -> PersonPlan:
        low, high = self.entry_age.draw()
        age = self.rng.randint(low, high)
        if min_age_at is not None:  # old hands of the stock: at least 23 when they entered
            age = max(age, (age_on - min_age_at).days // 365 + 23)
        person = self.new_person(kind="entrepreneur", age_on=age_on, age=age)
        person.entry_situation = self.situation.draw()
        person.has_other_income = self.other_income.draw()
        followers = [
            key
            for key, staff in self.staff.items()
            if staff.office == person.office and staff.role == "staff"
        ]
        person.follow_up = self.rng.choice(followers) if followers else "director"
        return person

    def interviewer_at(self, office: str, day: datetime.date) -> str:
        """A member of the team with an account, employed at the date, preferably here."""
        present = [
            key
            for key, (start, end) in self.staff_periods.items()
            if start <= day
            and (end is None or day <= end)
            and self.staff[key].role in ("staff", "director")
        ]
        local = [key for key in present if self.staff[key].office == office]
        return self.rng.choice(local or present or ["director"])

    # --- the support team and the external associates ----------------------------------

    def plan_staff(self) -> None:
        events = self.staff_events
        for spec in data.STAFF:
            years, month = spec.hired
            hired = nth_weekday(self.first_year + years, month, 0, 1)
            person = self.new_person(
                kind="support_staff",
                age_on=hired,
                age=self.rng.randint(27, 45),
                gender=spec.gender,
                department="32" if spec.office == "Auch" else "65",
                domain=data.COOPERATIVE_DOMAIN,
            )
            person.office = spec.office
            person.notes = spec.job
            person.staff_key = spec.key
            person.role = spec.role
            self.staff[spec.key] = person
            contract = ContractPlan(next(self.keys), "staff", hired)
            person.contracts.append(contract)
            self.event(events, hired, "person", person=person)
            self.event(events, hired, "staff_contract", person=person, contract=contract)
            left = None
            if spec.left is not None:
                years, month = spec.left
                left = last_day_of_month(D(self.first_year + years, month, 1))
                self.event(
                    events, left, "contract_end", person=person, contract=contract, date=left
                )
            self.staff_periods[spec.key] = (hired, left)
            if spec.associate_after is not None:
                eligible = add_months(hired, 12 * spec.associate_after)
                joined = next(
                    day
                    for year in itertools.count(eligible.year)
                    for day in assembly_dates(year)
                    if day >= eligible
                )
                person.associate_from = joined
                self.event(events, joined, "associate_join", person=person, date=joined)
                if left is not None:
                    person.associate_until = left
                    self.event(events, left, "associate_leave", person=person, date=left)

    def plan_external_associates(self) -> None:
        for gender, note, years in data.EXTERNAL_ASSOCIATES:
            joined = assembly_dates(self.first_year - years)[0]
            person = self.new_person(
                kind="external", age_on=joined, age=self.rng.randint(40, 58), gender=gender
            )
            person.notes = note
            person.associate_from = joined
            self.event(self.staff_events, joined, "person", person=person)
            self.event(self.staff_events, joined, "associate_join", person=person, date=joined)

    # --- a year of newcomers -------------------------------------------------------------

    def interview_day(self, year: int) -> datetime.date:
        # Few interviews in August and around Christmas.
        weights = (11, 10, 11, 10, 9, 10, 7, 2, 12, 11, 10, 6)
        month = self.rng.choices(range(1, 13), weights=weights)[0]
        day = D(year, month, self.rng.randint(1, 28))
        while day.weekday() >= 5:
            day += DAY
        return day

    def plan_year(self, year: int) -> None:
        """The information meetings, intake interviews and entries of one year."""
        rng = self.rng
        count = round(FIRST_INTERVIEWS_PER_YEAR * self.scale * rng.uniform(0.94, 1.06))
        days = sorted(self.interview_day(year) for _ in range(count))
        for day in days:
            if day > self.today:
                continue
            person = self.new_entrepreneur(age_on=day)
            self.plan_intake(person, day)
        for _ in range(round(count * MEETING_ONLY_SHARE)):
            day = self.interview_day(year)
            if day > self.today:
                continue
            person = self.new_entrepreneur(age_on=day)
            meeting = meeting_date_before(person.office, day)
            self.path(meeting, "person", person=person)
            self.path(meeting, "meeting", person=person, date=meeting, office=person.office)

    def plan_intake(self, person: PersonPlan, day: datetime.date) -> None:
        rng = self.rng
        meeting = meeting_date_before(person.office, day)
        self.path(meeting, "person", person=person)
        self.path(meeting, "meeting", person=person, date=meeting, office=person.office)
        decision = self.decision.draw()
        self.interview(person, day, decision)
        if decision == "postponed" and rng.random() < POSTPONED_SECOND_INTERVIEW:
            day = day + datetime.timedelta(days=rng.randint(42, 90))
            while day.weekday() >= 5:
                day += DAY
            if day > self.today:
                return
            decision = "integrated"
            self.interview(person, day, decision)
        if decision != "integrated":
            return
        direct_cesa = self.direct_cesa.draw()
        if direct_cesa:
            start = first_of_next_month(day + datetime.timedelta(days=rng.randint(5, 30)))
        else:
            start = day + datetime.timedelta(days=rng.randint(7, 42))
            while start.weekday() != 0:
                start += DAY
        if start > self.today:
            return  # integrated, starts after today
        self.enter(person, start, direct_cesa=direct_cesa, may_share=True)

    def interview(self, person: PersonPlan, day: datetime.date, decision: str) -> None:
        reason = ""
        if decision == "not_integrated":
            reason = self.rng.choice(data.NOT_INTEGRATED_REASONS)
        elif decision == "postponed":
            reason = self.rng.choice(data.POSTPONED_REASONS)
        self.path(
            day,
            "interview",
            person=person,
            date=day,
            decision=decision,
            reason=reason,
            interviewer=self.interviewer_at(person.office, day),
        )

    # --- a path from the first contract to the exit ------------------------------------

    def enter(
        self,
        person: PersonPlan,
        start: datetime.date,
        *,
        direct_cesa: bool,
        may_share: bool = False,
    ) -> None:
        """The first contract and the business it works in."""
        person.role = "entrepreneur"
        if direct_cesa:
            self.cesa(person, start)
        else:
            self.cape_then(person, start)
        self.business_for(person, start, may_share=may_share)

    def business_for(self, person: PersonPlan, start: datetime.date, *, may_share: bool) -> None:
        rng = self.rng
        if may_share and rng.random() < SECOND_MEMBER_SHARE:
            partners = [
                business
                for business in self.businesses
                if len(business.members) == 1
                and business.main.member_at(start)
                and business.main.member_at(start + datetime.timedelta(days=180))
            ]
            if partners:
                business = rng.choice(partners)
                business.members.append((person, start))
                person.business = business
                self.path(start, "membership", business=business, person=person, date=start)
                return
        business = BusinessPlan(
            key=next(self.keys),
            name="",  # named once its sector is known (plan_sectors)
            code=self.business_code(person.last_name),
            sector="",
            start=start,
            main=person,
            members=[(person, start)],
        )
        self.businesses.append(business)
        person.business = business
        self.path(start, "business", business=business)

    def plan_sectors(self) -> None:
        """Sectors in the seed's proportions among the businesses running at the census
        day (exactly, as far as rounding allows), drawn for the others; then the names."""
        census = [
            business
            for business in self.businesses
            if any(person.member_at(self.census_day) for person, _ in business.members)
        ]
        sectors = [
            code
            for code, count in apportion(data.SECTOR_WEIGHTS, len(census)).items()
            for _ in range(count)
        ]
        self.rng.shuffle(sectors)
        for business, sector in zip(census, sectors, strict=True):
            business.sector = sector
        for business in self.businesses:
            if not business.sector:
                business.sector = self.sector.draw()
            business.name = self.business_name(business.sector, business.main)

    def plan_ages(self) -> None:
        """The members' ages on the census day in the seed's pyramid (7 % aged 61 or more).

        The longest-serving get the oldest ages, and nobody entered younger than 22.
        """
        members = [p for p in self.people if p.member_at(self.census_day)]
        ages = sorted(
            self.rng.randint(low, high)
            for (low, high), count in apportion(data.CENSUS_AGE_WEIGHTS, len(members)).items()
            for _ in range(count)
        )
        year = self.census_day.year

        def seniority(person: PersonPlan) -> float:
            assert person.entered is not None
            return year - person.entered.year + self.rng.uniform(0, 12)

        for person, age in zip(sorted(members, key=seniority), ages, strict=True):
            assert person.entered is not None
            age = max(age, year - person.entered.year + 22)
            person.birth_date = D(year - age, 1, 1) + datetime.timedelta(
                days=self.rng.randrange(365)
            )

    def business_name(self, sector: str, person: PersonPlan) -> str:
        rng = self.rng
        for _ in range(12):
            place, of_place = rng.choice(data.PLACES)
            town = person.city
            of_town = f"d'{town}" if town[0] in "AEIOUÉ" else f"de {town}"
            name = rng.choice(data.BUSINESS_NAMES[sector]).format(
                first=person.first_name,
                last=person.last_name,
                place=place,
                of_place=of_place,
                of_town=of_town,
            )
            if name not in self.business_names:
                break
        else:
            name = f"{name} ({person.city})"
        self.business_names.add(name)
        return name

    def business_code(self, last_name: str) -> str:
        base = ascii_slug(last_name).upper()[:6].ljust(2, "X")
        for n in itertools.count(1):
            code = base if n == 1 else f"{base}{n}"
            if code not in self.codes:
                self.codes.add(code)
                return code
        raise AssertionError("unreachable")

    def cape_then(
        self, person: PersonPlan, start: datetime.date, *, not_before: datetime.date | None = None
    ) -> None:
        """A CAPE, then a CESA or an exit (`not_before`: nothing happens before that date)."""
        decided = self.cape(person, start, not_before=not_before)
        if decided is None:
            return
        convert, day = decided
        if convert:
            self.cesa(person, day, not_before=not_before)
        else:
            self.exit(person, day, "cape")

    def cape(
        self,
        person: PersonPlan,
        start: datetime.date,
        *,
        not_before: datetime.date | None = None,
        convert_on: datetime.date | None = None,
    ) -> tuple[bool, datetime.date] | None:
        """A CAPE and its renewals; returns (goes on to a CESA?, on which day), or None if
        still running today. `convert_on` forces a CESA from that day (stock history)."""
        rng = self.rng
        months = 6 if self.short_cape.draw() else 12
        planned_end = add_months(start, months) - DAY
        contract = ContractPlan(next(self.keys), "cape", start, planned_end=planned_end)
        person.contracts.append(contract)
        self.path(start, "cape_start", person=person, contract=contract, planned_end=planned_end)
        if convert_on is not None:
            convert, decision = True, convert_on
        else:
            convert = self.cape_conversion.draw()
            months_in = self.cape_length.triangular(3, 22, 7)
            decision = start + datetime.timedelta(days=int(months_in * 30.4))
            if not_before is not None and decision < not_before:
                decision = not_before + datetime.timedelta(days=rng.randint(0, 240))
            decision = min(decision, add_months(start, 28))
            if convert:
                decision = first_of_next_month(decision)
        until = min(decision, self.today)
        renewals = 0
        while planned_end < until:
            signed = max(planned_end - datetime.timedelta(days=rng.randint(5, 30)), start + DAY)
            new_end = min(add_months(planned_end, 12), add_months(start, 36) - DAY)
            # The decision falls within 28 months, so two renewals always suffice.
            assert signed <= self.today and renewals < 2 and new_end > planned_end
            planned_end = contract.planned_end = new_end
            renewals += 1
            self.path(
                signed, "cape_renew", person=person, contract=contract, date=signed, new_end=new_end
            )
        if decision > self.today:
            return None
        return convert, decision

    def cesa(
        self,
        person: PersonPlan,
        start: datetime.date,
        *,
        not_before: datetime.date | None = None,
        associate_on: datetime.date | None = None,
        settled: bool | None = None,
    ) -> None:
        """A CESA month by month: hours amendments and the exit (associates join later)."""
        rng = self.rng
        hours = Decimal(self.cesa_hours.draw())
        if settled is None:
            settled = associate_on is not None or self.settled.draw()
        person.settled = settled
        rate = SETTLED_EXIT_RATE if settled else PASSING_EXIT_RATE
        anchor = start if not_before is None else max(start, not_before)
        leaves = anchor + datetime.timedelta(
            days=int(365.25 * self.leaving[settled].years_until_leaving(rate))
        )
        contract = ContractPlan(next(self.keys), "cesa", start, monthly_hours=hours)
        person.contracts.append(contract)
        self.path(start, "cesa_start", person=person, contract=contract)
        if associate_on is not None:
            person.associate_from = associate_on
            self.path(associate_on, "associate_join", person=person, date=associate_on)
        steps = [Decimal(h) for h in data.CESA_HOUR_STEPS]
        for months in itertools.count():
            month = add_months(start, months)
            if month > self.today:
                return
            if months and months % 12 == 0 and rng.random() < AMENDMENT_PER_YEAR:
                higher = [h for h in steps if h > hours]
                if higher:
                    hours = higher[0]
                    self.path(
                        month,
                        "cesa_amend",
                        person=person,
                        contract=contract,
                        date=month,
                        hours=hours,
                    )
            end = last_day_of_month(month)
            if end >= leaves and end <= self.today:
                self.exit(person, end, "cesa")
                return

    def exit(self, person: PersonPlan, day: datetime.date, phase: str) -> None:
        """Leave on a date; the outcome is drawn later, in date order (see `build`)."""
        person.exit_date = day
        if person.associate_from is not None:
            person.associate_until = day
        self.path(day, "exit", person=person, date=day, phase=phase)

    def plan_exit_outcomes(self) -> None:
        """Where the leavers went, drawn in date order so that each year has the proportions."""
        for event in self.path_events:
            if event.action == "exit":
                phase = event.args.pop("phase")
                outcome = self.outcome[phase].draw()
                event.args["outcome"] = outcome
                event.args["reason"] = self.rng.choice(data.EXIT_REASONS[outcome])

    # --- the people already there at the start of the history -------------------------

    def stock_intake(self, person: PersonPlan, first_contract: datetime.date) -> None:
        """The backdated intake of someone who entered before the history starts."""
        day = first_contract - datetime.timedelta(days=self.rng.randint(10, 45))
        while day.weekday() >= 5:
            day -= DAY
        meeting = meeting_date_before(person.office, day)
        self.path(meeting, "person", person=person)
        self.path(meeting, "meeting", person=person, date=meeting, office=person.office)
        self.interview(person, day, "integrated")

    def plan_stock(self) -> None:
        """Those already in the cooperative on 1 January of the first year, calibrated."""
        rng = self.rng
        start = self.start
        earliest_cesa = add_months(self.founded, 12).replace(day=1)
        for _ in range(round(STOCK_CAPE * self.scale)):
            entry = start - datetime.timedelta(days=rng.randint(7, 330))
            while entry.weekday() != 0:
                entry -= DAY
            person = self.new_entrepreneur(age_on=entry)
            self.stock_intake(person, entry)
            person.role = "entrepreneur"
            self.cape_then(person, entry, not_before=start)
            self.business_for(person, entry, may_share=False)

        def salaried(
            *, months_back: tuple[int, int], associate: bool, settled: bool | None = None
        ) -> None:
            cesa_start = max(add_months(start, -rng.randint(*months_back)), earliest_cesa)
            person = self.new_entrepreneur(age_on=start, min_age_at=cesa_start)
            person.role = "entrepreneur"
            first = cesa_start
            if rng.random() < 1 - DIRECT_CESA_SHARE:
                first = cesa_start - datetime.timedelta(days=int(rng.uniform(4, 14) * 30.4))
                while first.weekday() != 0:
                    first -= DAY
            self.stock_intake(person, first)
            joined = None
            if associate:
                assemblies = [
                    day
                    for year in range(cesa_start.year, start.year)
                    for day in assembly_dates(year)
                    if add_months(cesa_start, 12) <= day < start
                ]
                joined = rng.choice(assemblies)
            if first < cesa_start:
                self.cape(person, first, convert_on=cesa_start)
            self.cesa(person, cesa_start, not_before=start, associate_on=joined, settled=settled)
            self.business_for(person, first, may_share=False)

        for _ in range(round(STOCK_SALARIED * self.scale)):
            salaried(months_back=(1, 60), associate=False)
        self.plan_joins()
        target = round(TARGET_ENTREPRENEUR_ASSOCIATES * self.scale)
        for _ in range(10 * target):
            if self.count_at(self.census_day)[1] >= target:
                break
            salaried(months_back=(26, 180), associate=True)
        target = round(TARGET_MEMBERS * self.scale)
        for _ in range(10 * target):
            if self.count_at(self.census_day)[0] >= target:
                break
            salaried(months_back=(1, 72), associate=False, settled=True)

    def plan_joins(self) -> None:
        """At each general assembly, a few salaried entrepreneurs become associates.

        Chosen among the settled ones with a CESA for a year or more who are not about to
        leave; their exit, if any, was drawn with their CESA, so some associates leave later.
        """
        per_assembly = JOINS_PER_ASSEMBLY * self.scale
        for year in range(self.first_year, self.today.year + 1):
            for assembly in assembly_dates(year):
                if assembly > self.today:
                    continue
                eligible = [
                    person
                    for person in self.people
                    if person.settled
                    and person.associate_from is None
                    and person.member_at(assembly)
                    and (cesa := person.cesa()) is not None
                    and add_months(cesa.start, 12) <= assembly
                    and (
                        person.exit_date is None
                        or person.exit_date > assembly + datetime.timedelta(days=90)
                    )
                ]
                count = min(len(eligible), round(per_assembly * self.rng.uniform(0.75, 1.25)))
                for person in self.rng.sample(eligible, count):
                    person.associate_from = assembly
                    if person.exit_date is not None:
                        person.associate_until = person.exit_date
                    self.path(assembly, "associate_join", person=person, date=assembly)

    def count_at(self, day: datetime.date) -> tuple[int, int]:
        """(members, entrepreneur associates) at a date, by the plan."""
        members = associates = 0
        for person in self.people:
            if person.member_at(day):
                members += 1
                associates += person.associate_at(day)
        return members, associates

    # --- businesses whose people leave -------------------------------------------------

    def plan_business_endings(self) -> None:
        """A leaving member hands the business over, or the business closes with the last one."""
        for business in self.businesses:
            main = business.main
            leaving = sorted(
                (p.exit_date, n, p) for n, (p, _) in enumerate(business.members) if p.exit_date
            )
            present = [p for p, _ in business.members]
            for day, _, person in leaving:
                present.remove(person)
                if not present:
                    self.path(day, "business_close", business=business, date=day)
                elif person is main:
                    main = present[0]
                    self.path(
                        day,
                        "membership_handover",
                        business=business,
                        person=person,
                        new_main=main,
                        date=day,
                    )
                else:
                    self.path(day, "membership_end", business=business, person=person, date=day)


def build_plan(*, seed: int | str, today: datetime.date, scale: float = 1.0) -> Plan:
    """Plan the demo cooperative (pure Python, no database)."""
    return Planner(seed=seed, today=today, scale=scale).build()
