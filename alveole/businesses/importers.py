"""Importing businesses from a CSV/XLSX file (`alveole import businesses FILE`).

Every line goes through `business_create`, which also adds the main entrepreneur.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.businesses.models import Business
from alveole.businesses.services import BUSINESS_FIELDS, business_create
from alveole.coop.models import Sector
from alveole.core.formatting import format_date
from alveole.core.importing import Column, Importer, RowValues, normalize, register, reported_as
from alveole.people.models import Person, User

COLUMNS = (
    Column("name", gettext_lazy("Nom de l'activité : Atelier Alice"), required=True),
    Column(
        "code",
        gettext_lazy(
            "Code analytique unique, préfixe des factures : 2 à 12 majuscules, chiffres ou "
            "tirets. Exemple : ALICE"
        ),
        required=True,
    ),
    Column(
        "start_date",
        gettext_lazy("Date de début, AAAA-MM-JJ ou JJ/MM/AAAA : 01/07/2023"),
        required=True,
    ),
    Column(
        "sector",
        gettext_lazy(
            "Secteur, par son code ou son nom : formation-conseil ou « Santé ». Obligatoire "
            "pour une activité d'entrepreneur·e."
        ),
    ),
    Column(
        "kind",
        gettext_lazy(
            "entrepreneur (activité d'entrepreneur·e, par défaut) ou support_structure "
            "(la structure d'accompagnement, une seule)."
        ),
    ),
    Column(
        "main_person_email",
        gettext_lazy(
            "Entrepreneur·e principal·e, par l'e-mail de sa fiche ou de son compte : "
            "alice.martin@example.org"
        ),
    ),
    Column(
        "main_person",
        gettext_lazy(
            "Ou par « Prénom Nom », s'il n'y a qu'une personne de ce nom : Alice Martin. "
            "L'une des deux colonnes est obligatoire pour une activité d'entrepreneur·e."
        ),
    ),
    Column("description", gettext_lazy("Description libre.")),
    Column("end_date", gettext_lazy("Date de fin, si l'activité est terminée.")),
)

KIND_ALIASES = {
    "activite": Business.Kind.ENTREPRENEUR,
    "structure": Business.Kind.SUPPORT_STRUCTURE,
    "structure d'appui": Business.Kind.SUPPORT_STRUCTURE,
}


def _find_sector(text: str) -> Sector:
    wanted = normalize(text)
    sectors = list(Sector.objects.all())
    for sector in sectors:
        if wanted in (normalize(sector.code), normalize(sector.name)):
            return sector
    raise ValidationError(
        _("secteur inconnu « %(value)s » (codes : %(known)s)")
        % {"value": text, "known": ", ".join(s.code for s in sectors) or "—"}
    )


def _find_person_by_email(email: str) -> Person:
    email = email.strip()
    people = list(Person.objects.filter(email__iexact=email)[:2])
    if not people:
        user = User.objects.filter(email__iexact=email, person__isnull=False).first()
        if user is not None:
            people = [user.person]
    if not people:
        raise ValidationError(_("aucune personne avec l'adresse « %(value)s »") % {"value": email})
    if len(people) > 1:
        raise ValidationError(
            _("plusieurs personnes ont l'adresse « %(value)s » : indiquez main_person")
            % {"value": email}
        )
    return people[0]


def _find_person_by_name(full_name: str) -> Person:
    wanted = " ".join(full_name.split())
    # SQL narrows by the last word of the name; the exact comparison, accents and case
    # aside, is done here.
    last_word = wanted.rsplit(" ", 1)[-1]
    candidates = Person.objects.filter(
        Q(last_name__icontains=last_word)
        | Q(last_name__iexact=wanted.split(" ", 1)[-1], first_name__iexact=wanted.split(" ", 1)[0])
    ).only("pk", "first_name", "last_name", "kind")
    key = normalize(wanted)
    people = [p for p in candidates if normalize(f"{p.first_name} {p.last_name}") == key]
    if not people:
        raise ValidationError(_("aucune personne nommée « %(value)s »") % {"value": full_name})
    if len(people) > 1:
        raise ValidationError(
            _("plusieurs personnes s'appellent « %(value)s » : indiquez main_person_email")
            % {"value": full_name}
        )
    return people[0]


def unique_key(values: dict[str, str]) -> Hashable | None:
    """A business is the same when its code is."""
    code = (values.get("code") or "").strip().upper()
    return code or None


def save_business(values: dict[str, str], actor: Any) -> Business:
    """Create one business and its main entrepreneur from a line of the file."""
    row = RowValues(values)
    start_date = row.date("start_date")
    end_date = row.date("end_date")
    kind = row.choice("kind", Business.Kind, KIND_ALIASES, default=Business.Kind.ENTREPRENEUR)
    sector = row.lookup("sector", _find_sector)
    by_email = row.lookup("main_person_email", _find_person_by_email)
    by_name = row.lookup("main_person", _find_person_by_name)
    if by_email and by_name and by_email.pk != by_name.pk:
        row.error(
            "main_person",
            _("« %(name)s » n'est pas la personne de l'adresse « %(email)s »")
            % {"name": row.text("main_person"), "email": row.text("main_person_email")},
        )
    if start_date and end_date and end_date < start_date:
        row.error(
            "end_date",
            _("la fin ne peut pas précéder le début (%(date)s)")
            % {"date": format_date(start_date)},
        )
    code = row.text("code").upper()
    existing = Business.objects.filter(code=code).first()
    if existing is not None:
        row.error(
            "code",
            _("le code « %(code)s » est déjà celui de l'activité %(business)s")
            % {"code": code, "business": existing.name},
        )
    if kind == Business.Kind.SUPPORT_STRUCTURE:
        structure = Business.objects.filter(kind=Business.Kind.SUPPORT_STRUCTURE).first()
        if structure is not None:
            row.error(
                "kind",
                _("la structure d'accompagnement existe déjà : %(business)s")
                % {"business": structure},
            )
    row.check()
    person_column = "main_person" if by_name and not by_email else "main_person_email"
    fields = {name: name for name in BUSINESS_FIELDS} | {
        "main_person": person_column,
        "person": person_column,
    }
    with reported_as("__all__", fields):
        return business_create(
            actor=actor,
            main_person=by_email or by_name,
            name=row.text("name"),
            code=code,
            kind=kind,
            sector=sector,
            description=row.text("description"),
            start_date=start_date,
            end_date=end_date,
        )


BUSINESSES = register(
    Importer(
        kind="businesses",
        label=gettext_lazy("Activités"),
        required=tuple(c.name for c in COLUMNS if c.required),
        optional=tuple(c.name for c in COLUMNS if not c.required),
        save_row=save_business,
        columns=COLUMNS,
        doc=gettext_lazy(
            "Une ligne par activité. Les personnes doivent déjà exister : importez d'abord "
            "les personnes."
        ),
        unique_key=unique_key,
        duplicate_message=gettext_lazy("code en double : déjà utilisé à la ligne %(line)s"),
    )
)
