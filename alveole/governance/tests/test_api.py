"""The governance API: every route for every persona, scoping, the secret ballot, structured errors."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from alveole.governance import services
from alveole.governance.models import (
    Assembly,
    AssemblyDocument,
    Ballot,
    Minutes,
    MinutesSignature,
    Proxy,
    Resolution,
    VoteReceipt,
)
from alveole.people.models import Person, PersonKind
from tests.api_client import PersonaApi
from tests.factories import make_person

from .conftest import PNG_1PX, convene_and_open, make_assembly, make_associate, sign

pytestmark = pytest.mark.django_db

BASE = "/api/governance"
PNG_DATA_URL = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
PERSONAS = ("entrepreneur", "other_entrepreneur", "staff", "accountant", "director")


@pytest.fixture
def call(associates) -> PersonaApi:
    return PersonaApi(associates, BASE, json_on_write=True)


@dataclass
class Session:
    assembly: Assembly
    alice: Person
    carol: Person
    dan: Person
    secret: Resolution
    show_of_hands: Resolution


@pytest.fixture
def session(associates) -> Session:
    """An open assembly: Alice convened (a persona), Carol and Dan associates; two open resolutions."""
    alice = associates.entrepreneur.person
    carol = make_associate(kind=PersonKind.SUPPORT_STAFF, first_name="Carol", last_name="Appui")
    dan = make_associate(first_name="Dan", last_name="Zola")
    assembly = convene_and_open(make_assembly())
    sign(assembly, carol)
    secret = services.resolution_add(
        actor=None, assembly=assembly, title="Élection", text="Élit…", secret=True
    )
    hands = services.resolution_add(
        actor=None, assembly=assembly, title="Comptes", text="Approuve…"
    )
    return Session(assembly, alice, carol, dan, secret, hands)


def statuses(call: PersonaApi, method: str, url: str, body: Any = None) -> dict[str, int]:
    return {who: call(who, method, url, body).status_code for who in ("anonymous", *PERSONAS)}


def expect(**codes: int) -> dict[str, int]:
    return {"anonymous": 401, **codes}


READERS = expect(entrepreneur=200, other_entrepreneur=403, staff=200, accountant=200, director=200)
ASSEMBLY_READERS = expect(
    entrepreneur=200, other_entrepreneur=403, staff=200, accountant=403, director=200
)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


# --- register, capital, board ----------------------------------------------------------


def test_register_capital_and_board_for_every_persona(call, associates):
    for url in ("/register", "/register?at=2024-12-31", "/capital", "/board?at=2025-01-01"):
        assert statuses(call, "get", url) == READERS, url
    error = assert_error(call("other_entrepreneur", "get", "/register"), 403, "forbidden")
    assert "Martin" not in json.dumps(error)


def test_an_associate_sees_names_categories_and_shares_of_the_others_not_their_amounts(
    call, associates
):
    carol = make_associate(kind=PersonKind.EXTERNAL, first_name="Carol", shares=40)
    alice = associates.entrepreneur.person
    rows = {
        row["person_id"]: row for row in call("entrepreneur", "get", "/register").json()["rows"]
    }
    assert rows[carol.pk]["category"] == "external" and rows[carol.pk]["shares_held"] == 40
    assert rows[carol.pk]["capital_cents"] is None and rows[carol.pk]["paid_up_cents"] is None
    assert rows[alice.pk]["capital_cents"] == 4 * 2500  # one's own line in full
    full = {row["person_id"]: row for row in call("accountant", "get", "/register").json()["rows"]}
    assert full[carol.pk]["capital_cents"] == 40 * 2500


def test_register_and_capital_at_a_past_date(call, associates):
    make_associate(first_name="Late", joined=datetime.date(2025, 3, 1), shares=10)
    before = call("director", "get", "/register?at=2025-01-01").json()
    after = call("director", "get", "/register?at=2025-03-01").json()
    assert len(after["rows"]) == len(before["rows"]) + 1
    assert after["capital"]["subscribed_cents"] - before["capital"]["subscribed_cents"] == 25000
    capital = call("director", "get", "/capital?at=2025-03-01").json()
    assert capital["associates"] == 2 and capital["votes_ratio"]["holds"] is True
    assert call("director", "get", "/register?at=2024-01-01").json()["rows"] == []
    error = assert_error(call("director", "get", "/register?at=31/12/2024"), 422, "invalid_payload")
    assert "at" in error["fields"]


def test_legal_ratios_warn_through_the_api(call, associates):
    make_associate(kind=PersonKind.EXTERNAL, first_name="Ext", shares=400)
    capital = call("accountant", "get", "/capital").json()
    assert capital["capital_ratio"]["holds"] is False
    assert any("51" in warning for warning in capital["warnings"])


def test_board_in_office_at_a_date(call, associates):
    from alveole.governance.models import MandateRole

    alice = associates.entrepreneur.person
    closed = Assembly.objects.create(
        kind="ordinary", title="AG", starts_at=datetime.datetime(2024, 12, 1, 10, tzinfo=datetime.UTC),
        place="Siège", status=Assembly.Status.CLOSED,
    )  # fmt: skip
    services.mandate_start(
        actor=None, person=alice, role=MandateRole.BOARD_MEMBER,
        start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2026, 1, 1), elected_by=closed,
    )  # fmt: skip
    inside = call("entrepreneur", "get", "/board?at=2025-06-01").json()
    assert [(m["person_id"], m["role"]) for m in inside["mandates"]] == [(alice.pk, "board_member")]
    assert call("entrepreneur", "get", "/board?at=2026-01-01").json()["mandates"] == []


# --- assemblies ------------------------------------------------------------------------


def test_assembly_routes_for_every_persona(call, session):
    a, r = session.assembly.pk, session.secret.pk
    assert statuses(call, "get", "/assemblies") == ASSEMBLY_READERS
    assert statuses(call, "get", f"/assemblies/{a}") == ASSEMBLY_READERS
    assert statuses(call, "get", f"/resolutions/{r}") == ASSEMBLY_READERS
    assert statuses(call, "get", f"/assemblies/{a}/minutes") == ASSEMBLY_READERS
    managers = expect(
        entrepreneur=403, other_entrepreneur=403, staff=200, accountant=403, director=200
    )
    assert statuses(call, "get", f"/assemblies/{a}/attendance") == managers
    # The minutes exist once the session is closed: a structured 400 for those who may see them.
    minutes = expect(
        entrepreneur=400, other_entrepreneur=403, staff=400, accountant=403, director=400
    )
    assert statuses(call, "get", f"/assemblies/{a}/minutes.pdf") == minutes
    signing = expect(
        entrepreneur=403, other_entrepreneur=403, staff=400, accountant=403, director=400
    )
    assert statuses(call, "post", f"/assemblies/{a}/minutes/sign", {"role": "chair"}) == signing
    proxies = {**ASSEMBLY_READERS}
    assert statuses(call, "get", f"/assemblies/{a}/proxies") == proxies
    # Writes reserved to the staff and the direction: refused for everyone else, before any rule.
    refused = expect(entrepreneur=403, other_entrepreneur=403, accountant=403)
    for url, body in (
        ("/assemblies", {"kind": "ordinary", "title": "X", "starts_at": "2030-01-01T10:00:00Z"}),
        (f"/assemblies/{a}/agenda", {"title": "Point"}),
        (f"/assemblies/{a}/convene", {}),
        (f"/assemblies/{a}/open", {}),
        (f"/assemblies/{a}/close", {}),
        (f"/assemblies/{a}/resolutions", {"title": "R", "text": "T"}),
        (f"/resolutions/{r}/open", {}),
        (f"/resolutions/{r}/close", {}),
    ):
        for who, status in refused.items():
            assert call(who, "post", url, body).status_code == status, (url, who)
    for who, status in refused.items():
        assert call(who, "patch", f"/assemblies/{a}", {"title": "Y"}).status_code == status, who
    assert Assembly.objects.count() == 1 and session.assembly.agenda.count() == 1
    # Someone not convened sees nothing of an assembly.
    assert_error(call("other_entrepreneur", "get", f"/assemblies/{a}"), 403, "forbidden")


def test_an_associate_lists_only_the_assemblies_they_were_convened_to(call, session):
    draft = make_assembly(title="En préparation")
    listed = {row["id"] for row in call("entrepreneur", "get", "/assemblies").json()["results"]}
    assert listed == {session.assembly.pk}
    assert_error(call("entrepreneur", "get", f"/assemblies/{draft.pk}"), 404, "not_found")
    staff = {row["id"] for row in call("staff", "get", "/assemblies").json()["results"]}
    assert staff == {session.assembly.pk, draft.pk}


def test_the_director_prepares_and_convenes_an_assembly(call, associates, mailoutbox):
    alice = associates.entrepreneur.person
    starts = (timezone.now() + datetime.timedelta(days=30)).isoformat()
    response = call(
        "director", "post", "/assemblies",
        {"kind": "ordinary", "title": "AG 2026", "starts_at": starts, "place": "Siège",
         "online": True, "chair_id": alice.pk},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assembly = response.json()
    assert (assembly["status"], assembly["chair_id"]) == ("draft", alice.pk)
    url = f"/assemblies/{assembly['id']}"
    assert call("director", "post", url + "/agenda", {"title": "Comptes"}).status_code == 201
    patched = call("director", "patch", url, {"title": "AG annuelle 2026", "place": "Auch"})
    assert patched.status_code == 200 and patched.json()["title"] == "AG annuelle 2026"
    convened = call("director", "post", url + "/convene")
    assert convened.status_code == 200 and [c["person_id"] for c in convened.json()] == [alice.pk]
    # Once convened, the date no longer changes: a structured refusal, nothing written.
    error = assert_error(
        call("director", "patch", url, {"starts_at": "2031-01-01T10:00:00Z"}), 400, "invalid"
    )
    assert "convoquée" in error["message"]
    assert Assembly.objects.get(pk=assembly["id"]).starts_at.year != 2031


def test_bad_assembly_inputs_get_structured_errors_and_write_nothing(call, associates):
    bob = associates.other_entrepreneur.person
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    error = assert_error(
        call(
            "director", "post", "/assemblies",
            {"kind": "ordinary", "title": "AG", "starts_at": past, "place": "Siège"},
        ),
        400, "invalid",
    )  # fmt: skip
    assert "starts_at" in error["fields"]
    future = (timezone.now() + datetime.timedelta(days=30)).isoformat()
    error = assert_error(
        call(
            "director", "post", "/assemblies",
            {"kind": "ordinary", "title": "AG", "starts_at": future, "place": "S", "chair_id": bob.pk},
        ),
        400, "invalid",
    )  # fmt: skip
    assert "chair_id" in error["fields"]  # Bob is not an associate
    error = assert_error(
        call("director", "post", "/assemblies", {"kind": "annual", "title": "AG", "extra": 1}),
        422, "invalid_payload",
    )  # fmt: skip
    assert {"kind", "starts_at", "extra"} <= set(error["fields"])
    assert Assembly.objects.count() == 0


# --- attendance, proxies ---------------------------------------------------------------


def test_an_associate_signs_online_and_staff_sign_on_the_tablet(call, session):
    a = session.assembly.pk
    response = call(
        "entrepreneur", "post", f"/assemblies/{a}/attendance", {"signature": PNG_DATA_URL}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["person_id"], response.json()["via"]) == (session.alice.pk, "online")
    assert response.json()["signature_sha256"] == hashlib.sha256(PNG_1PX).hexdigest()
    again = call("entrepreneur", "post", f"/assemblies/{a}/attendance", {"signature": PNG_DATA_URL})
    assert "déjà signé" in assert_error(again, 400, "invalid")["message"]
    # Only staff record someone else's signature.
    body = {"person_id": session.dan.pk, "mode": "in_person", "signature": PNG_DATA_URL}
    assert call("entrepreneur", "post", f"/assemblies/{a}/attendance", body).status_code == 403
    assert (
        call("other_entrepreneur", "post", f"/assemblies/{a}/attendance", body).status_code == 403
    )
    bad = call("staff", "post", f"/assemblies/{a}/attendance", {**body, "signature": "nope"})
    assert "signature" in assert_error(bad, 400, "invalid")["fields"]
    assert call("staff", "post", f"/assemblies/{a}/attendance", body).status_code == 201
    sheet = {
        row["person_id"]: row["status"]
        for row in call("staff", "get", f"/assemblies/{a}/attendance").json()
    }
    assert sheet == {
        session.alice.pk: "online",
        session.carol.pk: "in_person",
        session.dan.pk: "in_person",
    }
    assert "signature_png" not in json.dumps(
        call("staff", "get", f"/assemblies/{a}/attendance").json()
    )


def test_proxies_through_the_api(call, associates):
    alice = associates.entrepreneur.person
    carol = make_associate(first_name="Carol")
    outsider = make_person(kind=PersonKind.EXTERNAL, first_name="Non", last_name="Associé")
    assembly = make_assembly()
    services.assembly_convene(actor=None, assembly=assembly, link_for=lambda t: t)
    a = assembly.pk
    refused = call("entrepreneur", "post", f"/assemblies/{a}/proxies", {"holder_id": outsider.pk})
    error = assert_error(refused, 400, "invalid")
    assert "holder_id" in error["fields"] and "associé" in error["message"]
    given = call("entrepreneur", "post", f"/assemblies/{a}/proxies", {"holder_id": carol.pk})
    assert given.status_code == 201 and given.json()["grantor_id"] == alice.pk
    mine = call("entrepreneur", "get", f"/assemblies/{a}/proxies").json()
    assert [p["holder_id"] for p in mine] == [carol.pk]
    # Someone else's proxy: only staff record it; Bob (not convened) is refused.
    body = {"holder_id": alice.pk, "grantor_id": carol.pk}
    assert call("entrepreneur", "post", f"/assemblies/{a}/proxies", body).status_code == 403
    assert (
        call(
            "other_entrepreneur", "post", f"/assemblies/{a}/proxies", {"holder_id": alice.pk}
        ).status_code
        == 403
    )
    proxy_id = given.json()["id"]
    assert call("other_entrepreneur", "post", f"/proxies/{proxy_id}/revoke").status_code == 403
    revoked = call("entrepreneur", "post", f"/proxies/{proxy_id}/revoke", {"reason": "Je viendrai"})
    assert revoked.status_code == 200 and revoked.json()["revoked_reason"] == "Je viendrai"
    assert Proxy.objects.filter(revoked_at__isnull=True).count() == 0


@pytest.mark.parametrize(("associates_count", "cap"), [(19, 1), (20, 1), (40, 2)])
def test_proxy_caps_through_the_api(call, associates, associates_count, cap):
    alice = associates.entrepreneur.person
    others = [make_associate(first_name=f"A{n}") for n in range(associates_count - 1)]
    assembly = make_assembly()
    for grantor in others[:cap]:
        services.proxy_give(actor=None, assembly=assembly, grantor=grantor, holder=alice)
    body = {"holder_id": alice.pk, "grantor_id": others[cap].pk}
    error = assert_error(
        call("staff", "post", f"/assemblies/{assembly.pk}/proxies", body), 400, "invalid"
    )
    assert "holder_id" in error["fields"] and "maximum" in error["message"]
    assert Proxy.objects.filter(holder=alice).count() == cap


# --- votes and the secret ballot -------------------------------------------------------


def test_online_secret_vote_changes_with_the_code_and_reveals_nobody(call, session):
    a, r = session.assembly.pk, session.secret.pk
    services.resolution_open_vote(actor=None, resolution=session.secret)
    # Not signed in yet: no vote.
    unsigned = call("entrepreneur", "post", f"/resolutions/{r}/vote", {"choice": "for"})
    assert "feuille de présence" in assert_error(unsigned, 400, "invalid")["message"]
    call("entrepreneur", "post", f"/assemblies/{a}/attendance", {"signature": PNG_DATA_URL})
    first = call("entrepreneur", "post", f"/resolutions/{r}/vote", {"choice": "against"})
    assert first.status_code == 200, first.content
    code = first.json()["secret_code"]
    assert code and first.json()["voted_for"] == [session.alice.pk]
    # A second vote without the code is refused (one vote per associate); with it, it changes.
    twice = call("entrepreneur", "post", f"/resolutions/{r}/vote", {"choice": "for"})
    assert "secret_code" in assert_error(twice, 400, "invalid")["fields"]
    changed = call(
        "entrepreneur", "post", f"/resolutions/{r}/vote", {"choice": "for", "secret_code": code}
    )
    assert changed.status_code == 200 and changed.json()["secret_code"] == code
    assert list(
        Ballot.objects.filter(resolution=session.secret).values_list("choice", flat=True)
    ) == ["for"]
    # Bob, not convened, cannot vote; results stay hidden until the vote closes.
    assert (
        call("other_entrepreneur", "post", f"/resolutions/{r}/vote", {"choice": "for"}).status_code
        == 403
    )
    detail = call("director", "get", f"/resolutions/{r}").json()
    assert (detail["votes_for"], detail["adopted"]) == (None, None)
    assert [v["person_id"] for v in detail["voters"]] == [session.alice.pk]
    assert detail["votes"] == []
    closed = call("director", "post", f"/resolutions/{r}/close")
    assert closed.json()["votes_for"] == 1 and closed.json()["adopted"] is True
    late = call(
        "entrepreneur", "post", f"/resolutions/{r}/vote", {"choice": "against", "secret_code": code}
    )
    assert "clos" in assert_error(late, 400, "invalid")["message"]
    # No route tells anyone — the director included — what Alice chose.
    for who in ("entrepreneur", "staff", "director"):
        for url in (
            f"/resolutions/{r}", f"/assemblies/{a}", "/assemblies", f"/assemblies/{a}/attendance",
            f"/assemblies/{a}/proxies", f"/assemblies/{a}/minutes",
        ):  # fmt: skip
            response = call(who, "get", url)
            if response.status_code != 200:
                continue
            body = response.json()
            text = json.dumps(body)
            assert '"choice"' not in text and code not in text, (who, url)
            if url == f"/resolutions/{r}":
                assert body["votes"] == [] and "choice" not in body["voters"][0]


def test_no_api_schema_can_carry_a_secret_choice():
    """Only the closed open-vote schema has a `choice`; the route fills it from open votes only."""
    from alveole.api import api

    schema = api.get_openapi_schema()
    with_choice = {
        name
        for name, component in schema["components"]["schemas"].items()
        if "choice" in component.get("properties", {})
    }
    assert with_choice == {"OpenVoteOut", "VoteIn"}
    assert not any("ballot" in path.lower() for path in schema["paths"])


def test_open_votes_with_a_proxy_and_results_after_closing(call, session):
    a, r = session.assembly.pk, session.show_of_hands.pk
    services.proxy_give(
        actor=None, assembly=session.assembly, grantor=session.dan, holder=session.alice
    )
    call("entrepreneur", "post", f"/assemblies/{a}/attendance", {"signature": PNG_DATA_URL})
    assert call("director", "post", f"/resolutions/{r}/open").status_code == 200
    stranger = call(
        "entrepreneur",
        "post",
        f"/resolutions/{r}/vote",
        {"proxies": {str(session.carol.pk): "for"}},
    )
    assert "procuration" in assert_error(stranger, 400, "invalid")["message"]
    voted = call(
        "entrepreneur", "post", f"/resolutions/{r}/vote",
        {"choice": "for", "proxies": {str(session.dan.pk): "against"}},
    )  # fmt: skip
    assert voted.status_code == 200 and voted.json()["voted_for"] == sorted(
        [session.alice.pk, session.dan.pk]
    )
    assert voted.json()["secret_code"] == ""
    before = call("entrepreneur", "get", f"/resolutions/{r}").json()
    assert before["votes"] == [] and before["votes_for"] is None
    call("director", "post", f"/resolutions/{r}/close")
    after = call("entrepreneur", "get", f"/resolutions/{r}").json()
    assert (after["votes_for"], after["votes_against"], after["adopted"]) == (1, 1, False)
    assert {(v["person_id"], v["choice"]) for v in after["votes"]} == {
        (session.alice.pk, "for"), (session.dan.pk, "against"),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("majority", "fors", "againsts", "adopted"),
    [("simple", 2, 1, True), ("simple", 1, 1, False), ("two_thirds", 2, 1, True),
     ("two_thirds", 3, 2, False), ("three_quarters", 3, 1, True), ("three_quarters", 2, 1, False)],
)  # fmt: skip
def test_tallies_for_each_majority_rule_over_the_api(
    call, associates, majority, fors, againsts, adopted
):
    voters = [make_associate(first_name=f"V{n}") for n in range(fors + againsts)]
    assembly = convene_and_open(make_assembly())
    for person in voters:
        sign(assembly, person)
    created = call(
        "director", "post", f"/assemblies/{assembly.pk}/resolutions",
        {"title": "R", "text": "T", "majority": majority},
    )  # fmt: skip
    r = created.json()["id"]
    call("director", "post", f"/resolutions/{r}/open")
    for n, person in enumerate(voters):
        choice = "for" if n < fors else "against"
        services.vote_cast(
            actor=None,
            resolution=Resolution.objects.get(pk=r),
            voter=person,
            choices={person.pk: choice},
        )
    closed = call("director", "post", f"/resolutions/{r}/close").json()
    assert (closed["votes_for"], closed["votes_against"], closed["adopted"]) == (
        fors,
        againsts,
        adopted,
    )


def test_quorum_not_met_refuses_the_vote_over_the_api(call, associates):
    for n in range(5):
        make_associate(first_name=f"Q{n}")
    assembly = convene_and_open(make_assembly())
    r = call(
        "director", "post", f"/assemblies/{assembly.pk}/resolutions", {"title": "R", "text": "T"}
    ).json()["id"]
    detail = call("director", "get", f"/assemblies/{assembly.pk}").json()
    assert detail["quorum"]["met"] is False and detail["quorum"]["associates"] == 6
    assert (
        "quorum"
        in assert_error(call("director", "post", f"/resolutions/{r}/open"), 400, "invalid")[
            "message"
        ]
    )
    sign(assembly, associates.entrepreneur.person)
    sign(assembly, Person.objects.get(first_name="Q0"))
    assert call("director", "get", f"/assemblies/{assembly.pk}").json()["quorum"]["met"] is True
    assert call("director", "post", f"/resolutions/{r}/open").status_code == 200


# --- signed minutes --------------------------------------------------------------------


def test_minutes_are_signed_by_chair_and_secretary_then_frozen(call, session, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = session.assembly.pk
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.assembly_document_add(
        actor=None, assembly=session.assembly, title="Rapport",
        upload=SimpleUploadedFile("rapport.pdf", b"%PDF-1.4 rapport"),
    )  # fmt: skip
    early = call(
        "director",
        "post",
        f"/assemblies/{a}/minutes/sign",
        {"role": "chair", "signature": PNG_DATA_URL},
    )
    assert "close" in assert_error(early, 400, "invalid")["message"]
    services.assembly_close(actor=None, assembly=session.assembly)
    nobody = call(
        "director",
        "post",
        f"/assemblies/{a}/minutes/sign",
        {"role": "chair", "signature": PNG_DATA_URL},
    )
    assert "Désignez" in assert_error(nobody, 400, "invalid")["message"]
    # The chair and secretary are named after the session; Bob (not an associate) cannot be.
    bob = call(
        "director",
        "patch",
        f"/assemblies/{a}",
        {"chair_id": session.alice.pk, "secretary_id": 999999},
    )
    assert "secretary_id" in assert_error(bob, 400, "invalid")["fields"]
    named = call(
        "director",
        "patch",
        f"/assemblies/{a}",
        {"chair_id": session.alice.pk, "secretary_id": session.carol.pk},
    )
    assert named.status_code == 200, named.content
    # Only the chair signs as chair: online from her own account.
    assert (
        call(
            "other_entrepreneur", "post", f"/assemblies/{a}/minutes/sign", {"role": "chair"}
        ).status_code
        == 403
    )
    no_drawing = call("staff", "post", f"/assemblies/{a}/minutes/sign", {"role": "chair"})
    assert "signature" in assert_error(no_drawing, 400, "invalid")["fields"]
    chair = call("entrepreneur", "post", f"/assemblies/{a}/minutes/sign", {"role": "chair"})
    assert chair.status_code == 201 and chair.json()["method"] == "online"
    assert call("director", "get", f"/assemblies/{a}/minutes").json()["frozen"] is False
    # The chair and secretary no longer change once signing has begun.
    locked = call("director", "patch", f"/assemblies/{a}", {"secretary_id": session.dan.pk})
    assert assert_error(locked, 400, "invalid")
    twice = call("entrepreneur", "post", f"/assemblies/{a}/minutes/sign", {"role": "chair"})
    assert "déjà signé" in assert_error(twice, 400, "invalid")["message"]
    # The secretary (no account) draws her signature on the staff's tablet.
    secretary = call(
        "staff",
        "post",
        f"/assemblies/{a}/minutes/sign",
        {"role": "secretary", "signature": PNG_DATA_URL},
    )
    assert secretary.status_code == 201 and secretary.json()["method"] == "drawn"
    state = call("entrepreneur", "get", f"/assemblies/{a}/minutes").json()
    assert state["frozen"] is True and len(state["signatures"]) == 2
    pdf = call("entrepreneur", "get", f"/assemblies/{a}/minutes.pdf").content
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == state["sha256"]
    assert (
        call("director", "get", f"/assemblies/{a}/minutes.pdf").content == pdf
    )  # never regenerated
    signature = MinutesSignature.objects.get(assembly=session.assembly, role="secretary")
    assert (
        signature.image_sha256 == hashlib.sha256(PNG_1PX).hexdigest() and signature.user_agent == ""
    )
    # The documents are archived with the minutes: nothing more is added.
    with pytest.raises(Exception, match="archivés"):
        services.assembly_document_add(
            actor=None, assembly=session.assembly, title="Après coup",
            upload=SimpleUploadedFile("x.pdf", b"%PDF-1.4 x"),
        )  # fmt: skip
    assert AssemblyDocument.objects.filter(assembly=session.assembly).count() == 1
    assert Minutes.objects.count() == 1 and VoteReceipt.objects.count() == 0
