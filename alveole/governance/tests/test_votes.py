"""Resolutions and votes: one vote per associate, proxies, changes until closing, results after
closing, tallies per majority rule, and the secrecy of secret ballots."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models

from alveole.core.models import AuditEvent
from alveole.governance import services
from alveole.governance.models import (
    Ballot,
    Choice,
    Majority,
    Resolution,
    Vote,
    VoteReceipt,
)
from alveole.governance.rules import is_adopted
from alveole.governance.selectors import open_votes_of, voters_of
from alveole.people.models import PersonKind

from .conftest import convene_and_open, make_assembly, make_associate, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(associates):
    """An open ordinary assembly: Alice and Carol in the room, Eve online, Dan represented by Alice."""
    alice = associates.entrepreneur.person
    carol = make_associate(kind=PersonKind.SUPPORT_STAFF, first_name="Carol", last_name="Appui")
    dan = make_associate(first_name="Dan", last_name="Zola")
    eve = make_associate(kind=PersonKind.EXTERNAL, first_name="Eve", last_name="Dehors")
    make_associate(first_name="Fred", last_name="Absent")
    assembly = make_assembly()
    services.proxy_give(actor=None, assembly=assembly, grantor=dan, holder=alice)
    convene_and_open(assembly)
    sign(assembly, alice)
    sign(assembly, carol)
    sign(assembly, eve, mode="online")
    return assembly, alice, carol, dan, eve


def open_resolution(assembly, *, secret=False, majority=Majority.SIMPLE, title="Comptes 2025"):
    resolution = services.resolution_add(
        actor=None, assembly=assembly, title=title, text="L'assemblée approuve…",
        majority=majority, secret=secret,
    )  # fmt: skip
    return services.resolution_open_vote(actor=None, resolution=resolution)


def test_open_vote_one_per_associate_changes_until_closing(session):
    assembly, _alice, carol, _dan, _eve = session
    resolution = open_resolution(assembly)
    services.vote_cast(actor=None, resolution=resolution, voter=carol, choices={carol.pk: "for"})
    services.vote_cast(
        actor=None, resolution=resolution, voter=carol, choices={carol.pk: "against"}
    )
    assert list(Vote.objects.filter(resolution=resolution).values_list("person", "choice")) == [
        (carol.pk, "against")
    ]
    services.resolution_close_vote(actor=None, resolution=resolution)
    with pytest.raises(ValidationError, match="est clos"):
        services.vote_cast(
            actor=None, resolution=resolution, voter=carol, choices={carol.pk: "for"}
        )
    resolution.refresh_from_db()
    assert (resolution.votes_for, resolution.votes_against, resolution.adopted) == (0, 1, False)


def test_a_proxy_holder_votes_for_each_proxy_and_only_those(session):
    assembly, alice, carol, dan, _eve = session
    resolution = open_resolution(assembly)
    services.vote_cast(
        actor=None, resolution=resolution, voter=alice, choices={alice.pk: "for", dan.pk: "against"}
    )
    votes = set(
        Vote.objects.filter(resolution=resolution).values_list("person", "cast_by", "choice")
    )
    assert votes == {(alice.pk, alice.pk, "for"), (dan.pk, alice.pk, "against")}
    with pytest.raises(ValidationError, match="pas de procuration"):
        services.vote_cast(
            actor=None, resolution=resolution, voter=alice, choices={carol.pk: "for"}
        )
    assert [p.pk for p, _by in voters_of(resolution)] == [alice.pk, dan.pk]


def test_only_participants_vote(session):
    assembly, _alice, _carol, dan, _eve = session
    resolution = open_resolution(assembly)
    with pytest.raises(ValidationError, match="Signez d'abord la feuille de présence"):
        services.vote_cast(actor=None, resolution=resolution, voter=dan, choices={dan.pk: "for"})
    assert not Vote.objects.exists()


def test_results_only_after_closing(session):
    assembly, _alice, carol, _dan, _eve = session
    resolution = open_resolution(assembly)
    services.vote_cast(actor=None, resolution=resolution, voter=carol, choices={carol.pk: "for"})
    resolution.refresh_from_db()
    assert (resolution.votes_for, resolution.adopted) == (None, None)
    assert not open_votes_of(resolution).exists()
    services.resolution_close_vote(actor=None, resolution=resolution)
    resolution.refresh_from_db()
    assert [v.choice for v in open_votes_of(resolution)] == ["for"]


@pytest.mark.parametrize(
    ("majority", "votes_for", "votes_against", "adopted"),
    [
        (Majority.SIMPLE, 4, 3, True),
        (Majority.SIMPLE, 3, 3, False),  # a tie rejects
        (Majority.SIMPLE, 1, 0, True),
        (Majority.SIMPLE, 0, 0, False),  # nobody voted for or against
        (Majority.TWO_THIRDS, 2, 1, True),  # exactly two thirds
        (Majority.TWO_THIRDS, 3, 2, False),
        (Majority.TWO_THIRDS, 20, 10, True),
        (Majority.THREE_QUARTERS, 3, 1, True),
        (Majority.THREE_QUARTERS, 5, 2, False),
        (Majority.THREE_QUARTERS, 74, 26, False),
    ],
)
def test_majority_rules(majority, votes_for, votes_against, adopted):
    assert is_adopted(majority, votes_for, votes_against) is adopted


def test_tally_adds_the_room_count_and_ignores_abstentions(session):
    assembly, _alice, _carol, _dan, eve = session
    resolution = open_resolution(assembly, majority=Majority.TWO_THIRDS)
    # Room: Alice, Carol and Dan's proxy = 3 rights. Eve votes online.
    services.room_tally_record(
        actor=None, resolution=resolution, votes_for=2, votes_against=0, votes_abstain=1
    )
    services.vote_cast(actor=None, resolution=resolution, voter=eve, choices={eve.pk: "against"})
    services.resolution_close_vote(actor=None, resolution=resolution)
    resolution.refresh_from_db()
    assert (resolution.votes_for, resolution.votes_against, resolution.votes_abstain) == (2, 1, 1)
    assert resolution.adopted is True  # 2 of 3 cast: exactly two thirds


def test_room_count_cannot_exceed_those_in_the_room(session):
    assembly, alice, _carol, dan, eve = session
    resolution = open_resolution(assembly)
    with pytest.raises(ValidationError, match="dépassent les 3 voix"):
        services.room_tally_record(
            actor=None, resolution=resolution, votes_for=3, votes_against=1, votes_abstain=0
        )
    services.vote_record_in_room(actor=None, resolution=resolution, person=dan, choice="for")
    assert Vote.objects.get(person=dan).cast_by == alice
    with pytest.raises(ValidationError, match="dépassent"):
        services.room_tally_record(
            actor=None, resolution=resolution, votes_for=3, votes_against=0, votes_abstain=0
        )
    services.room_tally_record(
        actor=None, resolution=resolution, votes_for=2, votes_against=0, votes_abstain=0
    )
    with pytest.raises(ValidationError, match="ni présent·e en salle"):
        services.vote_record_in_room(actor=None, resolution=resolution, person=eve, choice="for")


# --- secret ballots ----------------------------------------------------------------------


def test_secret_ballot_tables_cannot_be_joined():
    """A ballot holds a choice and nothing that points to a person, a receipt or a moment."""
    ballot_fields = {f.name: f for f in Ballot._meta.concrete_fields}
    assert set(ballot_fields) == {"id", "resolution", "choice", "key_hash"}
    assert isinstance(ballot_fields["id"], models.UUIDField)  # random, not a sequence
    assert [f.related_model for f in Ballot._meta.concrete_fields if f.is_relation] == [Resolution]
    assert not any(
        isinstance(f, models.DateField | models.DateTimeField | models.AutoField)
        for f in Ballot._meta.concrete_fields
    )
    assert Ballot._meta.ordering == []
    receipt_fields = {f.name for f in VoteReceipt._meta.concrete_fields}
    assert receipt_fields == {"id", "resolution", "person", "cast_by"}  # who, never what or when
    assert not any(
        f.related_model is Ballot for f in VoteReceipt._meta.concrete_fields if f.is_relation
    )
    with connection.cursor() as cursor:
        columns = [
            c.name
            for c in connection.introspection.get_table_description(cursor, "governance_ballot")
        ]
    assert sorted(columns) == ["choice", "id", "key_hash", "resolution_id"]


def test_secret_ballots_are_rewritten_with_new_ids_at_every_cast(session):
    assembly, alice, carol, dan, eve = session
    resolution = open_resolution(assembly, secret=True)
    seen: set = set()
    for voter, choices in [
        (carol, {carol.pk: "for"}),
        (eve, {eve.pk: "against"}),
        (alice, {alice.pk: "for", dan.pk: "abstain"}),
    ]:
        services.vote_cast(actor=None, resolution=resolution, voter=voter, choices=choices)
        ids = set(Ballot.objects.filter(resolution=resolution).values_list("id", flat=True))
        assert not ids & seen  # no ballot keeps its id: ids and row order say nothing of time
        seen |= ids
    assert Ballot.objects.filter(resolution=resolution).count() == 4
    assert VoteReceipt.objects.filter(resolution=resolution).count() == 4
    assert not Vote.objects.exists()
    # Everyone can see who voted, and who cast it.
    assert [(p.pk, by.pk) for p, by in voters_of(resolution)] == sorted(
        [(carol.pk, carol.pk), (eve.pk, eve.pk), (alice.pk, alice.pk), (dan.pk, alice.pk)],
        key=lambda pair: {carol.pk: "Appui", eve.pk: "Dehors", alice.pk: "Martin", dan.pk: "Zola"}[
            pair[0]
        ],
    )
    services.resolution_close_vote(actor=None, resolution=resolution)
    resolution.refresh_from_db()
    assert (resolution.votes_for, resolution.votes_against, resolution.votes_abstain) == (2, 1, 1)


def test_secret_vote_changes_only_with_the_voters_code(session):
    assembly, _alice, carol, _dan, _eve = session
    resolution = open_resolution(assembly, secret=True)
    code = services.vote_cast(
        actor=None, resolution=resolution, voter=carol, choices={carol.pk: "for"}
    )
    assert len(code) == 23 and code.count("-") == 3
    # The ballot is found with the code, and with nothing else (not the voter's id).
    key = services.ballot_key(code, resolution.pk, carol.pk)
    assert Ballot.objects.filter(key_hash=key).exists()
    other_code = services.secret_code_new()
    with pytest.raises(ValidationError, match="Saisissez votre code secret"):
        services.vote_cast(
            actor=None, resolution=resolution, voter=carol, choices={carol.pk: "against"}
        )
    with pytest.raises(ValidationError, match="ne correspond pas"):
        services.vote_cast(
            actor=None, resolution=resolution, voter=carol, choices={carol.pk: "against"},
            secret_code=other_code,
        )  # fmt: skip
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["for"]
    services.vote_cast(
        actor=None, resolution=resolution, voter=carol, choices={carol.pk: "against"},
        secret_code=code.lower().replace("-", " "),
    )  # fmt: skip
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["against"]
    assert VoteReceipt.objects.filter(resolution=resolution).count() == 1
    services.resolution_close_vote(actor=None, resolution=resolution)
    with pytest.raises(ValidationError, match="est clos"):
        services.vote_cast(
            actor=None, resolution=resolution, voter=carol, choices={carol.pk: "for"},
            secret_code=code,
        )  # fmt: skip


def test_secret_vote_leaves_no_choice_in_the_audit_trail_or_open_votes(session):
    assembly, alice, carol, _dan, _eve = session
    resolution = open_resolution(assembly, secret=True)
    services.vote_cast(
        actor=None, resolution=resolution, voter=carol, choices={carol.pk: "against"}
    )
    with pytest.raises(ValidationError, match="jamais le vote d'une personne"):
        services.vote_record_in_room(actor=None, resolution=resolution, person=alice, choice="for")
    services.resolution_close_vote(actor=None, resolution=resolution)
    assert not open_votes_of(resolution).exists()
    for event in AuditEvent.objects.filter(target_type="governance.resolution"):
        text = f"{event.summary} {event.changes}".lower()
        if "clôture" in text:
            continue  # the closing event carries the totals, not a person's vote
        for label in ("against", "contre", Choice.AGAINST.label.lower()):
            assert label not in text, event.summary


def test_a_vote_needs_an_open_resolution(session):
    assembly, _alice, carol, _dan, _eve = session
    resolution = services.resolution_add(
        actor=None, assembly=assembly, title="Affectation du résultat", text="…"
    )
    with pytest.raises(ValidationError, match="n'est pas ouvert"):
        services.vote_cast(
            actor=None, resolution=resolution, voter=carol, choices={carol.pk: "for"}
        )
    services.resolution_delete(actor=None, resolution=resolution)
    assert not Resolution.objects.filter(pk=resolution.pk).exists()
