"""Personal data rights: export of everything about a person, erasure keeping what rules protect."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alveole.core.dates import today
from alveole.core.models import AuditEvent
from alveole.governance.services import associate_admit
from alveole.payroll.models import PayrollRecord
from alveole.payroll.services import payroll_record_create
from alveole.people.models import Person
from alveole.people.services import person_exit
from alveole.privacy.models import ErasureReport
from alveole.privacy.services import person_data_export, person_erase
from alveole.sales.models import Invoice
from alveole.sales.tests.conftest import draft
from alveole.support import appointments
from alveole.support.models import Appointment

pytestmark = pytest.mark.django_db


def _history(personas):
    """Alice with an invoice, a payroll record and an appointment with notes."""
    alice = personas.entrepreneur.person
    invoice = draft(personas.entrepreneur.business)
    payroll_record_create(
        actor=None, person=alice, month=datetime.date(2024, 3, 1), gross_cents=150000,
        employee_contributions_cents=33000, employer_contributions_cents=60000,
        net_cents=117000, paid_hours=Decimal("70"),
    )  # fmt: skip
    start = timezone.now() - datetime.timedelta(days=3)
    appointment = appointments.appointment_create(
        actor=personas.staff.user, staff=personas.staff.user, participants=[alice],
        starts_at=start, ends_at=start + datetime.timedelta(hours=1), subject="Point",
        place="Auch", notes="Relancer les factures.", private_notes="Fragile en ce moment",
    )  # fmt: skip
    return alice, invoice, appointment


def test_export_holds_a_piece_of_every_app(personas):
    alice, _invoice, _appointment = _history(personas)
    associate_admit(
        actor=personas.staff.user, person=alice, date=datetime.date(2024, 6, 1), shares=10,
        nominal_cents=2500, paid_cents=25000,
    )  # fmt: skip
    data = person_data_export(actor=personas.staff.user, person=alice)
    assert data["people"]["person"][0]["last_name"] == "Martin"
    assert data["people"]["account"][0]["email"] == "alice@example.org"
    assert "password" not in json.dumps(data)
    assert {c["kind"] for c in data["people"]["contract"]} >= {"cesa"}
    assert data["businesses"]["membership"][0]["business_label"]
    assert data["payroll"]["payrollrecord"][0]["gross_cents"] == 150000
    assert data["support"]["appointment"][0]["notes"] == "Relancer les factures."
    assert data["governance"]["sharesubscription"][0]["shares"] == 10
    assert data["people"]["associateship"]
    assert data["audit"]["about_person"]
    assert set(data) >= {"people", "businesses", "payroll", "purchases", "support", "governance"}
    # The export is audited.
    assert AuditEvent.objects.filter(
        action="export", target_type="people.person", target_id=str(alice.pk)
    ).exists()
    json.dumps(data)  # machine-readable as is


def test_export_routes_per_persona(personas):
    alice = personas.entrepreneur.person
    expected = {
        "entrepreneur": 200, "other_entrepreneur": 404, "staff": 200,
        "accountant": 403, "director": 200, "anonymous": 302,
    }  # fmt: skip
    for persona in personas.all():
        response = persona.client.get(f"/privacy/people/{alice.pk}/export.json")
        assert response.status_code == expected[persona.name], persona.name
        if response.status_code == 200:
            assert json.loads(response.content)["person_id"] == alice.pk
    with pytest.raises(PermissionDenied):
        person_data_export(actor=personas.other_entrepreneur.user, person=alice)


def test_the_pdf_renders(personas):
    alice, _, _ = _history(personas)
    response = personas.entrepreneur.client.get(f"/privacy/people/{alice.pk}/export.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 3000


def test_erasure_keeps_invoices_and_payroll_and_erases_the_rest(personas):
    alice, invoice, appointment = _history(personas)
    person_exit(
        actor=None, person=alice, date=today() - datetime.timedelta(days=1), outcome="other",
        reason="Départ en région",
    )  # fmt: skip
    report = person_erase(
        actor=personas.director.user, person=alice, reason="Demande de la personne"
    )
    alice.refresh_from_db()
    # Kept: the name (it is on the payroll record and the invoices), invoices, payroll.
    assert (alice.first_name, alice.last_name) == ("Alice", "Martin")
    assert Invoice.objects.filter(pk=invoice.pk, business=personas.entrepreneur.business).exists()
    record = PayrollRecord.objects.get(person=alice)
    assert record.gross_cents == 150000 and str(record.person) == "Alice Martin"
    # Gone: contact, birth date, notes, appointment notes, exit reason, the account.
    assert (alice.email, alice.phone, alice.address, alice.city, alice.birth_date) == (
        "", "", "", "", None,
    )  # fmt: skip
    assert alice.entry_situation == "" and alice.notes == ""
    appointment = Appointment.objects.get(pk=appointment.pk)
    assert (appointment.notes, appointment.private_notes) == ("", "")
    assert alice.exit.reason == ""
    user = personas.entrepreneur.user
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert "alice" not in user.email
    # The report lists both sides, with the rules.
    kept = {item["what"]: item for item in report.kept}
    assert (
        "Bulletins et éléments de paie" in kept
        and "10 ans" in kept["Factures des activités de la personne"]["rule"]
    )
    assert any(item["what"] == "Notes de rendez-vous" for item in report.erased)
    assert AuditEvent.objects.filter(
        target_type="people.person", target_id=str(alice.pk), summary__startswith="Effacement"
    ).exists()
    page = personas.director.client.get(f"/privacy/erasures/{report.pk}/").content.decode()
    assert "Bulletins et éléments de paie" in page and "Notes de rendez-vous" in page
    download = personas.director.client.get(f"/privacy/erasures/{report.pk}/?format=json")
    assert json.loads(download.content)["kept"]


def test_a_person_without_protected_records_loses_the_name_too(personas):
    from tests.factories import make_person

    candidate = make_person(first_name="Zoé", last_name="Candidate", notes="Projet de café")
    person_erase(actor=personas.director.user, person=candidate, reason="Demande")
    candidate.refresh_from_db()
    assert "Zoé" not in str(candidate) and "Candidate" not in str(candidate)
    assert candidate.notes == "" and candidate.email == ""


def test_a_person_under_contract_is_refused_and_nothing_changes(personas):
    alice, _, appointment = _history(personas)
    before = Person.objects.filter(pk=alice.pk).values().get()
    with pytest.raises(ValidationError) as refused:
        person_erase(actor=personas.director.user, person=alice, reason="Demande")
    assert "contrat en cours" in refused.value.messages[0]
    assert Person.objects.filter(pk=alice.pk).values().get() == before
    assert Appointment.objects.get(pk=appointment.pk).notes == "Relancer les factures."
    assert not ErasureReport.objects.exists()
    response = personas.director.client.post(f"/privacy/people/{alice.pk}/erase/", {"reason": "x"})
    assert response.status_code == 400
    assert "contrat en cours" in response.content.decode()


def test_erasure_is_for_the_director_only(personas):
    from tests.factories import make_person

    candidate = make_person()
    for persona in personas.all():
        response = persona.client.post(f"/privacy/people/{candidate.pk}/erase/", {"reason": "x"})
        if persona.name == "director":
            assert response.status_code == 302
        elif persona.name == "anonymous":
            assert response.status_code == 302 and "login" in response["Location"]
        else:
            assert response.status_code == 403, persona.name
    with pytest.raises(PermissionDenied):
        person_erase(actor=personas.staff.user, person=make_person(), reason="x")
    assert ErasureReport.objects.count() == 1


def test_an_erasure_without_a_reason_is_refused_and_changes_nothing(personas):
    from tests.factories import make_person

    candidate = make_person(first_name="Léa", notes="Projet")
    response = personas.director.client.post(
        f"/privacy/people/{candidate.pk}/erase/", {"reason": " "}
    )
    assert response.status_code == 400
    assert "Indiquez le motif" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.first_name == "Léa" and candidate.notes == "Projet"
    assert not ErasureReport.objects.exists()
