"""The audit trail viewer: director only, filters, CSV export audited, append-only."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin as django_admin
from django.test import RequestFactory

from alveole.core.models import AuditEvent
from alveole.core.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(personas):
    alice = personas.entrepreneur.person
    bob = personas.other_entrepreneur.person
    audit_record(actor=personas.staff.user, action="read", target=alice, summary="Lecture Alice")
    audit_record(actor=personas.director.user, action="update", target=bob, summary="Modif Bob")
    return personas


def test_only_the_director_reads_the_trail(trail):
    for persona in trail.all():
        response = persona.client.get("/audit/")
        if persona.name == "director":
            assert response.status_code == 200
            assert "Lecture Alice" in response.content.decode()
        elif persona.name == "anonymous":
            assert response.status_code == 302
            assert "/login" in response["Location"] or "login" in response["Location"]
        else:
            assert response.status_code == 403, persona.name
        csv_response = persona.client.get("/audit/export.csv")
        expected = (
            200 if persona.name == "director" else (302 if persona.name == "anonymous" else 403)
        )
        assert csv_response.status_code == expected, persona.name


def test_filters_narrow_the_list(trail):
    client = trail.director.client
    alice = trail.entrepreneur.person
    page = client.get(f"/audit/?target_type=people.person&target_id={alice.pk}").content.decode()
    assert "Lecture Alice" in page and "Modif Bob" not in page
    page = client.get("/audit/?action=update").content.decode()
    assert "Modif Bob" in page and "Lecture Alice" not in page
    page = client.get("/audit/?actor=staff@example").content.decode()
    assert "Lecture Alice" in page and "Modif Bob" not in page
    page = client.get("/audit/?since=2999-01-01").content.decode()
    assert "Lecture Alice" not in page and "Aucun événement" in page
    page = client.get("/audit/?since=pas-une-date").content.decode()
    assert "n&#x27;est pas valide" in page or "n'est pas valide" in page


def test_csv_export_has_the_filtered_rows_and_is_audited(trail):
    before = AuditEvent.objects.filter(action="export", target_type="core.auditevent").count()
    email = trail.director.user.email
    response = trail.director.client.get(f"/audit/export.csv?action=update&actor={email}")
    text = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    summaries = [line[5] for line in lines[1:]]
    assert summaries == ["Modif Bob"]
    exports = AuditEvent.objects.filter(action="export", target_type="core.auditevent")
    assert exports.count() == before + 1
    event = exports.first()
    assert event.actor == trail.director.user
    assert event.changes == {"filters": {"action": "update", "actor": email}, "rows": 1}


def test_the_trail_cannot_be_changed_or_deleted(trail):
    event = AuditEvent.objects.first()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="effacé")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        event.summary = "effacé"
        event.save()
    # No route changes it: the viewer only reads.
    response = trail.director.client.post("/audit/", {"summary": "x"})
    assert AuditEvent.objects.filter(summary="effacé").count() == 0
    assert response.status_code in (200, 405)
    # The admin registration is read-only.
    model_admin = django_admin.site._registry[AuditEvent]
    request = RequestFactory().get("/")
    request.user = trail.director.user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)


def test_person_file_links_to_its_trail(trail):
    alice = trail.entrepreneur.person
    page = trail.director.client.get(f"/people/{alice.pk}/").content.decode()
    assert f"/audit/?target_type=people.person&amp;target_id={alice.pk}" in page
    staff_page = trail.staff.client.get(f"/people/{alice.pk}/").content.decode()
    assert "/audit/?" not in staff_page
