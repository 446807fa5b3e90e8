"""Changes of the privacy app: per-person export, erasure (anonymisation), audit-trail export."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.core.roles import Role
from alveole.core.services import audit_record
from alveole.people.models import Person
from alveole.people.selectors import current_associateship, running_contracts
from alveole.privacy import export
from alveole.privacy.models import ErasureReport

RULE_ACCOUNTING = (
    "Factures et pièces comptables : conservation 10 ans (Code de commerce, art. L123-22)"
)
RULE_PAYROLL = "Documents de paie : conservation 5 ans (Code du travail, art. L3243-4)"
RULE_SHARES = "Registre des parts sociales : conservé tant que la coopérative existe (loi du 10 septembre 1947)"
RULE_TRAINING = (
    "Émargements et inscriptions aux formations : preuve Qualiopi, conservés 3 ans au moins"
)
RULE_AUDIT = (
    "Journal d'audit : append-only, preuve de qui a consulté ou modifié le dossier (RGPD art. 5.2)"
)
RULE_NAME = (
    "Nom et prénom conservés : ils figurent sur des pièces dont la conservation est obligatoire"
)
RULE_CONTRACTS = "Contrats et sortie : documents sociaux conservés 5 ans (Code du travail)"


def person_data_export(*, actor: Any, person: Person) -> dict[str, Any]:
    """Everything Alvéole holds about the person, as JSON-ready data; the export is audited."""
    if not _may_export(actor, person):
        raise PermissionDenied
    data = {
        "generated_at": timezone.now().isoformat(),
        "person_id": person.pk,
        "person": str(person),
        **export.collect(person),
    }
    audit_record(
        actor=actor,
        action="export",
        target=person,
        summary=f"Export des données personnelles de {person}",
    )
    return data


def _may_export(actor: Any, person: Person) -> bool:
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        return False
    return actor.has_role(Role.STAFF, Role.DIRECTOR) or actor.person_id == person.pk


def audit_trail_exported(*, actor: Any, count: int, filters: dict[str, str]) -> None:
    """Log that the director exported rows of the audit trail."""
    audit_record(
        actor=actor,
        action="export",
        target_type="core.auditevent",
        summary=f"Export CSV du journal d'audit ({count} lignes)",
        changes={"filters": filters, "rows": count},
    )


def erasure_refusal(person: Person) -> str:
    """Why the person's data cannot be erased now ('' when it can)."""
    if running_contracts(person):
        return _(
            "%(person)s a un contrat en cours : ses données ne peuvent pas être effacées avant la fin du contrat."
        ) % {"person": person}
    if current_associateship(person):
        return _(
            "%(person)s est associé·e de la coopérative : ses données ne peuvent pas être effacées tant qu'il ou elle l'est."
        ) % {"person": person}
    if ErasureReport.objects.filter(person=person).exists():
        return _("Les données de %(person)s ont déjà été effacées.") % {"person": person}
    return ""


#: Person fields erased: identity details, contact, birth date, social situation, notes.
PERSON_ERASED = {
    "birth_date": None,
    "email": "",
    "phone": "",
    "address": "",
    "postal_code": "",
    "city": "",
    "department": "",
    "entry_situation": "",
    "has_other_income": None,
    "notes": "",
    "follow_up_staff": None,
}


def person_erase(*, actor: Any, person: Person, reason: str) -> ErasureReport:
    """Anonymise what no retention rule protects, keep the rest; all or nothing, audited.

    `actor` is a director, or None for the scheduled retention job.
    """
    if actor is not None and not (
        getattr(actor, "is_authenticated", False) and actor.has_role(Role.DIRECTOR)
    ):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'effacement.")})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        refusal = erasure_refusal(person)
        if refusal:
            raise ValidationError(refusal)
        erased: list[dict[str, Any]] = []
        kept: list[dict[str, Any]] = []
        _erase_related(person, erased, kept)
        _erase_account(person, erased)
        protected = any(item["protects_name"] for item in kept)
        for name, value in PERSON_ERASED.items():
            setattr(person, name, value)
        erased.append(
            {"what": _("Coordonnées, date de naissance, situation à l'entrée, notes"), "count": 1}
        )
        if protected:
            kept.append(
                {"what": _("Nom et prénom"), "count": 1, "rule": RULE_NAME, "protects_name": False}
            )
        else:
            person.first_name = _("Personne")
            person.last_name = _("anonymisée n° %(pk)s") % {"pk": person.pk}
            erased.append({"what": _("Nom et prénom"), "count": 1})
        person.save()
        for item in kept:
            item.pop("protects_name", None)
        report = ErasureReport.objects.create(
            person=person, actor=actor, reason=reason[:255], erased=erased, kept=kept
        )
        audit_record(
            actor=actor,
            action="update",
            target=person,
            summary=f"Effacement des données personnelles (rapport n° {report.pk})",
            changes={"report": report.pk, "reason": reason[:255]},
        )
    return report


