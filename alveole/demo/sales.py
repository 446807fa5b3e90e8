"""The demo's sales: customers, quotes, invoices, credit notes and payments per business.

Planned in memory first (amounts calibrated so that the entrepreneurs' turnover of the last
full year is the seed's, and the customer kinds share it in the seed's proportions), then
written in date order through `alveole.sales.services`, so that every number is drawn by
the real numbering series.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alveole.businesses.models import Business
from alveole.demo.draws import ascii_slug
from alveole.sales.models import Customer, Payment, Quote
from alveole.sales.services import (
    credit_note_create,
    customer_create,
    internal_customer_for,
    invoice_create,
    invoice_issue,
    payment_record,
    quote_accept,
    quote_create,
    quote_refuse,
    quote_send,
    quote_to_invoice,
    quotes_expire,
)

if TYPE_CHECKING:
    import random

    from alveole.demo.generator import DemoContext

D = datetime.date
DAYS = datetime.timedelta

#: The entrepreneurs' turnover (excl. VAT) of each full year, oldest first, at scale 1; the
#: last one is the seed's (2 218 653 €).
TURNOVER_BY_FULL_YEAR = (1_930_000, 2_020_000, 2_110_000, 2_218_653)
SUPPORT_STRUCTURE_TURNOVER = 37_000  # the support structure's external services
AVERAGE_INVOICE = 11_000  # euros excl. VAT: fewer, larger invoices keep the demo quick
#: The seed's turnover by customer kind.
KIND_SHARES = {
    Customer.Kind.COMPANY: 59,
    Customer.Kind.INDIVIDUAL: 25,
    Customer.Kind.PUBLIC_BODY: 9,
    Customer.Kind.ASSOCIATION: 7,
}
REGIONAL_SHARE = 0.68  # of turnover with customers in Occitanie
INTERNAL_SHARE = 0.03  # invoices to another business of the cooperative
QUOTED_SHARE = 0.15  # invoices that follow an accepted quote
LOST_QUOTES_PER_BUSINESS_YEAR = 0.15  # quotes refused or left to expire
CREDIT_NOTE_SHARE = 0.015

REGIONAL_TOWNS = (
    ("Auch", "32000", 6), ("Condom", "32100", 2), ("Fleurance", "32500", 2),
    ("L'Isle-Jourdain", "32600", 2), ("Mirande", "32300", 1), ("Eauze", "32800", 1),
    ("Tarbes", "65000", 5), ("Lourdes", "65100", 2), ("Lannemezan", "65300", 1),
    ("Bagnères-de-Bigorre", "65200", 1), ("Toulouse", "31000", 5), ("Colomiers", "31770", 1),
    ("Muret", "31600", 1), ("Saint-Gaudens", "31800", 1), ("Foix", "09000", 1),
    ("Pamiers", "09100", 1), ("Albi", "81000", 1), ("Castres", "81100", 1),
    ("Montauban", "82000", 1),
)  # fmt: skip
OTHER_TOWNS = (
    ("Pau", "64000", 4), ("Bayonne", "64100", 2), ("Oloron-Sainte-Marie", "64400", 1),
    ("Mont-de-Marsan", "40000", 2), ("Agen", "47000", 2), ("Bordeaux", "33000", 3),
    ("Paris", "75011", 2), ("Lyon", "69003", 1), ("Nantes", "44000", 1),
)  # fmt: skip

COMPANY_NAMES = (
    "Atelier", "Cabinet", "Domaine", "Garage", "Imprimerie", "Boulangerie", "Pharmacie",
    "Menuiserie", "Hôtel", "Camping", "Librairie", "Agence", "Transports", "Ferme",
)  # fmt: skip
COMPANY_FORMS = ("SARL", "SAS", "EURL", "SCOP", "SCIC")
ASSOCIATION_NAMES = (
    "Foyer rural", "Comité des fêtes", "Club de rugby", "Compagnie de théâtre", "Amicale",
    "Maison des jeunes", "Association des parents d'élèves", "Jardins partagés",
)  # fmt: skip
PUBLIC_NAMES = (
    "Mairie de {town}", "Communauté de communes de {town}", "Lycée de {town}",
    "Centre hospitalier de {town}", "Médiathèque de {town}", "Collège de {town}",
)  # fmt: skip
SURNAMES = (
    "Martin", "Bernard", "Dubois", "Laborde", "Lacoste", "Dupuy", "Castaing", "Pujol",
    "Lafon", "Sarrat", "Abadie", "Fourcade", "Carrère", "Darrieux", "Baylac", "Mengelle",
)  # fmt: skip

TRAINING_EXEMPTION = "Exonération de TVA, article 261-4-4° a du CGI (formation professionnelle)"
#: What each sector sells: (description, unit, typical unit price, VAT rate, nature).
CATALOGUE = {
    "formation-conseil": [
        ("Journée de formation", "jour", 900, "0", "service"),
        ("Accompagnement et conseil", "heure", 75, "20", "service"),
        ("Animation d'atelier collectif", "demi-journée", 450, "20", "service"),
    ],
    "tic": [
        ("Développement du site internet", "jour", 420, "20", "service"),
        ("Maintenance et hébergement", "mois", 60, "20", "service"),
        ("Conception graphique", "forfait", 800, "20", "service"),
    ],
    "sante": [
        ("Séance", "séance", 60, "0", "service"),
        ("Intervention en établissement", "heure", 70, "20", "service"),
    ],
    "artisanat-commerce": [
        ("Pièce réalisée sur commande", "pièce", 180, "20", "goods"),
        ("Fournitures et matériaux", "lot", 250, "20", "goods"),
        ("Main-d'œuvre", "heure", 45, "20", "service"),
    ],
    "habitat-espaces-verts": [
        ("Travaux d'entretien des espaces verts", "heure", 40, "10", "service"),
        ("Rénovation et décoration", "jour", 320, "10", "service"),
        ("Fournitures", "lot", 300, "20", "goods"),
    ],
    "arts-culture": [
        ("Représentation", "forfait", 1200, "5.5", "service"),
        ("Atelier artistique", "séance", 250, "20", "service"),
        ("Œuvre originale", "pièce", 600, "20", "goods"),
    ],
    "bien-etre": [
        ("Séance individuelle", "séance", 55, "20", "service"),
        ("Atelier collectif", "séance", 200, "20", "service"),
    ],
    "services-entreprises": [
        ("Prestation administrative", "heure", 45, "20", "service"),
        ("Mission de traduction", "forfait", 600, "20", "service"),
        ("Secrétariat à distance", "mois", 350, "20", "service"),
    ],
}
SUPPORT_CATALOGUE = [
    ("Formation à la création d'activité", "jour", 850, "0", "service"),
    ("Accompagnement de porteurs de projet (prescription)", "forfait", 1500, "0", "service"),
    ("Intervention : sensibilisation à l'entrepreneuriat coopératif", "demi-journée", 400, "20",
     "service"),
]  # fmt: skip


@dataclass(eq=False)
class PlannedInvoice:
    business: Business
    sector: str
    day: D
    amount: int  # euros excl. VAT
    kind: str = Customer.Kind.COMPANY
    regional: bool = True
    internal: Business | None = None
    quoted: bool = False
    credit: bool = False
    paid: str = "paid"  # "paid", "partly", "unpaid"
    pay_delay: int = 30
    lines: list[dict[str, Any]] = field(default_factory=list)


@dataclass(eq=False)
class LostQuote:
    business: Business
    sector: str
    day: D
    amount: int
    refused: bool


def _active_span(business: Business, year: int, today: D) -> tuple[D, D] | None:
    start = max(business.start_date, D(year, 1, 1))
    end = min(business.end_date or D(year, 12, 31), D(year, 12, 31), today - DAYS(days=1))
    return (start, end) if start <= end else None


def _random_day(rng: random.Random, span: tuple[D, D]) -> D:
    return span[0] + DAYS(days=rng.randint(0, (span[1] - span[0]).days))


def _lines(rng: random.Random, catalogue: list, amount: int) -> list[dict[str, Any]]:
    """One to three lines from the sector's catalogue adding up to about `amount` euros."""
    count = 1 if amount < 800 else rng.choice((1, 2, 2, 3))
    items = rng.sample(catalogue, min(count, len(catalogue)))
    weights = [rng.uniform(0.5, 1.5) for _ in items]
    lines = []
    for (description, unit, price, rate, nature), weight in zip(items, weights, strict=True):
        part = amount * weight / sum(weights)
        quantity = max(1, round(part / price))
        unit_price = Decimal(part / quantity).quantize(Decimal("0.01"))
        lines.append(
            {
                "description": description,
                "quantity": Decimal(quantity),
                "unit": unit,
                "unit_price": unit_price,
                "vat_rate": Decimal(rate),
                "vat_exemption_reason": TRAINING_EXEMPTION if rate == "0" else "",
                "nature": nature,
            }
        )
    return lines


