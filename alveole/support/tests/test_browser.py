"""The signing journey on a phone: open the single-use link, draw, submit; it shows on the sheet."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from alveole.support import pdf, services
from alveole.support.models import Signature
from alveole.support.tests.conftest import future_slots, make_session, make_workshop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _draw(page) -> None:
    page.wait_for_selector("[data-signature-ready]")
    box = page.locator("canvas[data-signature-pad]").bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 20 + step * 22, y + box["height"] * (0.7 - 0.4 * (step % 2)), steps=3)
    page.mouse.up()


def test_a_trainee_signs_on_their_phone_with_a_single_use_link(
    personas, live_server, phone, monkeypatch, tmp_path
):
    session = make_session(
        make_workshop(trainer_user=personas.staff.user), personas.staff.user, future_slots()
    )
    enrolment = services.enrolment_create(
        actor=None, session=session, person=personas.entrepreneur.person, source="staff"
    )
    morning, afternoon = session.slot_list
    now = morning.starts_at + datetime.timedelta(minutes=10)
    monkeypatch.setattr(services, "_now", lambda: now)  # the live server runs in this process
    link = services.signing_link_create(
        actor=personas.staff.user, slot=morning, enrolment=enrolment
    )
    url = live_server.url + reverse("support:sign_with_link", args=[link.token])

    page = phone
    page.goto(url)
    assert page.get_by_role("heading", name="Signature de Alice Martin").is_visible()
    # Submitting without drawing is stopped in the page, nothing is posted.
    page.get_by_role("button", name="Valider ma signature").click()
    assert page.get_by_text("Dessinez votre signature avant de valider.").is_visible()
    assert Signature.objects.count() == 0
    _draw(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(tmp_path / "sign-phone.png"), full_page=True)
    page.get_by_role("button", name="Valider ma signature").click()
    page.get_by_text("Votre signature est enregistrée").wait_for()

    signature = Signature.objects.get()
    assert (signature.enrolment_id, signature.slot_id, signature.device) == (
        enrolment.pk,
        morning.pk,
        "own_device",
    )
    assert signature.ip_address == "127.0.0.1" and "Chrome" in signature.user_agent
    # The drawing is on the attendance sheet, in the HTML and as an image in the PDF.
    assert pdf.signature_data_url(signature) in pdf.attendance_sheet_html(session)
    reader = PdfReader(io.BytesIO(pdf.attendance_sheet_pdf(session)))
    assert len(reader.pages[0].images) == 1

    # The link cannot be used twice.
    response = page.goto(url)
    assert response.status == 410
    assert page.get_by_text("Ce lien de signature a déjà servi").is_visible()

    # A half-day that has not started yet cannot be signed.
    later = services.signing_link_create(
        actor=personas.staff.user, slot=afternoon, enrolment=enrolment
    )
    page.goto(live_server.url + reverse("support:sign_with_link", args=[later.token]))
    assert page.get_by_text("Cette demi-journée n'a pas commencé").is_visible()
    assert page.locator("canvas").count() == 0

    # Long after it ended, the same half-day cannot be signed any more either.
    too_late = afternoon.ends_at + datetime.timedelta(hours=3)
    monkeypatch.setattr(services, "_now", lambda: too_late)
    page.goto(live_server.url + reverse("support:sign_with_link", args=[later.token]))
    assert page.get_by_text("La feuille de présence de cette demi-journée est close").is_visible()
    assert page.locator("canvas").count() == 0
    assert Signature.objects.count() == 1
