"""An entrepreneur logs in on a phone and opens their business."""

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_entrepreneur_opens_their_business_on_a_phone(personas, live_server, phone, tmp_path):
    page = phone
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.get_by_label("Adresse e-mail").fill("alice@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Bonjour Alice").is_visible()
    # The phone layout collapses the menu behind its toggle.
    assert page.get_by_role("button", name="Ouvrir le menu").is_visible()
    page.get_by_role("link", name="Atelier Alice").click()
    page.wait_for_url(f"{live_server.url}/businesses/{personas.entrepreneur.business.pk}/")
    assert page.get_by_role("heading", name="Atelier Alice").is_visible()
    assert page.get_by_text("ALICE", exact=True).first.is_visible()
    assert "Bob Conseil" not in page.content()
    # Nothing overflows horizontally on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(tmp_path / "business-phone.png"), full_page=True)
    # Another entrepreneur's business is not found.
    response = page.goto(f"{live_server.url}/businesses/{personas.other_entrepreneur.business.pk}/")
    assert response.status == 404
