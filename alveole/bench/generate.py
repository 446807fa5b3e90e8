"""The benchmark cooperative, written in bulk with the invariants the services keep.

What the services guarantee one document at a time, the generator keeps in bulk:

- invoice numbers come from the invoice series (`sales.numbering`), in date order, with no
  gap per counter, and the counters end on the last number drawn (the next issue follows);
- an invoice's totals are `sales.totals.compute_totals` of its lines; its paid amount is
  the sum of its payments, never more than its total, and its status follows;
- every ledger entry is built by `ledger.posting` (so it is balanced and uses the accounts
  the services use), numbered per journal and fiscal year without gap, and the journal
  sequences end on the last number given;
- a month of pay is charged in full to the entrepreneur's business;
- the books are closed (`ledger.services.period_close`) up to the end of the year before
  the last generated one, as an accountant would have done.

It never calls a service per invoice: at the full size (a million invoices) that would
take hours. It calls them for the few objects created once (the cooperative, users).
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from stdnum import luhn

from alveole.businesses.models import Business, Membership
from alveole.coop.models import FiscalYear, Sector
from alveole.coop.services import cooperative_setup
from alveole.core import bulk
from alveole.core.roles import Role
from alveole.ledger import posting
from alveole.ledger.bulk import letter_documents
from alveole.ledger.models import Entry, JournalSequence, Line
from alveole.ledger.posting import DocumentRef, EntryDraft, Party, SaleLine
from alveole.ledger.services import period_close
from alveole.payroll.models import PayrollCharge, PayrollRecord
from alveole.people.models import Contract, Person, PersonKind, User
from alveole.people.services import user_create
from alveole.purchases.models import (
    PurchaseCategory,
    Supplier,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierInvoiceStatus,
    SupplierInvoiceVat,
)
from alveole.sales.mentions import customer_snapshot, seller_snapshot
from alveole.sales.models import (
    Customer,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberingCounter,
    Payment,
)
from alveole.sales.numbering import counter_key, series_for
from alveole.sales.totals import compute_totals

from .sizes import Size

BATCH = 5_000
BUSINESSES_PER_CHUNK = 20
PASSWORD = "bench-alveole-2026"  # noqa: S105 - a throwaway database's accounts
VAT_RATES = (Decimal("20"), Decimal("20"), Decimal("20"), Decimal("10"), Decimal("5.5"))
SERVICES = ("Accompagnement", "Atelier", "Formation", "Conseil", "Animation", "Création")
GOODS = ("Livre", "Poterie", "Panier", "Affiche", "Savon")


@dataclass
class Generated:
    """What the generator wrote: the objects measurements need, and the counts and times."""

    size: Size
    years: list[int]
    businesses: list[Business]
    support: Business
    staff: User
    accountant: User
    entrepreneur_user: User
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


class _Ledger:
    """Numbers entries per journal and fiscal year and writes them with their lines."""

    def __init__(self, fiscal_years: dict[int, FiscalYear], counts: dict[str, int]) -> None:
        self.fiscal_years = fiscal_years
        self.numbers: dict[tuple[str, int], int] = defaultdict(int)
        self.drafts: list[EntryDraft] = []
        self.counts = counts
        self.now = timezone.now()

    def add(self, draft: EntryDraft | None) -> None:
        if draft is None:
            return
        assert draft.is_balanced, draft
        self.drafts.append(draft)

    def flush(self) -> None:
        entries = []
        for draft in self.drafts:
            fiscal_year = self.fiscal_years[draft.date.year]
            key = (draft.journal, fiscal_year.pk)
            self.numbers[key] += 1
            entries.append(
                Entry(
                    journal_id=draft.journal, fiscal_year=fiscal_year, number=self.numbers[key],
                    date=draft.date, label=draft.label[:200], event=draft.event,
                    document_kind=draft.document.kind, document_number=draft.document.number,
                    document_date=draft.document.date, document_id=draft.document.id,
                    validated_at=self.now, debit_cents=draft.debit_cents,
                    credit_cents=draft.credit_cents,
                )
            )  # fmt: skip
        bulk.insert(entries, with_ids=True)
        lines = [
            Line(
                entry=entry, position=position, date=draft.date, journal_id=draft.journal,
                account_id=line.account, business_id=line.business_id,
                label=(line.label or draft.label)[:200], debit_cents=line.debit_cents,
                credit_cents=line.credit_cents, auxiliary_number=line.auxiliary_number,
                auxiliary_label=line.auxiliary_label, base_cents=line.base_cents,
                match_ref=line.match_ref,
            )
            for entry, draft in zip(entries, self.drafts, strict=True)
            for position, line in enumerate(draft.lines, start=1)
        ]  # fmt: skip
        bulk.insert(lines)
        # As the posting services do: a document's open items on a third-party account are
        # lettered once they net to zero within the fiscal year (an invoice and its payment).
        # Without it every customer and supplier line would stay an open item, which no
        # cooperative's books look like, and the open items' index would hold them all.
        letter_documents(
            {
                (entry.fiscal_year.pk, line.account, line.match_ref)
                for entry, draft in zip(entries, self.drafts, strict=True)
                for line in draft.lines
                if line.match_ref
            }
        )
        self.counts["ledger entries"] += len(entries)
        self.counts["ledger lines"] += len(lines)
        self.drafts = []

    def close(self) -> None:
        """The journal sequences end on the last number given: `entry_post` follows on."""
        for (journal, fiscal_year_id), last in self.numbers.items():
            JournalSequence.objects.update_or_create(
                journal_id=journal, fiscal_year_id=fiscal_year_id, defaults={"last_number": last}
            )


def generate(
    size: Size,
    *,
    today: datetime.date | None = None,
    seed: int = 2026,
    progress: Callable[[int, str], Any] | None = None,
) -> Generated:
    """Write the cooperative of `size` for the complete years before `today`."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(seed)
    years = list(range(today.year - size.years, today.year))
    generated = _setup(size, years, today, rng)
    fiscal_years = {
        year: FiscalYear.objects.get_or_create(
            start_date=datetime.date(year, 1, 1), end_date=datetime.date(year, 12, 31)
        )[0]
        for year in [*years, today.year]
    }
    ledger = _Ledger(fiscal_years, generated.counts)
    counters: dict[tuple[int, str], tuple[int, datetime.date]] = {}
    customers = _customers(generated, rng)
    suppliers = _suppliers(generated)
    snapshots: dict[int, dict] = {}
    persons = dict(Membership.objects.filter(is_main=True).values_list("business_id", "person_id"))
    bar = progress or (lambda _n, _label: None)
    for year in years:
        for chunk in _chunks(generated.businesses, BUSINESSES_PER_CHUNK):
            with transaction.atomic():
                _sales(generated, chunk, year, today, rng, customers, snapshots, counters, ledger)
                _purchases(generated, chunk, year, rng, suppliers, ledger)
                _payroll(generated, chunk, year, rng, persons, generated.support, ledger)
                ledger.flush()
            bar(len(chunk) * size.invoices_per_year, f"{year}")
    with transaction.atomic():
        ledger.close()
        _close_counters(counters)
    if len(years) > 1:
        # As the accountant does: the books are closed up to the end of the year before
        # last (the treasury then reads the balances kept at the closing and the lines after).
        with transaction.atomic():
            period_close(actor=generated.accountant, through=datetime.date(years[-2], 12, 31))
    if connection.vendor == "postgresql":
        # As autovacuum does after a bulk load (it may be off on a development server): the
        # planner needs row counts, or it plans for empty tables (nested loops over 10 000
        # rows estimated at 85).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    generated.seconds = time.perf_counter() - started
    return generated


