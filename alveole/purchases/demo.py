"""Demo data of purchases: suppliers, a year of supplier invoices per business (a few of them
received as e-invoices and checked), expense reports with receipts and trips.

`populate_demo(rng, today, businesses, actor)` is called by the demo generator; everything
goes through the services, so the demo obeys the same rules as real use. The same `rng`
seed gives the same data.
"""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PIL import Image, ImageDraw
from stdnum import iban as std_iban
from stdnum import luhn

from alveole.businesses.models import Business
from alveole.coop.models import Cooperative
from alveole.core.dates import add_months
from alveole.core.dates import today as real_today
from alveole.core.formatting import format_cents
from alveole.einvoicing import cii, totals, ubl
from alveole.einvoicing.document import (
    SCHEME_FRENCH_ELECTRONIC_ADDRESS,
    SCHEME_SIREN,
    Address,
    CreditTransfer,
    Identifier,
    Invoice,
    Line,
    Note,
    NoteSubject,
    Party,
    PaymentInstructions,
)
from alveole.purchases import services
from alveole.purchases.models import (
    ExpenseCategory,
    ExpenseReport,
    PurchaseCategory,
    Supplier,
    SupplierInvoice,
)

# name, city, postal code, category, lines: (description, unit, quantity range, unit price, VAT rate)
SUPPLIERS = [
    ("Papeterie de l'Adour", "Tarbes", "65000", PurchaseCategory.OTHER,
     [("Ramettes papier A4 recyclé", "", (2, 20), "4.90", "20"), ("Enveloppes kraft (boîte de 250)", "", (1, 4), "18.50", "20")]),
    ("Imprimerie du Gers", "Auch", "32000", PurchaseCategory.OTHER,
     [("Impression flyers A5 (500 ex.)", "", (1, 3), "62.00", "20"), ("Cartes de visite (250 ex.)", "", (1, 2), "29.00", "20")]),
    ("Grossiste Bio Occitanie", "Toulouse", "31000", PurchaseCategory.GOODS_FOR_RESALE,
     [("Farine de blé T80 (25 kg)", "sac", (1, 8), "31.20", "5.5"), ("Huile d'olive (5 l)", "bidon", (1, 6), "42.00", "5.5")]),
    ("Librairie des Arts", "Pau", "64000", PurchaseCategory.GOODS_FOR_RESALE,
     [("Livres pour revente", "", (3, 15), "14.50", "5.5")]),
    ("Atelier Bois & Cie", "Mirande", "32300", PurchaseCategory.GOODS_FOR_RESALE,
     [("Planches de chêne", "m", (4, 30), "18.75", "20"), ("Quincaillerie", "", (1, 3), "24.00", "20")]),
    ("Studio Graphique Pyrénées", "Lourdes", "65100", PurchaseCategory.SUBCONTRACTING,
     [("Création graphique", "h", (4, 16), "55.00", "20")]),
    ("Traductions Garonne", "Agen", "47000", PurchaseCategory.SUBCONTRACTING,
     [("Traduction anglais-français", "mot", (800, 4000), "0.11", "20")]),
    ("Développement Web Astarac", "Masseube", "32140", PurchaseCategory.SUBCONTRACTING,
     [("Développement du site", "j", (1, 5), "380.00", "20")]),
    ("Télécom du Sud-Ouest", "Toulouse", "31000", PurchaseCategory.OTHER,
     [("Abonnement mobile professionnel", "mois", (1, 1), "19.99", "20")]),
    ("Location Matériel 32", "Fleurance", "32500", PurchaseCategory.OTHER,
     [("Location vidéoprojecteur", "j", (1, 3), "35.00", "20"), ("Location sonorisation", "j", (1, 2), "60.00", "20")]),
    ("Hébergement Numérique Libre", "Bordeaux", "33000", PurchaseCategory.OTHER,
     [("Hébergement web annuel", "an", (1, 1), "96.00", "20"), ("Nom de domaine", "an", (1, 2), "12.00", "20")]),
    ("Formation Pro Midi", "Montauban", "82000", PurchaseCategory.OTHER,
     [("Formation comptabilité (exonérée)", "j", (1, 2), "250.00", "0")]),
]  # fmt: skip

