"""Concurrent writes on PostgreSQL: the legal caps hold when requests race (docs/adr/0003)."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from alveole.governance import services
from alveole.governance.models import Ballot, Proxy, VoteReceipt
from alveole.people.models import PersonKind

from .conftest import convene_and_open, make_assembly, make_associate, sign

# Skipped before any fixture runs: SQLite's IMMEDIATE transactions already serialise writers.
pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="concurrency is proven on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(calls) -> tuple[int, list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    done: list[object] = []
    errors: list[BaseException] = []

    def work(call):
        try:
            barrier.wait()
            done.append(call())
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done), errors


def test_racing_proxies_never_exceed_the_cap(reseeded, associates):
    holder = associates.entrepreneur.person
    grantors = [
        make_associate(kind=PersonKind.EXTERNAL, shares=1) for _ in range(6)
    ]  # 7 associates
    assembly = make_assembly()
    calls = [
        (lambda g=g: services.proxy_give(actor=None, assembly=assembly, grantor=g, holder=holder))
        for g in grantors
    ]
    succeeded, errors = _race(calls)
    assert succeeded == 1  # fewer than 20 associates: one proxy per holder
    assert len(errors) == 5 and all(isinstance(e, ValidationError) for e in errors)
    assert Proxy.objects.filter(holder=holder, revoked_at__isnull=True).count() == 1


def test_racing_secret_ballots_are_all_counted(reseeded, associates):
    voters = [make_associate(kind=PersonKind.EXTERNAL, shares=1) for _ in range(6)]
    assembly = convene_and_open(make_assembly())
    for voter in voters:
        sign(assembly, voter)
    resolution = services.resolution_add(
        actor=None, assembly=assembly, title="Élection", text="…", secret=True
    )
    services.resolution_open_vote(actor=None, resolution=resolution)
    calls = [
        (
            lambda v=v: services.vote_cast(
                actor=None, resolution=resolution, voter=v, choices={v.pk: "for"}
            )
        )
        for v in voters
    ]
    succeeded, errors = _race(calls)
    assert (succeeded, errors) == (6, [])
    assert Ballot.objects.filter(resolution=resolution).count() == 6
    assert VoteReceipt.objects.filter(resolution=resolution).count() == 6
