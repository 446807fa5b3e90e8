"""Expense reports: lines with receipts, mileage from the fiscal scale, submission,
validation or refusal, reimbursement, and who may do what."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alveole.businesses.models import Business
from alveole.businesses.services import business_create
from alveole.purchases import mileage, services
from alveole.purchases.models import ExpenseLine, ExpenseReport, MileageScale
from alveole.purchases.services import _scale_bands

from .conftest import jpeg_bytes, plain_pdf

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


def _report(persona, month=MARCH) -> ExpenseReport:
    return services.expense_report_create(
        actor=persona.user, person=persona.person, business=persona.business, month=month
    )


def _expense(persona, report, **fields) -> ExpenseLine:
    values = {
        "date": datetime.date(2026, 3, 12), "category": "meals", "description": "Déjeuner client",
        "amount_cents": 2750, "vat_cents": 250, "receipt": jpeg_bytes(), "receipt_filename": "ticket.jpg",
    }  # fmt: skip
    values.update(fields)
    return services.expense_line_add(actor=persona.user, report=report, **values)


def _trip(persona, report, km, hp=5, day=12, electric=False) -> ExpenseLine:
    return services.expense_mileage_add(
        actor=persona.user, report=report, date=datetime.date(2026, 3, day),
        description="Auch → Tarbes, client", distance_km=Decimal(km), horsepower=hp, electric=electric,
    )  # fmt: skip


def _rows() -> tuple:
    return (
        list(ExpenseReport.objects.order_by("pk").values()),
        list(ExpenseLine.objects.order_by("pk").values()),
    )


# --- the scale --------------------------------------------------------------------------


def test_the_2025_scale_is_loaded_with_its_source():
    scale = MileageScale.objects.in_force(datetime.date(2026, 6, 1))
    assert scale.year == 2025 and scale.bands.count() == 15
    assert "arrêté du 27 mars 2023" in scale.source
    bands = _scale_bands(scale)
    # The official examples: 5 CV, 4 000 km → 4 000 × 0,636; 12 000 km → 12 000 × 0,357 + 1 395
    assert mileage.yearly_amount_cents(bands, 5, Decimal(4000)) == 254400
    assert mileage.yearly_amount_cents(bands, 5, Decimal(12000)) == 567900
    assert mileage.yearly_amount_cents(bands, 7, Decimal(30000)) == 1410000
    assert mileage.yearly_amount_cents(bands, 2, Decimal(100)) == 5290
    assert mileage.yearly_amount_cents(bands, 5, Decimal(100), Decimal(20)) == 7632
    assert MileageScale.objects.in_force(datetime.date(2024, 12, 31)) is None


def test_trips_of_a_year_add_up_to_the_yearly_amount():
    bands = _scale_bands(MileageScale.objects.get(year=2025))
    before, paid = Decimal(0), 0
    for km in (Decimal("3000"), Decimal("2500.5"), Decimal("9000"), Decimal("7000")):
        paid += mileage.trip_amount_cents(bands, horsepower=4, distance=km, distance_before=before)
        before += km
    assert paid == mileage.yearly_amount_cents(bands, 4, before)


# --- lines ------------------------------------------------------------------------------


def test_report_with_expense_and_trips(personas, settings):
    alice = personas.entrepreneur
    report = _report(alice)
    line = _expense(alice, report)
    assert (line.receipt_content_type, line.receipt_filename) == ("image/jpeg", "ticket.jpg")
    assert line.receipt.name.endswith(".jpg") and "ticket" not in line.receipt.name
    pdf_line = _expense(alice, report, category="transport", description="Train", amount_cents=4200,
                        vat_cents=382, receipt=plain_pdf(), receipt_filename="billet.pdf")  # fmt: skip
    assert pdf_line.receipt_content_type == "application/pdf"
    first = _trip(alice, report, "4000")
    second = _trip(alice, report, "2000", day=20)
    assert first.amount_cents == 254400  # 4 000 × 0,636
    # 6 000 km in the year: 6 000 × 0,357 + 1 395 = 3 537,00, minus 2 544,00 already paid
    assert second.amount_cents == 99300
    assert second.year_distance_before_km == Decimal("4000.0")
    report.refresh_from_db()
    assert (report.total_cents, report.total_vat_cents) == (2750 + 4200 + 254400 + 99300, 250 + 382)


def test_an_electric_car_gets_the_bonus_and_is_another_vehicle(personas):
    alice = personas.entrepreneur
    report = _report(alice)
    _trip(alice, report, "4000")
    electric = _trip(alice, report, "100", electric=True)
    assert electric.amount_cents == 7632  # 100 × 0,636 × 1,2, not counted with the other car


def test_deleting_a_trip_reprices_the_later_ones(personas):
    alice = personas.entrepreneur
    report = _report(alice)
    first = _trip(alice, report, "4000")
    second = _trip(alice, report, "2000")
    services.expense_line_delete(actor=alice.user, line=first)
    second.refresh_from_db()
    assert (second.amount_cents, second.year_distance_before_km) == (127200, Decimal("0.0"))
    report.refresh_from_db()
    assert report.total_cents == 127200


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"receipt": b"MZ\x90\x00 not an image"}, "receipt"),
        ({"receipt": b""}, "receipt"),
        ({"amount_cents": 0}, "amount_cents"),
        ({"vat_cents": 5000}, "vat_cents"),
        ({"date": datetime.date(2026, 4, 2)}, "date"),
        ({"category": "mileage"}, "category"),
        ({"description": " "}, "description"),
    ],
)
def test_bad_expense_lines_are_refused_and_nothing_is_written(personas, settings, fields, key):
    alice = personas.entrepreneur
    report = _report(alice)
    before = _rows()
    with pytest.raises(ValidationError) as error:
        _expense(alice, report, **fields)
    assert key in error.value.message_dict
    assert _rows() == before
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_a_receipt_too_big_is_refused(personas, monkeypatch):
    monkeypatch.setattr("alveole.purchases.files.RECEIPT_MAX_BYTES", 100)
    alice = personas.entrepreneur
    with pytest.raises(ValidationError) as error:
        _expense(alice, _report(alice))
    assert "taille maximale" in error.value.message_dict["receipt"][0]


@pytest.mark.parametrize(
    ("km", "hp", "key"),
    [("0", 5, "distance_km"), ("6000", 5, "distance_km"), ("100", 0, "horsepower")],
)
def test_bad_trips_are_refused(personas, km, hp, key):
    alice = personas.entrepreneur
    report = _report(alice)
    with pytest.raises(ValidationError) as error:
        _trip(alice, report, km, hp=hp)
    assert key in error.value.message_dict
    assert not ExpenseLine.objects.exists()


def test_one_report_per_person_business_and_month(personas):
    alice = personas.entrepreneur
    _report(alice, datetime.date(2026, 3, 17))
    with pytest.raises(ValidationError) as error:
        _report(alice)
    assert "déjà une note de dépenses pour 03/2026" in error.value.message_dict["month"][0]
    with pytest.raises(ValidationError):
        services.expense_report_create(
            actor=alice.user,
            person=alice.person,
            business=personas.other_entrepreneur.business,
            month=MARCH,
        )
    with pytest.raises(PermissionDenied):
        services.expense_report_create(
            actor=personas.other_entrepreneur.user, person=alice.person, business=alice.business,
            month=datetime.date(2026, 4, 1),
        )  # fmt: skip
    assert ExpenseReport.objects.count() == 1


# --- the workflow -----------------------------------------------------------------------


def test_submit_refuse_correct_resubmit_validate_pay(personas):
    alice, staff = personas.entrepreneur, personas.staff.user
    report = _report(alice)
    with pytest.raises(ValidationError):
        services.expense_report_submit(actor=alice.user, report=report)  # empty
    line = _expense(alice, report)
    services.expense_report_submit(actor=alice.user, report=report)
    with pytest.raises(ValidationError):
        _expense(alice, report)  # submitted: frozen
    with pytest.raises(ValidationError) as error:
        services.expense_report_refuse(actor=staff, report=report, reason=" ")
    assert "reason" in error.value.message_dict
    services.expense_report_refuse(actor=staff, report=report, reason="Ticket illisible")
    report.refresh_from_db()
    assert (report.status, report.refusal_reason) == ("refused", "Ticket illisible")
    services.expense_line_delete(actor=alice.user, line=line)
    _expense(alice, report, receipt_filename="ticket-net.jpg")
    services.expense_report_submit(actor=alice.user, report=report)
    services.expense_report_validate(actor=personas.accountant.user, report=report)
    services.expense_report_pay(actor=personas.director.user, report=report, method="transfer",
                                date=datetime.date(2026, 4, 5), reference="NDF-03")  # fmt: skip
    report.refresh_from_db()
    assert (report.status, report.paid_on, report.refusal_reason) == (
        "paid",
        datetime.date(2026, 4, 5),
        "",
    )
    history = [(c.from_status, c.to_status, c.note) for c in report.state_changes.all()]
    assert history == [
        ("", "draft", ""),
        ("draft", "submitted", "27,50\u202f€"),
        ("submitted", "refused", "Ticket illisible"),
        ("refused", "submitted", "27,50\u202f€"),
        ("submitted", "validated", ""),
        ("validated", "paid", "05/04/2026 · Virement"),
    ]


def test_only_the_author_edits_and_only_staff_roles_decide(personas):
    alice, bob = personas.entrepreneur, personas.other_entrepreneur
    report = _report(alice)
    line = _expense(alice, report)
    before = _rows()
    for call in (
        lambda: _expense(bob, report),
        lambda: services.expense_line_delete(actor=bob.user, line=line),
        lambda: services.expense_report_submit(actor=personas.staff.user, report=report),
    ):
        with pytest.raises(PermissionDenied):
            call()
    services.expense_report_submit(actor=alice.user, report=report)
    before = _rows()
    for call in (
        lambda: services.expense_report_validate(actor=alice.user, report=report),
        lambda: services.expense_report_refuse(actor=bob.user, report=report, reason="non"),
        lambda: services.expense_report_pay(actor=alice.user, report=report, method="transfer"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert _rows() == before


def test_staff_cannot_validate_their_own_report(personas):
    sacha = personas.staff
    sacha.business = business_create(
        actor=None, main_person=sacha.person, name="Structure d'accompagnement", code="CAE",
        kind=Business.Kind.SUPPORT_STRUCTURE, start_date=datetime.date(2020, 1, 1),
    )  # fmt: skip
    report = _report(sacha)
    _expense(sacha, report)
    services.expense_report_submit(actor=sacha.user, report=report)
    with pytest.raises(PermissionDenied):
        services.expense_report_validate(actor=sacha.user, report=report)
