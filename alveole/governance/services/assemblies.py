"""Writes of general assemblies: preparation, convocations, attendance, proxies, opening and closing."""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alveole.core.formatting import format_date
from alveole.core.services import audit_record, model_changes
from alveole.core.uploads import content_matches
from alveole.governance.access import can_manage_governance
from alveole.governance.models import (
    AgendaItem,
    Assembly,
    AssemblyDocument,
    AssemblyKind,
    Attendance,
    AttendanceMode,
    Convocation,
    ConvocationRound,
    Proxy,
    Resolution,
    Vote,
    VoteReceipt,
)
from alveole.governance.rules import proxy_cap
from alveole.governance.selectors import (
    assembly_quorum,
    associates_at,
    associates_count,
    governance_settings,
    is_associate_at,
    quorum_rule_for,
)
from alveole.people.models import Person

logger = logging.getLogger(__name__)

#: Documents an assembly may carry, and their size limit.
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain",
    "csv": "text/csv",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
SIGNATURE_MAX_BYTES = 300 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

EDITABLE_AFTER_CONVOCATION = {"chair", "secretary", "online_url"}
ASSEMBLY_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "place",
    "online",
    "online_url",
    "chair",
    "secretary",
)


def token_hash(raw: str) -> str:
    """What is stored of a personal link: its SHA-256, never the link itself."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _lock(assembly: Assembly) -> Assembly:
    # Serialises every write about one assembly (proxy caps, attendance, convocations).
    return Assembly.objects.select_for_update().get(pk=assembly.pk)


def session_moment(assembly: Assembly, at: datetime.datetime | None) -> datetime.datetime:
    """When a session step happens: now, or a past moment for an assembly recorded afterwards.

    Recording a past assembly from its paper minutes (history, the demo) replays its steps
    through the same services, at the moments the minutes give. Only an assembly created
    with `recorded_afterwards=True` accepts them, and only moments in the past: a live
    assembly keeps every rule about today.
    """
    if at is None:
        return timezone.now()
    if not assembly.recorded_afterwards:
        raise ValidationError(
            _(
                "Une date passée ne s'indique que pour une assemblée enregistrée a posteriori "
                "d'après son procès-verbal papier."
            )
        )
    if at > timezone.now():
        raise ValidationError(_("Une assemblée enregistrée a posteriori se date dans le passé."))
    return at


def _refuse_closed(assembly: Assembly) -> None:
    if assembly.status == Assembly.Status.CLOSED:
        raise ValidationError(_("Cette assemblée est close : plus rien ne peut y être changé."))


def _check_assembly(assembly: Assembly) -> None:
    errors: dict[str, list[str]] = {}
    if assembly.kind not in AssemblyKind.values:
        errors["kind"] = [_("Type d'assemblée inconnu.")]
    if not assembly.title.strip():
        errors["title"] = [_("Donnez un intitulé à l'assemblée.")]
    if not assembly.place.strip() and not assembly.online:
        errors["place"] = [_("Indiquez un lieu ou ouvrez la participation en ligne.")]
    if assembly.online_url and not assembly.online:
        errors["online_url"] = [
            _("Le lien n'a de sens que si la participation en ligne est ouverte.")
        ]
    if assembly.chair_id and assembly.chair_id == assembly.secretary_id:
        errors["secretary"] = [
            _("Le·la secrétaire de séance n'est pas le·la président·e de séance.")
        ]
    for role in ("chair", "secretary"):
        person = getattr(assembly, role)
        if person is not None and not is_associate_at(person, assembly.date):
            errors[role] = [
                _("%(person)s n'est pas associé·e à la date de l'assemblée.") % {"person": person}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assembly_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    place: str = "",
    online: bool = False,
    online_url: str = "",
    previous: Assembly | None = None,
    chair: Person | None = None,
    secretary: Person | None = None,
    recorded_afterwards: bool = False,
) -> Assembly:
    """Prepare an assembly; a second convocation names the first one, which lacked its quorum.

    `recorded_afterwards=True` enters a past assembly from its paper minutes (support staff
    or direction only): it is dated in the past, and its session services then take the
    past moments of the minutes (`at=`), see `session_moment`.
    """
    assembly = Assembly(
        kind=kind, title=title.strip(), starts_at=starts_at, place=place.strip(), online=online,
        online_url=online_url.strip(), chair=chair, secretary=secretary,
        recorded_afterwards=recorded_afterwards,
    )  # fmt: skip
    if previous is not None:
        previous = Assembly.objects.get(pk=previous.pk)
        if previous.convocation_round != ConvocationRound.FIRST or previous.kind != kind:
            raise ValidationError(
                {"previous": _("La 2e convocation suit une 1re convocation du même type.")}
            )
        if previous.status != Assembly.Status.CLOSED or previous.quorum_met is not False:
            raise ValidationError(
                {
                    "previous": _(
                        "Une 2e convocation n'est possible qu'après une assemblée close faute de quorum."
                    )
                }
            )
        if starts_at <= previous.starts_at:
            raise ValidationError({"starts_at": _("La 2e convocation doit suivre la première.")})
        assembly.previous = previous
        assembly.convocation_round = ConvocationRound.SECOND
    if recorded_afterwards:
        if not can_manage_governance(actor):
            raise PermissionDenied
        if starts_at >= timezone.now():
            raise ValidationError(
                {"starts_at": _("Une assemblée enregistrée a posteriori a eu lieu dans le passé.")}
            )
    elif starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("L'assemblée doit être fixée dans le futur.")})
    _check_assembly(assembly)
    if (
        quorum_rule_for(kind=kind, convocation_round=assembly.convocation_round, day=assembly.date)
        is None
    ):
        raise ValidationError(
            _("Aucune règle de quorum n'est en vigueur pour ce type d'assemblée à cette date.")
        )
    assembly.save()
    audit_record(actor=actor, action="create", target=assembly, summary=f"Assemblée {assembly}")
    return assembly


@transaction.atomic
def assembly_update(*, actor: Any, assembly: Assembly, **fields: Any) -> Assembly:
    """Change an assembly being prepared; once convened, only the chair, secretary and link."""
    unknown = set(fields) - set(ASSEMBLY_FIELDS)
    if unknown:
        raise TypeError(f"unknown assembly fields: {sorted(unknown)}")
    assembly = _lock(assembly)
    changes = model_changes(assembly, fields)
    if assembly.status == Assembly.Status.CLOSED:
        # The chair and secretary may still be named after the session, until they sign.
        if set(changes) - {"chair", "secretary"}:
            _refuse_closed(assembly)
        if changes and assembly.minutes_signatures.exists():
            raise ValidationError(
                _("Le procès-verbal est en cours de signature : la séance ne change plus.")
            )
    if assembly.status != Assembly.Status.DRAFT and set(changes) - EDITABLE_AFTER_CONVOCATION:
        raise ValidationError(
            _(
                "L'assemblée est convoquée : sa date, son lieu et son type ne changent plus "
                "(il faudrait une nouvelle convocation)."
            )
        )
    for name, value in fields.items():
        setattr(assembly, name, value.strip() if isinstance(value, str) else value)
    if "starts_at" in changes and assembly.starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("L'assemblée doit être fixée dans le futur.")})
    _check_assembly(assembly)
    assembly.save()
    if changes:
        audit_record(
            actor=actor, action="update", target=assembly, summary=f"Assemblée {assembly}",
            changes=changes,
        )  # fmt: skip
    return assembly


@transaction.atomic
def agenda_item_add(
    *, actor: Any, assembly: Assembly, title: str, description: str = ""
) -> AgendaItem:
    """Add an item at the end of the agenda of an assembly not convened yet."""
    assembly = _lock(assembly)
    if assembly.status != Assembly.Status.DRAFT:
        raise ValidationError(_("L'ordre du jour est figé une fois l'assemblée convoquée."))
    if not title.strip():
        raise ValidationError({"title": _("Donnez un intitulé au point.")})
    position = (assembly.agenda.aggregate(last=Max("position"))["last"] or 0) + 1
    item = AgendaItem.objects.create(
        assembly=assembly, position=position, title=title.strip(), description=description.strip()
    )
    audit_record(
        actor=actor, action="update", target=assembly,
        summary=f"Ordre du jour de {assembly} : {item}",
    )  # fmt: skip
    return item


@transaction.atomic
def agenda_item_delete(*, actor: Any, item: AgendaItem) -> None:
    """Remove an agenda item while the assembly is being prepared."""
    assembly = _lock(item.assembly)
    if assembly.status != Assembly.Status.DRAFT:
        raise ValidationError(_("L'ordre du jour est figé une fois l'assemblée convoquée."))
    audit_record(
        actor=actor, action="delete", target=assembly,
        summary=f"Ordre du jour de {assembly} : suppression de « {item.title} »",
    )  # fmt: skip
    item.delete()


@transaction.atomic
def assembly_document_add(
    *, actor: Any, assembly: Assembly, title: str, upload: UploadedFile
) -> AssemblyDocument:
    """Attach a document to an assembly; it is stored under MEDIA_ROOT and served after a check."""
    assembly = _lock(assembly)
    if hasattr(assembly, "minutes"):
        raise ValidationError(
            _("Le procès-verbal est signé : les documents de l'assemblée sont archivés avec lui.")
        )
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(
            {
                "upload": _("Type de fichier refusé. Formats acceptés : %(types)s.")
                % {"types": ", ".join(sorted(DOCUMENT_TYPES))}
            }
        )
    if not upload.size:
        raise ValidationError({"upload": _("Le fichier est vide.")})
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"upload": _("Le fichier dépasse 20 Mo.")})
    head = upload.read(2048)
    upload.seek(0)
    if not content_matches(head, suffix):
        raise ValidationError(
            {"upload": _("Le contenu du fichier ne correspond pas à un fichier .%(suffix)s.")
             % {"suffix": suffix}}
        )  # fmt: skip
    if not title.strip():
        raise ValidationError({"title": _("Donnez un titre au document.")})
    document = AssemblyDocument(
        assembly=assembly,
        title=title.strip(),
        filename=name[:255],
        content_type=DOCUMENT_TYPES[suffix],
        size=upload.size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    document.file.save(name, upload, save=False)
    document.save()
    audit_record(
        actor=actor, action="create", target=document,
        summary=f"Document « {document.title} » pour {assembly}",
    )  # fmt: skip
    return document


# --- convocations ----------------------------------------------------------------------


def _notice_days(assembly: Assembly) -> int:
    parameters = governance_settings()
    if assembly.convocation_round == ConvocationRound.SECOND:
        return parameters.notice_days_second
    return parameters.notice_days_first


def _email_of(person: Person) -> str:
    if person.email:
        return person.email
    user = getattr(person, "user", None)
    return user.email if user is not None else ""


def _mail_context(assembly: Assembly) -> dict[str, Any]:
    return {
        "assembly": assembly,
        "agenda": list(assembly.agenda.all()),
        "documents": list(assembly.documents.all()),
        "starts_at": timezone.localtime(assembly.starts_at),
        "notice_days": _notice_days(assembly),
    }


def _convocation_message(context: dict[str, Any], person: Person, link: str) -> tuple[str, str]:
    assembly = context["assembly"]
    with translation.override("fr"):
        subject = _("Convocation : %(title)s du %(date)s") % {
            "title": assembly.title,
            "date": format_date(assembly.date),
        }
        body = render_to_string(
            "governance/mail/convocation.txt", {**context, "person": person, "link": link}
        )
    return subject, body


def _send_convocation(convocation_id: int, subject: str, body: str, address: str) -> None:
    """Hand one convocation to the mail backend after commit and note the result."""
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
    )
    try:
        message.send()
    except Exception as error:  # a backend failure must not lose the convocation record
        logger.exception("sending convocation %s failed", convocation_id)
        Convocation.objects.filter(pk=convocation_id).update(error=str(error)[:255])
    else:
        Convocation.objects.filter(pk=convocation_id).update(delivered_at=timezone.now(), error="")


def _issue(
    context: dict[str, Any],
    convocation: Convocation,
    link_for: Callable[[str], str],
    *,
    send: bool = True,
) -> None:
    raw = secrets.token_urlsafe(32)
    convocation.token_hash = token_hash(raw)
    convocation.save()
    if convocation.channel != Convocation.Channel.EMAIL or not send:
        return
    subject, body = _convocation_message(context, convocation.person, link_for(raw))
    pk, address = convocation.pk, convocation.email
    transaction.on_commit(lambda: _send_convocation(pk, subject, body, address))


@transaction.atomic
def assembly_convene(
    *,
    actor: Any,
    assembly: Assembly,
    link_for: Callable[[str], str],
    at: datetime.datetime | None = None,
) -> list[Convocation]:
    """Convene every associate at the assembly's date not convened yet; e-mails go after commit.

    The notice period (15 days on first convocation, 10 on second, from the settings) is
    checked against today. `link_for(token)` builds the absolute personal link. For an
    assembly recorded afterwards, `at` is when the paper convocations went out: the notice
    is checked against it and no e-mail is sent.
    """
    assembly = _lock(assembly)
    moment = session_moment(assembly, at)
    _refuse_closed(assembly)
    if assembly.status == Assembly.Status.OPEN:
        raise ValidationError(_("La séance est ouverte : il est trop tard pour convoquer."))
    if not assembly.agenda.exists():
        raise ValidationError(
            _("La convocation indique l'ordre du jour : ajoutez-en au moins un point.")
        )
    needed = _notice_days(assembly)
    left = (assembly.date - timezone.localdate(moment)).days
    if left < needed:
        raise ValidationError(
            _(
                "La convocation doit partir au moins %(needed)s jours avant l'assemblée "
                "(%(round)s) ; il n'en reste que %(left)s."
            )
            % {
                "needed": needed,
                "left": max(left, 0),
                "round": assembly.get_convocation_round_display(),
            }
        )
    already = set(assembly.convocations.values_list("person_id", flat=True))
    context = _mail_context(assembly)
    created: list[Convocation] = []
    for person in associates_at(assembly.date).select_related("user"):
        if person.pk in already:
            continue
        address = _email_of(person)
        convocation = Convocation(
            assembly=assembly,
            person=person,
            email=address,
            channel=Convocation.Channel.EMAIL if address else Convocation.Channel.POST,
        )
        _issue(context, convocation, link_for, send=at is None)
        created.append(convocation)
    if not created:
        raise ValidationError(
            _("Tous les associé·es à la date de l'assemblée sont déjà convoqué·es.")
        )
    if assembly.status == Assembly.Status.DRAFT:
        assembly.status = Assembly.Status.CONVENED
        assembly.convened_at = moment
        assembly.save(update_fields=["status", "convened_at", "updated_at"])
    audit_record(
        actor=actor, action="update", target=assembly,
        summary=f"Convocation de {len(created)} associé·e(s) à {assembly}",
        changes={"convened": [None, [c.person_id for c in created]]},
    )  # fmt: skip
    return created


@transaction.atomic
def convocation_resend(
    *, actor: Any, convocation: Convocation, link_for: Callable[[str], str]
) -> Convocation:
    """Send a convocation again with a new personal link (the old link stops working)."""
    assembly = _lock(convocation.assembly)
    _refuse_closed(assembly)
    convocation = Convocation.objects.select_related("person", "person__user").get(
        pk=convocation.pk
    )
    address = _email_of(convocation.person)
    convocation.email = address
    convocation.channel = Convocation.Channel.EMAIL if address else Convocation.Channel.POST
    convocation.delivered_at = None
    convocation.error = ""
    _issue(_mail_context(assembly), convocation, link_for)
    audit_record(
        actor=actor, action="update", target=convocation,
        summary=f"Nouvel envoi de la convocation de {convocation.person} à {assembly}",
    )  # fmt: skip
    return convocation


# --- session: opening, attendance, proxies, closing ------------------------------------


@transaction.atomic
def assembly_open(
    *, actor: Any, assembly: Assembly, at: datetime.datetime | None = None
) -> Assembly:
    """Open the session on the assembly's day: attendance signing and votes can start."""
    assembly = _lock(assembly)
    moment = session_moment(assembly, at)
    if assembly.status != Assembly.Status.CONVENED:
        raise ValidationError(_("Seule une assemblée convoquée peut être ouverte."))
    if timezone.localdate(moment) != assembly.date:
        raise ValidationError(
            _("La séance s'ouvre le jour de l'assemblée (%(date)s).")
            % {"date": format_date(assembly.date)}
        )
    assembly.status = Assembly.Status.OPEN
    assembly.opened_at = moment
    assembly.save(update_fields=["status", "opened_at", "updated_at"])
    audit_record(actor=actor, action="update", target=assembly, summary=f"Ouverture de {assembly}")
    return assembly


