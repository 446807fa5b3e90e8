"""Support pages: who gets what, refused writes change nothing, query counts, bad input."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from alveole.people.models import Person
from alveole.people.services import information_meeting_attend, intake_interview_record
from alveole.support import appointments, services
from alveole.support.models import (
    Absence,
    Appointment,
    CalendarFeed,
    Enrolment,
    NextStep,
    Signature,
    SigningLink,
    SurveyResponse,
    Workshop,
    WorkshopSession,
)
from alveole.support.tests.conftest import drawn_signature, future_slots, make_session
from tests.factories import make_entrepreneur, make_person

pytestmark = pytest.mark.django_db

SECRET = "NOTE-PRIVEE-CONFIDENTIELLE"
NAMES = ("entrepreneur", "other_entrepreneur", "staff", "accountant", "director", "anonymous")


@dataclass
class World:
    workshop: Workshop
    session: WorkshopSession
    enrolment: Enrolment
    appointment: Appointment
    link: SigningLink
    survey: SurveyResponse
    feed: CalendarFeed


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        def at(self, moment: datetime.datetime) -> datetime.datetime:
            monkeypatch.setattr(services, "_now", lambda: moment)
            return moment

        def real(self) -> None:
            monkeypatch.setattr(services, "_now", timezone.now)

    return Clock()


@pytest.fixture
def world(workshop, personas, clock) -> World:
    session = make_session(workshop, personas.staff.user, future_slots(), public_registration=True)
    enrolment = services.enrolment_create(
        actor=None, session=session, person=personas.entrepreneur.person, source="staff"
    )
    morning = session.slot_list[0]
    clock.at(morning.starts_at)
    services.signature_record(
        slot=morning, enrolment=enrolment, image_data_url=drawn_signature(), ip_address="203.0.113.9",
        user_agent="test", device=Signature.Device.TRAINER_DEVICE,
    )  # fmt: skip
    clock.real()
    start = timezone.now() + datetime.timedelta(days=3)
    appointment = appointments.appointment_create(
        actor=None, staff=personas.staff.user, participants=[personas.entrepreneur.person],
        starts_at=start, ends_at=start + datetime.timedelta(hours=1), subject="Point trésorerie",
        notes="Relancer les factures.", private_notes=SECRET, place="Auch",
    )  # fmt: skip
    link = services.signing_link_create(actor=None, slot=session.slot_list[1], enrolment=enrolment)
    survey = SurveyResponse.objects.create(
        session=session, enrolment=enrolment, sent_at=timezone.now()
    )
    feed = appointments.calendar_feed_get(actor=None, user=personas.staff.user)
    return World(workshop, session, enrolment, appointment, link, survey, feed)


def _expect(personas, url: str, expected: dict[str, int]) -> None:
    for persona in personas.all():
        response = persona.client.get(url)
        want = expected[persona.name]
        assert response.status_code == want, (persona.name, url, response.status_code)
        if want == 302 and persona.name == "anonymous":
            assert response["Location"].startswith(reverse("login"))


ALL = dict.fromkeys(NAMES[:5], 200) | {"anonymous": 302}
MANAGERS = {"entrepreneur": 403, "other_entrepreneur": 403, "staff": 200, "accountant": 403,
            "director": 200, "anonymous": 302}  # fmt: skip
RUNNERS = {"entrepreneur": 404, "other_entrepreneur": 404, "staff": 200, "accountant": 404,
           "director": 200, "anonymous": 302}  # fmt: skip
PUBLIC = dict.fromkeys(NAMES, 200)


def test_every_page_gives_each_persona_the_right_status(world, personas):
    w = world
    slot = w.session.slot_list[0]
    pages = [
        (reverse("support:workshop_list"), ALL),
        (reverse("support:workshop_detail", args=[w.workshop.pk]), ALL),
        (reverse("support:workshop_create"), MANAGERS),
        (reverse("support:workshop_edit", args=[w.workshop.pk]), MANAGERS),
        (reverse("support:workshop_results", args=[w.workshop.pk]), MANAGERS),
        (reverse("support:session_create", args=[w.workshop.pk]), MANAGERS),
        (reverse("support:session_list"), ALL),
        (reverse("support:session_detail", args=[w.session.pk]), ALL),
        (reverse("support:session_edit", args=[w.session.pk]), MANAGERS),
        (reverse("support:session_results", args=[w.session.pk]), MANAGERS),
        (reverse("support:attendance_sheet", args=[w.session.pk]), RUNNERS),
        (reverse("support:certificate", args=[w.enrolment.pk]), RUNNERS | {"entrepreneur": 200}),
        (reverse("support:my_workshops"), ALL | {"accountant": 302, "director": 302}),
        (reverse("support:sign_board", args=[slot.pk]), RUNNERS),
        (reverse("support:sign_trainer", args=[slot.pk]), RUNNERS),
        (reverse("support:sign_trainee", args=[slot.pk, w.enrolment.pk]), RUNNERS),
        (reverse("support:signing_links", args=[slot.pk]) + f"?ids={w.link.pk}", RUNNERS),
        (reverse("support:appointment_list"), ALL | {"accountant": 403}),
        (reverse("support:appointment_detail", args=[w.appointment.pk]),
         ALL | {"accountant": 403, "other_entrepreneur": 404}),
        (reverse("support:appointment_create"), MANAGERS),
        (reverse("support:appointment_edit", args=[w.appointment.pk]), MANAGERS),
        (reverse("support:calendar"), MANAGERS),
        (reverse("support:calendar_feed_settings"), MANAGERS),
        (reverse("support:intake_board"), MANAGERS),
        (reverse("support:erasure_list"), MANAGERS),
        (reverse("support:information_meeting_create"), MANAGERS),
        (reverse("support:register", args=[w.session.registration_token]), PUBLIC),
        (reverse("support:survey_answer", args=[w.survey.token]), PUBLIC),
        (reverse("support:sign_with_link", args=[w.link.token]), PUBLIC),
        (reverse("support:calendar_feed", args=[w.feed.token]), PUBLIC),
    ]  # fmt: skip
    for url, expected in pages:
        _expect(personas, url, expected)


def test_unknown_tokens_are_not_found(world, personas):
    client = personas.anonymous.client
    for name in ("register", "survey_answer", "sign_with_link", "calendar_feed"):
        assert client.get(reverse(f"support:{name}", args=["nope"])).status_code == 404


def test_refused_writes_change_nothing(world, personas):
    w = world
    slot = w.session.slot_list[1]
    counts = lambda: (  # noqa: E731
        Workshop.objects.count(), WorkshopSession.objects.count(), Enrolment.objects.count(),
        Signature.objects.count(), Absence.objects.count(), Appointment.objects.count(),
        NextStep.objects.count(), SurveyResponse.objects.count(), SigningLink.objects.count(),
    )  # fmt: skip
    before = counts()
    bob = personas.other_entrepreneur
    accountant = personas.accountant
    attempts = [
        (bob, reverse("support:workshop_create"), {"kind": "training", "title": "X", "duration_hours": "3", "capacity": "5"}, 403),
        (accountant, reverse("support:session_create", args=[w.workshop.pk]), {}, 403),
        (bob, reverse("support:session_enrol", args=[w.session.pk]), {"person": bob.person.pk}, 403),
        (bob, reverse("support:enrolment_cancel", args=[w.enrolment.pk]), {}, 404),
        (accountant, reverse("support:session_cancel", args=[w.session.pk]), {}, 403),
        (bob, reverse("support:sign_trainee", args=[slot.pk, w.enrolment.pk]), {"signature": drawn_signature()}, 404),
        (personas.entrepreneur, reverse("support:sign_trainer", args=[slot.pk]), {"signature": drawn_signature()}, 404),
        (accountant, reverse("support:absence_record", args=[slot.pk, w.enrolment.pk]), {"excused": "on", "reason": "x"}, 404),
        (bob, reverse("support:signing_links_create", args=[slot.pk]), {"who": "all"}, 404),
        (personas.entrepreneur, reverse("support:survey_send", args=[w.session.pk]), {}, 403),
        (personas.entrepreneur, reverse("support:appointment_create"), {}, 403),
        (personas.entrepreneur, reverse("support:appointment_status", args=[w.appointment.pk]), {"status": "cancelled"}, 403),
        (personas.entrepreneur, reverse("support:next_step_add", args=[w.appointment.pk]), {"description": "x", "due_date": "2031-01-01"}, 403),
        (accountant, reverse("support:calendar_feed_settings"), {}, 403),
        (accountant, reverse("support:slot_add", args=[w.session.pk]), {}, 403),
        (personas.anonymous, reverse("support:session_enrol_me", args=[w.session.pk]), {}, 302),
    ]  # fmt: skip
    for persona, url, data, status in attempts:
        assert persona.client.post(url, data).status_code == status, (persona.name, url)
    assert counts() == before
    w.enrolment.refresh_from_db()
    w.appointment.refresh_from_db()
    assert (w.enrolment.status, w.appointment.status) == ("confirmed", "planned")
    assert personas.staff.user.calendar_feed.token == w.feed.token


def test_private_notes_never_reach_an_entrepreneur(world, personas):
    w = world
    alice = personas.entrepreneur.client
    detail = reverse("support:appointment_detail", args=[w.appointment.pk])
    listing = reverse("support:appointment_list")
    for url in (detail, listing):
        body = alice.get(url).content.decode()
        assert "Point trésorerie" in body
        assert SECRET not in body and "Notes privées" not in body
    assert "Relancer les factures." in alice.get(detail).content.decode()
    csv_body = alice.get(listing, {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_body), delimiter=";"))
    assert "Notes privées de l'équipe" not in rows[0] and SECRET not in csv_body
    assert [r[5] for r in rows[1:]] == ["Point trésorerie"]
    sheet = load_workbook(io.BytesIO(alice.get(listing, {"format": "xlsx"}).content)).active
    assert SECRET not in str([c.value for row in sheet.iter_rows() for c in row])
    ics = personas.anonymous.client.get(reverse("support:calendar_feed", args=[w.feed.token]))
    assert SECRET not in ics.content.decode() and "Relancer" not in ics.content.decode()
    # Staff see them, on the page and in their export.
    assert SECRET in personas.staff.client.get(detail).content.decode()
    staff_csv = personas.staff.client.get(listing, {"format": "csv"}).content.decode("utf-8-sig")
    assert SECRET in staff_csv


def test_an_entrepreneur_only_sees_their_own_enrolment_on_a_session(world, personas):
    w = world
    services.enrolment_create(
        actor=None, session=w.session, person=personas.other_entrepreneur.person, source="staff"
    )
    url = reverse("support:session_detail", args=[w.session.pk])
    body = personas.entrepreneur.client.get(url).content.decode()
    assert "Vous êtes inscrit·e." in body and "Bob Durand" not in body
    staff_body = personas.staff.client.get(url).content.decode()
    assert "Bob Durand" in staff_body and "Alice Martin" in staff_body


def test_self_enrolment_and_the_waiting_list_through_the_pages(
    world, personas, django_capture_on_commit_callbacks
):
    w = world
    services.enrolment_create(actor=None, session=w.session, person=make_person(), source="staff")
    url = reverse("support:session_enrol_me", args=[w.session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.other_entrepreneur.client.post(url, follow=True)
    assert "vous êtes sur la liste d&#x27;attente" in response.content.decode()
    bob = Enrolment.objects.get(person=personas.other_entrepreneur.person)
    assert (bob.status, bob.source) == ("waiting", "self")
    assert mail.outbox[-1].subject == "Liste d'attente : Fixer ses prix"


def test_signing_on_the_trainer_device_and_with_a_single_use_link(world, personas, clock):
    w = world
    afternoon = w.session.slot_list[1]
    clock.at(afternoon.starts_at + datetime.timedelta(minutes=10))
    url = reverse("support:sign_trainer", args=[afternoon.pk])
    body = personas.staff.client.get(url).content.decode()
    assert "support/signature.js" in body and "<script>" not in body
    response = personas.staff.client.post(
        url, {"signature": drawn_signature()}, HTTP_USER_AGENT="Tablette"
    )
    assert response.status_code == 302
    signature = Signature.objects.get(slot=afternoon, role="trainer")
    assert (signature.user_agent, signature.collected_by) == ("Tablette", personas.staff.user)
    # A second trainer signature is refused on the page, with the reason.
    response = personas.staff.client.post(url, {"signature": drawn_signature()})
    assert response.status_code == 400
    assert "a déjà signé cette demi-journée" in response.content.decode()
    # The trainee signs on their own phone with the link; it works once.
    link_url = reverse("support:sign_with_link", args=[w.link.token])
    response = personas.anonymous.client.post(
        link_url, {"signature": drawn_signature()}, REMOTE_ADDR="198.51.100.4"
    )
    assert (
        response.status_code == 200
        and "Votre signature est enregistrée" in response.content.decode()
    )
    assert Signature.objects.get(slot=afternoon, enrolment=w.enrolment).ip_address == "198.51.100.4"
    response = personas.anonymous.client.post(link_url, {"signature": drawn_signature()})
    assert response.status_code == 410
    assert Signature.objects.filter(slot=afternoon).count() == 2


def test_an_empty_drawing_is_refused_on_the_page(world, personas, clock):
    w = world
    afternoon = w.session.slot_list[1]
    clock.at(afternoon.starts_at)
    response = personas.anonymous.client.post(
        reverse("support:sign_with_link", args=[w.link.token]), {"signature": ""}
    )
    assert response.status_code == 400
    assert "Dessinez votre signature dans le cadre avant de valider." in response.content.decode()
    assert not Signature.objects.filter(slot=afternoon).exists()
    w.link.refresh_from_db()
    assert w.link.used_at is None


def test_qr_codes_are_svg_drawn_by_the_server(world, personas, clock):
    w = world
    slot = w.session.slot_list[1]
    response = personas.staff.client.post(
        reverse("support:signing_links_create", args=[slot.pk]), {"who": "all"}
    )
    assert response.status_code == 302
    page = personas.staff.client.get(response["Location"]).content.decode()
    assert page.count("<svg") == 2  # Alice and the trainer
    new = SigningLink.objects.exclude(pk=w.link.pk).filter(enrolment=w.enrolment).get()
    assert f"/support/sign/{new.token}/" in page


def test_certificate_is_refused_for_a_trainee_who_attended_nothing(world, personas):
    w = world
    bob = services.enrolment_create(
        actor=None, session=w.session, person=personas.other_entrepreneur.person, source="staff"
    )
    response = personas.staff.client.get(reverse("support:certificate", args=[bob.pk]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "aucun certificat de réalisation" in response.content.decode()
    ok = personas.entrepreneur.client.get(reverse("support:certificate", args=[w.enrolment.pk]))
    assert ok["Content-Type"] == "application/pdf" and ok.content.startswith(b"%PDF")


def test_public_registration_page_creates_a_candidate(
    world, personas, django_capture_on_commit_callbacks
):
    w = world
    url = reverse("support:register", args=[w.session.registration_token])
    data = {"first_name": "Jeanne", "last_name": "Lafont", "email": "jeanne@example.org",
            "postal_code": "65000", "consent": "on"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.anonymous.client.post(url, data)
    assert response.status_code == 200 and "Demande enregistrée" in response.content.decode()
    jeanne = Person.objects.get(email="jeanne@example.org")
    assert jeanne.contracts.count() == 0 and jeanne.department == "65"
    assert Enrolment.objects.get(person=jeanne).source == "public"
    assert mail.outbox[-1].to == ["jeanne@example.org"]


def test_public_registration_with_bad_input_gives_french_messages_and_writes_nothing(
    world, personas
):
    w = world
    url = reverse("support:register", args=[w.session.registration_token])
    before = (Person.objects.count(), Enrolment.objects.count())
    response = personas.anonymous.client.post(
        url, {"first_name": "", "last_name": "L", "email": "pas-une-adresse", "consent": ""}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert (
        "Ce champ est obligatoire." in body and "Saisissez une adresse de courriel valide." in body
    )
    response = personas.anonymous.client.post(
        url,
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.org",
            "postal_code": "3200",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    assert "n&#x27;est pas un code postal français" in response.content.decode()
    assert (Person.objects.count(), Enrolment.objects.count()) == before
    closed = make_session(w.workshop, personas.staff.user, future_slots(20))
    assert (
        personas.anonymous.client.get(
            reverse("support:register", args=[closed.registration_token])
        ).status_code
        == 404
    )


def test_survey_answered_through_the_link_once(world, personas):
    w = world
    url = reverse("support:survey_answer", args=[w.survey.token])
    response = personas.anonymous.client.post(url, {"rating_overall": "7"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    data = {
        "rating_overall": "5",
        "rating_content": "4",
        "rating_trainer": "5",
        "rating_organisation": "3",
        "liked": "Très concret",
    }
    assert personas.anonymous.client.post(url, data).status_code == 200
    w.survey.refresh_from_db()
    assert (w.survey.rating_overall, w.survey.liked) == (5, "Très concret")
    assert personas.anonymous.client.post(url, data | {"rating_overall": "1"}).status_code == 410
    w.survey.refresh_from_db()
    assert w.survey.rating_overall == 5
    results = personas.staff.client.get(
        reverse("support:workshop_results", args=[w.workshop.pk])
    ).content.decode()
    assert "Très concret" in results and "Alice" not in results


def test_workshop_and_appointment_forms_refuse_bad_input_in_french(personas):
    client = personas.staff.client
    before = Workshop.objects.count()
    response = client.post(
        reverse("support:workshop_create"),
        {
            "kind": "event",
            "title": "Apéro",
            "duration_hours": "2",
            "capacity": "20",
            "price": "10",
            "vat_exempt": "on",
            "active": "on",
        },
    )
    assert response.status_code == 400
    assert "Seule une formation peut être exonérée de TVA" in response.content.decode()
    assert Workshop.objects.count() == before
    response = client.post(reverse("support:appointment_create"), {
        "staff": personas.staff.user.pk, "participants": [personas.entrepreneur.person.pk], "date": "2030-05-06",
        "start_time": "10:00", "end_time": "09:00", "subject": "Point",
    })  # fmt: skip
    assert response.status_code == 400
    assert "La fin du rendez-vous doit suivre son début." in response.content.decode()
    assert Appointment.objects.count() == 0


def test_staff_create_workshop_session_and_appointment(personas):
    client = personas.staff.client
    response = client.post(
        reverse("support:workshop_create"),
        {
            "kind": "training",
            "title": "Comptabilité",
            "duration_hours": "3.5",
            "capacity": "8",
            "price": "120,50",
            "vat_exempt": "on",
            "active": "on",
            "trainer_user": personas.staff.user.pk,
        },
    )
    workshop = Workshop.objects.get(title="Comptabilité")
    assert response.status_code == 302 and workshop.price_cents == 12050
    day = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client.post(reverse("support:session_create", args=[workshop.pk]), {
        "slot-date": day, "slot-half_day": "morning", "slot-start_time": "09:00", "slot-end_time": "12:00",
        "online": "on", "video_link": "https://visio.example.org/abc",
    })  # fmt: skip
    session = WorkshopSession.objects.get(workshop=workshop)
    assert response.status_code == 302 and (session.capacity, session.trainer_user) == (
        8,
        personas.staff.user,
    )
    response = client.post(
        reverse("support:slot_add", args=[session.pk]),
        {
            "slot-date": day,
            "slot-half_day": "afternoon",
            "slot-start_time": "14:00",
            "slot-end_time": "17:00",
        },
    )
    assert session.slots.count() == 2
    response = client.post(reverse("support:appointment_create"), {
        "staff": personas.staff.user.pk, "participants": [personas.entrepreneur.person.pk], "date": day,
        "start_time": "10:00", "end_time": "11:00", "subject": "Bilan", "private_notes": "x",
    })  # fmt: skip
    appointment = Appointment.objects.get(subject="Bilan")
    assert response.status_code == 302
    assert timezone.localtime(appointment.starts_at).strftime("%H:%M") == "10:00"
    response = client.post(
        reverse("support:next_step_add", args=[appointment.pk]),
        {"description": "Envoyer le devis", "due_date": day},
    )
    assert appointment.next_steps.get().description == "Envoyer le devis"


# --- query counts -----------------------------------------------------------------------


def _count(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(personas, workshop, first: int = 0) -> None:
    """Six sessions, appointments and candidates more, numbered from `first`."""
    for n in range(first, first + 6):
        session = make_session(workshop, personas.staff.user, future_slots(30 + n))
        person = make_entrepreneur()
        services.enrolment_create(actor=None, session=session, person=person, source="staff")
        services.enrolment_create(
            actor=None, session=session, person=personas.entrepreneur.person, source="staff"
        )
        start = timezone.now() + datetime.timedelta(days=1, hours=n)
        appointments.appointment_create(
            actor=None, staff=personas.staff.user, participants=[person, personas.entrepreneur.person],
            starts_at=start, ends_at=start + datetime.timedelta(hours=1), subject=f"RDV {n}",
        )  # fmt: skip
        candidate = make_person()
        information_meeting_attend(actor=None, person=candidate, date=timezone.localdate())
        intake_interview_record(
            actor=None, person=candidate, date=timezone.localdate(), decision="postponed"
        )


def test_list_pages_do_not_grow_their_queries_with_rows(world, personas):
    staff, alice = personas.staff.client, personas.entrepreneur.client
    # Rows of every kind in both counts: a page that reads a related table only when it has
    # rows (a prefetch) makes one query more for some rows than for none, and the month
    # shown holds the world's rows or not depending on the day the test runs.
    _grow(personas, world.workshop)
    tomorrow = timezone.localdate(timezone.now() + datetime.timedelta(days=1))  # _grow's
    urls = [
        (staff, reverse("support:workshop_list")),
        (staff, reverse("support:session_list")),
        (staff, reverse("support:appointment_list")),
        (staff, reverse("support:calendar") + "?view=month&day=" + tomorrow.isoformat()),
        (staff, reverse("support:intake_board")),
        (staff, reverse("support:erasure_list")),
        (alice, reverse("support:my_workshops")),
        (alice, reverse("support:appointment_list")),
        (alice, reverse("support:session_list")),
    ]
    few = [_count(client, url) for client, url in urls]
    _grow(personas, world.workshop, first=6)
    many = [_count(client, url) for client, url in urls]
    assert many == few


def test_the_signing_page_says_at_once_when_the_half_day_is_not_open(world, personas, clock):
    w = world
    afternoon = w.session.slot_list[1]
    url = reverse("support:sign_with_link", args=[w.link.token])
    clock.at(afternoon.starts_at - datetime.timedelta(hours=2))
    body = personas.anonymous.client.get(url).content.decode()
    assert "Cette demi-journée n&#x27;a pas commencé" in body and "<canvas" not in body
    clock.at(afternoon.ends_at + datetime.timedelta(hours=5))
    body = personas.anonymous.client.get(url).content.decode()
    assert "est close" in body and "<canvas" not in body
    clock.at(afternoon.starts_at)
    assert "<canvas" in personas.anonymous.client.get(url).content.decode()
