"""Writes of resolutions and votes: open votes, secret ballots, counts in the room, closing.

Secret ballots (docs/adr/0006): a `Ballot` holds the choice and an HMAC keyed by a code
only the voter holds; a `VoteReceipt` records that the associate voted. Both are written
in the same transaction, nothing links them, and the resolution's ballots are rewritten
in random order at every cast so that neither ids nor row order reveal who voted when.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import random
import secrets
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from alveole.core.services import audit_record
from alveole.governance.models import (
    Assembly,
    Attendance,
    AttendanceMode,
    Ballot,
    Choice,
    Majority,
    Proxy,
    Resolution,
    RoomTally,
    Vote,
    VoteReceipt,
)
from alveole.governance.rules import is_adopted
from alveole.governance.selectors import assembly_quorum, voting_rights
from alveole.governance.services.assemblies import session_moment
from alveole.people.models import Person

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed back
CODE_GROUPS, CODE_GROUP_LENGTH = 4, 5  # 20 characters of 32 symbols: 100 bits
_shuffle = random.SystemRandom().shuffle


def secret_code_new() -> str:
    """A fresh voter code, e.g. `K7WQM-3XHTP-…`; Alvéole never stores it."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def secret_code_normalise(code: str) -> str:
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if not cleaned:
        return ""
    if len(cleaned) != CODE_GROUPS * CODE_GROUP_LENGTH or set(cleaned) - set(CODE_ALPHABET):
        raise ValidationError({"secret_code": _("Ce code secret n'a pas le bon format.")})
    return "-".join(
        cleaned[i : i + CODE_GROUP_LENGTH] for i in range(0, len(cleaned), CODE_GROUP_LENGTH)
    )


def ballot_key(code: str, resolution_id: int, person_id: int) -> str:
    """The key of one ballot: an HMAC only the code's holder can compute."""
    message = f"alveole-ballot:{resolution_id}:{person_id}".encode()
    return hmac.new(code.encode(), message, hashlib.sha256).hexdigest()


def _lock_resolution(resolution: Resolution) -> Resolution:
    # Lock the assembly first, always in the same order as the assembly services.
    Assembly.objects.select_for_update().get(pk=resolution.assembly_id)
    return Resolution.objects.select_for_update().select_related("assembly").get(pk=resolution.pk)


def _require_open(resolution: Resolution) -> None:
    if resolution.status == Resolution.Status.CLOSED:
        raise ValidationError(_("Le vote sur cette résolution est clos."))
    if resolution.status != Resolution.Status.OPEN:
        raise ValidationError(_("Le vote sur cette résolution n'est pas ouvert."))


@transaction.atomic
def resolution_add(
    *,
    actor: Any,
    assembly: Assembly,
    title: str,
    text: str,
    majority: str = Majority.SIMPLE,
    secret: bool = False,
) -> Resolution:
    """Add a resolution to an assembly that is not closed."""
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    if assembly.status == Assembly.Status.CLOSED:
        raise ValidationError(_("Cette assemblée est close."))
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Donnez un titre à la résolution.")]
    if not text.strip():
        errors["text"] = [_("Le texte de la résolution est obligatoire.")]
    if majority not in Majority.values:
        errors["majority"] = [_("Règle de majorité inconnue.")]
    if errors:
        raise ValidationError(errors)
    position = (assembly.resolutions.aggregate(last=Max("position"))["last"] or 0) + 1
    resolution = Resolution.objects.create(
        assembly=assembly, position=position, title=title.strip(), text=text.strip(),
        majority=majority, secret=secret,
    )  # fmt: skip
    audit_record(
        actor=actor, action="create", target=resolution,
        summary=f"Résolution {resolution} ({assembly})",
    )  # fmt: skip
    return resolution


@transaction.atomic
def resolution_open_vote(
    *, actor: Any, resolution: Resolution, at: datetime.datetime | None = None
) -> Resolution:
    """Open the vote on a resolution: the session must be open and its quorum met."""
    resolution = _lock_resolution(resolution)
    moment = session_moment(resolution.assembly, at)
    if resolution.status != Resolution.Status.DRAFT:
        raise ValidationError(_("Le vote sur cette résolution a déjà été ouvert."))
    assembly = resolution.assembly
    if assembly.status != Assembly.Status.OPEN:
        raise ValidationError(_("Les votes ont lieu pendant la séance."))
    quorum = assembly_quorum(assembly)
    if not quorum.met:
        raise ValidationError(
            _(
                "Le quorum n'est pas atteint : %(count)s associé·es présent·es ou représenté·es "
                "sur %(required)s requis·es. L'assemblée ne peut pas délibérer."
            )
            % {"count": quorum.present_or_represented, "required": quorum.required}
        )
    resolution.status = Resolution.Status.OPEN
    resolution.opened_at = moment
    resolution.save(update_fields=["status", "opened_at", "updated_at"])
    audit_record(
        actor=actor, action="update", target=resolution, summary=f"Ouverture du vote : {resolution}"
    )
    return resolution


