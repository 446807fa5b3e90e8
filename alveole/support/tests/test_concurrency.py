"""Places are never over-given when people enrol at the same moment (PostgreSQL row lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from alveole.support import services
from alveole.support.models import Enrolment
from alveole.support.tests.conftest import future_slots, make_session, make_workshop
from tests.factories import Role, make_person, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_simultaneous_enrolments_never_exceed_the_places():
    # No persona here: after a browser test the seeded reference data may be gone.
    trainer = make_user(Role.STAFF)
    session = make_session(make_workshop(capacity=1), trainer, future_slots())
    people = [make_person() for _ in range(6)]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def enrol(person) -> None:
        try:
            barrier.wait()
            services.enrolment_create(actor=None, session=session, person=person, source="staff")
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = sorted(Enrolment.objects.filter(session=session).values_list("status", flat=True))
    assert statuses == ["confirmed"] + ["waiting"] * 5
