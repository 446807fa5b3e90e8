"""Rules of workshops: capacity and waiting list, signatures, certificates, surveys, registration."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from alveole.core.models import AuditEvent
from alveole.people.models import Person, PersonKind
from alveole.support import pdf, services
from alveole.support.models import (
    Absence,
    Enrolment,
    ImmutableRecordError,
    Signature,
    SigningLink,
    SurveyResponse,
)
from alveole.support.tests.conftest import (
    blank_signature,
    drawn_signature,
    future_slots,
    make_session,
    make_workshop,
)
from tests.factories import make_entrepreneur, make_person

pytestmark = pytest.mark.django_db

STAFF = Enrolment.Source.STAFF


@pytest.fixture
def clock(monkeypatch):
    """Freeze the services' clock at a moment (the signing window depends on it)."""

    class Clock:
        def at(self, moment: datetime.datetime) -> datetime.datetime:
            monkeypatch.setattr(services, "_now", lambda: moment)
            return moment

    return Clock()


def _enrol(session, person):
    return services.enrolment_create(actor=None, session=session, person=person, source=STAFF)


# --- capacity and waiting list -------------------------------------------------------------


def test_full_session_puts_people_on_the_waiting_list_in_order(
    session, personas, django_capture_on_commit_callbacks
):
    alice, bob = personas.entrepreneur.person, personas.other_entrepreneur.person
    carol, dan = make_person(first_name="Carol"), make_person(first_name="Dan")
    with django_capture_on_commit_callbacks(execute=True):
        a = _enrol(session, alice)
        b = _enrol(session, bob)
        c = _enrol(session, carol)
        d = _enrol(session, dan)
    assert [a.status, b.status, c.status, d.status] == [
        "confirmed",
        "confirmed",
        "waiting",
        "waiting",
    ]
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "Convocation : Fixer ses prix",
        "Convocation : Fixer ses prix",
        "Liste d'attente : Fixer ses prix",
        "Liste d'attente : Fixer ses prix",
    ]
    assert mail.outbox[0].to == [alice.email]
    assert "Salle du conseil" in mail.outbox[0].body
    assert "09:00–12:30" in mail.outbox[0].body
    mail.outbox.clear()
    # Bob cancels: Carol, first on the list, gets the place and her convocation; Dan waits.
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_cancel(actor=None, enrolment=b)
    c.refresh_from_db()
    d.refresh_from_db()
    assert (c.status, d.status) == ("confirmed", "waiting")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([carol.email], "Convocation : Fixer ses prix")
    ]


def test_more_places_promote_the_waiting_list_and_fewer_than_enrolled_is_refused(session, personas):
    people = [make_person() for _ in range(4)]
    enrolments = [_enrol(session, p) for p in people]
    assert [e.status for e in enrolments] == ["confirmed", "confirmed", "waiting", "waiting"]
    with pytest.raises(ValidationError) as error:
        services.session_update(actor=None, session=session, capacity=1)
    assert "2 personnes sont déjà inscrites" in error.value.messages[0]
    session.refresh_from_db()
    assert session.capacity == 2
    services.session_update(actor=None, session=session, capacity=3)
    statuses = list(
        session.enrolments.order_by("requested_at", "pk").values_list("status", flat=True)
    )
    assert statuses == ["confirmed", "confirmed", "confirmed", "waiting"]


def test_a_person_cannot_take_two_places_and_re_enrolment_goes_to_the_end(session, personas):
    alice = personas.entrepreneur.person
    first = _enrol(session, alice)
    with pytest.raises(ValidationError) as error:
        _enrol(session, alice)
    assert "déjà inscrit·e" in error.value.messages[0]
    assert session.enrolments.count() == 1
    others = [_enrol(session, make_person()) for _ in range(2)]
    services.enrolment_cancel(actor=None, enrolment=first)
    assert Enrolment.objects.get(pk=others[1].pk).status == "confirmed"  # promoted
    again = _enrol(session, alice)
    assert again.pk == first.pk and again.status == "waiting"


