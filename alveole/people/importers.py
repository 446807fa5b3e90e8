"""Importing people and their path from a CSV/XLSX file (`alveole import people FILE`).

Every line goes through the services: `person_create`, then the path events in the order
they happen (intake interview, CAPE and its renewals, CESA, staff contract, associate,
exit), so that the path rules refuse an impossible history with the line's number.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.coop.models import Office
from alveole.core.dates import add_months
from alveole.core.formatting import format_date
from alveole.core.importing import (
    Column,
    Importer,
    RowValues,
    normalize,
    parse_date,
    register,
    reported_as,
)
from alveole.core.roles import Role
from alveole.people.models import (
    EntrySituation,
    Exit,
    IntakeInterview,
    Person,
    PersonKind,
    User,
)
from alveole.people.services import (
    PERSON_FIELDS,
    associate_join,
    cape_renew,
    cape_start,
    cesa_start,
    intake_interview_record,
    person_create,
    person_exit,
    staff_contract_start,
)

COLUMNS = (
    Column("first_name", gettext_lazy("Prénom. Exemple : Alice"), required=True),
    Column("last_name", gettext_lazy("Nom. Exemple : Martin"), required=True),
    Column(
        "kind",
        gettext_lazy(
            "entrepreneur (porteur·se de projet, par défaut), support_staff (équipe d'appui) "
            "ou external (associé·e extérieur·e)."
        ),
    ),
    Column("birth_date", gettext_lazy("Date de naissance, AAAA-MM-JJ ou JJ/MM/AAAA : 17/05/1985")),
    Column("email", gettext_lazy("Adresse e-mail : alice.martin@example.org")),
    Column("phone", gettext_lazy("Téléphone : 06 12 34 56 78")),
    Column("address", gettext_lazy("Adresse : 3 rue des Lilas")),
    Column("postal_code", gettext_lazy("Code postal à 5 chiffres : 32000")),
    Column("city", gettext_lazy("Ville : Auch")),
    Column(
        "department",
        gettext_lazy("Département : 32. Vide : déduit du code postal."),
    ),
    Column(
        "entry_situation",
        gettext_lazy(
            "Situation à l'entrée (entrepreneur·es seulement) : employed (salarié·e), "
            "job_seeker (demandeur·se d'emploi), rsa (bénéficiaire du RSA) ou other (autre)."
        ),
    ),
    Column("other_income", gettext_lazy("Autre revenu : oui ou non (aussi yes/no, 1/0).")),
    Column("office", gettext_lazy("Établissement de rattachement, par son nom : Tarbes")),
    Column(
        "follow_up_staff",
        gettext_lazy(
            "Accompagnateur·rice : e-mail de son compte d'équipe d'appui ou de direction."
        ),
    ),
    Column("notes", gettext_lazy("Notes libres.")),
    Column("intake_date", gettext_lazy("Date de l'entretien individuel d'intégration.")),
    Column(
        "intake_decision",
        gettext_lazy(
            "Décision de l'entretien : integrated (intégré·e), not_integrated (non intégré·e, "
            "motif obligatoire) ou postponed (reportée)."
        ),
    ),
    Column("intake_reason", gettext_lazy("Motif de la décision de l'entretien.")),
    Column("cape_start", gettext_lazy("Début du CAPE.")),
    Column(
        "cape_end",
        gettext_lazy(
            "Fin prévue du CAPE, renouvellements compris (36 mois au plus) ; au-delà de 12 mois, "
            "les renouvellements sont enregistrés à chaque échéance."
        ),
    ),
    Column("cesa_start", gettext_lazy("Début du CESA (un CAPE en cours se termine la veille).")),
    Column("cesa_hours", gettext_lazy("Heures mensuelles du CESA : 70 ou 151,67")),
    Column(
        "staff_start",
        gettext_lazy("Début du contrat de travail d'un membre de l'équipe d'appui (temps plein)."),
    ),
    Column(
        "associate_since",
        gettext_lazy("Date d'entrée au sociétariat (un·e entrepreneur·e doit alors être en CESA)."),
    ),
    Column("exit_date", gettext_lazy("Date de sortie de la coopérative.")),
    Column(
        "exit_outcome",
        gettext_lazy(
            "Devenir à la sortie : business_creation (création d'entreprise), salaried_job "
            "(emploi salarié), training (formation), other (autre) ou unknown (inconnu, "
            "par défaut)."
        ),
    ),
    Column("exit_reason", gettext_lazy("Motif de la sortie.")),
)

KIND_ALIASES = {
    "porteur": PersonKind.ENTREPRENEUR,
    "porteuse": PersonKind.ENTREPRENEUR,
    "porteur de projet": PersonKind.ENTREPRENEUR,
    "porteuse de projet": PersonKind.ENTREPRENEUR,
    "entrepreneure": PersonKind.ENTREPRENEUR,
    "equipe": PersonKind.SUPPORT_STAFF,
    "equipe d'appui": PersonKind.SUPPORT_STAFF,
    "staff": PersonKind.SUPPORT_STAFF,
    "externe": PersonKind.EXTERNAL,
    "exterieur": PersonKind.EXTERNAL,
    "exterieure": PersonKind.EXTERNAL,
}
SITUATION_ALIASES = {
    "salarie": EntrySituation.EMPLOYED,
    "salariee": EntrySituation.EMPLOYED,
    "demandeur d'emploi": EntrySituation.JOB_SEEKER,
    "demandeuse d'emploi": EntrySituation.JOB_SEEKER,
    "beneficiaire rsa": EntrySituation.RSA,
}
DECISION_ALIASES = {
    "integre": IntakeInterview.Decision.INTEGRATED,
    "integree": IntakeInterview.Decision.INTEGRATED,
    "non integre": IntakeInterview.Decision.NOT_INTEGRATED,
    "non integree": IntakeInterview.Decision.NOT_INTEGRATED,
    "reporte": IntakeInterview.Decision.POSTPONED,
    "reportee": IntakeInterview.Decision.POSTPONED,
}
OUTCOME_ALIASES = {
    "creation": Exit.Outcome.BUSINESS_CREATION,
    "creation d'entreprise": Exit.Outcome.BUSINESS_CREATION,
    "emploi": Exit.Outcome.SALARIED_JOB,
    "emploi salarie": Exit.Outcome.SALARIED_JOB,
    "inconnu": Exit.Outcome.UNKNOWN,
}

#: A cell that only makes sense with another one: (filled column, column it needs).
NEEDS = (
    ("intake_date", "intake_decision"),
    ("intake_decision", "intake_date"),
    ("intake_reason", "intake_date"),
    ("cape_start", "cape_end"),
    ("cape_end", "cape_start"),
    ("cesa_start", "cesa_hours"),
    ("cesa_hours", "cesa_start"),
    ("exit_outcome", "exit_date"),
    ("exit_reason", "exit_date"),
)

#: person_create's field names that differ from the file's column names.
_PERSON_FIELD_COLUMNS = {name: name for name in PERSON_FIELDS} | {
    "has_other_income": "other_income"
}


def _find_office(name: str) -> Office:
    wanted = normalize(name)
    offices = list(Office.objects.all())
    for office in offices:
        if normalize(office.name) == wanted:
            return office
    raise ValidationError(
        _("établissement inconnu « %(value)s » (établissements : %(known)s)")
        % {"value": name, "known": ", ".join(o.name for o in offices) or "—"}
    )


def _find_staff_account(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError(_("aucun compte avec l'adresse « %(value)s »") % {"value": email})
    if not user.has_role(Role.STAFF, Role.DIRECTOR):
        raise ValidationError(
            _("le compte « %(value)s » n'est pas un compte de l'équipe d'appui") % {"value": email}
        )
    return user


def _french_code(text: str, length: int) -> str:
    # A spreadsheet that stored the code as a number lost its leading zero (06000 → 6000).
    if text.isdigit() and len(text) == length - 1:
        return "0" + text
    return text


def _name_key(text: str) -> str:
    return normalize(text)


def unique_key(values: dict[str, str]) -> Hashable | None:
    """A person is the same when first name, last name and birth date are (accents and case aside)."""
    first, last = values.get("first_name", ""), values.get("last_name", "")
    if not first.strip() or not last.strip():
        return None
    birth = (values.get("birth_date") or "").strip()
    try:
        birth_date = parse_date(birth) if birth else None
    except ValidationError:
        return None
    return _name_key(first), _name_key(last), birth_date


def _existing_person(
    first_name: str, last_name: str, birth_date: datetime.date | None
) -> Person | None:
    if birth_date is not None:
        candidates = Person.objects.filter(birth_date=birth_date)
    else:
        candidates = Person.objects.filter(birth_date__isnull=True, last_name__iexact=last_name)
    key = (_name_key(first_name), _name_key(last_name))
    for person in candidates.only("pk", "first_name", "last_name", "birth_date"):
        if (_name_key(person.first_name), _name_key(person.last_name)) == key:
            return person
    return None


def _record_cape(
    *,
    actor: Any,
    person: Person,
    start: datetime.date,
    end: datetime.date,
    cesa: datetime.date | None,
) -> None:
    """A CAPE planned to `end`; beyond 12 months, renewed at each due date as the law has it."""
    with reported_as("cape_start", {"planned_end_date": "cape_end"}):
        first_end = min(end, add_months(start, 12) - datetime.timedelta(days=1))
        contract = cape_start(
            actor=actor, person=person, start_date=start, planned_end_date=first_end
        )
    with reported_as("cape_end"):
        # A CESA that starts earlier ends the CAPE: no renewal after it.
        while contract.planned_end_date < end and (
            cesa is None or contract.planned_end_date < cesa
        ):
            due = contract.planned_end_date
            cape_renew(
                actor=actor,
                contract=contract,
                date=due,
                new_planned_end_date=min(end, add_months(due, 12)),
                note=_("Renouvellement enregistré par import"),
            )
            contract.refresh_from_db()


def save_person(values: dict[str, str], actor: Any) -> Person:
    """Create one person and their path from a line of the file."""
    row = RowValues(values)
    for column, needed in NEEDS:
        if row.has(column) and not row.has(needed) and needed not in row.errors:
            row.error(needed, _("obligatoire quand %(column)s est renseignée") % {"column": column})
    fields: dict[str, Any] = {
        "first_name": row.text("first_name"),
        "last_name": row.text("last_name"),
        "kind": row.choice("kind", PersonKind, KIND_ALIASES, default=PersonKind.ENTREPRENEUR),
        "birth_date": row.date("birth_date"),
        "email": row.text("email"),
        "phone": row.text("phone"),
        "address": row.text("address"),
        "postal_code": _french_code(row.text("postal_code"), 5),
        "city": row.text("city"),
        "department": _french_code(row.text("department"), 2).upper(),
        "entry_situation": row.choice("entry_situation", EntrySituation, SITUATION_ALIASES),
        "has_other_income": row.boolean("other_income"),
        "office": row.lookup("office", _find_office),
        "follow_up_staff": row.lookup("follow_up_staff", _find_staff_account),
        "notes": row.text("notes"),
    }
    intake_date = row.date("intake_date")
    decision = row.choice("intake_decision", IntakeInterview.Decision, DECISION_ALIASES)
    cape_begin, cape_until = row.date("cape_start"), row.date("cape_end")
    cesa_begin, cesa_hours = row.date("cesa_start"), row.decimal("cesa_hours")
    staff_begin = row.date("staff_start")
    associate_since = row.date("associate_since")
    exit_date = row.date("exit_date")
    outcome = row.choice(
        "exit_outcome", Exit.Outcome, OUTCOME_ALIASES, default=Exit.Outcome.UNKNOWN
    )
    row.check()

    existing = _existing_person(fields["first_name"], fields["last_name"], fields["birth_date"])
    if existing is not None:
        born = fields["birth_date"]
        raise ValidationError(
            _("%(person)s, né·e le %(date)s, existe déjà (mêmes prénom, nom et date de naissance).")
            % {"person": existing, "date": format_date(born)}
            if born
            else _("%(person)s existe déjà, sans date de naissance (mêmes prénom et nom).")
            % {"person": existing}
        )
    with reported_as("__all__", _PERSON_FIELD_COLUMNS):
        person = person_create(actor=actor, **fields)

    if intake_date is not None:
        with reported_as(
            "intake_date",
            {"decision": "intake_decision", "reason": "intake_reason", "date": "intake_date"},
        ):
            intake_interview_record(
                actor=actor,
                person=person,
                date=intake_date,
                decision=decision,
                reason=row.text("intake_reason"),
            )
    if cape_begin is not None and cape_until is not None:
        _record_cape(actor=actor, person=person, start=cape_begin, end=cape_until, cesa=cesa_begin)
    if cesa_begin is not None and cesa_hours is not None:
        with reported_as("cesa_start", {"monthly_hours": "cesa_hours"}):
            cesa_start(actor=actor, person=person, start_date=cesa_begin, monthly_hours=cesa_hours)
    if staff_begin is not None:
        with reported_as("staff_start"):
            staff_contract_start(actor=actor, person=person, start_date=staff_begin)
    if associate_since is not None:
        with reported_as("associate_since"):
            associate_join(actor=actor, person=person, date=associate_since)
    if exit_date is not None:
        with reported_as("exit_date", {"outcome": "exit_outcome", "reason": "exit_reason"}):
            person_exit(
                actor=actor,
                person=person,
                date=exit_date,
                outcome=outcome,
                reason=row.text("exit_reason"),
            )
    return person


PEOPLE = register(
    Importer(
        kind="people",
        label=gettext_lazy("Personnes"),
        required=tuple(c.name for c in COLUMNS if c.required),
        optional=tuple(c.name for c in COLUMNS if not c.required),
        save_row=save_person,
        columns=COLUMNS,
        doc=gettext_lazy(
            "Une ligne par personne. Les dates du parcours sont enregistrées dans l'ordre "
            "(entretien, CAPE, CESA, contrat d'équipe, sociétariat, sortie) et doivent "
            "respecter les règles du parcours."
        ),
        unique_key=unique_key,
        duplicate_message=gettext_lazy(
            "personne en double : mêmes prénom, nom et date de naissance qu'à la ligne %(line)s"
        ),
    )
)
