"""On a phone, through the personal link: sign in online by drawing, vote secretly, change the vote."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alveole.governance import services
from alveole.governance.models import Attendance, Ballot, Convocation, VoteReceipt
from alveole.people.models import PersonKind

from .conftest import convene_and_open, make_assembly, make_associate, sign

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _draw(page) -> None:
    page.wait_for_selector("form[data-signature-ready]")
    box = page.locator("canvas#signature-pad").bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 20 + step * 22, y + box["height"] * (0.7 - 0.4 * (step % 2)), steps=3)
    page.mouse.up()


def test_an_associate_signs_and_votes_secretly_on_their_phone(
    phone, reseeded, associates, live_server, tmp_path
):
    # `phone` first: when Chromium starts after the live server, the test database
    # connection is replaced and later serialized-rollback tests lose their data.
    carol = make_associate(kind=PersonKind.EXTERNAL, first_name="Carol", last_name="Extérieure")
    assembly = convene_and_open(make_assembly())
    sign(assembly, associates.entrepreneur.person)
    resolution = services.resolution_add(
        actor=None, assembly=assembly, title="Élection au conseil", text="Élire Carol.", secret=True
    )
    services.resolution_open_vote(actor=None, resolution=resolution)
    links: list[str] = []
    services.convocation_resend(
        actor=None, convocation=Convocation.objects.get(assembly=assembly, person=carol),
        link_for=lambda token: links.append(token) or token,
    )  # fmt: skip
    page = phone
    page.goto(live_server.url + reverse("governance:token_participate", args=[links[0]]))
    assert page.get_by_role("heading", name="Assemblée générale annuelle").is_visible()
    page.get_by_role("link", name="Émarger en ligne").click()
    _draw(page)
    page.get_by_role("button", name="Valider ma signature").click()
    page.wait_for_selector("text=Votre présence en ligne est enregistrée.")
    attendance = Attendance.objects.get(assembly=assembly, person=carol)
    assert attendance.mode == "online" and bytes(attendance.signature_png).startswith(b"\x89PNG")

    page.get_by_label("Pour").check()
    page.get_by_role("button", name="Voter").click()
    page.wait_for_selector("text=Votre code secret")
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["for"]
    # Same phone: the remembered code lets Carol change her vote until the vote closes.
    page.get_by_label("Contre").check()
    page.get_by_role("button", name="Modifier mon vote").click()
    page.wait_for_selector("text=Votre vote secret est enregistré.")
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["against"]
    assert VoteReceipt.objects.filter(resolution=resolution).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(tmp_path / "vote-phone.png"), full_page=True)
