"""The roles a user account can have; shared by every app's permission checks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user account is allowed to do, one role per account."""

    ENTREPRENEUR = "entrepreneur", _("Entrepreneur·e")
    STAFF = "staff", _("Équipe d'appui")
    ACCOUNTANT = "accountant", _("Comptable")
    DIRECTOR = "director", _("Direction")


#: Roles that see every person and every business of the cooperative.
COOPERATIVE_WIDE_ROLES = frozenset({Role.STAFF, Role.ACCOUNTANT, Role.DIRECTOR})
#: Roles that may read situation-at-entry data (RSA, job seeker): support work needs it.
SENSITIVE_DATA_ROLES = frozenset({Role.STAFF, Role.DIRECTOR})
#: Roles that manage people's paths and businesses.
MANAGER_ROLES = frozenset({Role.STAFF, Role.DIRECTOR})
