"""Suppliers' identifiers: VAT numbers (French ones by alveole.core.validators), IBAN, BIC.

IBANs are checked with python-stdnum (already a dependency): country, length, BBAN format
of the country and the mod-97 key — what schwifty would check, without a new dependency.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from alveole.core.validators import clean_vat_fr

#: Outside the EU (Norway, Switzerland, United Kingdom…) only the shape is checked.
_FOREIGN_VAT = re.compile(r"^[A-Z]{2}[A-Z0-9]{2,16}$")


def clean_vat_number(value: str) -> str:
    """A VAT number in compact form: French ones fully checked, EU ones by their country's
    rule, others by their shape; else ValidationError."""
    compact = re.sub(r"[\s.\-]", "", value).upper()
    if compact.startswith("FR"):
        return clean_vat_fr(compact)
    if compact[:2].lower() in eu_vat.MEMBER_STATES or compact[:2] == "EL":
        try:
            return eu_vat.validate(compact)
        except StdnumError:
            pass
    elif _FOREIGN_VAT.match(compact):
        return compact
    raise ValidationError(
        _("« %(value)s » n'est pas un numéro de TVA intracommunautaire valide.") % {"value": value},
        code="invalid_vat",
    )


def clean_iban(value: str) -> str:
    """An IBAN in compact form (country, length, format and key checked), or ValidationError."""
    try:
        return std_iban.validate(value)
    except StdnumError:
        raise ValidationError(
            _(
                "« %(value)s » n'est pas un IBAN valide (pays, longueur ou clé de contrôle "
                "incorrects)."
            )
            % {"value": value},
            code="invalid_iban",
        ) from None


def clean_bic(value: str) -> str:
    """A BIC (8 or 11 characters) in compact form, or ValidationError."""
    try:
        return std_bic.validate(value)
    except StdnumError:
        raise ValidationError(
            _("« %(value)s » n'est pas un BIC valide (8 ou 11 caractères).") % {"value": value},
            code="invalid_bic",
        ) from None
