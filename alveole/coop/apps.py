from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoopConfig(AppConfig):
    name = "alveole.coop"
    label = "coop"
    verbose_name = _("Coopérative")
