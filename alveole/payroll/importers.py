"""Importing the payroll software's monthly export (`alveole import payroll FILE`).

One line per person and month; every line goes through `payroll_record_create`, so the
same checks as the entry page apply, and the file is imported whole or not at all.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Hashable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.businesses.models import Business
from alveole.core.importing import (
    Column,
    Importer,
    RowValues,
    normalize,
    parse_date,
    parse_decimal,
    register,
    reported_as,
)
from alveole.core.money import to_cents
from alveole.payroll.models import PayrollRecord
from alveole.payroll.selectors import can_write_payroll
from alveole.payroll.services import FRENCH_MONTHS, hours_to_hundredths, payroll_record_create
from alveole.people.models import Person

AMOUNT_COLUMNS = {
    "gross": "gross_cents",
    "employee_contributions": "employee_contributions_cents",
    "employer_contributions": "employer_contributions_cents",
    "reduction": "reduction_cents",
    "net": "net_cents",
}

COLUMNS = (
    Column(
        "month",
        gettext_lazy("Mois payé : 2026-03, 03/2026, mars 2026 ou une date du mois (01/03/2026)."),
        required=True,
    ),
    Column(
        "person_email",
        gettext_lazy(
            "La personne payée, par l'e-mail de sa fiche ou de son compte : "
            "alice.martin@example.org"
        ),
    ),
    Column(
        "person",
        gettext_lazy(
            "Ou par « Prénom Nom », s'il n'y a qu'une personne de ce nom. L'une des deux "
            "colonnes est obligatoire."
        ),
    ),
    Column("gross", gettext_lazy("Salaire brut du mois, en euros : 1823,03"), required=True),
    Column(
        "employee_contributions",
        gettext_lazy("Total des cotisations et contributions salariales : 379,94"),
        required=True,
    ),
    Column(
        "employer_contributions",
        gettext_lazy("Total des cotisations patronales, avant réduction : 770,53"),
        required=True,
    ),
    Column(
        "reduction",
        gettext_lazy("Réduction générale des cotisations (RGDU) : 725,75. Vide : 0."),
    ),
    Column("net", gettext_lazy("Net avant impôt sur le revenu : 1443,09"), required=True),
    Column(
        "paid_hours", gettext_lazy("Heures payées, deux décimales au plus : 151,67"), required=True
    ),
    Column(
        "charged_to",
        gettext_lazy(
            "Activité(s) qui portent le coût employeur, par leur code : ALICE. Pour répartir, "
            "le montant de chacune séparé par | : ALICE=1200,00|BOB=667,81 (le total doit "
            "égaler brut + cotisations patronales − réduction). Vide : la seule activité de la "
            "personne ce mois-là, ou la structure d'accompagnement pour l'équipe."
        ),
    ),
)

_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
_CHARGE = re.compile(r"(?P<code>[^=:]+?)\s*(?:[=:]\s*(?P<amount>\S.*))?")
_MONTH_NAMES = {normalize(name): number for number, name in enumerate(FRENCH_MONTHS) if name}


def parse_month(text: str) -> datetime.date:
    """A month: 2026-03, 03/2026, « mars 2026 », or any date of it."""
    text = text.strip()
    for pattern, year_group, month_group in ((_YEAR_MONTH, 1, 2), (_MONTH_YEAR, 2, 1)):
        match = pattern.match(text)
        if match:
            year, month = int(match[year_group]), int(match[month_group])
            if 1 <= month <= 12:
                return datetime.date(year, month, 1)
    words = normalize(text).split()
    if len(words) == 2 and words[0] in _MONTH_NAMES and words[1].isdigit() and len(words[1]) == 4:
        return datetime.date(int(words[1]), _MONTH_NAMES[words[0]], 1)
    try:
        return parse_date(text).replace(day=1)
    except ValidationError:
        raise ValidationError(
            _("mois invalide « %(value)s » : attendu AAAA-MM, MM/AAAA ou « mars 2026 »")
            % {"value": text}
        ) from None


def parse_amount(text: str) -> int:
    """A euro amount with a decimal comma or point, at most two decimals, into cents."""
    value = parse_decimal(text)
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(
            _("montant invalide « %(value)s » : deux décimales au plus") % {"value": text}
        )
    return to_cents(value)


def parse_hours(text: str) -> Decimal:
    """Paid hours, checked as the service will (two decimals, a plausible month)."""
    value = parse_decimal(text)
    hours_to_hundredths(value)
    return value


def _find_person_by_email(email: str) -> Person:
    email = email.strip()
    people = list(
        Person.objects.filter(Q(email__iexact=email) | Q(user__email__iexact=email)).distinct()[:2]
    )
    if not people:
        raise ValidationError(_("aucune personne avec l'adresse « %(value)s »") % {"value": email})
    if len(people) > 1:
        raise ValidationError(
            _("plusieurs personnes ont l'adresse « %(value)s » : indiquez l'e-mail de son compte")
            % {"value": email}
        )
    return people[0]


def _find_person_by_name(name: str) -> Person:
    wanted = normalize(name)
    words = name.split()
    candidates = Person.objects.filter(last_name__icontains=words[-1]) if words else []
    found = [p for p in candidates if normalize(f"{p.first_name} {p.last_name}") == wanted]
    if not found:
        raise ValidationError(_("aucune personne ne s'appelle « %(value)s »") % {"value": name})
    if len(found) > 1:
        raise ValidationError(
            _("plusieurs personnes s'appellent « %(value)s » : indiquez person_email")
            % {"value": name}
        )
    return found[0]


def _business(code: str) -> Business:
    business = Business.objects.filter(code__iexact=code.strip()).first()
    if business is None:
        raise ValidationError(_("activité inconnue « %(value)s »") % {"value": code.strip()})
    return business


def parse_charges(text: str) -> list[tuple[Business, int | None]]:
    """ALICE, or ALICE=1200,00|BOB=667,81."""
    charges: list[tuple[Business, int | None]] = []
    for part in text.split("|"):
        part = part.strip()
        if not part:
            continue
        match = _CHARGE.fullmatch(part)
        if match is None:
            raise ValidationError(
                _("imputation illisible « %(value)s » : attendu CODE ou CODE=montant")
                % {"value": part}
            )
        amount = match["amount"]
        charges.append((_business(match["code"]), parse_amount(amount) if amount else None))
    if not charges:
        raise ValidationError(_("aucune activité indiquée"))
    return charges


def _person_cell(values: dict[str, str]) -> tuple[str, str]:
    email = (values.get("person_email") or "").strip()
    if email:
        return "person_email", email
    return "person", (values.get("person") or "").strip()


def unique_key(values: dict[str, str]) -> Hashable | None:
    """A person is paid once a month: the same person and month twice in a file is refused."""
    column, person = _person_cell(values)
    try:
        month = parse_month(values.get("month") or "")
    except ValidationError:
        return None
    if not person:
        return None
    return column, normalize(person), month


def save_payroll(values: dict[str, str], actor: Any) -> PayrollRecord:
    """Create one month's pay from a line of the file."""
    row = RowValues(values)
    month = row.lookup("month", parse_month)
    column, person_text = _person_cell(values)
    person = None
    if not person_text:
        row.error("person_email", _("obligatoire : person_email ou person"))
    else:
        finder = _find_person_by_email if column == "person_email" else _find_person_by_name
        person = row.lookup(column, finder)
    amounts = {field: row.lookup(name, parse_amount) for name, field in AMOUNT_COLUMNS.items()}
    if amounts["reduction_cents"] is None and not row.has("reduction"):
        amounts["reduction_cents"] = 0
    hours = row.lookup("paid_hours", parse_hours)
    charges = row.lookup("charged_to", parse_charges) if row.has("charged_to") else None
    if person is not None and actor is not None and not can_write_payroll(actor, person):
        row.error(
            column,
            _("votre rôle ne permet pas d'enregistrer la paie de %(person)s") % {"person": person},
        )
    row.check()
    fields = {field: name for name, field in AMOUNT_COLUMNS.items()} | {
        "paid_hours": "paid_hours",
        "month": "month",
        "person": column,
        "charges": "charged_to",
    }
    with reported_as("__all__", fields):
        return payroll_record_create(
            actor=actor,
            person=person,
            month=month,
            paid_hours=hours,
            charges=charges,
            source=PayrollRecord.Source.IMPORTED,
            **amounts,
        )


PAYROLL = register(
    Importer(
        kind="payroll",
        label=gettext_lazy("Paie"),
        required=tuple(c.name for c in COLUMNS if c.required),
        optional=tuple(c.name for c in COLUMNS if not c.required),
        save_row=save_payroll,
        columns=COLUMNS,
        doc=gettext_lazy(
            "Une ligne par personne et par mois, montants en euros, tels que le logiciel de "
            "paie les a calculés. La personne doit avoir un CESA ou un contrat d'équipe ce "
            "mois-là ; un mois déjà enregistré est refusé."
        ),
        unique_key=unique_key,
        duplicate_message=gettext_lazy(
            "paie en double : même personne et même mois qu'à la ligne %(line)s"
        ),
    )
)
