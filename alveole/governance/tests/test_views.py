"""Governance pages: who gets what, refused writes change nothing, query counts, the journeys."""

from __future__ import annotations

import base64
import datetime
import io
import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alveole.core.roles import Role
from alveole.governance import services
from alveole.governance.models import (
    Assembly,
    Attendance,
    Ballot,
    Convocation,
    GovernanceSettings,
    Mandate,
    MandateRole,
    Proxy,
    Resolution,
    ShareSubscription,
    Vote,
    VoteReceipt,
)
from alveole.governance.pdf import minutes_html
from alveole.people import services as people_services
from alveole.people.models import Associateship, PersonKind
from tests.factories import make_user

from .conftest import PNG_1PX, convene_and_open, make_assembly, make_associate, sign

pytestmark = pytest.mark.django_db

PNG_DATA_URL = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()


@dataclass
class World:
    personas: object
    carol: object
    carol_client: Client
    dan: object
    assembly: Assembly
    resolution: Resolution
    closed: Assembly
    subscription: ShareSubscription
    document_pk: int


@pytest.fixture
def world(associates, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    alice = associates.entrepreneur.person
    carol = make_associate(kind=PersonKind.EXTERNAL, first_name="Carol", last_name="Extérieure")
    carol_user = make_user(Role.ENTREPRENEUR, person=carol, email="carol@example.org")
    carol_client = Client()
    carol_client.force_login(carol_user)
    dan = make_associate(first_name="Dan", last_name="Parti")
    people_services.associate_leave(
        actor=None,
        associateship=Associateship.objects.get(person=dan),
        date=datetime.date(2025, 6, 30),
    )
    closed = convene_and_open(make_assembly(title="AG de printemps"))
    sign(closed, alice)
    adopted = services.resolution_add(
        actor=None, assembly=closed, title="Comptes", text="Approuve."
    )
    services.resolution_open_vote(actor=None, resolution=adopted)
    services.vote_cast(actor=None, resolution=adopted, voter=alice, choices={alice.pk: "for"})
    services.resolution_close_vote(actor=None, resolution=adopted)
    services.assembly_close(actor=None, assembly=closed)
    assembly = make_assembly(title="AG d'automne")
    document = services.assembly_document_add(
        actor=None, assembly=assembly, title="Rapport de gestion",
        upload=SimpleUploadedFile("rapport.pdf", b"%PDF-1.4 rapport", content_type="application/pdf"),
    )  # fmt: skip
    resolution = services.resolution_add(
        actor=None, assembly=assembly, title="Élection au conseil", text="…", secret=True
    )
    services.assembly_convene(
        actor=None, assembly=assembly, link_for=lambda t: f"/governance/p/{t}/"
    )
    return World(
        personas=associates, carol=carol, carol_client=carol_client, dan=dan, assembly=assembly,
        resolution=resolution, closed=closed,
        subscription=ShareSubscription.objects.get(person=alice), document_pk=document.pk,
    )  # fmt: skip


# Expected status per persona: entrepreneur (Alice, associate), other_entrepreneur (Bob, not
# an associate), staff, accountant, director. Anonymous visitors are sent to the login page.
MANAGERS = {
    "entrepreneur": 403,
    "other_entrepreneur": 403,
    "staff": 200,
    "accountant": 403,
    "director": 200,
}
READERS = {
    "entrepreneur": 200,
    "other_entrepreneur": 403,
    "staff": 200,
    "accountant": 200,
    "director": 200,
}
ASSEMBLIES = {
    "entrepreneur": 200,
    "other_entrepreneur": 403,
    "staff": 200,
    "accountant": 403,
    "director": 200,
}
STAFF_ROLES = {
    "entrepreneur": 403,
    "other_entrepreneur": 403,
    "staff": 200,
    "accountant": 200,
    "director": 200,
}


def pages(w: World) -> list[tuple[str, dict[str, int]]]:
    a, r, c = w.assembly.pk, w.resolution.pk, w.closed.pk
    attendance = Attendance.objects.filter(assembly=w.closed).first()
    return [
        (reverse("governance:home"), READERS),
        (
            reverse("governance:me"),
            {**MANAGERS, "entrepreneur": 200, "staff": 403, "director": 403},
        ),
        (reverse("governance:register"), READERS),
        (reverse("governance:register") + "?at=2024-12-31", READERS),
        (reverse("governance:register") + "?format=csv", STAFF_ROLES),
        (reverse("governance:admit"), MANAGERS),
        (reverse("governance:subscribe"), MANAGERS),
        (reverse("governance:subscription", args=[w.subscription.pk]), READERS),
        (reverse("governance:release", args=[w.subscription.pk]), MANAGERS),
        (reverse("governance:departures"), STAFF_ROLES),
        (reverse("governance:refund", args=[w.dan.pk]), MANAGERS),
        (reverse("governance:settings"), {**MANAGERS, "staff": 403}),
        (reverse("governance:assemblies"), ASSEMBLIES),
        (reverse("governance:assembly_create"), MANAGERS),
        (reverse("governance:assembly", args=[a]), {**ASSEMBLIES, "entrepreneur": 302}),
        (reverse("governance:assembly_edit", args=[a]), MANAGERS),
        (reverse("governance:document_add", args=[a]), MANAGERS),
        (reverse("governance:document", args=[a, w.document_pk]), ASSEMBLIES),
        (reverse("governance:attendance", args=[c]), MANAGERS),
        (reverse("governance:attendance_sign", args=[a, w.carol.pk]), MANAGERS),
        (reverse("governance:signature", args=[c, attendance.pk]), MANAGERS),
        (reverse("governance:proxy_add", args=[a]), MANAGERS),
        (reverse("governance:resolution", args=[r]), MANAGERS),
        (reverse("governance:minutes", args=[c]), ASSEMBLIES),
        (
            reverse("governance:participate", args=[a]),
            {**MANAGERS, "entrepreneur": 200, "staff": 404, "director": 403},
        ),
        (
            reverse("governance:participate_document", args=[a, w.document_pk]),
            {**MANAGERS, "entrepreneur": 200, "staff": 404, "director": 403},
        ),
        (
            reverse("governance:participate_minutes", args=[c]),
            {**MANAGERS, "entrepreneur": 200, "staff": 404, "director": 403},
        ),
        (reverse("governance:board"), READERS),
        (reverse("governance:mandate_add"), MANAGERS),
    ]


def test_every_page_for_every_persona(world):
    for url, expected in pages(world):
        for persona in world.personas.all():
            response = persona.client.get(url)
            if persona.name == "anonymous":
                assert response.status_code == 302, url
                assert response["Location"].startswith(reverse("login")), url
                continue
            assert response.status_code == expected[persona.name], (url, persona.name)
            if response.status_code in (403, 404) and response.get("Content-Type", "").startswith(
                "text"
            ):
                body = response.content.decode()
                assert "Martin" not in body and "Carol" not in body, (url, persona.name)


def test_an_associate_sees_only_their_own_subscription(world):
    url = reverse("governance:subscription", args=[world.subscription.pk])
    assert world.carol_client.get(url).status_code == 403


def test_the_register_shows_associates_names_and_shares_but_not_amounts(world):
    body = world.personas.entrepreneur.client.get(reverse("governance:register")).content.decode()
    assert "Martin Alice" in body and "Extérieure Carol" in body
    assert "Souscrit" not in body and "Export CSV" not in body
    body = world.personas.accountant.client.get(reverse("governance:register")).content.decode()
    assert "Souscrit" in body and "Export CSV" in body
    assert "Parti Dan" in body and "parts à rembourser" in body


def test_register_export_has_one_row_per_holder(world):
    response = world.personas.accountant.client.get(
        reverse("governance:register"), {"format": "csv"}
    )
    rows = [line.split(";") for line in response.content.decode("utf-8-sig").strip().splitlines()]
    assert rows[0][:3] == ["Nom", "Prénom", "Catégorie"]
    assert sorted(r[0] for r in rows[1:]) == ["Extérieure", "Martin", "Parti"]


def _posts(w: World) -> list[tuple[str, dict]]:
    a, r = w.assembly.pk, w.resolution.pk
    bob = w.personas.other_entrepreneur.person
    return [
        (reverse("governance:admit"), {"person": bob.pk, "date": "2024-06-01", "shares": 4, "nominal": "25", "paid": "100", "release_method": "transfer"}),
        (reverse("governance:release", args=[w.subscription.pk]), {"date": "2024-07-01", "amount": "1", "method": "transfer"}),
        (reverse("governance:refund", args=[w.dan.pk]), {}),
        (reverse("governance:settings"), {"notice_days_first": 30, "notice_days_second": 20, "board_max_size": 12, "share_nominal": "50"}),
        (reverse("governance:assembly_create"), {"kind": "ordinary", "title": "Pirate", "starts_at": "2030-01-01T10:00", "place": "Ici"}),
        (reverse("governance:convene", args=[a]), {}),
        (reverse("governance:assembly_open", args=[a]), {}),
        (reverse("governance:proxy_add", args=[a]), {"grantor": w.carol.pk, "holder": w.personas.entrepreneur.person.pk}),
        (reverse("governance:resolution_add", args=[a]), {"title": "Pirate", "text": "x", "majority": "simple"}),
        (reverse("governance:resolution_open", args=[r]), {}),
        (reverse("governance:resolution_delete", args=[r]), {}),
        (reverse("governance:mandate_add"), {"person": w.carol.pk, "role": "director_general", "start_date": "2025-01-01"}),
    ]  # fmt: skip


def _state() -> tuple:
    return (
        ShareSubscription.objects.count(), GovernanceSettings.objects.count(), Assembly.objects.count(),
        Convocation.objects.count(), Proxy.objects.count(), Resolution.objects.count(),
        list(Resolution.objects.values_list("status", flat=True).order_by("pk")),
        list(Assembly.objects.values_list("status", flat=True).order_by("pk")), Mandate.objects.count(),
        sum(ShareSubscription.objects.get(pk=s).releases.count() for s in ShareSubscription.objects.values_list("pk", flat=True)),
    )  # fmt: skip


def test_refused_writes_change_nothing(world):
    before = _state()
    for persona in (
        world.personas.entrepreneur,
        world.personas.other_entrepreneur,
        world.personas.accountant,
    ):
        for url, data in _posts(world):
            assert persona.client.post(url, data).status_code == 403, (url, persona.name)
    for url, data in _posts(world):
        assert world.personas.anonymous.client.post(url, data).status_code == 302, url
    settings_url = reverse("governance:settings")
    assert world.personas.staff.client.post(settings_url, _posts(world)[3][1]).status_code == 403
    assert _state() == before


def _count_queries(client: Client, url: str) -> int:
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["register", "assemblies", "board", "departures"])
def test_list_query_counts_do_not_grow_with_rows(world, name):
    client = world.personas.director.client
    url = reverse(f"governance:{name}")
    few = _count_queries(client, url)
    for n in range(8):
        person = make_associate(kind=PersonKind.EXTERNAL, shares=n + 1)
        if n % 2:
            people_services.associate_leave(
                actor=None, associateship=Associateship.objects.get(person=person),
                date=datetime.date(2025, 1, 1),
            )  # fmt: skip
        else:
            services.mandate_start(
                actor=None, person=person, role=MandateRole.DIRECTOR_GENERAL,
                start_date=datetime.date(2025, 1, 1),
            )  # fmt: skip
        make_assembly(title=f"AG {n}")
    assert _count_queries(client, url) == few