class SalesPlanner:
    """Plans every business's sales for each year of the history (see the module doc)."""

    def __init__(self, ctx: DemoContext, rng: random.Random) -> None:
        self.ctx = ctx
        self.rng = rng
        self.invoices: list[PlannedInvoice] = []
        self.lost: list[LostQuote] = []

    def plan(self) -> None:
        ctx, rng = self.ctx, self.rng
        plans = {b.key: b for b in ctx.plan.businesses}
        businesses = [(ctx.businesses[key], plans[key].sector) for key in sorted(ctx.businesses)]
        # A business's yearly turnover at full activity: a wide, lognormal spread.
        level = {b.pk: rng.lognormvariate(0, 0.85) for b, _ in businesses}
        for year in range(ctx.plan.first_year, ctx.today.year + 1):
            planned: list[tuple[Business, str, tuple[D, D], float]] = []
            for business, sector in businesses:
                span = _active_span(business, year, ctx.today)
                if span is None:
                    continue
                weight = level[business.pk] * ((span[1] - span[0]).days + 1) / 365
                planned.append((business, sector, span, weight))
            if not planned:
                continue
            index = year - ctx.plan.first_year
            if index < len(TURNOVER_BY_FULL_YEAR):
                target = TURNOVER_BY_FULL_YEAR[index] * ctx.scale
            else:  # the current year to date, at the last full year's pace
                elapsed = (ctx.today - D(year, 1, 1)).days / 365
                target = TURNOVER_BY_FULL_YEAR[-1] * 1.04 * ctx.scale * elapsed
            factor = target / sum(weight for *_, weight in planned)
            year_invoices: list[PlannedInvoice] = []
            for business, sector, span, weight in planned:
                total = weight * factor
                count = max(1, min(10, round(total / AVERAGE_INVOICE * rng.uniform(0.7, 1.3))))
                shares = [rng.uniform(0.4, 1.6) for _ in range(count)]
                for share in shares:
                    amount = max(80, round(total * share / sum(shares)))
                    year_invoices.append(self._invoice(business, sector, span, amount))
                if rng.random() < LOST_QUOTES_PER_BUSINESS_YEAR:
                    self.lost.append(
                        LostQuote(
                            business,
                            sector,
                            _random_day(rng, span),
                            round(total / count * rng.uniform(0.5, 2)) + 100,
                            rng.random() < 0.5,
                        )
                    )
            self._assign_kinds(year_invoices)
            self.invoices += year_invoices
            self._support_structure(year)
        for invoice in self.invoices:
            catalogue = SUPPORT_CATALOGUE if invoice.sector == "" else CATALOGUE[invoice.sector]
            invoice.lines = _lines(rng, catalogue, invoice.amount)

    def _invoice(self, business: Business, sector: str, span: tuple[D, D], amount: int):
        rng = self.rng
        invoice = PlannedInvoice(business, sector, _random_day(rng, span), amount)
        invoice.regional = rng.random() < REGIONAL_SHARE
        invoice.quoted = rng.random() < QUOTED_SHARE and invoice.day - DAYS(30) > span[0]
        invoice.credit = rng.random() < CREDIT_NOTE_SHARE
        roll = rng.random()
        invoice.paid = "paid" if roll < 0.93 else "partly" if roll < 0.96 else "unpaid"
        invoice.pay_delay = rng.choice((0, 7, 15, 21, 30, 30, 45, 60, 75))
        return invoice

    def _assign_kinds(self, invoices: list[PlannedInvoice]) -> None:
        """Customer kinds in the seed's turnover proportions: the largest invoices first,
        each to the kind furthest below its share (a few internal sales count as companies)."""
        total = sum(i.amount for i in invoices)
        assigned = dict.fromkeys(KIND_SHARES, 0)
        for invoice in sorted(invoices, key=lambda i: (-i.amount, i.day, i.business.pk)):
            kind = max(KIND_SHARES, key=lambda k: KIND_SHARES[k] * total / 100 - assigned[k])
            invoice.kind = kind
            assigned[kind] += invoice.amount
        running = list(self.ctx.businesses.values())
        for invoice in invoices:
            if invoice.kind == Customer.Kind.COMPANY and self.rng.random() < INTERNAL_SHARE * 2:
                buyers = [
                    b
                    for b in running
                    if b.pk != invoice.business.pk
                    and b.start_date <= invoice.day
                    and (b.end_date is None or invoice.day <= b.end_date)
                ]
                if buyers:
                    invoice.internal = self.rng.choice(buyers)
                    invoice.regional = True

    def _support_structure(self, year: int) -> None:
        ctx, rng = self.ctx, self.rng
        span = _active_span(ctx.support_structure, year, ctx.today)
        if span is None:
            return
        fraction = ((span[1] - span[0]).days + 1) / 365
        total = SUPPORT_STRUCTURE_TURNOVER * fraction
        count = max(1, round(12 * fraction))
        for _ in range(count):
            invoice = self._invoice(
                ctx.support_structure, "", span, round(total / count * rng.uniform(0.6, 1.4))
            )
            invoice.kind = rng.choice(
                (Customer.Kind.PUBLIC_BODY, Customer.Kind.PUBLIC_BODY, Customer.Kind.ASSOCIATION)
            )
            invoice.regional = True
            self.invoices.append(invoice)