def generated_from_database(size: Size) -> Generated:
    """What `generate` returned, read back from a database it wrote (kept with `--keep`)."""
    businesses = list(Business.objects.exclude(kind=Business.Kind.SUPPORT_STRUCTURE).order_by("pk"))
    if not businesses:
        raise ValueError("aucune activité : ce n'est pas une base écrite par alveole bench")
    # The generated years are those of the pay (the measurements write invoices of today).
    years = [day.year for day in PayrollRecord.objects.dates("month", "year")]
    generated = Generated(
        size=size, years=years, businesses=businesses,
        support=Business.objects.get(kind=Business.Kind.SUPPORT_STRUCTURE),
        staff=User.objects.get(email="staff@bench.example"),
        accountant=User.objects.get(email="compta@bench.example"),
        entrepreneur_user=User.objects.get(email="e0@bench.example"),
    )  # fmt: skip
    for label, model in (
        ("invoices", Invoice), ("invoice lines", InvoiceLine), ("payments", Payment),
        ("ledger entries", Entry), ("ledger lines", Line),
    ):  # fmt: skip
        generated.counts[label] = model.objects.count()
    return generated


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _setup(size: Size, years: list[int], today: datetime.date, rng: random.Random) -> Generated:
    with transaction.atomic():
        cooperative_setup(
            actor=None, name="Coopérative de mesure", siren="912345675", siret="91234567500009",
            rcs_city="Auch", vat_number="FR65912345675", address="1 rue de la Mesure",
            postal_code="32000", city="Auch",
        )  # fmt: skip
        staff = user_create(
            actor=None, email="staff@bench.example", role=Role.STAFF, password=PASSWORD
        )
        accountant = user_create(
            actor=None, email="compta@bench.example", role=Role.ACCOUNTANT, password=PASSWORD
        )
        start = datetime.date(years[0], 1, 1)
        support = Business.objects.create(
            name="Structure d'accompagnement", code="CAE",
            kind=Business.Kind.SUPPORT_STRUCTURE, start_date=start,
        )  # fmt: skip
        sectors = list(Sector.objects.order_by("pk"))
        people = Person.objects.bulk_create(
            Person(
                kind=PersonKind.ENTREPRENEUR, first_name=f"Prénom{n}", last_name=f"Nom{n:05d}",
                birth_date=datetime.date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
                email=f"e{n}@bench.example", department=("32", "31", "65", "82")[n % 4],
                postal_code="32000", city="Auch",
            )
            for n in range(size.entrepreneurs)
        )  # fmt: skip
        Contract.objects.bulk_create(
            Contract(
                person=person, kind=Contract.Kind.CESA, start_date=start,
                monthly_hours=Decimal("70"),
            )
            for person in people
        )  # fmt: skip
        businesses = Business.objects.bulk_create(
            Business(
                name=f"Activité {n}", code=f"E{n:05d}", start_date=start,
                sector=sectors[n % len(sectors)] if sectors else None,
            )
            for n in range(size.entrepreneurs)
        )  # fmt: skip
        Membership.objects.bulk_create(
            Membership(business=business, person=person, is_main=True, start_date=start)
            for business, person in zip(businesses, people, strict=True)
        )
        entrepreneur_user = user_create(
            actor=None, email="e0@bench.example", role=Role.ENTREPRENEUR, password=PASSWORD,
            person=people[0],
        )  # fmt: skip
    generated = Generated(
        size=size, years=years, businesses=businesses, support=support, staff=staff,
        accountant=accountant, entrepreneur_user=entrepreneur_user,
    )  # fmt: skip
    generated.counts["people"] = len(people) * 2  # with their contracts
    generated.counts["businesses"] = len(businesses) * 2  # with their memberships
    return generated