@transaction.atomic
def assembly_close(
    *, actor: Any, assembly: Assembly, at: datetime.datetime | None = None
) -> Assembly:
    """Close the session and freeze the attendance and quorum that the minutes print."""
    assembly = _lock(assembly)
    moment = session_moment(assembly, at)
    if assembly.status != Assembly.Status.OPEN:
        raise ValidationError(_("Seule une assemblée en séance peut être close."))
    if assembly.resolutions.filter(status=Resolution.Status.OPEN).exists():
        raise ValidationError(_("Clôturez d'abord les votes en cours."))
    quorum = assembly_quorum(assembly)
    assembly.associates_count = quorum.associates
    assembly.present_count = quorum.in_person
    assembly.online_count = quorum.online
    assembly.represented_count = quorum.represented
    assembly.quorum_required = quorum.required
    assembly.quorum_met = quorum.met
    assembly.status = Assembly.Status.CLOSED
    assembly.closed_at = moment
    assembly.save()
    audit_record(
        actor=actor, action="update", target=assembly,
        summary=f"Clôture de {assembly} (quorum {'atteint' if quorum.met else 'non atteint'})",
    )  # fmt: skip
    return assembly


def decode_signature(data_url: str) -> bytes:
    """The PNG bytes of a drawn signature posted as a `data:image/png;base64,…` URL."""
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        raise ValidationError({"signature": _("Signez dans le cadre avant de valider.")})
    try:
        png = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature": _("La signature est illisible.")}) from None
    if not png.startswith(PNG_MAGIC):
        raise ValidationError({"signature": _("La signature doit être une image PNG.")})
    if len(png) > SIGNATURE_MAX_BYTES:
        raise ValidationError({"signature": _("La signature est trop volumineuse.")})
    return png


