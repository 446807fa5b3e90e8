"""The demo's support activity: workshops, attendance, satisfaction, appointments, quality.

Shaped on the seed (66 training workshops in the year, the RSA beneficiaries' programme of
two sessions of four workshops, five co-development groups of six entrepreneurs meeting
monthly, a yearly seminar). The information meetings and intake interviews come from the
people's paths (`step_paths`): nothing here duplicates them.

Everything is written through `alveole.support`'s services. Past sessions use the dated
path meant for past registers: enrolments recorded with their date, attendance
transcribed from the paper sheet of each half-day (flagged as such, never a drawn
signature), questionnaires sent and answered with their dates. Upcoming sessions (the
next two months) are left open for enrolment, and the next three weeks of appointments are
planned, so that the pages show what is coming.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from alveole.demo import data
from alveole.demo.draws import apportion, ascii_slug
from alveole.people.models import PersonKind, User
from alveole.people.services import person_create
from alveole.support import appointments as appointment_services
from alveole.support import services
from alveole.support.models import (
    Appointment,
    Enrolment,
    Programme,
    QualityEvent,
    WorkshopKind,
    WorkshopSession,
)
from alveole.support.services import PaperLine, SlotSpec

if TYPE_CHECKING:
    import random

    from alveole.demo.generator import DemoContext
    from alveole.demo.records import PersonPlan
    from alveole.people.models import Person
    from alveole.support.models import Workshop

D = datetime.date
DAYS = datetime.timedelta
T = datetime.time

#: Training workshops held in a full year at scale 1 (the seed's 66, the RSA programme's included).
TRAINING_SESSIONS_PER_YEAR = 66
CODEVELOPMENT_GROUPS = 5  # of six entrepreneurs, meeting monthly except in summer
CODEVELOPMENT_MONTHS = (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)
UPCOMING_DAYS = 60  # sessions planned ahead of today, open for enrolment
APPOINTMENTS_AHEAD_DAYS = 21
#: Months' share of the training sessions (none in August, few in July and December).
MONTH_WEIGHTS = {1: 9, 2: 9, 3: 10, 4: 9, 5: 9, 6: 9, 7: 4, 8: 0, 9: 10, 10: 10, 11: 10, 12: 5}
#: Months between two follow-up appointments: CAPE holders are seen more often.
FOLLOW_UP_MONTHS = {"cape": (2, 4), "cesa": (5, 8)}
ONLINE_SHARE = 0.15
PUBLIC_LINK_SHARE = 0.25
SURVEY_ANSWER_SHARE = 0.72
VISIO = "https://visio.adour-gascogne.example/"


@dataclass(frozen=True)
class WorkshopSpec:
    """A catalogue entry; `trainer` is a staff key or "sector:<code>" (an entrepreneur's)."""

    key: str
    title: str
    objectives: str
    programme: str
    hours: str
    trainer: str
    capacity: int = 12
    price_cents: int = 0
    weight: int = 0  # share of the ordinary training sessions
    kind: str = WorkshopKind.TRAINING
    newcomers: bool = False  # project holders not yet in contract come too


CATALOGUE = (
    WorkshopSpec("start", "Créer son activité en coopérative",
                 "Comprendre le CAPE et le CESA, la contribution, les outils de la coopérative ; "
                 "préparer son premier mois d'activité.",
                 "1. La CAE, ses statuts et ses contrats\n2. Le parcours d'accompagnement\n"
                 "3. Devis, factures, notes de dépenses\n4. Premier plan d'action",
                 "7", "staff-auch-1", capacity=14, weight=12, newcomers=True),
    WorkshopSpec("prices", "Fixer ses prix et calculer son seuil de rentabilité",
                 "Calculer un prix de revient, une marge et le chiffre d'affaires qui paie un salaire.",
                 "1. Coûts fixes et variables\n2. Prix de revient\n3. Marge et contribution\n"
                 "4. Seuil de rentabilité", "3.5", "staff-auch-2", weight=8, newcomers=True),
    WorkshopSpec("invoicing", "Devis et facturation : les règles et l'outil",
                 "Émettre des devis et factures conformes, suivre les paiements, relancer.",
                 "1. Mentions obligatoires\n2. Facture électronique\n3. Acomptes et avoirs\n"
                 "4. Relances", "3", "staff-auch-3", weight=7),
    WorkshopSpec("accounting", "Comptabilité de base et trésorerie",
                 "Lire son compte de résultat et son suivi de trésorerie, anticiper ses charges.",
                 "1. Produits et charges\n2. Trésorerie\n3. Prévisionnel simple",
                 "3.5", "staff-tarbes-1", weight=6),
    WorkshopSpec("social-media", "Réseaux sociaux : construire sa présence en ligne",
                 "Choisir ses réseaux, bâtir une ligne éditoriale, publier régulièrement.",
                 "1. Quels réseaux pour quels clients\n2. Ligne éditoriale\n"
                 "3. Calendrier de publication\n4. Mesurer", "7", "sector:tic",
                 capacity=10, price_cents=18_000, weight=6),
    WorkshopSpec("prospecting", "Prospection et développement commercial",
                 "Cibler ses clients, préparer un rendez-vous commercial, suivre ses contacts.",
                 "1. Cibles\n2. Argumentaire\n3. Rendez-vous\n4. Suivi", "7",
                 "sector:formation-conseil", capacity=10, price_cents=18_000, weight=6),
    WorkshopSpec("social-protection", "Cotisations, assurances et protection sociale",
                 "Comprendre son bulletin de salaire, ses cotisations et ses assurances.",
                 "1. Du chiffre d'affaires au salaire\n2. Cotisations\n3. Mutuelle, prévoyance, RC Pro",
                 "3", "director", weight=4),
    WorkshopSpec("tenders", "Marchés publics : répondre à un appel d'offres",
                 "Repérer les marchés, constituer un dossier, répondre à plusieurs.",
                 "1. Plateformes de veille\n2. Le dossier\n3. Mémoire technique\n4. Cotraitance",
                 "3.5", "staff-auch-2", weight=3),
    WorkshopSpec("website", "Site internet et référencement naturel",
                 "Construire un site simple, être trouvé·e sur les moteurs de recherche.",
                 "1. Arborescence\n2. Contenus\n3. Référencement\n4. Mesure d'audience", "7",
                 "sector:tic", capacity=8, price_cents=24_000, weight=4),
    WorkshopSpec("pitch", "Présenter son activité en trois minutes",
                 "Se présenter clairement en réseau, en salon ou à un financeur.",
                 "1. Le message\n2. La posture\n3. Mises en situation", "3.5",
                 "sector:formation-conseil", capacity=10, weight=3),
    WorkshopSpec("photo", "Photographier ses produits et ses réalisations",
                 "Réaliser des photos nettes et lumineuses avec un téléphone.",
                 "1. Lumière\n2. Cadrage\n3. Retouche simple", "3.5", "sector:arts-culture",
                 capacity=8, price_cents=9_000, weight=3),
    WorkshopSpec("rsa-plan", "Construire son plan d'affaires",
                 "Formaliser son projet, son offre et ses besoins (programme RSA).",
                 "1. L'offre\n2. Le marché\n3. Les moyens\n4. Les chiffres", "3.5",
                 "staff-tarbes-2", capacity=10),
    WorkshopSpec("rsa-clients", "Cibler ses clients",
                 "Identifier ses clients et ce qu'ils attendent (programme RSA).",
                 "1. Segments\n2. Besoins\n3. Persona", "3.5", "staff-tarbes-2", capacity=10),
    WorkshopSpec("rsa-channels", "Les canaux d'acquisition",
                 "Choisir comment se faire connaître et trouver ses clients (programme RSA).",
                 "1. Bouche-à-oreille et réseaux\n2. En ligne\n3. Partenariats",
                 "3.5", "staff-tarbes-2", capacity=10),
    WorkshopSpec("rsa-money", "Gérer ses premiers euros",
                 "Suivre sa trésorerie et préparer ses déclarations (programme RSA).",
                 "1. Trésorerie\n2. Prestations sociales et revenus d'activité\n3. Outils",
                 "3.5", "staff-tarbes-2", capacity=10),
    WorkshopSpec("codev", "Co-développement entre pairs",
                 "S'entraider entre entrepreneur·es pour lever un frein, dans la confidentialité.",
                 "Un·e client·e expose une situation, le groupe questionne, propose, "
                 "le·la client·e choisit son plan d'action.", "2.5", "sector:formation-conseil",
                 capacity=8, kind=WorkshopKind.CODEVELOPMENT),
    WorkshopSpec("seminar", "Séminaire annuel de la coopérative",
                 "Faire le point sur l'année, construire ensemble les projets de la coopérative.",
                 "Jour 1 : bilan et ateliers thématiques\nJour 2 : projets et convivialité",
                 "7", "director", capacity=80, kind=WorkshopKind.EVENT),
    WorkshopSpec("back-to-work", "Rencontre de rentrée des entrepreneur·es",
                 "Se retrouver, présenter les nouveaux, partager les projets de l'année.",
                 "Tour de table, pôles métiers, agenda de l'année", "3", "director",
                 capacity=80, kind=WorkshopKind.EVENT),
)  # fmt: skip
RSA_CYCLE = ("rsa-plan", "rsa-clients", "rsa-channels", "rsa-money")
RSA_CYCLE_MONTHS = (3, 10)

EXCUSES = (
    "Malade",
    "Enfant malade",
    "Rendez-vous client impossible à déplacer",
    "Panne de voiture",
    "Intervention chez un client",
)
LIKED = (
    "Très concret, je repars avec des outils.",
    "Les échanges entre participant·es.",
    "La formatrice connaît bien notre situation de CAE.",
    "Les exemples tirés de nos activités.",
    "Petit groupe, on a pu poser toutes nos questions.",
    "Les exercices pratiques sur nos propres chiffres.",
)
TO_IMPROVE = (
    "Un peu court, une demi-journée de plus serait utile.",
    "Recevoir le support avant l'atelier.",
    "La salle était froide.",
    "Plus d'exemples dans mon métier.",
    "Le rythme était rapide pour les débutant·es.",
)
APPOINTMENT_SUBJECTS = {
    "cape": (
        "Point mensuel CAPE",
        "Premiers devis et premières factures",
        "Prévisionnel et fixation des prix",
        "Bilan de la période d'essai du CAPE",
        "Préparer le passage en CESA",
    ),
    "ahead": ("Point d'étape", "Préparer le bilan de fin d'année", "Relecture du prévisionnel"),
    "cesa": (
        "Suivi d'activité",
        "Point trésorerie et salaire",
        "Bilan annuel d'activité",
        "Projet de développement",
        "Ajustement des heures du contrat",
    ),
}
NEXT_STEPS = (
    "Envoyer le prévisionnel mis à jour",
    "Relancer les factures impayées",
    "Préparer trois devis types",
    "S'inscrire à l'atelier « Fixer ses prix »",
    "Mettre à jour la fiche de présentation de l'activité",
    "Contacter la mutuelle pour le devis",
    "Prendre rendez-vous avec la comptabilité",
    "Lister les prospects à contacter",
)
PRIVATE_NOTES = (
    "Fragilité financière, à suivre de près avant la fin du CAPE.",
    "Situation familiale difficile évoquée ; ne pas en parler en groupe.",
    "Doute sur la viabilité, en reparler en équipe.",
)
COMPLAINTS = (
    ("Stagiaire", "La convocation donnait une mauvaise adresse de salle."),
    ("Questionnaire de satisfaction", "Atelier jugé trop théorique, pas assez d'exercices."),
    ("Stagiaire", "Attestation de réalisation reçue trois semaines après la session."),
    ("Financeur", "Feuilles d'émargement transmises incomplètes pour le bilan."),
)
IMPROVEMENTS = (
    "Plan d'accès joint à chaque convocation ; adresse vérifiée par la coordinatrice.",
    "Un exercice sur les chiffres de chaque stagiaire ajouté au programme.",
    "Certificats envoyés dans la semaine qui suit la session.",
    "Contrôle des feuilles d'émargement le jour même par le·la formateur·rice.",
    "Supports envoyés aux stagiaires trois jours avant l'atelier.",
    "Revue annuelle du catalogue avec les retours des questionnaires.",
)


@dataclass
class PlannedSession:
    workshop: str
    day: datetime.date
    slots: list[SlotSpec]
    office: str
    trainer_user: User | None = None
    trainer_person: PersonPlan | None = None
    online: bool = False
    public: bool = False
    trainees: list[PersonPlan] = field(default_factory=list)
    outsiders: int = 0
    programme: tuple[str, int, int] | None = None  # (kind, year, group number)
    cancelled: bool = False


def moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def weighted_sample(rng: random.Random, weights: dict[Any, float], count: int) -> list[Any]:
    """`count` keys drawn without replacement, each with a chance proportional to its weight."""
    keyed = sorted(weights, key=lambda k: rng.random() ** (1 / weights[k]), reverse=True)
    return keyed[:count]


def working_day(rng: random.Random, year: int, month: int) -> datetime.date:
    """A random Monday-to-Friday of a month."""
    day = D(year, month, rng.randint(1, 28))
    while day.weekday() >= 5:
        day += DAYS(days=1)
    return day


def slots_for(spec: WorkshopSpec, day: datetime.date, rng: random.Random) -> list[SlotSpec]:
    hours = Decimal(spec.hours)
    if spec.kind == WorkshopKind.CODEVELOPMENT:
        return [SlotSpec(day, "afternoon", T(17, 30), T(20, 0))]
    if hours > 4:
        slots = [
            SlotSpec(day, "morning", T(9, 0), T(12, 30)),
            SlotSpec(day, "afternoon", T(13, 30), T(17, 0)),
        ]
        if spec.kind == WorkshopKind.EVENT:  # the seminar: two days, mornings
            slots = [slots[0], SlotSpec(day + DAYS(days=1), "morning", T(9, 0), T(12, 30))]
        return slots
    end_hour = T(12, 30) if hours > 3 else T(12, 0)
    if rng.random() < 0.6:
        return [SlotSpec(day, "morning", T(9, 0), end_hour)]
    return [SlotSpec(day, "afternoon", T(14, 0), T(17, 30) if hours > 3 else T(17, 0))]


class SupportDemo:
    """Plans the support activity of every year from the people's plan, then writes it."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.random("support")
        self.now = timezone.now()
        self.today = ctx.today
        self.horizon = ctx.today + DAYS(days=UPCOMING_DAYS)
        self.actor = ctx.users["staff-auch-3"]  # the training and quality lead
        self.specs = {spec.key: spec for spec in CATALOGUE}
        self.workshops: dict[str, Workshop] = {}
        self.entrepreneurs = [
            p for p in ctx.plan.people if p.kind == "entrepreneur" and p.key in ctx.people
        ]
        self.staff = [
            p
            for p in ctx.plan.people
            if p.staff_key in ctx.users and ctx.users[p.staff_key].role in ("staff", "director")
        ]
        self.interviews = [
            (e.args["person"], e.date)
            for e in ctx.plan.path_events
            if e.action == "interview" and e.args["decision"] != "not_integrated"
        ]
        self.sessions: list[PlannedSession] = []
        self.outsider_count = 0

    # --- who is there ----------------------------------------------------------------

    def members_at(self, day: datetime.date) -> list[PersonPlan]:
        return [p for p in self.entrepreneurs if p.member_at(day)]

    def newcomers_at(self, day: datetime.date) -> list[PersonPlan]:
        """Project holders interviewed in the last three months, not yet in contract."""
        return [
            person
            for person, date in self.interviews
            if day - DAYS(days=90) <= date < day and not person.member_at(day)
        ]

    def staff_at(self, day: datetime.date, office: str | None = None) -> list[User]:
        employed = [
            p
            for p in self.staff
            if p.contracts
            and p.contracts[0].start <= day
            and not (p.exit_date and p.exit_date <= day)
        ]
        local = [p for p in employed if office is None or p.office == office]
        return [self.ctx.users[p.staff_key] for p in (local or employed)]

    def sector_of(self, person: PersonPlan) -> str:
        return person.business.sector if person.business else ""

    def trainer_for(self, spec: WorkshopSpec, day: datetime.date, office: str) -> Any:
        if spec.trainer.startswith("sector:"):
            sector = spec.trainer.split(":", 1)[1]
            experts = [
                p
                for p in self.members_at(day)
                if self.sector_of(p) == sector and p.entered and p.entered <= day - DAYS(days=365)
            ]
            if experts:
                return experts[len(experts) * 7 // 11 % len(experts)]  # a stable expert
            return self.rng.choice(self.staff_at(day, office))
        user = self.ctx.users.get(spec.trainer)
        if user is not None and user in self.staff_at(day):
            return user
        return self.rng.choice(self.staff_at(day, office))

    # --- planning ----------------------------------------------------------------------

    def years(self) -> range:
        return range(self.ctx.plan.first_year, self.today.year + 1)

    def plan(self) -> None:
        for year in self.years():
            self.plan_training(year)
            self.plan_rsa(year)
            self.plan_codevelopment(year)
            self.plan_events(year)
        self.sessions = [s for s in self.sessions if s.day <= self.horizon and s.day != self.today]
        self.sessions.sort(key=lambda s: (s.day, s.slots[0].start_time, s.workshop))
        self.fill_one_upcoming()

    def fill_one_upcoming(self) -> None:
        """The first upcoming training is popular: full, with two people on the waiting list."""
        upcoming = [
            s
            for s in self.sessions
            if s.day > self.today and s.programme is None and self.specs[s.workshop].weight
        ]
        if not upcoming:
            return
        planned = upcoming[0]
        taken = set(planned.trainees) | {planned.trainer_person}
        others = [p for p in self.members_at(planned.day) if p not in taken]
        wanted = self.specs[planned.workshop].capacity + 2 - planned.outsiders
        planned.trainees += self.rng.sample(
            others, max(0, min(len(others), wanted - len(planned.trainees)))
        )

    def new_session(self, spec: WorkshopSpec, day: datetime.date, **fields: Any) -> PlannedSession:
        rng = self.rng
        office = fields.pop("office", None) or rng.choice(("Auch", "Auch", "Tarbes"))
        trainer = fields.pop("trainer", None) or self.trainer_for(spec, day, office)
        planned = PlannedSession(
            workshop=spec.key,
            day=day,
            slots=slots_for(spec, day, rng),
            office=office,
            trainer_user=trainer if isinstance(trainer, User) else None,
            trainer_person=None if isinstance(trainer, User) else trainer,
            **fields,
        )
        self.sessions.append(planned)
        return planned

    def plan_training(self, year: int) -> None:
        rng = self.rng
        total = round(TRAINING_SESSIONS_PER_YEAR * self.ctx.scale) - 2 * len(RSA_CYCLE)
        ordinary = [s for s in CATALOGUE if s.weight]
        deck = [s for s in ordinary for _ in range(s.weight)]
        rng.shuffle(deck)
        per_month = apportion(MONTH_WEIGHTS, max(total, 0))
        cancelled = rng.randrange(max(total, 1))  # one a year (trainer ill, too few people)
        index = 0
        for month, count in per_month.items():
            for _ in range(count):
                spec = deck[index % len(deck)]
                index += 1
                day = working_day(rng, year, month)
                planned = self.new_session(
                    spec,
                    day,
                    online=rng.random() < ONLINE_SHARE and spec.hours != "7",
                    public=rng.random() < PUBLIC_LINK_SHARE,
                )
                pool = dict.fromkeys(self.members_at(day), 1.0)
                for p in pool:  # in their first year, people train more
                    if p.entered and p.entered > day - DAYS(days=365):
                        pool[p] = 3.0
                if spec.newcomers:
                    pool.update(dict.fromkeys(self.newcomers_at(day), 2.0))
                pool.pop(planned.trainer_person, None)
                upcoming = day > self.today
                fill = rng.uniform(0.3, 0.7) if upcoming else rng.uniform(0.55, 1.0)
                wanted = round(spec.capacity * fill)
                planned.outsiders = rng.choice((0, 1, 1, 2)) if planned.public else 0
                planned.trainees = weighted_sample(
                    rng, pool, max(1, wanted - planned.outsiders) if pool else 0
                )
                planned.cancelled = not upcoming and index - 1 == cancelled

    def plan_rsa(self, year: int) -> None:
        """Two cycles of four workshops a year for RSA beneficiaries (the PDI programme)."""
        rng = self.rng
        for cycle, month in enumerate(RSA_CYCLE_MONTHS, start=1):
            start = working_day(rng, year, month)
            start -= DAYS(days=start.weekday() - 1) if start.weekday() >= 1 else DAYS(days=-1)
            pool = [
                p
                for p in dict.fromkeys(self.members_at(start) + self.newcomers_at(start))
                if p.entry_situation == "rsa"
            ]
            group = rng.sample(pool, min(len(pool), 8))
            for week, key in enumerate(RSA_CYCLE):
                day = start + DAYS(weeks=week)
                planned = self.new_session(
                    self.specs[key], day, office="Tarbes" if cycle == 1 else "Auch"
                )
                planned.slots = [SlotSpec(day, "morning", T(9, 0), T(12, 30))]
                planned.trainees = [p for p in group if rng.random() < 0.9]
                planned.programme = ("rsa", year, cycle)

    def plan_codevelopment(self, year: int) -> None:
        """Self-run groups of six, monthly; each year the groups form again in January."""
        rng = self.rng
        groups = max(1, round(CODEVELOPMENT_GROUPS * self.ctx.scale))
        members = [p for p in self.members_at(D(year, 1, 15)) if p.settled or p.cesa()]
        rng.shuffle(members)
        spec = self.specs["codev"]
        for number in range(1, groups + 1):
            group = members[(number - 1) * 6 : number * 6]
            if len(group) < 3:
                break
            office = group[0].office
            for month in CODEVELOPMENT_MONTHS:
                day = working_day(rng, year, month)
                present = [p for p in group if p.member_at(day)]
                if len(present) < 3:
                    continue
                planned = self.new_session(spec, day, office=office, trainer=present[0])
                planned.trainees = present[1:]
                planned.programme = ("codev", year, number)

    def plan_events(self, year: int) -> None:
        rng = self.rng
        for key, month, share in (("seminar", 6, 0.35), ("back-to-work", 9, 0.25)):
            day = working_day(rng, year, month)
            if day.weekday() == 4:  # the seminar's second day stays in the week
                day -= DAYS(days=1)
            planned = self.new_session(self.specs[key], day, office="Auch")
            pool = self.members_at(day)
            planned.trainees = rng.sample(pool, min(len(pool), round(len(pool) * share)))

    # --- writing -----------------------------------------------------------------------

    def write(self) -> None:
        self.write_catalogue()
        programmes: dict[tuple[str, int, int], list[WorkshopSession]] = {}
        members: dict[tuple[str, int, int], set[int]] = {}
        for planned in self.ctx.bar(self.sessions, "Ateliers"):
            session = self.write_session(planned)
            if planned.programme and not planned.cancelled:
                programmes.setdefault(planned.programme, []).append(session)
                keys = members.setdefault(planned.programme, set())
                keys.update(p.key for p in planned.trainees)
                if planned.trainer_person is not None and planned.programme[0] == "codev":
                    keys.add(planned.trainer_person.key)
        self.write_programmes(programmes, members)
        self.write_appointments()
        self.write_quality()

    def write_catalogue(self) -> None:
        census = self.ctx.plan.census_day
        for spec in CATALOGUE:
            trainer = self.trainer_for(spec, census, "Auch")
            self.workshops[spec.key] = services.workshop_create(
                actor=self.actor,
                kind=spec.kind,
                title=spec.title,
                objectives=spec.objectives,
                programme=spec.programme,
                duration_hours=Decimal(spec.hours),
                trainer_user=trainer if isinstance(trainer, User) else None,
                trainer_person=None if isinstance(trainer, User) else self.ctx.people[trainer.key],
                capacity=spec.capacity,
                price_cents=spec.price_cents,
                vat_exempt=spec.price_cents > 0 and spec.kind == WorkshopKind.TRAINING,
            )

    def enrolled_at(self, planned: PlannedSession) -> datetime.datetime:
        before = moment(planned.day - DAYS(days=self.rng.randint(3, 30)), T(10, 0))
        if planned.day > self.today:  # enrolled already, before today
            before = min(before, moment(self.today - DAYS(days=1), T(18, 0)))
        return min(before, self.now)

    def write_session(self, planned: PlannedSession) -> WorkshopSession:
        rng, ctx = self.rng, self.ctx
        spec = self.specs[planned.workshop]
        actor = self.actor
        place = {}
        if planned.online:
            place = {"online": True, "video_link": f"{VISIO}{spec.key}-{planned.day:%Y%m%d}"}
        else:
            place = {"office": ctx.offices[planned.office], "place": "Salle de formation"}
        session = services.session_create(
            actor=actor,
            workshop=self.workshops[spec.key],
            slots=planned.slots,
            trainer_user=planned.trainer_user,
            trainer_person=ctx.people[planned.trainer_person.key]
            if planned.trainer_person
            else None,
            public_registration=planned.public,
            **place,
        )
        # First come, first placed: the waiting list follows the enrolment dates.
        people: list[tuple[Any, str]] = [
            (
                person,
                rng.choice((Enrolment.Source.STAFF, Enrolment.Source.SELF, Enrolment.Source.SELF))
                if person.member_at(planned.day)
                else Enrolment.Source.STAFF,
            )
            for person in planned.trainees
        ] + [(None, Enrolment.Source.PUBLIC)] * planned.outsiders
        rng.shuffle(people)
        dates = sorted(self.enrolled_at(planned) for _ in people)
        enrolments = [
            services.enrolment_create(
                actor=actor,
                session=session,
                person=self.outsider(planned) if person is None else ctx.people[person.key],
                source=source,
                at=at,
            )
            for (person, source), at in zip(people, dates, strict=True)
        ]
        if planned.cancelled:
            cancelled_at = moment(planned.day - DAYS(days=2), T(11, 0))
            services.session_cancel(actor=actor, session=session, at=min(cancelled_at, self.now))
            return session
        past = [slot for slot in session.slot_list if slot.date < self.today]
        self.write_attendance(past, enrolments)
        if spec.kind == WorkshopKind.TRAINING and past and len(past) == len(planned.slots):
            self.write_survey(session, planned)
        return session

    def outsider(self, planned: PlannedSession) -> Person:
        """Someone from outside who registered through the public link (a candidate file)."""
        rng = self.rng
        self.outsider_count += 1
        female = rng.random() < 0.6
        first = rng.choice(data.FEMALE_FIRST_NAMES if female else data.MALE_FIRST_NAMES)
        last = rng.choice(data.LAST_NAMES)
        return person_create(
            actor=None,
            kind=PersonKind.ENTREPRENEUR,
            first_name=first,
            last_name=last,
            email=f"{ascii_slug(first)}.{ascii_slug(last)}.{self.outsider_count}@exterieur.example",
            office=self.ctx.offices[planned.office],
            notes=f"Inscrit·e par le lien public de la session « {self.specs[planned.workshop].title} ».",
        )

    def write_attendance(self, slots: list[Any], enrolments: list[Enrolment]) -> None:
        rng = self.rng
        confirmed = [e for e in enrolments if e.status == Enrolment.Status.CONFIRMED]
        habits: dict[int, str] = {}
        for enrolment in confirmed:
            draw = rng.random()
            habits[enrolment.pk] = (
                "present"
                if draw < 0.87
                else "excused"
                if draw < 0.93
                else "absent"
                if draw < 0.97
                else "morning"
            )
        excuses = {e.pk: rng.choice(EXCUSES) for e in confirmed}
        for index, slot in enumerate(slots):
            lines = []
            for enrolment in confirmed:
                habit = habits[enrolment.pk]
                if habit == "excused":
                    lines.append(PaperLine(enrolment, PaperLine.EXCUSED, excuses[enrolment.pk]))
                elif habit == "absent" or (habit == "morning" and index > 0):
                    lines.append(PaperLine(enrolment, PaperLine.ABSENT))
                else:
                    lines.append(PaperLine(enrolment, PaperLine.PRESENT))
            services.paper_sheet_record(
                actor=self.actor,
                slot=slot,
                lines=lines,
                trainer_signed=True,
                recorded_at=min(moment(slot.date + DAYS(days=1), T(9, 30)), self.now),
            )

    def write_survey(self, session: WorkshopSession, planned: PlannedSession) -> None:
        rng = self.rng
        sent_at = moment(planned.slots[-1].date, planned.slots[-1].end_time) + DAYS(hours=3)
        if sent_at >= self.now:
            return
        try:
            responses = services.survey_send(actor=self.actor, session=session, at=sent_at)
        except ValidationError:  # nobody came
            return
        for response in responses:
            answered_at = sent_at + DAYS(hours=rng.randint(2, 120))
            if rng.random() > SURVEY_ANSWER_SHARE or answered_at >= self.now:
                continue
            overall = rng.choices((5, 4, 3, 2), weights=(55, 35, 8, 2))[0]

            def near(score: int) -> int:
                return max(1, min(5, score + rng.choice((-1, 0, 0, 0, 1))))

            services.survey_answer(
                token=response.token,
                rating_overall=overall,
                rating_content=near(overall),
                rating_trainer=near(overall),
                rating_organisation=near(overall),
                liked=rng.choice(LIKED) if rng.random() < 0.5 else "",
                to_improve=rng.choice(TO_IMPROVE) if rng.random() < 0.3 or overall <= 3 else "",
                at=answered_at,
            )

    def write_programmes(
        self,
        programmes: dict[tuple[str, int, int], list[WorkshopSession]],
        members: dict[tuple[str, int, int], set[int]],
    ) -> None:
        ctx = self.ctx
        for (kind, year, number), sessions in sorted(programmes.items()):
            coordinator = self.staff_at(D(year, 6, 30), "Tarbes" if kind == "rsa" else "Auch")[0]
            participants = [ctx.people[key] for key in sorted(members[(kind, year, number)])]
            if kind == "rsa":
                fields = {
                    "kind": Programme.Kind.PROGRAMME,
                    "name": f"Ateliers des bénéficiaires du RSA — session {number}",
                    "funder": "Conseil départemental du Gers (Programme départemental d'insertion)",
                    "description": "Quatre ateliers collectifs en complément des rendez-vous "
                    "individuels : plan d'affaires, ciblage des clients, canaux "
                    "d'acquisition, trésorerie.",
                }
            else:
                fields = {
                    "kind": Programme.Kind.CODEVELOPMENT,
                    "name": f"Groupe de co-développement n° {number}",
                    "description": "Six entrepreneur·es d'activités diverses, une rencontre "
                    "par mois, auto-organisée ; ce qui s'y dit reste dans le groupe.",
                }
            services.programme_save(
                actor=self.actor,
                sessions=sessions,
                participants=participants,
                year=year,
                coordinator=coordinator,
                **fields,
            )

    # --- appointments ------------------------------------------------------------------

    def follow_ups(self, person: PersonPlan) -> Iterator[tuple[datetime.date, str]]:
        """The dates of a member's follow-up appointments, with their contract kind then."""
        rng = self.rng
        start = max(person.entered or self.today, D(self.ctx.plan.first_year, 1, 1))
        end = min(person.exit_date or self.horizon, self.today + DAYS(days=APPOINTMENTS_AHEAD_DAYS))
        day = start + DAYS(days=rng.randint(7, 45))
        if person.member_at(self.today) and rng.random() < 0.3:  # an extra one ahead
            yield self.today + DAYS(days=rng.randint(1, APPOINTMENTS_AHEAD_DAYS)), "ahead"
        while day < end:
            cesa = person.cesa()
            kind = "cesa" if cesa is not None and cesa.start <= day else "cape"
            if day.weekday() < 5 and day != self.today:
                yield day, kind
            low, high = FOLLOW_UP_MONTHS[kind]
            day += DAYS(days=rng.randint(low * 30, high * 30))

    def write_appointments(self) -> None:
        rng, ctx = self.ctx.random("support-appointments"), self.ctx
        planned = []
        for person in self.entrepreneurs:
            if person.entered is None:
                continue
            for day, kind in self.follow_ups(person):
                if day.weekday() < 5:
                    planned.append((day, person.key, person, kind))
        planned.sort(key=lambda item: item[:2])
        for day, _key, person, kind in ctx.bar(planned, "Rendez-vous"):
            staff = ctx.users.get(person.follow_up or "")
            if staff is None or staff not in self.staff_at(day):
                staff = rng.choice(self.staff_at(day, person.office))
            starts_at = moment(day, T(rng.choice((9, 10, 11, 14, 15, 16)), rng.choice((0, 30))))
            online = rng.random() < 0.2
            appointment = appointment_services.appointment_create(
                actor=staff,
                staff=staff,
                participants=[ctx.people[person.key]],
                starts_at=starts_at,
                ends_at=starts_at + DAYS(hours=1),
                place="" if online else f"Bureau de {person.office}",
                video_link=f"{VISIO}rdv-{person.key}-{day:%Y%m%d}" if online else "",
                subject=rng.choice(APPOINTMENT_SUBJECTS[kind]),
                notes=""
                if day >= self.today
                else "Point sur l'activité, le chiffre d'affaires du trimestre et les prochains mois.",
                private_notes=rng.choice(PRIVATE_NOTES) if rng.random() < 0.08 else "",
            )
            if day >= self.today:
                continue
            if rng.random() < 0.04:
                appointment_services.appointment_set_status(
                    actor=staff, appointment=appointment, status=Appointment.Status.CANCELLED
                )
                continue
            appointment_services.appointment_set_status(
                actor=staff, appointment=appointment, status=Appointment.Status.DONE
            )
            for description in rng.sample(NEXT_STEPS, rng.choice((1, 1, 2))):
                due = day + DAYS(days=rng.randint(10, 45))
                step = appointment_services.next_step_add(
                    actor=staff, appointment=appointment, description=description, due_date=due
                )
                done_at = moment(due - DAYS(days=rng.randint(0, 8)), T(18, 0))
                if done_at < self.now and due < self.today and rng.random() < 0.8:
                    appointment_services.next_step_set_done(
                        actor=staff, step=step, done=True, at=max(done_at, starts_at)
                    )

    # --- quality -----------------------------------------------------------------------

    def write_quality(self) -> None:
        """Two complaints a year, each answered by an improvement action, and a yearly review."""
        rng = self.ctx.random("support-quality")
        held = list(
            WorkshopSession.objects.filter(
                status=WorkshopSession.Status.SCHEDULED,
                workshop__kind=WorkshopKind.TRAINING,
                slots__date__lt=self.today,
            )
            .select_related("workshop")
            .prefetch_related("slots")
            .distinct()
            .order_by("pk")
        )
        for year in self.years():
            sessions = [s for s in held if s.first_slot and s.first_slot.date.year == year]
            for month in (3, 10):
                day = working_day(rng, year, month)
                if day >= self.today or not sessions:
                    continue
                origin, text = rng.choice(COMPLAINTS)
                session = rng.choice(sessions)
                complaint = services.quality_event_record(
                    actor=self.actor,
                    kind=QualityEvent.Kind.COMPLAINT,
                    date=day,
                    origin=origin,
                    session=session,
                    description=text,
                )
                self.close(
                    complaint,
                    day + DAYS(days=rng.randint(5, 20)),
                    "Excuses et correction apportées au stagiaire.",
                )
                acted = day + DAYS(days=rng.randint(3, 10))
                if acted >= self.today:
                    continue
                improvement = services.quality_event_record(
                    actor=self.actor,
                    kind=QualityEvent.Kind.IMPROVEMENT,
                    date=acted,
                    origin="Réclamation",
                    workshop=session.workshop,
                    complaint=complaint,
                    description=rng.choice(IMPROVEMENTS),
                )
                self.close(
                    improvement,
                    acted + DAYS(days=rng.randint(25, 60)),
                    "Mise en place vérifiée à la session suivante.",
                )
            review = D(year, 12, 15)
            if review < self.today:
                action = services.quality_event_record(
                    actor=self.actor,
                    kind=QualityEvent.Kind.IMPROVEMENT,
                    date=review,
                    origin="Revue annuelle des questionnaires de satisfaction",
                    description=IMPROVEMENTS[-1],
                )
                self.close(action, D(year + 1, 2, 15), "Catalogue de l'année revu et publié.")

    def close(self, event: QualityEvent, day: datetime.date, response: str) -> None:
        if day < self.today and day <= timezone.localdate():
            services.quality_event_close(
                actor=self.actor, event=event, response=response, closed_on=day
            )


def step_support(ctx: DemoContext) -> None:
    """Workshops with their attendance and surveys, programmes and groups, appointments, quality."""
    demo = SupportDemo(ctx)
    demo.plan()
    demo.write()