def _room_rights(assembly: Assembly) -> set[int]:
    """Voting rights exercised in the room: those signed in person and the proxies they hold."""
    in_room = set(
        Attendance.objects.filter(assembly=assembly, mode=AttendanceMode.IN_PERSON).values_list(
            "person_id", flat=True
        )
    )
    signed = set(Attendance.objects.filter(assembly=assembly).values_list("person_id", flat=True))
    represented = {
        grantor
        for grantor, holder in Proxy.objects.filter(
            assembly=assembly, revoked_at__isnull=True
        ).values_list("grantor_id", "holder_id")
        if holder in in_room and grantor not in signed
    }
    return in_room | represented


def _individual_votes(resolution: Resolution) -> set[int]:
    model = VoteReceipt if resolution.secret else Vote
    return set(model.objects.filter(resolution=resolution).values_list("person_id", flat=True))


def _check_room_capacity(resolution: Resolution, tally_total: int, adding: set[int]) -> None:
    rights = _room_rights(resolution.assembly)
    individual = (_individual_votes(resolution) | adding) & rights
    if tally_total + len(individual) > len(rights):
        raise ValidationError(
            _(
                "Le décompte de la salle (%(tally)s voix) et les votes individuels de la salle "
                "(%(individual)s) dépassent les %(rights)s voix présentes ou représentées en salle."
            )
            % {"tally": tally_total, "individual": len(individual), "rights": len(rights)}
        )


def _reshuffle_ballots(resolution: Resolution) -> None:
    """Rewrite the resolution's ballots with new random ids in random order (see module doc)."""
    rows = list(Ballot.objects.filter(resolution=resolution).values_list("choice", "key_hash"))
    Ballot.objects.filter(resolution=resolution).delete()
    _shuffle(rows)
    Ballot.objects.bulk_create(
        Ballot(id=uuid.uuid4(), resolution=resolution, choice=choice, key_hash=key)
        for choice, key in rows
    )


@transaction.atomic
def vote_cast(
    *,
    actor: Any,
    resolution: Resolution,
    voter: Person,
    choices: dict[int, str],
    secret_code: str = "",
) -> str:
    """Cast or change the votes a participant holds (their own and their proxies') on a resolution.

    One vote per associate; a vote can change until the vote closes. On a secret
    resolution the change needs the voter's secret code; the code is created at the
    first secret vote and returned so that the page can show it. Returns "" otherwise.
    """
    resolution = _lock_resolution(resolution)
    _require_open(resolution)
    assembly = resolution.assembly
    rights = {person.pk: person for person in voting_rights(assembly, voter)}
    if not rights:
        raise ValidationError(
            _("Signez d'abord la feuille de présence : seul·es les présent·es votent.")
        )
    if not choices:
        raise ValidationError(_("Choisissez un vote."))
    for person_id, choice in choices.items():
        if person_id not in rights:
            raise ValidationError(
                _("Vous ne détenez pas de procuration pour cet·te associé·e à cette assemblée.")
            )
        if choice not in Choice.values:
            raise ValidationError(_("Vote inconnu."))
    already = _individual_votes(resolution) & set(choices)
    tally = RoomTally.objects.filter(resolution=resolution).first()
    if tally is not None:
        _check_room_capacity(resolution, tally.total, set(choices))
    if resolution.secret:
        code = secret_code_normalise(secret_code)
        if already and not code:
            raise ValidationError(
                {"secret_code": _("Saisissez votre code secret pour modifier votre vote.")}
            )
        code = code or secret_code_new()
        for person_id, choice in choices.items():
            key = ballot_key(code, resolution.pk, person_id)
            if person_id in already:
                updated = Ballot.objects.filter(resolution=resolution, key_hash=key).update(
                    choice=choice
                )
                if not updated:
                    raise ValidationError(
                        {
                            "secret_code": _(
                                "Ce code ne correspond pas au vote enregistré : rien n'a été modifié."
                            )
                        }
                    )
            else:
                VoteReceipt.objects.create(
                    resolution=resolution, person_id=person_id, cast_by=voter
                )
                Ballot.objects.create(resolution=resolution, choice=choice, key_hash=key)
        _reshuffle_ballots(resolution)
    else:
        code = ""
        for person_id, choice in choices.items():
            Vote.objects.update_or_create(
                resolution=resolution,
                person_id=person_id,
                defaults={"choice": choice, "cast_by": voter, "channel": Vote.Channel.ONLINE},
            )
    names = ", ".join(str(rights[pid]) for pid in sorted(choices))
    audit_record(
        actor=actor,
        action="update" if already else "create",
        target=resolution,
        # Never the choice: the audit trail must not reveal a secret vote.
        summary=f"{'Modification du vote' if already else 'Vote'} de {voter} sur « {resolution.title} » au nom de : {names}",
    )
    return code


