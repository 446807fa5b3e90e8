"""Objects of the entrepreneur persona's business, one of each kind a URL can point at.

The generated permission test (test_permission_matrix.py) fills every URL parameter from
here: the other entrepreneur must be refused these objects, the cooperative-wide roles see
them as the matrix says. Objects are made through the apps' services where they are simple
to make; an object that cannot be made here is replaced by an identifier that exists
nowhere (MISSING), and its routes are then checked for the answer to an unknown object.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.utils import timezone

logger = logging.getLogger(__name__)

MISSING = 999_999


class World(dict):
    """name → object (or MISSING); `pk(name)` gives the identifier for a URL."""

    def pk(self, name: str) -> Any:
        value = self.get(name, MISSING)
        return getattr(value, "pk", value)


def _make(world: World, name: str, build: Callable[[], Any]) -> None:
    try:
        world[name] = build()
    except Exception as error:  # a missing object only weakens its own routes' check
        logger.warning("route world: cannot make %s: %r", name, error)
        world[name] = MISSING


def build_world(personas: Any) -> World:
    world = World()
    alice = personas.entrepreneur
    business = alice.business
    staff_user = personas.staff.user
    today = timezone.localdate()
    world["person"] = alice.person
    world["business"] = business
    world["year"] = today.year

    # Sales: a customer, a quote, a draft and an issued invoice.
    def customer():
        from alveole.sales.tests.conftest import company

        return company(business)

    _make(world, "customer", customer)

    def quote():
        from alveole.sales.services import quote_create
        from alveole.sales.tests.conftest import LINES

        return quote_create(actor=None, business=business, customer=world["customer"], lines=LINES)

    _make(world, "quote", quote)

    def invoice():
        from alveole.sales.tests.conftest import issued

        return issued(business, world["customer"])

    _make(world, "invoice", invoice)

    def draft_invoice():
        from alveole.sales.tests.conftest import draft

        return draft(business, world["customer"])

    _make(world, "draft_invoice", draft_invoice)

    # Ledger: the entry of the issued invoice, an account, the fiscal year.
    def entry():
        from alveole.ledger.models import Entry

        return Entry.objects.order_by("pk").first() or MISSING

    _make(world, "entry", entry)
    world["account_number"] = "411000"

    def fiscal_year():
        from alveole.coop.models import FiscalYear

        return FiscalYear.objects.order_by("-start_date").first() or MISSING

    _make(world, "fiscal_year", fiscal_year)

    # Purchases: a supplier, a manual supplier invoice, an expense report with a receipt.
    def supplier():
        from alveole.purchases.tests.conftest import supplier as make_supplier

        return make_supplier()

    _make(world, "supplier", supplier)

    def purchase_invoice():
        from alveole.purchases.tests.conftest import manual_invoice

        return manual_invoice(business, supplier=world["supplier"])

    _make(world, "purchase_invoice", purchase_invoice)

    def expense_report():
        from alveole.purchases.services import expense_report_create

        return expense_report_create(
            actor=None, person=alice.person, business=business, month=today.replace(day=1)
        )

    _make(world, "expense_report", expense_report)

    def expense_line():
        from alveole.purchases.services import expense_line_add
        from alveole.purchases.tests.conftest import plain_pdf

        return expense_line_add(
            actor=None,
            report=world["expense_report"],
            date=today,
            category="other",
            description="Papeterie",
            amount_cents=1200,
            vat_cents=200,
            receipt=plain_pdf(),
            receipt_filename="ticket.pdf",
        )

    _make(world, "expense_line", expense_line)

    # Payroll: a month of pay and a contribution rule.
    def payroll_record():
        from alveole.payroll.tests.helpers import make_record

        return make_record(alice.person)

    _make(world, "payroll_record", payroll_record)

    def contribution_rule():
        from alveole.payroll.tests.helpers import make_rule

        return make_rule(business=business)

    _make(world, "contribution_rule", contribution_rule)

    # Coop: a grant, recorded as its pages record it: posted, so for the support structure.
    def grant():
        from alveole.businesses.models import Business
        from alveole.businesses.services import business_create
        from alveole.ledger.grants import grant_record

        if not Business.objects.filter(kind=Business.Kind.SUPPORT_STRUCTURE).exists():
            business_create(
                actor=None,
                name="Structure d'accompagnement",
                code="CAE",
                kind=Business.Kind.SUPPORT_STRUCTURE,
                start_date=datetime.date(2020, 1, 1),
            )
        return grant_record(
            actor=None,
            funder_kind="region",
            funder_name="Région Occitanie",
            programme="Accompagnement à la création",
            amount_cents=3_000_000,
            start_year=2025,
            end_year=2025,
            decision_date=datetime.date(2025, 2, 10),
        )

    _make(world, "grant", grant)

    # Support: workshop, session, slot, enrolment of Alice, appointment, next step.
    def workshop():
        from alveole.support.tests.conftest import make_workshop

        return make_workshop(trainer_user=staff_user)

    _make(world, "workshop", workshop)

    def session():
        from alveole.support.tests.conftest import future_slots, make_session

        return make_session(world["workshop"], staff_user, future_slots())

    _make(world, "session", session)

    def slot():
        return world["session"].slots.order_by("pk").first()

    _make(world, "slot", slot)

    def enrolment():
        from alveole.support.services import enrolment_create

        return enrolment_create(
            actor=None, session=world["session"], person=alice.person, source="staff"
        )

    _make(world, "enrolment", enrolment)

    def appointment():
        from alveole.support.appointments import appointment_create

        start = timezone.now() + datetime.timedelta(days=3)
        return appointment_create(
            actor=None,
            staff=staff_user,
            participants=[alice.person],
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            subject="Point d'étape",
        )

    _make(world, "appointment", appointment)

    def next_step():
        from alveole.support.appointments import next_step_add

        return next_step_add(
            actor=None,
            appointment=world["appointment"],
            description="Envoyer le devis",
            due_date=today + datetime.timedelta(days=10),
        )

    _make(world, "next_step", next_step)

    # Governance: Alice as an associate, an assembly with an agenda item.
    def associate():
        from alveole.governance.tests.conftest import make_associate

        return make_associate(person=alice.person)

    _make(world, "associate", associate)

    def subscription():
        from alveole.governance.models import ShareSubscription

        return ShareSubscription.objects.filter(person=alice.person).first() or MISSING

    _make(world, "subscription", subscription)

    def assembly():
        from alveole.governance.tests.conftest import make_assembly

        return make_assembly()

    _make(world, "assembly", assembly)

    def agenda_item():
        return world["assembly"].agenda.order_by("pk").first()

    _make(world, "agenda_item", agenda_item)

    return world
