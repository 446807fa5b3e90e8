"""The demo's governance, through governance's services: the share capital, two general
assemblies a year with their votes and signed minutes, the board and the direction.

Entrepreneurs and team members subscribe 20 to 40 shares of 25 € when they join (most pay
at once, some in three monthly instalments); external associates subscribe more.

The past assemblies are recorded as an import of history would: created with
`recorded_afterwards=True`, their convocation, session, votes and minutes signatures take
the past moments of their paper minutes (`at=`). Live assemblies never accept such dates.
"""

from __future__ import annotations

import datetime
import random
import struct
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from alveole.demo.calendar import assembly_dates
from alveole.governance.models import (
    Assembly,
    AssemblyKind,
    Attendance,
    AttendanceMode,
    Choice,
    Majority,
    MandateRole,
    Resolution,
    SignatoryRole,
)
from alveole.governance.rules import proxy_cap
from alveole.governance.selectors import associates_at, mandates_at, running_associateships
from alveole.governance.services import (
    agenda_item_add,
    assembly_close,
    assembly_convene,
    assembly_create,
    assembly_open,
    attendance_sign,
    mandate_end,
    mandate_start,
    minutes_sign,
    proxy_give,
    resolution_add,
    resolution_close_vote,
    resolution_open_vote,
    room_tally_record,
    vote_cast,
    vote_record_in_room,
)
from alveole.governance.services.shares import shares_subscribe
from alveole.people.models import Associateship, Person, PersonKind

if TYPE_CHECKING:
    from alveole.demo.generator import DemoContext

NOMINAL_CENTS = 2500
INSTALMENT_SHARE = 0.25  # subscriptions paid in three monthly instalments


def step_governance(ctx: DemoContext) -> None:
    """A share subscription for every associateship the paths created, at its start."""
    rng = ctx.random("governance")
    actor = ctx.users.get("director")
    for key, associateship in ctx.bar(sorted(ctx.associateships.items()), "Sociétariat"):
        person = ctx.people[key]
        day = associateship.start_date
        external = person.kind == PersonKind.EXTERNAL
        shares = rng.choice((40, 80, 200)) if external else rng.choice((20, 20, 30, 40))
        amount = shares * NOMINAL_CENTS
        paid, schedule = amount, []
        if not external and rng.random() < INSTALMENT_SHARE:
            part = amount // 3
            paid = amount - 2 * part
            schedule = [(day + datetime.timedelta(days=30 * n), part) for n in (1, 2)]
        shares_subscribe(
            actor=actor,
            person=person,
            date=day,
            shares=shares,
            nominal_cents=NOMINAL_CENTS,
            paid_cents=paid,
            schedule=schedule,
            note="Souscription à l'entrée au sociétariat",
        )


# --- general assemblies, votes, minutes and the board -----------------------------------

ASSEMBLY_HOUR = datetime.time(18, 0)
NOTICE_DAYS = 21  # paper convocations went out three weeks ahead (the statutes ask 15)
ELECTION_EVERY = 3  # the board is elected for three years
BOARD_ENTREPRENEURS, BOARD_STAFF = 8, 3
ATTENDANCE = (0.50, 0.70)  # share of associates present, in person or online
ONLINE_SHARE = 0.2  # of those present, who follow online
PROXY_SHARE = 0.45  # of the absent, who give a proxy (within the legal caps)


@dataclass(frozen=True)
class Motion:
    """A resolution of a demo assembly: its text, majority, secrecy and how consensual it is."""

    title: str
    text: str
    majority: str = Majority.SIMPLE
    secret: bool = False
    support: float = 0.88  # the probability of a vote for, among those who do not abstain


def _at(day: datetime.date, minutes: int = 0) -> datetime.datetime:
    moment = datetime.datetime.combine(day, ASSEMBLY_HOUR) + datetime.timedelta(minutes=minutes)
    return timezone.make_aware(moment)