def test_staff_admit_an_associate_through_the_page(world):
    bob = world.personas.other_entrepreneur.person
    response = world.personas.staff.client.post(
        reverse("governance:admit"),
        {"person": bob.pk, "date": "2024-06-01", "shares": 4, "nominal": "25", "paid": "40",
         "release_method": "payroll", "due_1": "2024-09-01", "amount_1": "60"},
    )  # fmt: skip
    subscription = ShareSubscription.objects.get(person=bob)
    assert response.status_code == 302
    assert (subscription.amount_cents, subscription.releases.get().amount_cents) == (10000, 4000)
    # A refused admission says why and writes nothing.
    response = world.personas.staff.client.post(
        reverse("governance:subscribe"),
        {"person": bob.pk, "date": "2024-06-01", "shares": 4, "nominal": "25", "paid": "40",
         "release_method": "transfer"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "il reste 60,00" in response.content.decode()
    assert ShareSubscription.objects.filter(person=bob).count() == 1


def test_refund_through_the_page(world):
    client = world.personas.staff.client
    response = client.post(reverse("governance:refund", args=[world.dan.pk]), {})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert world.dan.share_refunds.get().amount_cents == 10000
    assert client.get(reverse("governance:refund", args=[world.dan.pk])).status_code == 404


def _token(w: World, person) -> str:
    """Resend a convocation to learn a fresh personal link (only its hash is stored)."""
    links: list[str] = []
    services.convocation_resend(
        actor=None, convocation=Convocation.objects.get(assembly=w.assembly, person=person),
        link_for=lambda t: links.append(t) or t,
    )  # fmt: skip
    return links[0]


def test_personal_link_journey_proxy_then_nothing_more(world):
    token = _token(world, world.carol)
    client = Client()
    page = client.get(reverse("governance:token_participate", args=[token]))
    assert page.status_code == 200
    assert "Rapport de gestion" in page.content.decode()
    document = client.get(
        reverse("governance:token_participate_document", args=[token, world.document_pk])
    )
    assert (
        document.status_code == 200 and b"".join(document.streaming_content) == b"%PDF-1.4 rapport"
    )
    bob = world.personas.other_entrepreneur.person
    refused = client.post(
        reverse("governance:token_participate_proxy", args=[token]), {"holder": bob.pk}
    )
    assert refused.status_code == 400 and not Proxy.objects.exists()
    alice = world.personas.entrepreneur.person
    client.post(reverse("governance:token_participate_proxy", args=[token]), {"holder": alice.pk})
    assert Proxy.objects.get().holder == alice
    assert (
        client.get(reverse("governance:token_participate", args=["not-a-token"])).status_code == 404
    )


def test_online_signature_and_secret_vote_through_the_pages(world):
    assembly = world.assembly
    Assembly.objects.filter(pk=assembly.pk).update(starts_at=timezone.now())
    assembly.refresh_from_db()
    services.assembly_open(actor=None, assembly=assembly)
    alice_client = world.personas.entrepreneur.client
    # Signing needs a drawn signature.
    url = reverse("governance:participate_sign", args=[assembly.pk])
    assert alice_client.post(url, {"signature": ""}).status_code == 400
    assert alice_client.post(url, {"signature": PNG_DATA_URL}).status_code == 302
    assert (
        Attendance.objects.get(assembly=assembly, person=world.personas.entrepreneur.person).mode
        == "online"
    )
    services.resolution_open_vote(actor=None, resolution=world.resolution)

    vote_url = reverse("governance:participate_vote", args=[assembly.pk, world.resolution.pk])
    alice = world.personas.entrepreneur.person
    response = alice_client.post(
        vote_url, {f"r{world.resolution.pk}-choice_{alice.pk}": "against"}, follow=True
    )
    body = response.content.decode()
    assert "Votre code secret" in body
    cookie = f"alveole_vote_{assembly.pk}_{alice.pk}"
    assert response.redirect_chain and alice_client.cookies[cookie]["httponly"]
    # Changing the secret vote from the same device uses the remembered code.
    assert (
        alice_client.post(
            vote_url, {f"r{world.resolution.pk}-choice_{alice.pk}": "for"}
        ).status_code
        == 302
    )
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["for"]
    assert VoteReceipt.objects.count() == 1

    # Nobody — the director included — sees who voted what: every page renders the same
    # whatever Alice chose (only the CSRF token differs).
    director = world.personas.director.client
    urls = [
        reverse("governance:resolution", args=[world.resolution.pk]),
        reverse("governance:assembly", args=[assembly.pk]),
        reverse("governance:attendance", args=[assembly.pk]),
        reverse("governance:assemblies"),
        reverse("governance:register"),
    ]
    seen_for = [_render(director, url) for url in urls]
    own_for = _render(alice_client, reverse("governance:participate", args=[assembly.pk]))
    assert (
        alice_client.post(
            vote_url, {f"r{world.resolution.pk}-choice_{alice.pk}": "against"}
        ).status_code
        == 302
    )
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["against"]
    assert [_render(director, url) for url in urls] == seen_for
    assert _render(alice_client, reverse("governance:participate", args=[assembly.pk])) == own_for
    services.resolution_close_vote(actor=None, resolution=world.resolution)
    text = director.get(
        reverse("governance:resolution", args=[world.resolution.pk])
    ).content.decode()
    assert "Votes nominatifs" not in text and "pour 0, contre 1" in text
    assert "Alice Martin" in text  # who voted is public
    assert not Vote.objects.filter(resolution=world.resolution).exists()
    for model in (Ballot, VoteReceipt, Vote):
        assert model not in admin.site._registry


def _render(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)


def test_results_hidden_before_closing_on_the_pages(world):
    assembly = world.closed
    resolution = Resolution.objects.get(assembly=assembly)
    assert resolution.votes_for == 1
    # An open resolution shows no count to anyone.
    Assembly.objects.filter(pk=world.assembly.pk).update(starts_at=timezone.now())
    world.assembly.refresh_from_db()
    services.assembly_open(actor=None, assembly=world.assembly)
    sign(world.assembly, world.personas.entrepreneur.person)
    services.resolution_open_vote(actor=None, resolution=world.resolution)
    alice = world.personas.entrepreneur.person
    services.vote_cast(
        actor=None, resolution=world.resolution, voter=alice, choices={alice.pk: "for"}
    )
    for client, url in (
        (
            world.personas.director.client,
            reverse("governance:resolution", args=[world.resolution.pk]),
        ),
        (
            world.personas.entrepreneur.client,
            reverse("governance:participate", args=[world.assembly.pk]),
        ),
    ):
        text = client.get(url).content.decode()
        assert "pour 1" not in text and "résultats" in text.lower()


def test_tablet_signing_page(world):
    client = world.personas.staff.client
    Assembly.objects.filter(pk=world.assembly.pk).update(starts_at=timezone.now())
    world.assembly.refresh_from_db()
    client.post(reverse("governance:assembly_open", args=[world.assembly.pk]))
    page = client.get(
        reverse("governance:attendance_sign", args=[world.assembly.pk, world.carol.pk])
    )
    body = page.content.decode()
    assert "governance/signature.js" in body and "<script>" not in body
    assert '<label class="form-label" for="signature-pad">' in body
    response = client.post(
        reverse("governance:attendance_sign", args=[world.assembly.pk, world.carol.pk]),
        {"signature": PNG_DATA_URL},
    )
    assert response.status_code == 302
    attendance = Attendance.objects.get(assembly=world.assembly, person=world.carol)
    assert (attendance.mode, attendance.via, attendance.recorded_by) == (
        "in_person",
        "tablet",
        world.personas.staff.user,
    )
    image = client.get(reverse("governance:signature", args=[world.assembly.pk, attendance.pk]))
    assert image["Content-Type"] == "image/png" and image.content == PNG_1PX


def test_minutes_pdf(world):
    response = world.personas.director.client.get(
        reverse("governance:minutes", args=[world.closed.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Procès-verbal — AG de printemps" in text
    assert "Résolution n° 1 — Comptes" in text
    assert "Cette résolution est adoptée." in text
    assert "Le quorum n'est pas atteint" in text or "Le quorum est atteint" in text
    assert "Feuille de présence" in text and "Martin Alice" in text
    html = minutes_html(world.closed)
    assert "Pour : 1 — Contre : 0 — Abstentions : 0." in html
    assert "data:image/png;base64," in html  # the signatures are on the attendance sheet
    # Associates get them from their personal link too.
    alice = world.personas.entrepreneur.person
    Convocation.objects.filter(assembly=world.closed, person=alice).update(
        token_hash=services.token_hash("known-link")
    )
    response = Client().get(reverse("governance:token_participate_minutes", args=["known-link"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    # Minutes only exist once the assembly is closed.
    assert (
        world.personas.director.client.get(
            reverse("governance:minutes", args=[world.assembly.pk])
        ).status_code
        == 403
    )


def test_staff_prepare_and_convene_an_assembly_through_the_pages(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    client = world.personas.staff.client
    starts = (timezone.localtime() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT10:00")
    response = client.post(
        reverse("governance:assembly_create"),
        {"kind": "extraordinary", "title": "AGE statuts", "starts_at": starts, "place": "Auch"},
    )
    assembly = Assembly.objects.get(title="AGE statuts")
    assert response.status_code == 302 and assembly.kind == "extraordinary"
    client.post(reverse("governance:agenda_add", args=[assembly.pk]), {"agenda-title": "Statuts"})
    client.post(
        reverse("governance:resolution_add", args=[assembly.pk]),
        {"resolution-title": "Modification", "resolution-text": "Article 5…",
         "resolution-majority": "two_thirds", "resolution-secret": "on"},
    )  # fmt: skip
    assert list(assembly.agenda.values_list("title", flat=True)) == ["Statuts"]
    resolution = assembly.resolutions.get()
    assert (resolution.majority, resolution.secret) == ("two_thirds", True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("governance:convene", args=[assembly.pk]))
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [world.personas.entrepreneur.person.email, world.carol.email]
    )
    assert "http://testserver/governance/p/" in mailoutbox[0].body
    page = client.get(reverse("governance:assembly", args=[assembly.pk])).content.decode()
    assert "Convocations (2)" in page and "remis" in page
    # A proxy beyond the rules is refused on the page with the reason.
    bob = world.personas.other_entrepreneur.person
    response = client.post(
        reverse("governance:proxy_add", args=[assembly.pk]),
        {"grantor": world.carol.pk, "holder": bob.pk},
    )
    assert response.status_code == 400  # Bob is not offered: not an associate
    assert not Proxy.objects.filter(assembly=assembly).exists()
    response = client.post(
        reverse("governance:proxy_add", args=[assembly.pk]),
        {"grantor": world.carol.pk, "holder": world.personas.entrepreneur.person.pk},
    )
    assert response.status_code == 302
    assert Proxy.objects.filter(assembly=assembly).count() == 1


def test_navigation_context_says_who_has_governance(world, rf):
    from alveole.governance.context_processors import governance

    expected = {"entrepreneur": (True, True), "other_entrepreneur": (False, False),
                "staff": (True, False), "accountant": (True, False), "director": (True, False)}  # fmt: skip
    for persona in world.personas.all():
        if persona.user is None:
            continue
        request = rf.get("/")
        request.user = persona.user
        context = governance(request)
        got = (bool(context["governance_access"]), bool(context["governance_is_associate"]))
        assert got == expected[persona.name], persona.name
