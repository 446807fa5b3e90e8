"""Validators of French identifiers (python-stdnum), with messages a user understands."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret, tva

#: The largest id the database stores (a signed 64-bit integer, `BigAutoField`): a larger
#: number typed or sent as an id names nothing, and SQLite refuses to compare with it.
LARGEST_ID = 2**63 - 1


def clean_siren(value: str) -> str:
    """Return the SIREN in compact form, or refuse it."""
    try:
        return siren.validate(value)
    except StdnumError:
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro SIREN valide (9 chiffres, clé de contrôle).")
            % {"value": value},
            code="invalid_siren",
        ) from None


def clean_siret(value: str) -> str:
    """Return the SIRET in compact form, or refuse it."""
    try:
        return siret.validate(value)
    except StdnumError:
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro SIRET valide (14 chiffres, clé de contrôle).")
            % {"value": value},
            code="invalid_siret",
        ) from None


def clean_vat_fr(value: str) -> str:
    """Return a French intra-EU VAT number (FR + key + SIREN) in compact form, or refuse it."""
    try:
        return "FR" + tva.validate(value)
    except StdnumError:
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro de TVA intracommunautaire français valide.")
            % {"value": value},
            code="invalid_vat",
        ) from None


_DEPARTMENT = re.compile(r"^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$")
_POSTAL_CODE = re.compile(r"^\d{5}$")


def clean_department(value: str) -> str:
    """Return a French department code (01…95, 2A, 2B, 971…976), or refuse it."""
    value = value.strip().upper()
    if not _DEPARTMENT.match(value):
        raise ValidationError(
            _("« %(value)s » n'est pas un code de département français.") % {"value": value},
            code="invalid_department",
        )
    return value


def clean_postal_code(value: str) -> str:
    """Return a French postal code of five digits, or refuse it."""
    value = value.strip()
    if not _POSTAL_CODE.match(value):
        raise ValidationError(
            _("« %(value)s » n'est pas un code postal français (5 chiffres).") % {"value": value},
            code="invalid_postal_code",
        )
    return value


def department_from_postal_code(postal_code: str) -> str:
    """The department a French postal code belongs to (20xxx → 2A/2B, 97xxx → 97x)."""
    if postal_code.startswith("97"):
        return postal_code[:3]
    if postal_code.startswith("20"):
        return "2A" if postal_code < "20200" else "2B"
    return postal_code[:2]


def validate_siren(value: str) -> None:
    clean_siren(value)


def validate_siret(value: str) -> None:
    clean_siret(value)


def validate_vat_fr(value: str) -> None:
    clean_vat_fr(value)


def validate_department(value: str) -> None:
    clean_department(value)


def validate_postal_code(value: str) -> None:
    clean_postal_code(value)
