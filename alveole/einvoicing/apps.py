from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EinvoicingConfig(AppConfig):
    """A library without models; an app only so that its management commands are found."""

    name = "alveole.einvoicing"
    label = "einvoicing"
    verbose_name = _("Facturation électronique")
