"""Importing historical invoices (`alveole import invoices FILE`), all or nothing.

One line per invoice or credit note, with its own number and its amounts excl. VAT per
VAT rate; the customer is found by name in the business, or created from the line. Every
line goes through `invoice_import` (frozen at once) and `payment_record`.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.businesses.models import Business
from alveole.core.formatting import format_cents
from alveole.core.importing import Column, Importer, RowValues, register, reported_as
from alveole.core.money import to_cents
from alveole.sales.models import Customer, Invoice, Payment
from alveole.sales.services import customer_create, invoice_import, payment_record
from alveole.sales.totals import compute_totals

#: The columns of amounts excl. VAT, with their rate.
RATE_COLUMNS = {
    "net_20": Decimal("20"),
    "net_10": Decimal("10"),
    "net_5_5": Decimal("5.5"),
    "net_2_1": Decimal("2.1"),
    "net_0": Decimal("0"),
}

COLUMNS = (
    Column("number", gettext_lazy("Numéro d'origine, conservé : F2021-0042"), required=True),
    Column("business", gettext_lazy("Code de l'activité : ALICE"), required=True),
    Column("customer", gettext_lazy("Nom du client : Brasserie du Gers"), required=True),
    Column("issue_date", gettext_lazy("Date d'émission : 04/03/2021"), required=True),
    Column("kind", gettext_lazy("invoice (défaut), deposit ou credit_note")),
    Column("due_date", gettext_lazy("Échéance : 03/04/2021")),
    Column("description", gettext_lazy("Désignation des lignes (défaut : Reprise d'historique)")),
    Column("net_20", gettext_lazy("Montant HT à 20 % : 1 000,00")),
    Column("net_10", gettext_lazy("Montant HT à 10 %")),
    Column("net_5_5", gettext_lazy("Montant HT à 5,5 %")),
    Column("net_2_1", gettext_lazy("Montant HT à 2,1 %")),
    Column("net_0", gettext_lazy("Montant HT sans TVA (avec exemption_reason)")),
    Column("exemption_reason", gettext_lazy("Motif d'exonération du montant sans TVA")),
    Column("total_incl_vat", gettext_lazy("Total TTC attendu, vérifié : 1 200,00")),
    Column("credited_number", gettext_lazy("Pour un avoir : numéro de la facture corrigée")),
    Column("customer_kind", gettext_lazy("company (défaut), individual, public_body, association")),
    Column("customer_siren", gettext_lazy("SIREN du client")),
    Column("customer_address", gettext_lazy("Adresse du client (s'il est à créer)")),
    Column("customer_postal_code", gettext_lazy("Code postal du client")),
    Column("customer_city", gettext_lazy("Ville du client")),
    Column("customer_email", gettext_lazy("E-mail du client")),
    Column("paid_amount", gettext_lazy("Montant déjà payé : 1 200,00")),
    Column("paid_date", gettext_lazy("Date du paiement")),
    Column("payment_method", gettext_lazy("transfer (défaut), cheque, card, cash")),
)

KIND_ALIASES = {"facture": "invoice", "acompte": "deposit", "avoir": "credit_note"}
METHOD_ALIASES = {"virement": "transfer", "cheque": "cheque", "carte": "card", "especes": "cash"}


def _business(code: str) -> Business:
    business = Business.objects.filter(code=code.strip().upper()).first()
    if business is None:
        raise ValidationError(_("activité inconnue « %(code)s »") % {"code": code})
    return business


def _customer(row: RowValues, business: Business, actor: Any) -> Customer | None:
    name = row.text("customer")
    found = Customer.objects.filter(business=business, name__iexact=name).first()
    if found is not None:
        return found
    missing = [
        c for c in ("customer_address", "customer_postal_code", "customer_city") if not row.has(c)
    ]
    if missing:
        row.error(
            "customer",
            _("client « %(name)s » inconnu de l'activité : donnez %(cols)s pour le créer")
            % {"name": name, "cols": ", ".join(missing)},
        )
        return None
    kind = row.choice("customer_kind", Customer.Kind, default=Customer.Kind.COMPANY)
    with reported_as("customer", {"siren": "customer_siren", "email": "customer_email"}):
        return customer_create(
            actor=actor,
            business=business,
            kind=kind,
            name=name,
            siren=row.text("customer_siren"),
            address=row.text("customer_address"),
            postal_code=row.text("customer_postal_code"),
            city=row.text("customer_city"),
            email=row.text("customer_email"),
        )


def unique_key(values: dict[str, str]) -> Hashable | None:
    """A number appears once."""
    return (values.get("number") or "").strip() or None


def save_invoice(values: dict[str, str], actor: Any) -> Invoice:
    """Import one historical invoice or credit note, and its payment when given."""
    row = RowValues(values)
    business = row.lookup("business", _business)
    issue_date = row.date("issue_date")
    due_date = row.date("due_date")
    kind = row.choice("kind", Invoice.Kind, KIND_ALIASES, default=Invoice.Kind.INVOICE)
    description = row.text("description") or _("Reprise d'historique")
    lines = []
    for column, rate in RATE_COLUMNS.items():
        amount = row.decimal(column)
        if amount:
            lines.append(
                {
                    "description": description,
                    "unit_price": amount,
                    "vat_rate": rate,
                    "vat_exemption_reason": row.text("exemption_reason") if rate == 0 else "",
                }
            )
    if not lines and not row.errors:
        row.error("net_20", _("aucun montant HT : remplissez au moins une colonne net_…"))
    expected = row.decimal("total_incl_vat")
    if expected is not None and lines and not row.errors:
        total = compute_totals(
            [SimpleNamespace(discount_cents=0, quantity=Decimal(1), **line) for line in lines]
        ).incl_vat_cents
        if total != to_cents(expected):
            row.error(
                "total_incl_vat",
                _("le total TTC calculé (%(total)s) diffère de celui du fichier (%(expected)s)")
                % {"total": format_cents(total), "expected": format_cents(to_cents(expected))},
            )
    credited = None
    if kind == Invoice.Kind.CREDIT_NOTE:
        number = row.text("credited_number")
        credited = Invoice.objects.filter(number=number).first() if number else None
        if credited is None:
            row.error(
                "credited_number", _("un avoir indique la facture qu'il corrige, déjà importée")
            )
    paid = row.decimal("paid_amount")
    paid_date = row.date("paid_date")
    method = row.choice("payment_method", Payment.Method, METHOD_ALIASES, default="transfer")
    customer = _customer(row, business, actor) if business is not None else None
    row.check()
    with reported_as(
        "number", {"issue_date": "issue_date", "due_date": "due_date", "lines": "net_20"}
    ):
        invoice = invoice_import(
            actor=actor,
            business=business,
            customer=customer,
            number=row.text("number"),
            kind=kind,
            issue_date=issue_date,
            due_date=due_date,
            lines=lines,
            credited_invoice=credited,
        )
    if paid:
        with reported_as("paid_amount", {"date": "paid_date", "method": "payment_method"}):
            payment_record(
                actor=actor,
                invoice=invoice,
                amount_cents=to_cents(paid),
                method=method,
                date=paid_date or issue_date,
                reference=_("Reprise d'historique"),
            )
    return invoice


INVOICES = register(
    Importer(
        kind="invoices",
        label=gettext_lazy("Factures historiques"),
        required=tuple(c.name for c in COLUMNS if c.required),
        optional=tuple(c.name for c in COLUMNS if not c.required),
        save_row=save_invoice,
        columns=COLUMNS,
        doc=gettext_lazy(
            "Une ligne par facture ou avoir déjà émis ailleurs, avec son numéro d'origine et "
            "ses montants HT par taux de TVA. Les activités doivent exister ; les avoirs "
            "suivent la facture qu'ils corrigent."
        ),
        unique_key=unique_key,
        duplicate_message=gettext_lazy("numéro en double : déjà à la ligne %(line)s"),
    )
)
