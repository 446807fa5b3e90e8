"""Import kinds of purchases: `alveole import supplier-invoice FILE` receives one e-invoice."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from alveole.core.importing import DocumentImporter, register_document

register_document(
    DocumentImporter(
        kind="supplier-invoice",
        label=gettext_lazy("Facture fournisseur électronique (PDF Factur-X, XML CII ou UBL)"),
        command="supplier_invoice_receive",
    )
)