class SalesWriter:
    """Writes the planned sales through the services, in date order."""

    def __init__(self, ctx: DemoContext, rng: random.Random) -> None:
        self.ctx = ctx
        self.rng = rng
        self.customers: dict[tuple[int, str, bool], list[Customer]] = {}
        self.actors: dict[int, Any] = {}

    def actor(self, business: Business) -> Any:
        """The business's accompagnateur·rice when still active, else the director."""
        if business.pk not in self.actors:
            director = self.ctx.users.get("director")
            plan = next(
                (p for p in self.ctx.plan.businesses if self.ctx.businesses[p.key] == business),
                None,
            )
            user = self.ctx.actor_for(plan.main) if plan is not None else director
            self.actors[business.pk] = user if user is not None and user.is_active else director
        return self.actors[business.pk]

    def customer(self, invoice: PlannedInvoice) -> Customer:
        if invoice.internal is not None:
            return internal_customer_for(
                actor=self.actor(invoice.business), seller=invoice.business, buyer=invoice.internal
            )
        key = (invoice.business.pk, invoice.kind)
        pool = self.customers.setdefault(key, [])
        # A few regular customers per kind, and now and then a new one.
        if pool and (len(pool) >= 3 or self.rng.random() < 0.65):
            return self.rng.choice(pool)
        pool.append(self._new_customer(invoice))
        return pool[-1]

    def _new_customer(self, invoice: PlannedInvoice) -> Customer:
        rng = self.rng
        towns = REGIONAL_TOWNS if invoice.regional else OTHER_TOWNS
        town, postal_code, _ = rng.choices(towns, weights=[t[2] for t in towns])[0]
        kind = invoice.kind
        surname = rng.choice(SURNAMES)
        if kind == Customer.Kind.INDIVIDUAL:
            name = f"{rng.choice(('Mme', 'M.'))} {rng.choice('ABCDEFGHJLMNPRST')}. {surname}"
        elif kind == Customer.Kind.PUBLIC_BODY:
            name = rng.choice(PUBLIC_NAMES).format(town=town)
        elif kind == Customer.Kind.ASSOCIATION:
            name = f"{rng.choice(ASSOCIATION_NAMES)} de {town}"
        else:
            name = f"{rng.choice(COMPANY_NAMES)} {surname} {rng.choice(COMPANY_FORMS)}"
        slug = ascii_slug(surname)
        return customer_create(
            actor=self.actor(invoice.business),
            business=invoice.business,
            kind=kind,
            name=name,
            address=f"{rng.randint(1, 60)} rue {rng.choice(('du Moulin', 'de la Gare', 'Victor Hugo', 'des Écoles', 'Nationale'))}",
            postal_code=postal_code,
            city=town,
            email=f"contact.{slug}{rng.randint(1, 999)}@example.com",
        )

    def write(self, planner: SalesPlanner) -> None:
        ctx = self.ctx
        # (date, order, seq, what): quotes are sent before the invoices they become.
        events: list[tuple[D, int, int, str, Any]] = []
        for seq, invoice in enumerate(planner.invoices):
            if invoice.quoted:
                events.append(
                    (invoice.day - DAYS(self.rng.randint(10, 30)), 0, seq, "quote", invoice)
                )
            events.append((invoice.day, 1, seq, "invoice", invoice))
            if invoice.credit and invoice.day + DAYS(12) < ctx.today:
                events.append((invoice.day + DAYS(12), 2, seq, "credit", invoice))
        for seq, lost in enumerate(planner.lost, start=len(planner.invoices)):
            events.append((lost.day, 0, seq, "lost", lost))
        events.sort(key=lambda e: e[:3])
        quotes: dict[int, Quote] = {}
        issued: dict[int, Any] = {}
        for day, _, seq, what, item in ctx.bar(events, "Ventes"):
            if what == "quote":
                quotes[seq] = self._quote(item, day)
            elif what == "invoice":
                issued[seq] = self._invoice(item, quotes.pop(seq, None))
            elif what == "credit":
                self._credit(item, issued[seq], day)
            else:
                self._lost(item)
        quotes_expire(actor=ctx.users.get("director"), day=ctx.today)

    def _quote(self, invoice: PlannedInvoice, day: D) -> Quote:
        actor = self.actor(invoice.business)
        quote = quote_create(
            actor=actor,
            business=invoice.business,
            customer=self.customer(invoice),
            issue_date=day,
            validity_date=invoice.day,
            title=invoice.lines[0]["description"],
            lines=invoice.lines,
        )
        quote = quote_send(actor=actor, quote=quote, email=False)
        return quote_accept(actor=actor, quote=quote, day=day + DAYS(3))

    def _invoice(self, invoice: PlannedInvoice, quote: Quote | None) -> Any:
        ctx, actor = self.ctx, self.actor(invoice.business)
        if quote is not None:
            draft = quote_to_invoice(actor=actor, quote=quote)
        else:
            draft = invoice_create(
                actor=actor,
                business=invoice.business,
                customer=self.customer(invoice),
                title=invoice.lines[0]["description"],
                lines=invoice.lines,
            )
        issued = invoice_issue(actor=actor, invoice=draft, issue_date=invoice.day)
        if invoice.credit:
            return issued
        pay_day = invoice.day + DAYS(invoice.pay_delay)
        if invoice.paid == "unpaid" or pay_day >= ctx.today:
            return issued
        amount = issued.total_incl_vat_cents
        if invoice.paid == "partly":
            amount = math.floor(amount * self.rng.uniform(0.3, 0.7))
        method = (
            Payment.Method.CHEQUE
            if invoice.kind == Customer.Kind.INDIVIDUAL and self.rng.random() < 0.4
            else Payment.Method.TRANSFER
        )
        payment_record(
            actor=actor,
            invoice=issued,
            amount_cents=amount,
            method=method,
            date=pay_day,
            reference=f"Règlement {issued.number}",
        )
        return issued

    def _credit(self, invoice: PlannedInvoice, issued: Any, day: D) -> None:
        """A commercial gesture: a tenth of the first line credited."""
        actor = self.actor(invoice.business)
        line = dict(invoice.lines[0])
        line["description"] = f"Geste commercial — {line['description']}"
        line["quantity"] = Decimal(1)
        line["unit_price"] = (invoice.lines[0]["unit_price"] / 10).quantize(Decimal("0.01"))
        note = credit_note_create(
            actor=actor, invoice=issued, lines=[line], reason="Geste commercial"
        )
        invoice_issue(actor=actor, invoice=note, issue_date=day)

    def _lost(self, lost: LostQuote) -> None:
        planned = PlannedInvoice(lost.business, lost.sector, lost.day, lost.amount)
        planned.kind = Customer.Kind.COMPANY if self.rng.random() < 0.6 else "individual"
        planned.regional = self.rng.random() < REGIONAL_SHARE
        actor = self.actor(lost.business)
        quote = quote_create(
            actor=actor,
            business=lost.business,
            customer=self.customer(planned),
            issue_date=lost.day,
            validity_date=lost.day + DAYS(30),
            title="Proposition",
            lines=_lines(self.rng, CATALOGUE[lost.sector], lost.amount),
        )
        quote = quote_send(actor=actor, quote=quote, email=False)
        if lost.refused and lost.day + DAYS(10) < self.ctx.today:
            quote_refuse(actor=actor, quote=quote, day=lost.day + DAYS(10))


def step_sales(ctx: DemoContext) -> None:
    """Customers, quotes, invoices, credit notes and payments of every business."""
    planner = SalesPlanner(ctx, ctx.random("sales"))
    planner.plan()
    SalesWriter(ctx, ctx.random("sales-writer")).write(planner)
