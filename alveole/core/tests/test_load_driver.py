"""The load test's driver replays the journeys against a live server and counts as an
error whatever is not the page the journey expects (a redirect to the second factor, a
refused code), so that its figures are those of pages really served."""

from __future__ import annotations

import asyncio
import io

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from alveole.core.roles import Role
from alveole.people.services import api_token_create
from alveole.sales.tests.conftest import company
from tests.factories import PASSWORD, make_business, make_entrepreneur, make_user

httpx = pytest.importorskip("httpx", reason="le pilote du test de charge utilise httpx")

from alveole.bench.load import _totp, run  # noqa: E402 - after the skip

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _accounts(*, staff_key: str | None) -> list[dict]:
    person = make_entrepreneur()
    business = make_business(person)
    customer = company(business)
    user = make_user(Role.ENTREPRENEUR, person=person)
    _token, raw = api_token_create(actor=None, user=user, name="charge")
    staff = make_user(Role.STAFF)
    device = TOTPDevice.objects.create(user=staff, name="Application", confirmed=True)
    return [
        {"email": user.email, "password": PASSWORD, "role": "entrepreneur", "token": raw,
         "business_id": business.pk, "customer_ids": [customer.pk]},
        {"email": staff.email, "password": PASSWORD, "role": "staff", "report_year": 2025,
         "totp_key": device.key if staff_key is None else staff_key},
    ]  # fmt: skip


def test_the_code_is_the_one_django_otp_accepts(db):
    staff = make_user(Role.STAFF)
    device = TOTPDevice.objects.create(user=staff, name="Application", confirmed=True)
    assert device.verify_token(_totp(device.key))
    assert not device.verify_token(_totp(device.key, at=0))


# One virtual user at a time: on SQLite the live server's threads share the test's single
# in-memory connection, so two requests at once can break each other's savepoints (a race
# of the test server, not of Alvéole: production gives each worker its own connection).


def test_journeys_run_without_error_staff_passing_the_second_factor(cooperative, live_server):
    entrepreneur, staff = _accounts(staff_key=None)
    stats = asyncio.run(run(live_server.url, [entrepreneur], 1, 6, ramp=0))
    assert stats.errors == []
    assert len(stats.latencies["login"]) == 1
    stats = asyncio.run(run(live_server.url, [staff], 1, 6, ramp=0))
    assert stats.errors == []
    assert len(stats.latencies["2fa code"]) == 1
    staff_pages = ("dashboard", "invoice list (all)", "report")
    assert sum(len(stats.latencies[step]) for step in staff_pages) >= 1


def test_a_refused_code_and_a_redirect_instead_of_a_page_are_errors(cooperative, live_server):
    wrong = "00" * 20
    stats = asyncio.run(run(live_server.url, _accounts(staff_key=wrong)[1:], 1, 2, ramp=0))
    assert any(error.startswith("2fa code 200") for error in stats.errors), stats.errors

    accounts = _accounts(staff_key="")  # no code typed: every page sends to the second factor
    stats = asyncio.run(run(live_server.url, accounts[1:], 1, 3, ramp=0))
    assert stats.errors
    assert all(" 302 /account/2fa/" in error for error in stats.errors), stats.errors


def test_the_steady_state_figures_leave_out_the_ramp_up_and_the_overall_ones_keep_it():
    from alveole.bench.load import Stats, print_summary, summary

    stats = Stats()
    # Ramp-up (sent before 20 s): slow logins; then fast pages.
    for sent, step, seconds in [(1, "login", 0.9), (5, "login", 0.8), (19.5, "dashboard", 0.7)]:
        stats.latencies[step].append(seconds)
        stats.timeline.append((sent, seconds))
    for k in range(20):
        stats.latencies["dashboard"].append(0.05)
        stats.timeline.append((20 + k, 0.05))

    data = summary(stats, 60, 2, ramp=20)

    assert data["requests"] == 23
    assert data["p99_ms"] == pytest.approx(900)
    assert data["steady"]["requests"] == 20
    assert data["steady"]["throughput_rps"] == pytest.approx(0.5)
    assert data["steady"]["p99_ms"] == pytest.approx(50)
    out = io.StringIO()
    print_summary(data, out)
    text = out.getvalue()
    assert "23 requêtes" in text and "p99 900 ms" in text
    assert "Une fois les 2 utilisateurs arrivés (20 s et après) : 20 requêtes" in text


def test_a_request_is_placed_at_the_moment_it_was_sent():
    from alveole.bench.load import Stats

    stats = Stats()
    stats.started -= 10  # the run began 10 s ago; this answer took 4 s
    stats.record("dashboard", 4.0, 200)
    ((sent, seconds),) = stats.timeline
    assert seconds == 4.0
    assert sent == pytest.approx(6.0, abs=0.5)