def scribble_png(rng: random.Random, width: int = 160, height: int = 48) -> bytes:
    """A small drawn-looking signature (a random stroke) as a PNG, as the tablet would send."""
    pixels = bytearray(b"\xff" * (width * height))
    x, y = 8.0, height / 2
    for _step in range(220):
        x = min(width - 3, x + rng.uniform(0.2, 1.4))
        y = min(height - 4.0, max(3.0, y + rng.uniform(-2.2, 2.2)))
        for dx in (0, 1):
            for dy in (0, 1):
                pixels[(int(y) + dy) * width + int(x) + dx] = 0x20
    raw = b"".join(b"\x00" + bytes(pixels[r * width : (r + 1) * width]) for r in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _motions(year: int, june: bool, extraordinary: bool, election: bool) -> list[Motion]:
    if june:
        motions = [
            Motion(
                f"Approbation des comptes de l'exercice {year - 1}",
                f"L'assemblée générale, après avoir entendu le rapport de gestion du conseil "
                f"d'administration et le rapport du commissaire aux comptes, approuve les comptes "
                f"de l'exercice clos le 31 décembre {year - 1} tels qu'ils lui ont été présentés.",
                support=0.95,
            ),
            Motion(
                "Affectation du résultat",
                "L'assemblée générale décide d'affecter le résultat de l'exercice conformément "
                "aux statuts : réserve légale, réserves impartageables (fonds de développement) "
                "et part travail versée aux salarié·es.",
                support=0.9,
            ),
            Motion(
                "Quitus aux administrateur·rices",
                "L'assemblée générale donne quitus aux administrateur·rices de leur gestion "
                "pour l'exercice écoulé.",
                support=0.86,
            ),
        ]
        if election:
            motions.append(
                Motion(
                    "Élection du conseil d'administration",
                    f"L'assemblée générale élit pour {ELECTION_EVERY} ans les membres du conseil "
                    "d'administration présenté·es dans la liste jointe à la convocation.",
                    secret=True,
                    support=0.83,
                )
            )
        return motions
    if extraordinary:
        return [
            Motion(
                "Modification des statuts : objet social et établissements",
                "L'assemblée générale extraordinaire modifie l'article 3 des statuts pour "
                "ajouter les activités de formation à l'objet social et déclarer l'établissement "
                "de Tarbes.",
                majority=Majority.TWO_THIRDS,
                support=0.82,
            ),
            Motion(
                "Variabilité du capital : montant minimal des parts à l'entrée",
                "L'assemblée générale extraordinaire porte à 20 le nombre minimal de parts "
                "souscrites par un·e nouvel·le associé·e salarié·e.",
                majority=Majority.TWO_THIRDS,
                secret=True,
                support=0.7,
            ),
        ]
    return [
        Motion(
            f"Orientations et budget prévisionnel {year + 1}",
            f"L'assemblée générale approuve les orientations stratégiques et le budget "
            f"prévisionnel présentés pour l'année {year + 1}.",
            support=0.9,
        ),
        Motion(
            f"Taux de la contribution coopérative {year + 1}",
            "L'assemblée générale fixe le taux de la contribution coopérative des "
            "entrepreneur·es au niveau proposé par le conseil d'administration.",
            secret=True,
            support=0.62,
        ),
    ]


def _choice(rng: random.Random, motion: Motion) -> str:
    if rng.random() < 0.08:
        return Choice.ABSTAIN
    return Choice.FOR if rng.random() < motion.support else Choice.AGAINST


class _AssemblyRecorder:
    """Records one past assembly from its (demo) paper minutes, through the services."""

    def __init__(self, ctx: DemoContext, rng: random.Random, actor: Any) -> None:
        self.ctx, self.rng, self.actor = ctx, rng, actor

    def record(self, day: datetime.date, kind: str, title: str, motions: list[Motion]) -> Assembly:
        rng, actor = self.rng, self.actor
        associates = list(associates_at(day))
        presiding = [
            m.person
            for m in mandates_at(day).filter(role=MandateRole.CO_PRESIDENT).order_by("pk")
            if m.person in associates
        ]
        chair = presiding[0] if presiding else rng.choice(associates)
        secretary = rng.choice([p for p in associates if p != chair])
        assembly = assembly_create(
            actor=actor, kind=kind, title=title, starts_at=_at(day),
            place="Siège de la coopérative, Auch", online=True, chair=chair,
            secretary=secretary, recorded_afterwards=True,
        )  # fmt: skip
        for motion in motions:
            agenda_item_add(actor=actor, assembly=assembly, title=motion.title)
        agenda_item_add(actor=actor, assembly=assembly, title="Questions diverses")
        resolutions = [
            resolution_add(
                actor=actor,
                assembly=assembly,
                title=m.title,
                text=m.text,
                majority=m.majority,
                secret=m.secret,
            )
            for m in motions
        ]
        assembly_convene(
            actor=actor,
            assembly=assembly,
            link_for=str,
            at=_at(day - datetime.timedelta(days=NOTICE_DAYS)),
        )
        assembly_open(actor=actor, assembly=assembly, at=_at(day))
        in_room, online, proxies = self._attendance(assembly, associates, chair, secretary)
        for resolution, motion in zip(resolutions, motions, strict=True):
            self._vote(resolution, motion, in_room, online, proxies)
        return assembly_close(actor=actor, assembly=assembly, at=_at(day, 150))

    def _attendance(
        self, assembly: Assembly, associates: list[Person], chair: Person, secretary: Person
    ) -> tuple[list[Person], list[Person], dict[Person, list[Person]]]:
        rng, actor, day = self.rng, self.actor, assembly.date
        others = [p for p in associates if p not in (chair, secretary)]
        rng.shuffle(others)
        present = [chair, secretary, *others[: round(len(associates) * rng.uniform(*ATTENDANCE))]]
        absent = others[len(present) - 2 :]
        online = [p for p in present[2:] if rng.random() < ONLINE_SHARE]
        in_room = [p for p in present if p not in online]
        cap = proxy_cap(len(associates))
        proxies: dict[Person, list[Person]] = {}
        for grantor in absent:
            if rng.random() >= PROXY_SHARE:
                continue
            holders = [p for p in in_room if len(proxies.get(p, [])) < cap]
            if not holders:
                break
            holder = rng.choice(holders)
            proxy_give(
                actor=actor, assembly=assembly, grantor=grantor, holder=holder,
                at=_at(day - datetime.timedelta(days=rng.randint(1, 10))),
            )  # fmt: skip
            proxies.setdefault(holder, []).append(grantor)
        for minute, person in enumerate(present):
            attendance_sign(
                actor=actor, assembly=assembly, person=person,
                mode=AttendanceMode.ONLINE if person in online else AttendanceMode.IN_PERSON,
                via=Attendance.Via.ONLINE if person in online else Attendance.Via.TABLET,
                signature_png=scribble_png(rng), at=_at(day, minute // 6),
            )  # fmt: skip
        return in_room, online, proxies

    def _vote(
        self,
        resolution: Resolution,
        motion: Motion,
        in_room: list[Person],
        online: list[Person],
        proxies: dict[Person, list[Person]],
    ) -> None:
        rng, actor, day = self.rng, self.actor, resolution.assembly.date
        resolution_open_vote(
            actor=actor, resolution=resolution, at=_at(day, 20 + 15 * resolution.position)
        )
        for voter in online:
            vote_cast(
                actor=actor, resolution=resolution, voter=voter,
                choices={voter.pk: _choice(rng, motion)},
            )  # fmt: skip
        room = [*in_room, *(g for holder in in_room for g in proxies.get(holder, []))]
        if motion.secret:
            # Paper ballots in the room: only the count is recorded, never who chose what.
            counts = Counter(_choice(rng, motion) for _person in room)
            room_tally_record(
                actor=actor, resolution=resolution, votes_for=counts[Choice.FOR],
                votes_against=counts[Choice.AGAINST], votes_abstain=counts[Choice.ABSTAIN],
            )  # fmt: skip
        else:
            for person in room:
                vote_record_in_room(
                    actor=actor, resolution=resolution, person=person,
                    choice=_choice(rng, motion),
                )  # fmt: skip
        resolution_close_vote(
            actor=actor, resolution=resolution, at=_at(day, 30 + 15 * resolution.position)
        )


def _minutes_signed_at(day: datetime.date) -> datetime.datetime:
    """When the chair and the secretary signed the paper minutes: the week after, at 10:00."""
    return _at(day + datetime.timedelta(days=7), -8 * 60)


def _sign_minutes(actor: Any, assembly: Assembly) -> None:
    for role in SignatoryRole.values:
        minutes_sign(
            actor=actor, assembly=assembly, role=role, at=_minutes_signed_at(assembly.date)
        )


def _elect_board(ctx: DemoContext, rng: random.Random, actor: Any, assembly: Assembly) -> None:
    """The board elected at a June assembly: 8 entrepreneurs and 3 staff, a co-presidency of
    two of them; the previous board's mandates end that day. Then the two-person direction."""
    day = assembly.date
    for mandate in mandates_at(day).filter(role=MandateRole.CO_PRESIDENT):
        mandate_end(actor=actor, mandate=mandate, end_date=day)
    for mandate in mandates_at(day).filter(role=MandateRole.BOARD_MEMBER):
        mandate_end(actor=actor, mandate=mandate, end_date=day)
    running = running_associateships(day).select_related("person").order_by("person_id")
    leaving = {a.person_id: a.end_date for a in running}
    horizon = datetime.date(day.year + ELECTION_EVERY, day.month, day.day)
    staying = [a for a in running if a.end_date is None or a.end_date > horizon]
    entrepreneurs = [a.person for a in running if a.category == Associateship.Category.ENTREPRENEUR]
    # The direction reports to the board rather than sitting on it.
    direction_people = [
        user.person for key in ("director", "accountant") if (user := ctx.users.get(key))
    ]
    staff = [
        a.person
        for a in staying
        if a.category == Associateship.Category.SUPPORT_STAFF and a.person not in direction_people
    ]
    board = rng.sample(entrepreneurs, min(BOARD_ENTREPRENEURS, len(entrepreneurs)))
    board += rng.sample(staff, min(BOARD_STAFF, len(staff)))
    for person in board:
        end = leaving.get(person.pk)
        mandate_start(
            actor=actor, person=person, role=MandateRole.BOARD_MEMBER, start_date=day,
            end_date=end if end is not None and day < end <= horizon else None, elected_by=assembly,
            note="Élu·e par l'assemblée générale",
        )  # fmt: skip
    stay_ids = {a.person_id for a in staying}
    chairs = [p for p in board[:BOARD_ENTREPRENEURS] if p.pk in stay_ids][:1]
    chairs += [p for p in board[BOARD_ENTREPRENEURS:] if p.pk in stay_ids][:1]
    for person in chairs:
        mandate_start(
            actor=actor, person=person, role=MandateRole.CO_PRESIDENT, start_date=day,
            note="Désigné·e par le conseil d'administration",
        )  # fmt: skip
    direction = (
        (ctx.users.get("director"), MandateRole.DIRECTOR_GENERAL),
        (ctx.users.get("accountant"), MandateRole.DEPUTY_DIRECTOR_GENERAL),
    )
    for user, role in direction:
        if user is None or user.person is None:
            continue
        if mandates_at(day).filter(person=user.person, role=role).exists():
            continue
        mandate_start(
            actor=actor, person=user.person, role=role, start_date=day,
            note="Nommé·e par le conseil d'administration",
        )  # fmt: skip


def step_assemblies(ctx: DemoContext) -> None:
    """Two assemblies a year, recorded from their paper minutes; the board and the direction.

    June: the ordinary assembly approving the accounts (and electing the board every three
    years); December: an extraordinary assembly on even years, an ordinary one on odd
    years. The next assembly, if it is still to come, is being prepared (live rules).
    """
    rng = ctx.random("assemblies")
    actor = ctx.users.get("director")
    recorder = _AssemblyRecorder(ctx, rng, actor)
    now = timezone.now()
    plan = [
        (day, june, year)
        for year in range(ctx.plan.first_year, ctx.today.year + 1)
        for june, day in zip((True, False), assembly_dates(year), strict=True)
    ]
    for day, june, year in ctx.bar(plan, "Assemblées générales"):
        extraordinary = not june and year % 2 == 0
        election = june and (year - ctx.plan.first_year) % ELECTION_EVERY == 0
        kind = AssemblyKind.EXTRAORDINARY if extraordinary else AssemblyKind.ORDINARY
        if june:
            title = f"Assemblée générale ordinaire annuelle {year}"
        elif extraordinary:
            title = f"Assemblée générale extraordinaire de décembre {year}"
        else:
            title = f"Assemblée générale ordinaire de décembre {year}"
        if day < ctx.today and _at(day, 150) < now:
            assembly = recorder.record(
                day, kind, title, _motions(year, june, extraordinary, election)
            )
            if election:
                _elect_board(ctx, rng, actor, assembly)
            if _minutes_signed_at(assembly.date) < now:  # else the minutes await signature
                _sign_minutes(actor, assembly)
        elif day >= ctx.today:
            # The next assembly is being prepared, under the live rules (if still to come).
            if _at(day) > now:
                upcoming = assembly_create(
                    actor=actor, kind=kind, title=title, starts_at=_at(day),
                    place="Siège de la coopérative, Auch", online=True,
                )  # fmt: skip
                for motion in _motions(year, june, extraordinary, election):
                    agenda_item_add(actor=actor, assembly=upcoming, title=motion.title)
            break