def _count(erased: list, what: str, count: int) -> None:
    if count:
        erased.append({"what": what, "count": count})


def _keep(kept: list, what: str, count: int, rule: str, protects_name: bool) -> None:
    if count:
        kept.append({"what": what, "count": count, "rule": rule, "protects_name": protects_name})


def _erase_related(person: Person, erased: list, kept: list) -> None:
    from alveole.businesses.models import Membership
    from alveole.governance.models import Attendance, Convocation, ShareRefund, ShareSubscription
    from alveole.payroll.models import PayrollRecord
    from alveole.purchases.models import ExpenseReport
    from alveole.sales.models import Invoice
    from alveole.support.models import (
        Absence,
        Appointment,
        Enrolment,
        NextStep,
        Signature,
        SurveyResponse,
    )

    _count(
        erased,
        _("Motifs des entretiens d'accueil"),
        person.intake_interviews.exclude(reason="").update(reason=""),
    )
    appointments = Appointment.objects.filter(participants=person)
    _count(
        erased,
        _("Notes de rendez-vous"),
        appointments.exclude(notes="", private_notes="").update(notes="", private_notes=""),
    )
    surveys = SurveyResponse.objects.filter(enrolment__person=person)
    _count(
        erased,
        _("Réponses libres aux questionnaires de satisfaction"),
        surveys.exclude(liked="", to_improve="").update(liked="", to_improve=""),
    )
    _count(
        erased,
        _("Motifs d'absence aux formations"),
        Absence.objects.filter(enrolment__person=person).exclude(reason="").update(reason=""),
    )
    _count(
        erased,
        _("Prochaines étapes des rendez-vous"),
        NextStep.objects.filter(appointment__in=appointments).delete()[0],
    )
    exit_ = getattr(person, "exit", None) if hasattr(person, "exit") else None
    if exit_ is not None and exit_.reason:
        exit_.reason = ""
        exit_.save(update_fields=["reason"])
        _count(erased, _("Motif de sortie"), 1)

    businesses = Membership.objects.filter(person=person).values("business_id")
    _keep(kept, _("Factures des activités de la personne"),
          Invoice.objects.filter(business_id__in=businesses).count(), RULE_ACCOUNTING, True)  # fmt: skip
    _keep(kept, _("Notes de frais"), ExpenseReport.objects.filter(person=person).count(),
          RULE_ACCOUNTING, True)  # fmt: skip
    _keep(kept, _("Bulletins et éléments de paie"),
          PayrollRecord.objects.filter(person=person).count(), RULE_PAYROLL, True)  # fmt: skip
    _keep(kept, _("Contrats"), person.contracts.count(), RULE_CONTRACTS, True)
    shares = (
        ShareSubscription.objects.filter(person=person).count()
        + ShareRefund.objects.filter(person=person).count()
    )
    _keep(kept, _("Souscriptions et remboursements de parts sociales"), shares, RULE_SHARES, True)
    assemblies = (
        Convocation.objects.filter(person=person).count()
        + Attendance.objects.filter(person=person).count()
    )
    _keep(kept, _("Convocations et présences aux assemblées"), assemblies, RULE_SHARES, True)
    _keep(kept, _("Inscriptions aux formations"), Enrolment.objects.filter(person=person).count(),
          RULE_TRAINING, True)  # fmt: skip
    _keep(kept, _("Signatures d'émargement"),
          Signature.objects.filter(enrolment__person=person).count(), RULE_TRAINING, True)  # fmt: skip
    _keep(kept, _("Rattachements aux activités"), Membership.objects.filter(person=person).count(),
          RULE_ACCOUNTING, True)  # fmt: skip
    from alveole.core.models import AuditEvent

    _keep(kept, _("Événements du journal d'audit"),
          AuditEvent.objects.for_target("people.person", person.pk).count(), RULE_AUDIT, False)  # fmt: skip


def _erase_account(person: Person, erased: list) -> None:
    user = getattr(person, "user", None) if hasattr(person, "user") else None
    if user is None:
        return
    tokens = user.api_tokens.all().delete()[0]
    user.email = f"efface-{user.pk}@invalid.invalid"
    user.is_active = False
    user.set_unusable_password()
    user.save()
    _count(erased, _("Compte de connexion (désactivé, e-mail effacé)"), 1)
    _count(erased, _("Jetons d'API"), tokens)