def test_the_trainer_cannot_enrol_and_cancelled_or_finished_sessions_are_closed(personas):
    alice = personas.entrepreneur.person
    workshop = make_workshop()
    led_by_alice = make_session(workshop, alice, future_slots())
    with pytest.raises(ValidationError, match="formateur·rice de la session"):
        _enrol(led_by_alice, alice)
    past = make_session(workshop, personas.staff.user, future_slots(-3))
    with pytest.raises(ValidationError, match="terminée"):
        _enrol(past, alice)
    services.session_cancel(actor=None, session=led_by_alice)
    with pytest.raises(ValidationError, match="annulée"):
        _enrol(led_by_alice, personas.other_entrepreneur.person)
    assert Enrolment.objects.count() == 0


def test_slot_rules_give_clear_messages(workshop, personas):
    bad = services.SlotSpec(
        datetime.date(2030, 3, 4), "morning", datetime.time(9), datetime.time(15)
    )
    with pytest.raises(ValidationError) as error:
        make_session(workshop, personas.staff.user, [bad])
    assert error.value.message_dict == {
        "end_time": ["Une demi-journée du matin se termine au plus tard à 14 h."]
    }
    reversed_times = services.SlotSpec(
        datetime.date(2030, 3, 4), "afternoon", datetime.time(17), datetime.time(14)
    )
    with pytest.raises(ValidationError) as error:
        make_session(workshop, personas.staff.user, [reversed_times])
    assert error.value.message_dict == {
        "end_time": ["L'heure de fin doit suivre l'heure de début."]
    }
    assert workshop.sessions.count() == 0


# --- signatures ---------------------------------------------------------------------------


def _sign(slot, enrolment, *, image=None, **kwargs):
    return services.signature_record(
        slot=slot, enrolment=enrolment, image_data_url=image or drawn_signature(),
        ip_address="203.0.113.7", user_agent="Mozilla/5.0 (iPhone)", device=Signature.Device.TRAINER_DEVICE,
        **kwargs,
    )  # fmt: skip


def test_a_signature_records_time_ip_agent_and_image_and_never_changes(session, personas, clock):
    alice = _enrol(session, personas.entrepreneur.person)
    morning = session.slot_list[0]
    now = clock.at(morning.starts_at + datetime.timedelta(minutes=20))
    signature = _sign(morning, alice, collected_by=personas.staff.user)
    assert (signature.signed_at, signature.ip_address, signature.user_agent) == (
        now,
        "203.0.113.7",
        "Mozilla/5.0 (iPhone)",
    )
    assert bytes(signature.image_png)[:8] == b"\x89PNG\r\n\x1a\n"
    assert signature.signer_name == "Alice Martin" and signature.role == "trainee"
    assert AuditEvent.objects.filter(
        target_type="support.signature", target_id=str(signature.pk)
    ).exists()
    # A second signature for the same half-day is refused with its reason.
    with pytest.raises(ValidationError) as error:
        _sign(morning, alice)
    assert error.value.messages == [
        "Alice Martin a déjà signé cette demi-journée : une signature ne se modifie pas."
    ]
    assert Signature.objects.count() == 1
    # The model refuses any change or deletion, whatever the path.
    signature.signer_name = "Quelqu'un d'autre"
    with pytest.raises(ImmutableRecordError):
        signature.save()
    with pytest.raises(ImmutableRecordError):
        signature.delete()
    with pytest.raises(ImmutableRecordError):
        Signature.objects.filter(pk=signature.pk).update(signer_name="X")
    with pytest.raises(ImmutableRecordError):
        Signature.objects.all().delete()
    assert Signature.objects.get().signer_name == "Alice Martin"


