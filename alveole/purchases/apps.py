from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasesConfig(AppConfig):
    name = "alveole.purchases"
    label = "purchases"
    verbose_name = _("Achats")