EXPENSES = [
    (ExpenseCategory.MEALS, "Déjeuner avec un client", (1200, 4500), "10"),
    (ExpenseCategory.TRANSPORT, "Train Auch – Toulouse", (1500, 4200), "10"),
    (ExpenseCategory.TOLLS_PARKING, "Stationnement", (300, 1500), "20"),
    (ExpenseCategory.SUPPLIES, "Petites fournitures", (500, 6000), "20"),
    (ExpenseCategory.POSTAGE, "Envoi de colis", (700, 2500), "20"),
    (ExpenseCategory.ACCOMMODATION, "Nuit d'hôtel (salon professionnel)", (6500, 11000), "10"),
]
TRIPS = [
    ("Auch → Tarbes, rendez-vous client", Decimal("75")),
    ("Auch → Toulouse, salon", Decimal("80")),
    ("Mirande → Auch, atelier collectif", Decimal("25")),
    ("Tarbes → Pau, livraison", Decimal("42")),
    ("Condom → Agen, marché", Decimal("40")),
]


@dataclass
class DemoPurchases:
    """What `populate_demo` created."""

    suppliers: int = 0
    invoices: int = 0
    received: int = 0
    reports: int = 0
    lines: int = 0


def _siren(rng: random.Random, taken: set[str]) -> str:
    while True:
        base = "8" + "".join(str(rng.randint(0, 9)) for _ in range(7))
        siren = base + luhn.calc_check_digit(base)
        if siren not in taken and not Supplier.objects.filter(siren=siren).exists():
            taken.add(siren)
            return siren


