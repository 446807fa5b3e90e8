"""Signed minutes (chair and secretary, frozen PDF) and past assemblies recorded afterwards."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alveole.core.roles import Role
from alveole.governance import services
from alveole.governance.models import (
    Assembly,
    Attendance,
    ImmutableRecordError,
    Minutes,
    MinutesSignature,
    Proxy,
    Resolution,
)
from alveole.people.models import PersonKind
from tests.factories import make_user

from .conftest import PNG_1PX, convene_and_open, make_assembly, make_associate, sign

pytestmark = pytest.mark.django_db

PNG_DATA_URL = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()


@pytest.fixture
def closed(associates):
    """A closed assembly chaired by Alice (an associate persona), Carol as secretary."""
    alice = associates.entrepreneur.person
    carol = make_associate(kind=PersonKind.SUPPORT_STAFF, first_name="Carol", last_name="Appui")
    assembly = convene_and_open(make_assembly(title="AG de juin"))
    sign(assembly, alice)
    sign(assembly, carol)
    resolution = services.resolution_add(
        actor=None, assembly=assembly, title="Comptes", text="Approuve."
    )
    services.resolution_open_vote(actor=None, resolution=resolution)
    services.vote_cast(actor=None, resolution=resolution, voter=alice, choices={alice.pk: "for"})
    services.resolution_close_vote(actor=None, resolution=resolution)
    services.assembly_close(actor=None, assembly=assembly)
    services.assembly_update(actor=None, assembly=assembly, chair=alice, secretary=carol)
    return Assembly.objects.get(pk=assembly.pk)


def test_minutes_sign_pages_for_every_persona(closed, associates):
    chair = reverse("governance:minutes_sign", args=[closed.pk, "chair"])
    secretary = reverse("governance:minutes_sign", args=[closed.pk, "secretary"])
    names = reverse("governance:signatories", args=[closed.pk])
    expected = {
        chair: {"entrepreneur": 200, "other_entrepreneur": 403, "staff": 200, "accountant": 403, "director": 200},
        secretary: {"entrepreneur": 403, "other_entrepreneur": 403, "staff": 200, "accountant": 403, "director": 200},
        names: {"entrepreneur": 403, "other_entrepreneur": 403, "staff": 200, "accountant": 403, "director": 200},
    }  # fmt: skip
    for url, codes in expected.items():
        for persona in associates.all():
            response = persona.client.get(url)
            if persona.name == "anonymous":
                assert response.status_code == 302, url
                continue
            assert response.status_code == codes[persona.name], (url, persona.name)
    assert (
        associates.director.client.get(
            reverse("governance:minutes_sign", args=[closed.pk, "x"])
        ).status_code
        == 404
    )


def test_chair_signs_online_secretary_draws_then_the_pdf_is_frozen(closed, associates):
    alice_client = associates.entrepreneur.client
    participate = alice_client.get(reverse("governance:participate", args=[closed.pk]))
    assert (
        reverse("governance:minutes_sign", args=[closed.pk, "chair"])
        in participate.content.decode()
    )
    # A staff member cannot sign "online" for the chair: only a drawn signature.
    staff = associates.staff.client
    response = staff.post(
        reverse("governance:minutes_sign", args=[closed.pk, "chair"]), {"online": "1"}
    )
    assert response.status_code == 403 and not MinutesSignature.objects.exists()
    empty = staff.post(
        reverse("governance:minutes_sign", args=[closed.pk, "chair"]), {"signature": ""}
    )
    assert empty.status_code == 400 and "Signez dans le cadre" in empty.content.decode()
    response = alice_client.post(
        reverse("governance:minutes_sign", args=[closed.pk, "chair"]), {"online": "1"},
        HTTP_USER_AGENT="Firefox test",
    )  # fmt: skip
    assert response.status_code == 302
    chair = MinutesSignature.objects.get(role="chair")
    assert (chair.method, chair.user_agent, chair.ip_address) == (
        "online",
        "Firefox test",
        "127.0.0.1",
    )
    assert not Minutes.objects.exists()
    # The names no longer change once signing has begun.
    with pytest.raises(ValidationError, match="signature"):
        services.assembly_update(
            actor=None, assembly=closed, secretary=associates.entrepreneur.person
        )
    response = staff.post(
        reverse("governance:minutes_sign", args=[closed.pk, "secretary"]),
        {"signature": PNG_DATA_URL},
    )
    assert response.status_code == 302
    minutes = Minutes.objects.get(assembly=closed)
    assert minutes.sha256 == hashlib.sha256(bytes(minutes.pdf)).hexdigest()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(minutes.pdf))).pages)
    assert "Signature en ligne (compte connecté)" in text and "Signature dessinée" in text
    assert "signé le" in text
    # Served as stored, byte for byte, to staff and to the associate.
    for client, url in (
        (associates.director.client, reverse("governance:minutes", args=[closed.pk])),
        (alice_client, reverse("governance:participate_minutes", args=[closed.pk])),
    ):
        assert client.get(url).content == bytes(minutes.pdf)
    detail = associates.director.client.get(reverse("governance:assembly", args=[closed.pk]))
    assert "Le procès-verbal est signé et figé" in detail.content.decode()
    # Immutable: neither the signature nor the frozen minutes change or disappear.
    with pytest.raises(ImmutableRecordError):
        chair.save()
    with pytest.raises(ImmutableRecordError):
        MinutesSignature.objects.filter(pk=chair.pk).update(method="drawn")
    with pytest.raises(ImmutableRecordError):
        minutes.delete()


def test_only_the_named_signatory_signs_and_only_after_closing(associates):
    alice = associates.entrepreneur.person
    carol = make_associate(first_name="Carol")
    carol_user = make_user(Role.ENTREPRENEUR, person=carol, email="carol@example.org")
    assembly = convene_and_open(make_assembly())
    services.assembly_update(actor=None, assembly=assembly, chair=alice, secretary=carol)
    with pytest.raises(ValidationError, match="close"):
        services.minutes_sign(actor=associates.entrepreneur.user, assembly=assembly, role="chair")
    services.assembly_close(actor=None, assembly=assembly)
    # Carol cannot sign online as the chair; the same person cannot be chair and secretary.
    with pytest.raises(ValidationError, match="compte du ou de la signataire"):
        services.minutes_sign(actor=carol_user, assembly=assembly, role="chair")
    with pytest.raises(ValidationError, match="secrétaire"):
        services.assembly_update(actor=None, assembly=assembly, secretary=alice)
    with pytest.raises(ValidationError):
        services.minutes_sign(actor=None, assembly=assembly, role="chair", signature_png=b"GIF89a")
    assert not MinutesSignature.objects.exists()


def test_a_live_assembly_refuses_past_moments(associates):
    assembly = make_assembly()
    past = timezone.now() - datetime.timedelta(days=3)
    with pytest.raises(ValidationError, match="a posteriori"):
        services.assembly_convene(actor=None, assembly=assembly, link_for=str, at=past)
    convene_and_open(assembly)
    with pytest.raises(ValidationError, match="a posteriori"):
        services.attendance_sign(
            actor=None, assembly=assembly, person=associates.entrepreneur.person,
            mode="in_person", via="tablet", signature_png=PNG_1PX, at=past,
        )  # fmt: skip
    assert not Attendance.objects.exists()
    with pytest.raises(ValidationError, match="a posteriori"):
        services.assembly_close(actor=None, assembly=assembly, at=past)
    assert Assembly.objects.get(pk=assembly.pk).status == Assembly.Status.OPEN


def test_recording_a_past_assembly_from_its_paper_minutes(associates):
    director = associates.director.user
    alice = associates.entrepreneur.person
    others = [make_associate(first_name=f"A{n}") for n in range(4)]
    day = timezone.make_aware(datetime.datetime(2025, 6, 13, 18, 0))
    kwargs = {"kind": "ordinary", "title": "AG 2025", "starts_at": day, "place": "Auch"}
    with pytest.raises(PermissionDenied):
        services.assembly_create(
            actor=associates.entrepreneur.user, recorded_afterwards=True, **kwargs
        )
    with pytest.raises(ValidationError, match="passé"):
        services.assembly_create(
            actor=director, recorded_afterwards=True,
            **{**kwargs, "starts_at": timezone.now() + datetime.timedelta(days=30)},
        )  # fmt: skip
    assembly = services.assembly_create(
        actor=director, recorded_afterwards=True, chair=alice, secretary=others[0], **kwargs
    )
    services.agenda_item_add(actor=director, assembly=assembly, title="Comptes")
    # The notice is still checked, against the paper convocation's date.
    with pytest.raises(ValidationError, match="15 jours"):
        services.assembly_convene(
            actor=director, assembly=assembly, link_for=str, at=day - datetime.timedelta(days=5)
        )
    with pytest.raises(ValidationError, match="dans le passé"):
        services.assembly_convene(
            actor=director,
            assembly=assembly,
            link_for=str,
            at=timezone.now() + datetime.timedelta(days=1),
        )
    services.assembly_convene(
        actor=director, assembly=assembly, link_for=str, at=day - datetime.timedelta(days=20)
    )
    # The session opens on its own day only, even afterwards.
    with pytest.raises(ValidationError, match="jour de l'assemblée"):
        services.assembly_open(
            actor=director, assembly=assembly, at=day + datetime.timedelta(days=1)
        )
    services.assembly_open(actor=director, assembly=assembly, at=day)
    services.proxy_give(
        actor=director,
        assembly=assembly,
        grantor=others[3],
        holder=alice,
        at=day - datetime.timedelta(days=2),
    )
    for person in (alice, others[0], others[1]):
        services.attendance_sign(
            actor=director, assembly=assembly, person=person, mode="in_person", via="tablet",
            signature_png=PNG_1PX, at=day + datetime.timedelta(minutes=5),
        )  # fmt: skip
    resolution = services.resolution_add(
        actor=director, assembly=assembly, title="Comptes", text="Approuve."
    )
    services.resolution_open_vote(
        actor=director, resolution=resolution, at=day + datetime.timedelta(minutes=20)
    )
    services.room_tally_record(
        actor=director, resolution=resolution, votes_for=3, votes_against=1, votes_abstain=0
    )
    services.resolution_close_vote(
        actor=director, resolution=resolution, at=day + datetime.timedelta(minutes=30)
    )
    services.assembly_close(actor=director, assembly=assembly, at=day + datetime.timedelta(hours=2))
    for role in ("chair", "secretary"):
        services.minutes_sign(
            actor=director, assembly=assembly, role=role, at=day + datetime.timedelta(days=7)
        )
    assembly.refresh_from_db()
    assert (assembly.convened_at, assembly.opened_at) == (day - datetime.timedelta(days=20), day)
    assert assembly.closed_at == day + datetime.timedelta(hours=2)
    assert (assembly.present_count, assembly.represented_count, assembly.quorum_met) == (3, 1, True)
    assert set(Attendance.objects.values_list("signed_at", flat=True)) == {
        day + datetime.timedelta(minutes=5)
    }
    assert Proxy.objects.get().given_at == day - datetime.timedelta(days=2)
    resolution = Resolution.objects.get()
    assert (resolution.votes_for, resolution.adopted, resolution.closed_at) == (
        3,
        True,
        day + datetime.timedelta(minutes=30),
    )
    assert set(MinutesSignature.objects.values_list("method", flat=True)) == {"paper"}
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(bytes(Minutes.objects.get().pdf))).pages
    )
    assert "enregistrée a posteriori" in text and "Procès-verbal papier signé" in text