def _votes_cast_for(assembly: Assembly, person: Person) -> bool:
    return (
        Vote.objects.filter(resolution__assembly=assembly, person=person).exists()
        or VoteReceipt.objects.filter(resolution__assembly=assembly, person=person).exists()
    )


@transaction.atomic
def attendance_sign(
    *,
    actor: Any,
    assembly: Assembly,
    person: Person,
    mode: str,
    via: str,
    signature_png: bytes,
    at: datetime.datetime | None = None,
) -> Attendance:
    """Record an associate's signature on the attendance sheet (tablet in the room, or online).

    Signing in person cancels a proxy the associate had given, unless their proxy
    holder has already voted for them. `at`: see `session_moment`.
    """
    assembly = _lock(assembly)
    moment = session_moment(assembly, at)
    if assembly.status != Assembly.Status.OPEN:
        raise ValidationError(_("La feuille de présence se signe pendant la séance."))
    if mode not in AttendanceMode.values or via not in Attendance.Via.values:
        raise ValidationError(_("Mode de présence inconnu."))
    if mode == AttendanceMode.ONLINE and not assembly.online:
        raise ValidationError(_("Cette assemblée ne prévoit pas de participation en ligne."))
    if not is_associate_at(person, assembly.date):
        raise ValidationError(
            _("%(person)s n'est pas associé·e à la date de l'assemblée.") % {"person": person}
        )
    if not signature_png.startswith(PNG_MAGIC):
        raise ValidationError({"signature": _("La signature doit être une image PNG.")})
    if Attendance.objects.filter(assembly=assembly, person=person).exists():
        raise ValidationError(
            _("%(person)s a déjà signé la feuille de présence.") % {"person": person}
        )
    given = Proxy.objects.filter(assembly=assembly, grantor=person, revoked_at__isnull=True).first()
    if given is not None:
        if _votes_cast_for(assembly, person):
            raise ValidationError(
                _(
                    "%(holder)s a déjà voté pour %(person)s avec sa procuration : "
                    "%(person)s reste représenté·e."
                )
                % {"holder": given.holder, "person": person}
            )
        given.revoked_at = timezone.now()
        given.revoked_reason = _("Présent·e à l'assemblée")
        given.save(update_fields=["revoked_at", "revoked_reason"])
        audit_record(
            actor=actor, action="update", target=given,
            summary=f"Procuration de {person} à {given.holder} annulée : présent·e",
        )  # fmt: skip
    attendance = Attendance.objects.create(
        assembly=assembly,
        person=person,
        mode=mode,
        via=via,
        signature_png=signature_png,
        signature_sha256=hashlib.sha256(signature_png).hexdigest(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if at is not None:
        Attendance.objects.filter(pk=attendance.pk).update(signed_at=moment)
        attendance.signed_at = moment
    audit_record(
        actor=actor, action="create", target=attendance,
        summary=f"Émargement de {person} à {assembly} ({attendance.get_mode_display()}, {attendance.get_via_display()})",
        changes={"signature_sha256": [None, attendance.signature_sha256]},
    )  # fmt: skip
    return attendance


@transaction.atomic
def proxy_give(
    *,
    actor: Any,
    assembly: Assembly,
    grantor: Person,
    holder: Person,
    at: datetime.datetime | None = None,
) -> Proxy:
    """Record a proxy from one associate to another, within the legal caps (loi 78-763).

    Refused with the reason when: either is not an associate at the date; the grantor
    has signed the attendance sheet, already gave a proxy, or holds proxies themself;
    the holder gave theirs; or the holder already holds as many proxies as the law allows
    (one below 20 associates, a twentieth of the associates from 20 on). `at`: see
    `session_moment`.
    """
    assembly = _lock(assembly)
    moment = session_moment(assembly, at)
    _refuse_closed(assembly)
    day = assembly.date
    if grantor.pk == holder.pk:
        raise ValidationError({"holder": _("On ne se donne pas procuration à soi-même.")})
    if not is_associate_at(grantor, day):
        raise ValidationError(
            _("%(person)s n'est pas associé·e à la date de l'assemblée.") % {"person": grantor}
        )
    if not is_associate_at(holder, day):
        raise ValidationError(
            {
                "holder": _(
                    "Une procuration ne peut être donnée qu'à un·e autre associé·e : "
                    "%(person)s ne l'est pas à la date de l'assemblée."
                )
                % {"person": holder}
            }
        )
    if Attendance.objects.filter(assembly=assembly, person=grantor).exists():
        raise ValidationError(
            _("%(person)s a signé la feuille de présence et vote en personne.")
            % {"person": grantor}
        )
    active = Proxy.objects.filter(assembly=assembly, revoked_at__isnull=True)
    existing = active.filter(grantor=grantor).select_related("holder").first()
    if existing is not None:
        raise ValidationError(
            _("%(person)s a déjà donné procuration à %(holder)s : révoquez-la d'abord.")
            % {"person": grantor, "holder": existing.holder}
        )
    if active.filter(holder=grantor).exists():
        raise ValidationError(
            _("%(person)s détient des procurations et ne peut pas donner la sienne.")
            % {"person": grantor}
        )
    if active.filter(grantor=holder).exists():
        raise ValidationError(
            {
                "holder": _("%(person)s a donné sa procuration et ne peut pas en recevoir.")
                % {"person": holder}
            }
        )
    associates = associates_count(day)
    cap = proxy_cap(associates)
    held = active.filter(holder=holder).count()
    if held >= cap:
        raise ValidationError(
            {
                "holder": _(
                    "%(person)s détient déjà %(held)s procuration(s) : c'est le maximum avec "
                    "%(associates)s associé·es (loi 78-763 : une seule en dessous de 20 associé·es, "
                    "un vingtième des associé·es à partir de 20)."
                )
                % {"person": holder, "held": held, "associates": associates}
            }
        )
    proxy = Proxy.objects.create(
        assembly=assembly,
        grantor=grantor,
        holder=holder,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if at is not None:
        Proxy.objects.filter(pk=proxy.pk).update(given_at=moment)
        proxy.given_at = moment
    audit_record(
        actor=actor, action="create", target=proxy,
        summary=f"Procuration de {grantor} à {holder} pour {assembly}",
    )  # fmt: skip
    return proxy


@transaction.atomic
def proxy_revoke(*, actor: Any, proxy: Proxy, reason: str = "") -> Proxy:
    """Withdraw a proxy, as long as the holder has not voted with it."""
    assembly = _lock(proxy.assembly)
    _refuse_closed(assembly)
    proxy = Proxy.objects.select_related("grantor", "holder").get(pk=proxy.pk)
    if proxy.revoked_at is not None:
        raise ValidationError(_("Cette procuration est déjà révoquée."))
    if _votes_cast_for(assembly, proxy.grantor):
        raise ValidationError(
            _("%(holder)s a déjà voté avec cette procuration : elle ne peut plus être révoquée.")
            % {"holder": proxy.holder}
        )
    proxy.revoked_at = timezone.now()
    proxy.revoked_reason = reason.strip()[:255] or _("Révoquée")
    proxy.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        actor=actor, action="update", target=proxy,
        summary=f"Révocation de la procuration de {proxy.grantor} à {proxy.holder}",
    )  # fmt: skip
    return proxy