def test_signing_is_refused_before_the_half_day_and_long_after(session, personas, clock):
    alice = _enrol(session, personas.entrepreneur.person)
    morning = session.slot_list[0]
    clock.at(morning.starts_at - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        _sign(morning, alice)
    assert error.value.messages[0].startswith(
        "Cette demi-journée n'a pas commencé : la signature ouvre le"
    )
    clock.at(morning.ends_at + datetime.timedelta(hours=3))
    with pytest.raises(ValidationError, match="close"):
        _sign(morning, alice)
    assert Signature.objects.count() == 0


def test_a_blank_or_forged_drawing_is_refused(session, personas, clock):
    alice = _enrol(session, personas.entrepreneur.person)
    morning = session.slot_list[0]
    clock.at(morning.starts_at)
    for image in (
        blank_signature(),
        "data:image/png;base64,bm90IGFuIGltYWdl",
        "data:image/gif;base64,R0lGOD",
    ):
        with pytest.raises(ValidationError) as error:
            _sign(morning, alice, image=image)
        assert error.value.message_dict == {
            "signature": ["Dessinez votre signature dans le cadre avant de valider."]
        }
    assert Signature.objects.count() == 0


def test_the_trainer_signs_once_per_half_day(session, personas, clock):
    morning = session.slot_list[0]
    clock.at(morning.starts_at)
    signature = _sign(morning, None)
    assert (signature.role, signature.signer_name) == ("trainer", "Sacha Appui")
    with pytest.raises(ValidationError, match="déjà signé"):
        _sign(morning, None)


def test_a_signing_link_works_once(session, personas, clock):
    alice = _enrol(session, personas.entrepreneur.person)
    morning = session.slot_list[0]
    clock.at(morning.starts_at + datetime.timedelta(minutes=5))
    link = services.signing_link_create(actor=personas.staff.user, slot=morning, enrolment=alice)
    signature = services.signing_link_use(
        token=link.token,
        image_data_url=drawn_signature(),
        ip_address="198.51.100.2",
        user_agent="Android",
    )
    assert signature.device == Signature.Device.OWN_DEVICE
    link.refresh_from_db()
    assert link.used_at == signature.signed_at
    with pytest.raises(ValidationError) as error:
        services.signing_link_use(
            token=link.token, image_data_url=drawn_signature(), ip_address=None, user_agent=""
        )
    assert error.value.messages == [
        "Ce lien de signature a déjà servi : il ne fonctionne qu'une fois."
    ]
    assert Signature.objects.count() == 1


def test_absences_and_signatures_exclude_each_other(session, personas, clock):
    alice = _enrol(session, personas.entrepreneur.person)
    bob = _enrol(session, personas.other_entrepreneur.person)
    morning = session.slot_list[0]
    clock.at(morning.starts_at + datetime.timedelta(minutes=30))
    with pytest.raises(ValidationError) as error:
        services.absence_record(actor=None, slot=morning, enrolment=bob, excused=True, reason=" ")
    assert error.value.message_dict == {"reason": ["Indiquez le motif de l'absence excusée."]}
    absence = services.absence_record(
        actor=None, slot=morning, enrolment=bob, excused=True, reason="Malade"
    )
    with pytest.raises(ValidationError, match="Une absence est enregistrée"):
        _sign(morning, bob)
    _sign(morning, alice)
    with pytest.raises(ValidationError, match="a signé cette demi-journée"):
        services.absence_record(actor=None, slot=morning, enrolment=alice, excused=False)
    services.absence_remove(actor=None, absence=absence)
    assert Absence.objects.count() == 0
    _sign(morning, bob)
    assert Signature.objects.filter(role="trainee").count() == 2


def test_cancelling_an_enrolment_with_a_signature_is_refused(session, personas, clock):
    alice = _enrol(session, personas.entrepreneur.person)
    clock.at(session.slot_list[0].starts_at)
    _sign(session.slot_list[0], alice)
    with pytest.raises(ValidationError, match="a déjà signé une présence"):
        services.enrolment_cancel(actor=None, enrolment=alice)
    with pytest.raises(ValidationError, match="ne peut plus être annulée"):
        services.session_cancel(actor=None, session=session)
    assert Enrolment.objects.get(pk=alice.pk).status == "confirmed"


# --- documents ------------------------------------------------------------------------------


def test_the_certificate_counts_only_the_half_days_signed(session, personas, clock):
    alice = _enrol(session, personas.entrepreneur.person)
    morning, afternoon = session.slot_list
    clock.at(morning.starts_at)
    _sign(morning, alice)
    clock.at(afternoon.starts_at)
    services.absence_record(actor=None, slot=afternoon, enrolment=alice, excused=False)
    assert services.attended_slots(alice) == [morning]
    html = pdf.certificate_html(alice)
    assert "Certificat de réalisation" in html
    assert "76320000032" in html  # the training body's registration number
    assert "09:00–12:30" in html and "13:30–17:00" not in html
    assert "Demi-journée réalisée (3,5 h)" in html
    assert pdf.certificate_pdf(alice).startswith(b"%PDF")


def test_the_attendance_sheet_shows_signatures_absences_and_the_registration_number(
    session, personas, clock
):
    alice = _enrol(session, personas.entrepreneur.person)
    bob = _enrol(session, personas.other_entrepreneur.person)
    morning = session.slot_list[0]
    clock.at(morning.starts_at)
    signature = _sign(morning, alice)
    _sign(morning, None)
    services.absence_record(actor=None, slot=morning, enrolment=bob, excused=True, reason="Malade")
    html = pdf.attendance_sheet_html(session)
    assert pdf.signature_data_url(Signature.objects.get(pk=signature.pk)) in html
    assert "Absence excusée" in html
    assert "MARTIN Alice" in html and "DURAND Bob" in html
    assert "76320000032" in html
    assert html.count("data:image/png;base64,") == 2  # Alice and the trainer
    assert pdf.attendance_sheet_pdf(session).startswith(b"%PDF")


# --- surveys ------------------------------------------------------------------------------


def test_the_survey_goes_to_attendees_once_and_is_answered_once(
    personas, clock, django_capture_on_commit_callbacks
):
    session = make_session(make_workshop(), personas.staff.user, future_slots(-2))
    # Enrolled before the session happened (the session is in the past now).
    clock.at(session.slot_list[0].starts_at - datetime.timedelta(days=5))
    alice = _enrol(session, personas.entrepreneur.person)
    bob = _enrol(session, personas.other_entrepreneur.person)
    clock.at(session.slot_list[0].starts_at)
    with pytest.raises(ValidationError, match="une fois la session terminée"):
        services.survey_send(actor=None, session=session)
    _sign(session.slot_list[0], alice)
    clock.at(session.slot_list[-1].ends_at + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.survey_send(actor=None, session=session, base_url="https://alveole.example")
    assert [r.enrolment_id for r in sent] == [alice.pk]  # Bob attended nothing
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alice.person.email]
    assert f"https://alveole.example/support/survey/{sent[0].token}/" in mail.outbox[0].body
    assert services.survey_send(actor=None, session=session) == []  # nobody twice
    with pytest.raises(ValidationError) as error:
        services.survey_answer(
            token=sent[0].token,
            rating_overall=6,
            rating_content=4,
            rating_trainer=5,
            rating_organisation=3,
        )
    assert error.value.message_dict == {"rating_overall": ["Choisissez une note de 1 à 5."]}
    services.survey_answer(
        token=sent[0].token,
        rating_overall=4,
        rating_content=4,
        rating_trainer=5,
        rating_organisation=3,
        liked="Concret",
    )
    with pytest.raises(ValidationError, match="déjà répondu"):
        services.survey_answer(
            token=sent[0].token,
            rating_overall=1,
            rating_content=1,
            rating_trainer=1,
            rating_organisation=1,
        )
    response = SurveyResponse.objects.get()
    assert (response.rating_overall, response.liked) == (4, "Concret")
    from alveole.support.selectors import survey_results

    results = survey_results(responses=SurveyResponse.objects.filter(session=session))
    assert (results.sent, results.answered, results.response_rate) == (1, 1, 100)
    assert results.averages == {
        "rating_overall": 4.0,
        "rating_content": 4.0,
        "rating_trainer": 5.0,
        "rating_organisation": 3.0,
    }
    assert results.comments == [("Concret", "")]
    assert bob.survey_response if hasattr(bob, "survey_response") else True


# --- public registration ------------------------------------------------------------------


def test_public_registration_creates_a_candidate_and_enrols_them(
    workshop, personas, django_capture_on_commit_callbacks
):
    session = make_session(workshop, personas.staff.user, future_slots(), public_registration=True)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.public_registration(
            session=session,
            first_name=" Jeanne ",
            last_name="Lafont",
            email="Jeanne@Example.org",
            postal_code="32000",
        )
    person = enrolment.person
    assert (person.first_name, person.last_name, person.email, person.kind, person.department) == (
        "Jeanne",
        "Lafont",
        "jeanne@example.org",
        PersonKind.ENTREPRENEUR,
        "32",
    )
    assert person.contracts.count() == 0
    assert (enrolment.status, enrolment.source) == ("confirmed", "public")
    assert mail.outbox[0].to == ["jeanne@example.org"]
    # The same address again: no second person, no second place.
    count = Person.objects.count()
    again = services.public_registration(
        session=session, first_name="J", last_name="L", email="jeanne@example.org"
    )
    assert again.pk == enrolment.pk and Person.objects.count() == count


def test_public_registration_with_bad_input_writes_nothing(workshop, personas):
    session = make_session(workshop, personas.staff.user, future_slots(), public_registration=True)
    people, enrolments = Person.objects.count(), Enrolment.objects.count()
    with pytest.raises(ValidationError) as error:
        services.public_registration(
            session=session,
            first_name="A",
            last_name="B",
            email="a@example.org",
            postal_code="3200",
        )
    assert "postal_code" in error.value.message_dict
    closed = make_session(workshop, personas.staff.user, future_slots(12))
    with pytest.raises(ValidationError, match="n'est pas ouverte"):
        services.public_registration(
            session=closed, first_name="A", last_name="B", email="a@example.org"
        )
    assert (Person.objects.count(), Enrolment.objects.count()) == (people, enrolments)


def test_workshop_rules(personas):
    with pytest.raises(ValidationError) as error:
        make_workshop(kind="event", vat_exempt=True, price_cents=5000)
    assert error.value.message_dict == {
        "vat_exempt": ["Seule une formation peut être exonérée de TVA (art. 261-4-4° a du CGI)."]
    }
    with pytest.raises(ValidationError) as error:
        make_workshop(trainer_user=personas.staff.user, trainer_person=personas.entrepreneur.person)
    assert list(error.value.message_dict) == ["trainer_person"]
    with pytest.raises(ValidationError, match="équipe d'appui"):
        make_workshop(trainer_user=personas.entrepreneur.user)
    trained = make_workshop(trainer_person=make_entrepreneur(), price_cents=45000, vat_exempt=True)
    assert trained.price_cents == 45000


def test_signing_links_are_only_for_confirmed_trainees(session, personas):
    waiting_session = make_session(make_workshop(capacity=1), personas.staff.user, future_slots(3))
    _enrol(waiting_session, personas.entrepreneur.person)
    waiting = _enrol(waiting_session, personas.other_entrepreneur.person)
    with pytest.raises(ValidationError):
        services.signing_link_create(
            actor=None, slot=waiting_session.slot_list[0], enrolment=waiting
        )
    assert SigningLink.objects.count() == 0
