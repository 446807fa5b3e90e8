"""Complaints (Qualiopi indicator 31) and improvement actions (indicator 32)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alveole.support import services
from alveole.support.models import QualityEvent

pytestmark = pytest.mark.django_db


def test_a_complaint_leads_to_an_improvement_and_both_are_closed(personas, workshop):
    client = personas.staff.client
    today = timezone.localdate()
    response = client.post(reverse("support:quality_create"), {
        "kind": "complaint", "date": today.isoformat(), "origin": "Stagiaire",
        "workshop": workshop.pk, "description": "La salle était trop petite.",
    })  # fmt: skip
    complaint = QualityEvent.objects.get()
    assert response.status_code == 302 and complaint.workshop == workshop
    response = client.post(reverse("support:quality_create"), {
        "kind": "improvement", "date": today.isoformat(), "complaint": complaint.pk,
        "description": "Réserver la grande salle au-delà de 8 inscrit·es.",
    })  # fmt: skip
    improvement = QualityEvent.objects.get(kind="improvement")
    assert improvement.complaint == complaint
    detail = client.get(reverse("support:quality_detail", args=[complaint.pk])).content.decode()
    assert "Réserver la grande salle" in detail
    url = reverse("support:quality_close", args=[complaint.pk])
    response = client.post(url, {"response": "", "closed_on": today.isoformat()})
    assert response.status_code == 400 and "Ce champ est obligatoire." in response.content.decode()
    assert (
        client.post(
            url, {"response": "Excuses et nouvelle salle.", "closed_on": today.isoformat()}
        ).status_code
        == 302
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.closed_on) == ("closed", today)
    with pytest.raises(ValidationError, match="déjà traitée"):
        services.quality_event_close(actor=None, event=complaint, response="x", closed_on=today)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("support:quality_list"), {"format": "csv"}).content.decode(
                    "utf-8-sig"
                )
            ),
            delimiter=";",
        )
    )
    assert [r[0] for r in rows[1:]] == ["Action d'amélioration", "Réclamation"]
    assert rows[2][6:9] == ["Traitée", today.strftime("%d/%m/%Y"), "Excuses et nouvelle salle."]


def test_quality_rules(personas):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.quality_event_record(
            actor=None, kind="complaint", date=today + datetime.timedelta(days=1), description=" "
        )
    assert set(error.value.message_dict) == {"date", "description"}
    complaint = services.quality_event_record(
        actor=None, kind="complaint", date=today, description="Retard"
    )
    other = services.quality_event_record(
        actor=None, kind="complaint", date=today, description="Bruit"
    )
    with pytest.raises(ValidationError, match="Seule une action d'amélioration"):
        services.quality_event_record(
            actor=None, kind="complaint", date=today, description="x", complaint=other
        )
    with pytest.raises(ValidationError, match="suit la date"):
        services.quality_event_close(
            actor=None, event=complaint, response="ok", closed_on=today - datetime.timedelta(days=3)
        )
    assert QualityEvent.objects.count() == 2


def test_quality_pages_are_for_staff_and_direction_only(personas):
    event = services.quality_event_record(
        actor=None, kind="complaint", date=timezone.localdate(), description="Retard"
    )
    urls = [reverse("support:quality_list"), reverse("support:quality_create"),
            reverse("support:quality_detail", args=[event.pk])]  # fmt: skip
    for persona in personas.all():
        for url in urls:
            status = persona.client.get(url).status_code
            expected = {"staff": 200, "director": 200, "anonymous": 302}.get(persona.name, 403)
            assert status == expected, (persona.name, url)
    for persona in (personas.entrepreneur, personas.accountant):
        assert (
            persona.client.post(
                reverse("support:quality_close", args=[event.pk]),
                {"response": "x", "closed_on": "2020-01-01"},
            ).status_code
            == 403
        )
        assert (
            persona.client.post(
                reverse("support:quality_create"),
                {"kind": "complaint", "date": "2020-01-01", "description": "x"},
            ).status_code
            == 403
        )
    event.refresh_from_db()
    assert event.status == "open" and QualityEvent.objects.count() == 1


def test_quality_list_query_count_does_not_grow(personas, workshop):
    client = personas.staff.client
    url = reverse("support:quality_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        services.quality_event_record(
            actor=None,
            kind="complaint",
            date=timezone.localdate(),
            description=f"R{n}",
            workshop=workshop,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
