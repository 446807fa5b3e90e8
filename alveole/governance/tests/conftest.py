"""Governance fixtures: associates of each category, and assemblies ready for their session."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.utils import timezone

from alveole.coop.data import SEED_SECTORS
from alveole.coop.models import Sector
from alveole.core.dates import today
from alveole.governance import services
from alveole.governance.models import AgendaItem, Assembly, AssemblyKind, QuorumRule
from alveole.people.models import Person, PersonKind
from tests.factories import make_entrepreneur, make_person, make_staff_person

JOINED = datetime.date(2024, 6, 1)
NOMINAL = 2500  # 25 € a share


def make_associate(
    *,
    kind: str = PersonKind.ENTREPRENEUR,
    joined: datetime.date = JOINED,
    shares: int = 4,
    paid_cents: int | None = None,
    person: Person | None = None,
    **fields,
) -> Person:
    """A person admitted as an associate through the services, with a first subscription."""
    if person is None:
        if kind == PersonKind.ENTREPRENEUR:
            person = make_entrepreneur(**fields)
        elif kind == PersonKind.SUPPORT_STAFF:
            person = make_staff_person(**fields)
        else:
            person = make_person(kind=PersonKind.EXTERNAL, **fields)
    amount = shares * NOMINAL
    paid = amount if paid_cents is None else paid_cents
    schedule = [(joined + datetime.timedelta(days=90), amount - paid)] if paid < amount else []
    services.associate_admit(
        actor=None, person=person, date=joined, shares=shares, nominal_cents=NOMINAL,
        paid_cents=paid, schedule=schedule,
    )  # fmt: skip
    return person


def link_for(token: str) -> str:
    return f"http://testserver/governance/p/{token}/"


def make_assembly(
    *,
    kind: str = AssemblyKind.ORDINARY,
    days_ahead: int = 20,
    online: bool = True,
    previous: Assembly | None = None,
    title: str = "Assemblée générale annuelle",
) -> Assembly:
    assembly = services.assembly_create(
        actor=None, kind=kind, title=title,
        starts_at=timezone.now() + datetime.timedelta(days=days_ahead),
        place="Siège, 1 rue de la Coopération, Auch", online=online, previous=previous,
    )  # fmt: skip
    services.agenda_item_add(actor=None, assembly=assembly, title="Approbation des comptes")
    return assembly


def convene_and_open(assembly: Assembly) -> Assembly:
    """Convene 20 days ahead, then bring the assembly to today (time passing) and open it."""
    services.assembly_convene(actor=None, assembly=assembly, link_for=link_for)
    Assembly.objects.filter(pk=assembly.pk).update(starts_at=timezone.now())
    assembly.refresh_from_db()
    assert assembly.date == today()
    return services.assembly_open(actor=None, assembly=assembly)


#: A tiny valid PNG (1×1 transparent pixel), as a drawn signature would be.
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63600001000005000140d4b6e60000000049454e44ae426082"
)


def sign(assembly: Assembly, person: Person, mode: str = "in_person"):
    return services.attendance_sign(
        actor=None, assembly=assembly, person=person, mode=mode,
        via="tablet" if mode == "in_person" else "online", signature_png=PNG_1PX,
    )  # fmt: skip


@pytest.fixture
def reseeded(transactional_db):
    """The seed data, again: a transactional test before this one may have flushed it."""
    for position, (code, name) in enumerate(SEED_SECTORS, start=1):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    seed = importlib.import_module("alveole.governance.migrations.0002_seed_quorum_rules")
    for kind, round_, numerator, denominator, source in seed.RULES:
        QuorumRule.objects.get_or_create(
            kind=kind, convocation_round=round_, valid_from=seed.IN_FORCE,
            defaults={"numerator": numerator, "denominator": denominator, "source": source},
        )  # fmt: skip


@pytest.fixture
def associates(personas):
    """Alice (entrepreneur persona) is an associate; Bob (other entrepreneur) is not."""
    make_associate(person=personas.entrepreneur.person, shares=4)
    return personas


__all__ = ["AgendaItem", "make_associate"]