def _customers(generated: Generated, rng: random.Random) -> dict[int, list[Customer]]:
    per = generated.size.customers
    created = Customer.objects.bulk_create(
        (
            Customer(
                business=business, kind=Customer.Kind.COMPANY,
                name=f"Client {k} de {business.code}", address=f"{k} rue du Commerce",
                postal_code="31000", city="Toulouse", email=f"c{k}@client.example",
                siren=_siren(80_000_000 + business.pk * per + k),
            )
            for business in generated.businesses
            for k in range(per)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    generated.counts["customers"] += len(created)
    by_business: dict[int, list[Customer]] = defaultdict(list)
    for customer in created:
        by_business[customer.business_id].append(customer)
    return by_business


def _siren(base: int) -> str:
    """A valid SIREN (8 digits and the Luhn check digit): e-invoicing requires the buyer's."""
    digits = f"{base % 100_000_000:08d}"
    return digits + luhn.calc_check_digit(digits)


def _suppliers(generated: Generated) -> list[Supplier]:
    suppliers = Supplier.objects.bulk_create(
        Supplier(name=f"Fournisseur {k}", city="Auch", postal_code="32000") for k in range(50)
    )
    generated.counts["suppliers"] += len(suppliers)
    return suppliers


def _days(rng: random.Random, year: int, count: int) -> list[datetime.date]:
    first = datetime.date(year, 1, 1)
    span = (datetime.date(year, 12, 31) - first).days
    return sorted(first + datetime.timedelta(days=rng.randint(0, span)) for _ in range(count))


def _sales(
    generated: Generated,
    businesses: list[Business],
    year: int,
    today: datetime.date,
    rng: random.Random,
    customers: dict[int, list[Customer]],
    snapshots: dict[int, dict],
    counters: dict[tuple[int, str], tuple[int, datetime.date]],
    ledger: _Ledger,
) -> None:
    series = series_for(DocumentKind.INVOICE)
    sellers: dict[int, dict] = {}
    issued_at = timezone.now()
    invoices: list[Invoice] = []
    invoice_lines: list[list[InvoiceLine]] = []
    amounts: list[posting.SaleAmounts] = []
    for business in businesses:
        for seq, day in enumerate(_days(rng, year, generated.size.invoices_per_year), start=1):
            customer = rng.choice(customers[business.pk])
            if customer.pk not in snapshots:
                if business.pk not in sellers:  # what `document_snapshot` gives, in parts
                    sellers[business.pk] = seller_snapshot(business, day)
                snapshots[customer.pk] = {
                    "seller": sellers[business.pk],
                    "customer": customer_snapshot(customer),
                }
            lines = []
            for position in range(1, rng.randint(1, 3) + 1):
                goods = rng.random() < 0.2
                lines.append(
                    InvoiceLine(
                        position=position,
                        description=rng.choice(GOODS if goods else SERVICES),
                        quantity=Decimal(rng.randint(1, 10)),
                        unit_price=Decimal(rng.randint(2_000, 60_000)) / 100,
                        vat_rate=rng.choice(VAT_RATES),
                        nature="goods" if goods else "service",
                    )
                )
            totals = compute_totals(lines)
            for line, net in zip(lines, totals.line_nets, strict=True):
                line.net_cents = net
            sale = posting.sale_amounts(
                [SaleLine(line.nature, line.vat_rate, line.net_cents) for line in lines],
                {vat.rate: vat.vat_cents for vat in totals.vat_lines},
            )
            key = counter_key(series, business=business, day=day)
            counters[(series.pk, key)] = (seq, day)
            invoices.append(
                Invoice(
                    business=business, customer=customer, status=InvoiceStatus.ISSUED,
                    number=series.render(seq=seq, day=day, code=business.code),
                    issue_date=day, supply_date=day, due_date=day + datetime.timedelta(days=30),
                    total_excl_vat_cents=totals.excl_vat_cents, total_vat_cents=totals.vat_cents,
                    total_incl_vat_cents=totals.incl_vat_cents,
                    snapshot=snapshots[customer.pk], issued_at=issued_at,
                )
            )  # fmt: skip
            invoice_lines.append(lines)
            amounts.append(sale)
    # What each customer paid is decided first: an invoice is written once, with its
    # paid amount and status (an issued invoice is never updated in bulk).
    settlements: list[tuple[int, datetime.date] | None] = []
    for invoice in invoices:
        draw = rng.random()
        if draw < 0.05:
            settlements.append(None)  # still owed
            continue
        total = invoice.total_incl_vat_cents
        amount = total if draw >= 0.1 else total // 2
        assert invoice.issue_date is not None
        day = min(invoice.issue_date + datetime.timedelta(days=rng.randint(5, 60)), today)
        settlements.append((amount, day))
        invoice.paid_cents = amount
        invoice.status = InvoiceStatus.PAID if amount == total else InvoiceStatus.PARTLY_PAID
    bulk.insert(invoices, with_ids=True)
    rows = []
    for invoice, lines in zip(invoices, invoice_lines, strict=True):
        for line in lines:
            line.invoice = invoice
            rows.append(line)
    # The manager refuses lines of an issued invoice (they are frozen with it): these lines
    # are the invoice's own, written with it, as `invoice_issue` freezes a draft's lines.
    bulk.insert(rows)
    payments = []
    for invoice, sale, settlement in zip(invoices, amounts, settlements, strict=True):
        customer = Party(f"C{invoice.customer_id:07d}", invoice.customer.name)
        ledger.add(
            posting.invoice_issued(
                document=DocumentRef("invoice", invoice.number, invoice.issue_date, str(invoice.pk)),
                business_id=invoice.business_id, customer=customer, amounts=sale,
                vat_on_debits=False,
            )
        )  # fmt: skip
        if settlement is None:
            continue
        amount, day = settlement
        payment = Payment(
            invoice=invoice, date=day, amount_cents=amount, method=Payment.Method.TRANSFER,
            reference=f"VIR {invoice.number}",
        )  # fmt: skip
        payments.append(payment)
        ledger.add(
            posting.payment_received(
                document=DocumentRef("payment", payment.reference, day),
                business_id=invoice.business_id, customer=customer, amount_cents=amount,
                settles=invoice.number,
                shares=posting.payment_shares(
                    amount_cents=amount, paid_before_cents=0, invoice=sale, vat_on_debits=False
                ),
            )
        )  # fmt: skip
    bulk.insert(payments)
    by_month: dict[tuple[int, int], int] = defaultdict(int)
    for invoice in invoices:
        by_month[(invoice.business_id, invoice.issue_date.month)] += invoice.total_excl_vat_cents
    for (business_id, month), net in sorted(by_month.items()):
        business = next(b for b in businesses if b.pk == business_id)
        end = datetime.date(year, month, 28)
        ledger.add(
            posting.contribution(
                document=DocumentRef("contribution", f"CT-{business.code}-{year}{month:02d}", end),
                business_id=business_id, business_code=business.code,
                support_business_id=generated.support.pk, amount_cents=net * 11 // 100,
                period_label=f"{month:02d}/{year}",
            )
        )  # fmt: skip
    counts = generated.counts
    counts["invoices"] += len(invoices)
    counts["invoice lines"] += len(rows)
    counts["payments"] += len(payments)


def _purchases(
    generated: Generated,
    businesses: list[Business],
    year: int,
    rng: random.Random,
    suppliers: list[Supplier],
    ledger: _Ledger,
) -> None:
    invoices: list[SupplierInvoice] = []
    for business in businesses:
        per_year = generated.size.purchases_per_year
        for k, day in enumerate(_days(rng, year, per_year)):
            net = rng.randint(2_000, 80_000)
            vat = net // 5
            paid_on = day + datetime.timedelta(days=rng.randint(1, 30))
            invoices.append(
                SupplierInvoice(
                    supplier=rng.choice(suppliers), business=business,
                    number=f"F-{business.code}-{year}-{k:03d}", status=SupplierInvoiceStatus.PAID,
                    category=PurchaseCategory.OTHER, issue_date=day,
                    due_date=day + datetime.timedelta(days=30), total_excl_vat_cents=net,
                    total_vat_cents=vat, total_incl_vat_cents=net + vat, due_cents=net + vat,
                    paid_on=paid_on, payment_method="transfer", title="Fournitures",
                )
            )  # fmt: skip
    SupplierInvoice.objects.bulk_create(invoices, batch_size=BATCH)
    bulk.insert(
        [
            SupplierInvoiceLine(
                invoice=invoice, position=1, description="Fournitures", quantity=Decimal(1),
                unit_price=Decimal(invoice.total_excl_vat_cents) / 100, vat_category="S",
                vat_rate=Decimal(20), net_cents=invoice.total_excl_vat_cents,
                vat_cents=invoice.total_vat_cents,
            )
            for invoice in invoices
        ],
    )  # fmt: skip
    bulk.insert(
        [
            SupplierInvoiceVat(
                invoice=invoice, vat_category="S", vat_rate=Decimal(20),
                basis_cents=invoice.total_excl_vat_cents, vat_cents=invoice.total_vat_cents,
                deductible_vat_cents=invoice.total_vat_cents,
            )
            for invoice in invoices
        ],
    )  # fmt: skip
    for invoice in invoices:
        supplier = Party(f"F{invoice.supplier_id:07d}", invoice.supplier.name)
        document = DocumentRef(
            "supplier_invoice", invoice.number, invoice.issue_date, str(invoice.pk)
        )
        ledger.add(
            posting.supplier_invoice_validated(
                document=document, business_id=invoice.business_id, supplier=supplier,
                category=invoice.category, excl_vat_cents=invoice.total_excl_vat_cents,
                deductible_vat_cents=invoice.total_vat_cents,
            )
        )  # fmt: skip
        assert invoice.paid_on is not None
        ledger.add(
            posting.supplier_invoice_paid(
                document=DocumentRef("supplier_payment", invoice.number, invoice.paid_on),
                business_id=invoice.business_id, supplier=supplier,
                amount_cents=invoice.total_incl_vat_cents, settles=invoice.number,
            )
        )  # fmt: skip
    generated.counts["supplier invoices"] += len(invoices) * 3  # with their line and VAT row


def _payroll(
    generated: Generated,
    businesses: list[Business],
    year: int,
    rng: random.Random,
    persons: dict[int, int],
    support: Business,
    ledger: _Ledger,
) -> None:
    records: list[PayrollRecord] = []
    charged: list[Business] = []
    for business in businesses:
        for month in range(1, 13):
            gross = rng.randint(80_000, 250_000)
            employee = gross * 22 // 100
            employer = gross * 40 // 100
            reduction = min(employer, gross * 10 // 100)
            records.append(
                PayrollRecord(
                    person_id=persons[business.pk], month=datetime.date(year, month, 1),
                    gross_cents=gross, employee_contributions_cents=employee,
                    employer_contributions_cents=employer, reduction_cents=reduction,
                    net_cents=gross - employee, paid_hours_hundredths=7_000,
                )
            )  # fmt: skip
            charged.append(business)
    PayrollRecord.objects.bulk_create(records, batch_size=BATCH)
    bulk.insert(
        [
            PayrollCharge(record=record, business=business, amount_cents=record.employer_cost_cents)
            for record, business in zip(records, charged, strict=True)
        ],
    )
    for record, business in zip(records, charged, strict=True):
        person = Party(f"P{record.person_id:07d}", f"Salarié·e {business.code}")
        end = datetime.date(year, record.month.month, 28)
        label = f"{business.code}-{record.month:%Y%m}"
        ledger.add(
            posting.payroll_month(
                document=DocumentRef("payroll", label, end, str(record.pk)), person=person,
                gross_cents=record.gross_cents,
                employee_contributions_cents=record.employee_contributions_cents,
                employer_contributions_cents=record.employer_contributions_cents,
                reduction_cents=record.reduction_cents, net_cents=record.net_cents,
                charges=[(business.pk, record.employer_cost_cents)],
            )
        )  # fmt: skip
        ledger.add(
            posting.payroll_paid(
                document=DocumentRef("salary_payment", label, end), person=person,
                amount_cents=record.net_cents, settles=label,
            )
        )  # fmt: skip
    generated.counts["payroll records"] += len(records) * 2  # with their charge


def _close_counters(counters: dict[tuple[int, str], tuple[int, datetime.date]]) -> None:
    """Each counter ends on its last number: the next `invoice_issue` follows without gap."""
    NumberingCounter.objects.bulk_create(
        (
            NumberingCounter(series_id=series_id, key=key, last_value=last, last_date=day)
            for (series_id, key), (last, day) in counters.items()
        ),
        batch_size=BATCH,
    )
