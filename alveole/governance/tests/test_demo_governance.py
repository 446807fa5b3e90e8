"""The demo's governance: two assemblies a year with votes and signed minutes, the board.

Generated once for the module (people, shares and assemblies steps only) and rolled back.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.test import override_settings

from alveole.demo.generator import STEPS, generate
from alveole.governance.models import (
    Assembly,
    AssemblyKind,
    Ballot,
    Mandate,
    MandateRole,
    Minutes,
    MinutesSignature,
    Proxy,
    Resolution,
    Vote,
    VoteReceipt,
)
from alveole.governance.rules import is_adopted, proxy_cap
from alveole.governance.selectors import mandates_at

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 30)
STEP_KEYS = {"cooperative", "staff", "paths", "accounts", "governance", "assemblies"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        result = generate(
            seed=2021, today=TODAY, scale=0.5, steps=[s for s in STEPS if s.key in STEP_KEYS]
        )
        yield result
        transaction.set_rollback(True)


def test_two_assemblies_a_year_with_signed_minutes(demo):
    closed = list(Assembly.objects.filter(status=Assembly.Status.CLOSED).order_by("starts_at"))
    first_year = closed[0].date.year
    years = range(first_year, TODAY.year)
    for year in years:
        held = [a for a in closed if a.date.year == year]
        assert [a.date.month for a in held] == [6, 12], year
        assert held[0].kind == AssemblyKind.ORDINARY
        assert held[0].resolutions.filter(title__startswith="Approbation des comptes").exists()
    assert {a.kind for a in closed} == {AssemblyKind.ORDINARY, AssemblyKind.EXTRAORDINARY}
    assert all(a.recorded_afterwards and a.quorum_met for a in closed)
    assert Minutes.objects.count() == len(closed)
    assert MinutesSignature.objects.count() == 2 * len(closed)


def test_realistic_attendance_and_proxies_within_the_caps(demo):
    for assembly in Assembly.objects.filter(status=Assembly.Status.CLOSED):
        present = assembly.present_count + assembly.online_count
        assert 0.45 <= present / assembly.associates_count <= 0.75, assembly
        assert assembly.represented_count > 0
        cap = proxy_cap(assembly.associates_count)
        held = Proxy.objects.filter(assembly=assembly, revoked_at__isnull=True)
        counts = [held.filter(holder=h).count() for h in held.values_list("holder", flat=True)]
        assert max(counts) <= cap


def test_votes_are_counted_and_secret_ballots_stay_secret(demo):
    resolutions = Resolution.objects.filter(assembly__status=Assembly.Status.CLOSED)
    assert resolutions.filter(secret=True).exists() and resolutions.filter(secret=False).exists()
    for resolution in resolutions:
        assert resolution.status == Resolution.Status.CLOSED
        assert resolution.adopted is is_adopted(
            resolution.majority, resolution.votes_for, resolution.votes_against
        )
        if resolution.secret:
            assert not Vote.objects.filter(resolution=resolution).exists()
            assert (
                Ballot.objects.filter(resolution=resolution).count()
                == VoteReceipt.objects.filter(resolution=resolution).count()
            )


def test_board_co_presidency_and_direction(demo):
    # On the day of the last election (someone may leave the cooperative during a mandate).
    day = Mandate.objects.filter(role=MandateRole.BOARD_MEMBER).latest("start_date").start_date
    running = mandates_at(day)
    board = running.filter(role=MandateRole.BOARD_MEMBER)
    kinds = sorted(m.person.kind for m in board)
    assert (kinds.count("entrepreneur"), kinds.count("support_staff")) == (8, 3)
    assert running.filter(role=MandateRole.CO_PRESIDENT).count() == 2
    assert running.filter(role=MandateRole.DIRECTOR_GENERAL).count() == 1
    assert running.filter(role=MandateRole.DEPUTY_DIRECTOR_GENERAL).count() == 1
    assert (
        Mandate.objects.filter(role=MandateRole.BOARD_MEMBER, elected_by__isnull=True).count() == 0
    )