@transaction.atomic
def vote_record_in_room(*, actor: Any, resolution: Resolution, person: Person, choice: str) -> Vote:
    """The chair records one associate's open vote in the room (never on a secret resolution)."""
    resolution = _lock_resolution(resolution)
    _require_open(resolution)
    if resolution.secret:
        raise ValidationError(
            _(
                "Vote secret : la présidence ne relève que le décompte, jamais le vote d'une personne."
            )
        )
    if choice not in Choice.values:
        raise ValidationError({"choice": _("Vote inconnu.")})
    assembly = resolution.assembly
    if person.pk not in _room_rights(assembly):
        raise ValidationError(
            {
                "person": _(
                    "%(person)s n'est ni présent·e en salle ni représenté·e par un·e présent·e."
                )
                % {"person": person}
            }
        )
    tally = RoomTally.objects.filter(resolution=resolution).first()
    if tally is not None:
        _check_room_capacity(resolution, tally.total, {person.pk})
    holder = (
        Proxy.objects.filter(assembly=assembly, grantor=person, revoked_at__isnull=True)
        .exclude(grantor__attendances__assembly=assembly)
        .values_list("holder", flat=True)
        .first()
    )
    vote, created = Vote.objects.update_or_create(
        resolution=resolution,
        person=person,
        defaults={
            "choice": choice,
            "cast_by_id": holder or person.pk,
            "channel": Vote.Channel.ROOM,
        },
    )
    audit_record(
        actor=actor,
        action="create" if created else "update",
        target=resolution,
        summary=f"Vote en salle de {person} relevé sur « {resolution.title} »",
    )
    return vote


@transaction.atomic
def room_tally_record(
    *,
    actor: Any,
    resolution: Resolution,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
) -> RoomTally:
    """Record (or correct) the counts of a show of hands or a paper ballot in the room."""
    resolution = _lock_resolution(resolution)
    _require_open(resolution)
    if min(votes_for, votes_against, votes_abstain) < 0:
        raise ValidationError(_("Les décomptes ne peuvent pas être négatifs."))
    total = votes_for + votes_against + votes_abstain
    _check_room_capacity(resolution, total, set())
    tally, _created = RoomTally.objects.update_or_create(
        resolution=resolution,
        defaults={
            "votes_for": votes_for,
            "votes_against": votes_against,
            "votes_abstain": votes_abstain,
            "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    audit_record(
        actor=actor, action="update", target=resolution,
        summary=f"Décompte en salle sur « {resolution.title} » : {total} voix",
    )  # fmt: skip
    return tally


def _count(resolution: Resolution) -> dict[str, int]:
    counts = dict.fromkeys(Choice.values, 0)
    rows: Any
    if resolution.secret:
        ballots = Ballot.objects.filter(resolution=resolution)
        receipts = VoteReceipt.objects.filter(resolution=resolution).count()
        if ballots.count() != receipts:  # cannot happen: both are written together
            raise ValidationError(_("Les bulletins et les émargements de vote ne concordent pas."))
        rows = ballots.values("choice").annotate(n=Count("id"))
    else:
        rows = Vote.objects.filter(resolution=resolution).values("choice").annotate(n=Count("id"))
    for row in rows:
        counts[row["choice"]] += row["n"]
    tally = RoomTally.objects.filter(resolution=resolution).first()
    if tally is not None:
        counts[Choice.FOR] += tally.votes_for
        counts[Choice.AGAINST] += tally.votes_against
        counts[Choice.ABSTAIN] += tally.votes_abstain
    return counts


@transaction.atomic
def resolution_close_vote(
    *, actor: Any, resolution: Resolution, at: datetime.datetime | None = None
) -> Resolution:
    """Close the vote, count it and decide the outcome by the resolution's majority rule."""
    resolution = _lock_resolution(resolution)
    moment = session_moment(resolution.assembly, at)
    _require_open(resolution)
    counts = _count(resolution)
    resolution.votes_for = counts[Choice.FOR]
    resolution.votes_against = counts[Choice.AGAINST]
    resolution.votes_abstain = counts[Choice.ABSTAIN]
    resolution.adopted = is_adopted(
        resolution.majority, resolution.votes_for, resolution.votes_against
    )
    resolution.status = Resolution.Status.CLOSED
    resolution.closed_at = moment
    resolution.save()
    audit_record(
        actor=actor, action="update", target=resolution,
        summary=(
            f"Clôture du vote : {resolution} — pour {resolution.votes_for}, contre "
            f"{resolution.votes_against}, abstentions {resolution.votes_abstain} : "
            f"{'adoptée' if resolution.adopted else 'rejetée'}"
        ),
    )  # fmt: skip
    return resolution


@transaction.atomic
def resolution_delete(*, actor: Any, resolution: Resolution) -> None:
    """Withdraw a resolution that was never put to the vote."""
    resolution = _lock_resolution(resolution)
    if resolution.status != Resolution.Status.DRAFT:
        raise ValidationError(_("Une résolution mise aux voix ne peut plus être retirée."))
    audit_record(
        actor=actor, action="delete", target=resolution,
        summary=f"Retrait de la résolution {resolution} ({resolution.assembly})",
    )  # fmt: skip
    resolution.delete()
