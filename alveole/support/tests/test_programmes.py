"""Programmes for funders and co-development groups: membership, report, permissions."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.support import services
from alveole.support.models import Programme, Signature
from alveole.support.tests.conftest import (
    drawn_signature,
    future_slots,
    make_session,
    make_workshop,
)
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def _signed_programme(personas, monkeypatch):
    workshop = make_workshop(capacity=5)
    first = make_session(workshop, personas.staff.user, future_slots(5))
    second = make_session(workshop, personas.staff.user, future_slots(12))
    alice, bob = personas.entrepreneur.person, personas.other_entrepreneur.person
    enrolments = {}
    for session in (first, second):
        for person in (alice, bob):
            enrolments[(session.pk, person.pk)] = services.enrolment_create(
                actor=None, session=session, person=person, source="staff"
            )
    # Alice signs both half-days of the first session and the morning of the second; Bob nothing.
    for session, slots in ((first, first.slot_list), (second, second.slot_list[:1])):
        for slot in slots:
            monkeypatch.setattr(services, "_now", lambda slot=slot: slot.starts_at)
            services.signature_record(
                slot=slot, enrolment=enrolments[(session.pk, alice.pk)], image_data_url=drawn_signature(),
                ip_address=None, user_agent="", device=Signature.Device.TRAINER_DEVICE,
            )  # fmt: skip
    programme = services.programme_save(
        actor=None, kind="programme", name="Ateliers RSA", year=2026, funder="Département du Gers",
        sessions=[first, second], participants=[alice, bob, make_person(first_name="Zoé", last_name="Zen")],
    )  # fmt: skip
    return programme


def test_the_programme_report_counts_half_days_signed(personas, monkeypatch):
    programme = _signed_programme(personas, monkeypatch)
    from alveole.support.selectors import programme_report

    report = programme_report(programme)
    lines = {
        line.person.first_name: (line.sessions_enrolled, line.half_days_signed, line.hours)
        for line in report["lines"]
    }
    assert lines == {"Alice": (2, 3, 10.5), "Bob": (2, 0, 0), "Zoé": (0, 0, 0)}
    assert (report["attended"], report["total_half_days"], report["total_hours"]) == (1, 3, 10.5)
    response = personas.staff.client.get(
        reverse("support:programme_detail", args=[programme.pk]), {"format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Nom", "Prénom", "Sessions", "Demi-journées signées", "Heures"]
    assert rows[1:] == [
        ["Durand", "Bob", "2", "0", "0"],
        ["Martin", "Alice", "2", "3", "10.5"],
        ["Zen", "Zoé", "0", "0", "0"],
    ]


def test_programme_rules_and_pages(personas, monkeypatch):
    with pytest.raises(ValidationError) as error:
        services.programme_save(
            actor=None, kind="codevelopment", name="", year=1990, sessions=[],
            participants=[personas.staff.person], coordinator=personas.entrepreneur.user,
        )  # fmt: skip
    assert set(error.value.message_dict) == {"name", "year", "participants", "coordinator"}
    assert Programme.objects.count() == 0
    programme = _signed_programme(personas, monkeypatch)
    urls = [reverse("support:programme_list"), reverse("support:programme_create"),
            reverse("support:programme_detail", args=[programme.pk]), reverse("support:programme_edit", args=[programme.pk])]  # fmt: skip
    for persona in personas.all():
        expected = {"staff": 200, "director": 200, "anonymous": 302}.get(persona.name, 403)
        for url in urls:
            assert persona.client.get(url).status_code == expected, (persona.name, url)
    for persona in (personas.entrepreneur, personas.accountant):
        response = persona.client.post(
            reverse("support:programme_edit", args=[programme.pk]),
            {"kind": "programme", "name": "X", "year": 2026},
        )
        assert response.status_code == 403
    programme.refresh_from_db()
    assert programme.name == "Ateliers RSA" and programme.participants.count() == 3
    response = personas.staff.client.post(reverse("support:programme_edit", args=[programme.pk]), {
        "kind": "codevelopment", "name": "Codév 1", "year": "2026", "participants": [personas.entrepreneur.person.pk],
    })  # fmt: skip
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (
        programme.kind,
        programme.name,
        programme.sessions.count(),
        programme.participants.count(),
    ) == ("codevelopment", "Codév 1", 0, 1)
    assert (
        "Groupe confidentiel"
        in personas.staff.client.get(
            reverse("support:programme_detail", args=[programme.pk])
        ).content.decode()
    )


def test_programme_pages_query_counts_do_not_grow(personas, monkeypatch):
    programme = _signed_programme(personas, monkeypatch)
    client = personas.staff.client
    urls = [
        reverse("support:programme_list"),
        reverse("support:programme_detail", args=[programme.pk]),
    ]
    for url in urls:
        client.get(url)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    few = [count(url) for url in urls]
    extra = make_session(make_workshop(), personas.staff.user, future_slots(20))
    people = [make_person() for _ in range(4)]
    for person in people:
        services.enrolment_create(actor=None, session=extra, person=person, source="staff")
    services.programme_save(
        actor=None, programme=programme, kind="programme", name="Ateliers RSA", year=2026,
        sessions=[*programme.sessions.all(), extra], participants=[*programme.participants.all(), *people],
    )  # fmt: skip
    services.programme_save(
        actor=None, kind="programme", name="Autre", year=2026, sessions=[extra], participants=people
    )
    assert [count(url) for url in urls] == few
