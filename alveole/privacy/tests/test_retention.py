"""Records past their retention period: the staff page, the director's action, the command."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from alveole.core.dates import today
from alveole.people.models import InformationMeeting, Person
from alveole.privacy.models import ErasureReport
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale(personas):
    """A project holder last seen three years ago, and one seen last month."""
    old = make_person(first_name="Ancien", last_name="Contact", notes="Idée de librairie")
    recent = make_person(first_name="Récent", last_name="Contact")
    long_ago = InformationMeeting.objects.create(date=today() - datetime.timedelta(days=3 * 365))
    long_ago.attendees.add(old)
    three_years_ago = timezone.now() - datetime.timedelta(days=3 * 365)
    Person.objects.filter(pk=old.pk).update(created_at=three_years_ago)
    last_month = InformationMeeting.objects.create(date=today() - datetime.timedelta(days=30))
    last_month.attendees.add(recent)
    return old, recent


def test_the_page_lists_the_stale_file_only(personas, stale):
    old, _recent = stale
    expected = {
        "entrepreneur": 403, "other_entrepreneur": 403, "staff": 200,
        "accountant": 403, "director": 200, "anonymous": 302,
    }  # fmt: skip
    for persona in personas.all():
        response = persona.client.get("/privacy/retention/")
        assert response.status_code == expected[persona.name], persona.name
    page = personas.staff.client.get("/privacy/retention/").content.decode()
    assert "Ancien Contact" in page and "Récent Contact" not in page
    assert "/erase/" not in page  # staff see the list; only the director erases
    director_page = personas.director.client.get("/privacy/retention/").content.decode()
    assert f"/privacy/retention/{old.pk}/erase/" in director_page


def test_the_director_erases_from_the_list(personas, stale):
    old, _recent = stale
    assert personas.staff.client.post(f"/privacy/retention/{old.pk}/erase/").status_code == 403
    response = personas.director.client.post(f"/privacy/retention/{old.pk}/erase/")
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.notes == "" and "Ancien" not in str(old)
    assert ErasureReport.objects.get(person=old).reason == "Durée de conservation échue"
    page = personas.staff.client.get("/privacy/retention/").content.decode()
    assert f"/privacy/retention/{old.pk}/erase/" not in page


def test_the_command_lists_then_applies(personas, stale):
    old, recent = stale
    out = StringIO()
    call_command("retention", stdout=out)
    assert "Ancien Contact" in out.getvalue() and "Récent" not in out.getvalue()
    assert not ErasureReport.objects.exists()
    call_command("retention", "--apply", stdout=StringIO())
    report = ErasureReport.objects.get()
    assert report.person == old and report.actor is None
    recent.refresh_from_db()
    assert recent.first_name == "Récent"
    # A second run finds nothing left.
    out = StringIO()
    call_command("retention", "--apply", stdout=out)
    assert "0 dossier(s) effacé(s)" in out.getvalue()
