"""On a phone: the dashboards and the report fit the screen, every figure readable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page, base: str, email: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_dashboards_and_report_on_a_phone(phone, coop_2025, live_server, tmp_path):
    # `phone` first: Chromium must start before the live server (see governance's test).
    page = phone
    _login(page, live_server.url, coop_2025.entrepreneur.user.email)
    page.goto(live_server.url + reverse("home"))
    assert page.get_by_role("heading", name="Mes activités").is_visible()
    assert page.get_by_text("Salaire brut mensuel possible").first.is_visible()
    assert _fits(page)
    page.screenshot(path=str(tmp_path / "home-entrepreneur.png"), full_page=True)
    page.context.clear_cookies()
    _login(page, live_server.url, coop_2025.staff.user.email)
    page.goto(live_server.url + reverse("home"))
    assert page.get_by_role("heading", name="Factures en retard").is_visible()
    assert _fits(page)
    page.goto(live_server.url + reverse("report", args=[2025]))
    figure = page.locator("#figure-entrepreneurs_turnover p.fs-4")
    assert figure.inner_text() == "2\u202f400\u202f€"
    assert figure.is_visible()
    assert _fits(page)
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