def _vat(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def _iban(rng: random.Random) -> str:
    bban = "".join(str(rng.randint(0, 9)) for _ in range(23))
    return "FR" + std_iban.calc_check_digits("FR00" + bban) + bban


def _suppliers(rng: random.Random, result: DemoPurchases) -> list[tuple[Supplier, Any]]:
    taken: set[str] = set()
    pool = []
    for name, city, postal_code, category, lines in SUPPLIERS:
        supplier = Supplier.objects.filter(name=name).first()
        if supplier is None:
            siren = _siren(rng, taken)
            supplier = services.supplier_create(
                actor=None, name=name, siren=siren, vat_number=_vat(siren),
                address=f"{rng.randint(1, 80)} avenue de la République", postal_code=postal_code,
                city=city, email=f"compta@{name.lower().split()[0].replace("'", '')}.example",
                electronic_address=siren, electronic_address_scheme=SCHEME_FRENCH_ELECTRONIC_ADDRESS,
                iban=_iban(rng),
            )  # fmt: skip
            result.suppliers += 1
        pool.append((supplier, (category, lines)))
    return pool


def _lines(rng: random.Random, templates: list) -> list[dict[str, Any]]:
    chosen = rng.sample(templates, k=rng.randint(1, len(templates)))
    return [
        {
            "description": d,
            "unit": u,
            "quantity": rng.randint(*q),
            "unit_price": Decimal(p),
            "vat_rate": Decimal(r),
        }
        for d, u, q, p, r in chosen
    ]


def _advance(invoice: SupplierInvoice, *, actor: Any, age_days: int, day: datetime.date) -> None:
    """Older invoices are validated, the oldest paid, as a real back office would have."""
    if invoice.status != "assigned" or age_days < 15:
        return
    services.supplier_invoice_validate(actor=actor, invoice=invoice)
    if age_days >= 45:
        paid_on = min(invoice.due_date or day, day)
        services.supplier_invoice_pay(
            actor=actor, invoice=invoice, method="transfer", date=paid_on,
            reference=f"VIR-{paid_on:%Y%m%d}-{invoice.pk}",
        )  # fmt: skip


def _supplier_invoices(
    rng: random.Random, day: datetime.date, businesses: list[Business], pool: list, actor: Any,
    result: DemoPurchases, counters: dict[int, int],
) -> None:  # fmt: skip
    for business in businesses:
        for _ in range(rng.randint(2, 6)):
            supplier, (category, templates) = rng.choice(pool)
            age = rng.randint(0, 360)
            issue = max(day - datetime.timedelta(days=age), business.start_date)
            counters[supplier.pk] = counters.get(supplier.pk, rng.randint(100, 900)) + 1
            invoice = services.supplier_invoice_create(
                actor=actor, supplier=supplier, business=business,
                number=f"FA-{issue.year}-{counters[supplier.pk]:05d}", issue_date=issue,
                due_date=issue + datetime.timedelta(days=30), category=category,
                lines=_lines(rng, templates),
            )  # fmt: skip
            result.invoices += 1
            _advance(invoice, actor=actor, age_days=(day - issue).days, day=day)


def _party_of(supplier: Supplier) -> Party:
    return Party(
        name=supplier.name,
        legal_id=Identifier(supplier.siren, SCHEME_SIREN),
        vat_id=supplier.vat_number,
        electronic_address=Identifier(supplier.siren, SCHEME_FRENCH_ELECTRONIC_ADDRESS),
        address=Address(
            line1=supplier.address, city=supplier.city, postcode=supplier.postal_code, country="FR"
        ),
    )


def _cooperative_party() -> Party:
    cooperative = Cooperative.objects.order_by("pk").first()
    if cooperative is None:
        return Party(name="Coopérative", address=Address(country="FR"))
    return Party(
        name=cooperative.name,
        legal_id=Identifier(cooperative.siren, SCHEME_SIREN),
        vat_id=cooperative.vat_number,
        electronic_address=Identifier(cooperative.siren, SCHEME_FRENCH_ELECTRONIC_ADDRESS),
        address=Address(
            line1=cooperative.address,
            city=cooperative.city,
            postcode=cooperative.postal_code,
            country="FR",
        ),
    )


def _einvoice(
    rng: random.Random, supplier: Supplier, templates: list, number: str, issue: datetime.date,
    reference: str | None, iban: str,
) -> Invoice:  # fmt: skip
    lines = [
        Line(id=str(i), quantity=Decimal(line["quantity"]), unit_code="C62", net_price=line["unit_price"],
             vat_category="S" if line["vat_rate"] else "E", vat_rate=line["vat_rate"], name=line["description"])
        for i, line in enumerate(_lines(rng, templates), start=1)
    ]  # fmt: skip
    draft = Invoice(
        number=number,
        issue_date=issue,
        due_date=issue + datetime.timedelta(days=30),
        business_process="B1",
        buyer_reference=reference,
        notes=[
            Note("Pénalités de retard : taux BCE majoré de 10 points.", NoteSubject.PENALTIES),
            Note(
                "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
                NoteSubject.RECOVERY_INDEMNITY,
            ),
            Note("Pas d'escompte pour paiement anticipé.", NoteSubject.EARLY_PAYMENT_DISCOUNT),
            Note("B2B", NoteSubject.BILLING_PROCESS),
        ],
        seller=_party_of(supplier),
        buyer=_cooperative_party(),
        payment=PaymentInstructions(
            means_code="58", credit_transfers=[CreditTransfer(account_id=iban)]
        ),
        lines=lines,
    )
    invoice = totals.complete(draft)
    for breakdown in invoice.vat_breakdown:
        if breakdown.category == "E":
            breakdown.exemption_reason = "Exonération de TVA, art. 261-4-4° a du CGI"
            breakdown.exemption_reason_code = "VATEX-FR-CGI261-4"
    return invoice


def _received(
    rng: random.Random, day: datetime.date, businesses: list[Business], pool: list, actor: Any,
    result: DemoPurchases, counters: dict[int, int],
) -> None:  # fmt: skip
    """A few e-invoices received from suppliers: most name the business in the buyer reference
    (assigned at once), one does not (to assign), one asks to pay to a new IBAN (flagged)."""
    for index in range(min(6, 2 * len(businesses))):
        supplier, (category, templates) = pool[rng.randrange(len(pool))]
        business = businesses[index % len(businesses)]
        issue = day - datetime.timedelta(days=rng.randint(0, 20))
        counters[supplier.pk] = counters.get(supplier.pk, rng.randint(100, 900)) + 1
        reference = business.code if index % 3 != 1 else None
        iban = _iban(rng) if index == 2 else supplier.iban
        neutral = _einvoice(
            rng,
            supplier,
            templates,
            f"FE-{issue.year}-{counters[supplier.pk]:05d}",
            issue,
            reference,
            iban,
        )
        content, name = (
            (cii.to_cii(neutral), "factur-x.xml")
            if index % 2 == 0
            else (ubl.to_ubl(neutral), "facture-ubl.xml")
        )
        invoice = services.supplier_invoice_receive(
            actor=actor, content=content, filename=f"{neutral.number}-{name}", category=category,
            enqueue_validation=False,
        )  # fmt: skip
        services.supplier_invoice_check(invoice_id=invoice.pk)  # no worker in a demo build
        result.received += 1
        result.invoices += 1


def receipt_image(shop: str, amount_cents: int, day: datetime.date) -> bytes:
    """A small picture of a till receipt, as a phone would take it."""
    image = Image.new("RGB", (240, 180), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for y, text in (
        (12, shop),
        (40, day.strftime("%d/%m/%Y")),
        (68, "TOTAL TTC"),
        (92, format_cents(amount_cents)),
    ):
        draw.text((16, y), text, fill=(30, 30, 30))
    draw.line((16, 130, 224, 130), fill=(120, 120, 120))
    draw.text((16, 140), "Merci de votre visite", fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def _reports(
    rng: random.Random, day: datetime.date, businesses: list[Business], actor: Any, result: DemoPurchases
) -> None:  # fmt: skip
    for business in businesses:
        membership = business.main_membership
        if membership is None:
            continue
        person = membership.person
        horsepower = rng.choice([3, 4, 5, 5, 6, 7])
        for back in (3, 2, 1, 0):
            month = add_months(day.replace(day=1), -back)
            if month < business.start_date.replace(day=1) or rng.random() < 0.4:
                continue
            if ExpenseReport.objects.filter(person=person, business=business, month=month).exists():
                continue
            report = services.expense_report_create(
                actor=None, person=person, business=business, month=month
            )
            result.reports += 1
            last_day = min(add_months(month, 1) - datetime.timedelta(days=1), day)
            for _ in range(rng.randint(1, 3)):
                category, label, (low, high), rate = rng.choice(EXPENSES)
                amount = rng.randint(low, high)
                vat = round(amount * Decimal(rate) / (100 + Decimal(rate)))
                when = month + datetime.timedelta(days=rng.randint(0, (last_day - month).days))
                services.expense_line_add(
                    actor=None, report=report, date=when, category=category, description=label,
                    amount_cents=amount, vat_cents=int(vat),
                    receipt=receipt_image(label, amount, when), receipt_filename=f"ticket-{when:%Y%m%d}.jpg",
                )  # fmt: skip
                result.lines += 1
            for _ in range(rng.randint(0, 2)):
                label, km = rng.choice(TRIPS)
                when = month + datetime.timedelta(days=rng.randint(0, (last_day - month).days))
                services.expense_mileage_add(
                    actor=None, report=report, date=when, description=label, distance_km=km * 2,
                    horsepower=horsepower,
                )  # fmt: skip
                result.lines += 1
            if back == 0:
                continue  # this month's report is still being filled in
            services.expense_report_submit(actor=None, report=report)
            if back == 1 and rng.random() < 0.5:
                continue  # waiting for the support team
            if rng.random() < 0.15:
                services.expense_report_refuse(
                    actor=actor,
                    report=report,
                    reason="Justificatif illisible : merci de le reprendre en photo.",
                )
                continue
            services.expense_report_validate(actor=actor, report=report)
            if back >= 2:
                services.expense_report_pay(
                    actor=actor, report=report, method="transfer",
                    date=min(add_months(month, 1) + datetime.timedelta(days=9), day),
                    reference=f"NDF-{month:%Y%m}-{report.pk}",
                )  # fmt: skip


def populate_demo(
    rng: random.Random, today: datetime.date, businesses: Iterable[Business], actor: Any
) -> DemoPurchases:
    """Create the purchases of the demo cooperative for `businesses` up to `today`.

    `actor` is the staff member (or director) who receives, validates and pays; the
    entrepreneurs' own steps (reports, lines, submission) are recorded as the system.
    """
    day = min(today, real_today())  # the services refuse dates in the future
    chosen = sorted(businesses, key=lambda b: b.pk)
    result = DemoPurchases()
    if not chosen:
        return result
    pool = _suppliers(rng, result)
    counters: dict[int, int] = {}
    _supplier_invoices(rng, day, chosen, pool, actor, result, counters)
    _received(rng, day, chosen, pool, actor, result, counters)
    _reports(rng, day, chosen, actor, result)
    return result
