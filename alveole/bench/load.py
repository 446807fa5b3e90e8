"""The load test's driver: virtual users replaying real journeys against a running server.

Run in its own process (`python -m alveole.bench.load ACCOUNTS.json`), so that the
client's work does not share the server's interpreter. Each virtual user logs in with
the login form, then loops until the time is up, drawing a journey:

- an entrepreneur: dashboard, invoice list, create and issue an invoice (API), record its
  payment (API);
- staff (who pass the second factor with their authenticator's code after the
  password): dashboard, the invoice list of all businesses, the yearly report.

Users arrive spread over the ramp-up (20 s by default: fifty people do not log in in the
same second, and a login hashes a password with Argon2, on purpose slow); between two
requests a user thinks 0.5–1.5 s. Every response above 399, a transport error, or
a page that does not answer what the journey expects (a redirect instead of the
page) is an error. Prints the throughput, p50/p95/p99 per step and overall, the errors;
then the same overall figures for the requests sent once every user has arrived (the
steady state at the full number of users, without the ramp-up's logins), beside them,
never instead of them.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import random
import re
import statistics
import struct
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    # When each request was sent (seconds since the run started) and how long it took.
    timeline: list[tuple[float, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def record(
        self, step: str, seconds: float, status: int, detail: str = "", expect: int | None = None
    ) -> None:
        self.latencies[step].append(seconds)
        self.timeline.append((time.monotonic() - self.started - seconds, seconds))
        if status >= 400 or status == 0 or (expect is not None and status != expect):
            self.errors.append(f"{step} {status} {detail}"[:300])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


async def _request(
    client: httpx.AsyncClient,
    stats: Stats,
    step: str,
    method: str,
    url: str,
    expect: int | None = None,
    **kwargs: Any,
) -> httpx.Response | None:
    """One request, timed; with `expect`, any other status is an error (a page that
    redirects to the login or the second factor was not served)."""
    started = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as error:
        stats.record(step, time.perf_counter() - started, 0, repr(error))
        return None
    detail = response.headers.get("location", "") or response.text[:120]
    stats.record(step, time.perf_counter() - started, response.status_code, detail, expect)
    return response


def _totp(key_hex: str, at: float | None = None) -> str:
    """The current code of an authenticator (RFC 6238: 30 s steps, 6 digits, SHA-1)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


async def _login(client: httpx.AsyncClient, stats: Stats, account: dict[str, Any]) -> bool:
    page = await _request(client, stats, "login form", "GET", "/login/")
    if page is None:
        return False
    token = CSRF.search(page.text)
    response = await _request(
        client, stats, "login", "POST", "/login/",
        data={"username": account["email"], "password": account["password"],
              "csrfmiddlewaretoken": token[1] if token else ""},
        headers={"Referer": str(client.base_url) + "/login/"},
    )  # fmt: skip
    ok = response is not None and response.status_code == 302
    if response is not None and not ok:
        stats.errors.append(f"login refused for {account['email']}: {response.status_code}")
    if not ok or not account.get("totp_key"):
        return ok
    # Staff pass the second factor, as every morning: the code of their authenticator.
    form = await _request(client, stats, "2fa form", "GET", "/account/2fa/verify/", expect=200)
    if form is None:
        return False
    token = CSRF.search(form.text)
    verified = await _request(
        client, stats, "2fa code", "POST", "/account/2fa/verify/", expect=302,
        data={"code": _totp(account["totp_key"]),
              "csrfmiddlewaretoken": token[1] if token else ""},
        headers={"Referer": str(client.base_url) + "/account/2fa/verify/"},
    )  # fmt: skip
    return verified is not None and verified.status_code == 302


async def _entrepreneur_journey(
    client: httpx.AsyncClient, stats: Stats, account: dict[str, Any], rng: random.Random
) -> None:
    draw = rng.random()
    if draw < 0.3:
        await _request(client, stats, "dashboard", "GET", "/", expect=200)
    elif draw < 0.6:
        await _request(client, stats, "invoice list", "GET", "/sales/invoices/", expect=200)
    else:
        api = {"Authorization": f"Bearer {account['token']}"}
        payload = {
            "business_id": account["business_id"],
            "customer_id": rng.choice(account["customer_ids"]),
            "title": "Atelier (test de charge)",
            "lines": [
                {"description": "Atelier", "quantity": "2", "unit_price": "150.00"},
                {"description": "Support", "quantity": "1", "unit_price": "12.50",
                 "vat_rate": "5.5"},
            ],
        }  # fmt: skip
        created = await _request(
            client, stats, "invoice create (API)", "POST", "/api/sales/invoices", expect=201,
            json=payload, headers=api,
        )  # fmt: skip
        if created is None or created.status_code != 201:
            return
        invoice = created.json()
        issued = await _request(
            client, stats, "invoice issue (API)", "POST",
            f"/api/sales/invoices/{invoice['id']}/issue", expect=200, headers=api,
        )  # fmt: skip
        if issued is None or issued.status_code != 200:
            return
        total = issued.json()["total_incl_vat_cents"]
        await asyncio.sleep(rng.uniform(0.5, 1.5))
        await _request(
            client, stats, "payment record (API)", "POST",
            f"/api/sales/invoices/{invoice['id']}/payments", expect=201,
            json={"amount_cents": total, "method": "transfer", "reference": "VIR charge"},
            headers=api,
        )  # fmt: skip


async def _staff_journey(
    client: httpx.AsyncClient, stats: Stats, account: dict[str, Any], rng: random.Random
) -> None:
    draw = rng.random()
    if draw < 0.4:
        await _request(client, stats, "dashboard", "GET", "/", expect=200)
    elif draw < 0.8:
        await _request(client, stats, "invoice list (all)", "GET", "/sales/invoices/", expect=200)
    else:
        year = account["report_year"]
        await _request(client, stats, "report", "GET", f"/report/{year}/", expect=200)


async def _user(
    url: str, account: dict[str, Any], deadline: float, stats: Stats, seed: int, ramp: float
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, ramp))
    async with httpx.AsyncClient(base_url=url, timeout=60, follow_redirects=False) as client:
        if not await _login(client, stats, account):
            return
        journey = _staff_journey if account["role"] == "staff" else _entrepreneur_journey
        while time.monotonic() < deadline:
            await journey(client, stats, account, rng)
            await asyncio.sleep(rng.uniform(0.5, 1.5))


async def run(
    url: str, accounts: list[dict[str, Any]], users: int, seconds: float, ramp: float = 20
) -> Stats:
    stats = Stats()
    deadline = stats.started + seconds
    await asyncio.gather(
        *(
            _user(url, accounts[k % len(accounts)], deadline, stats, k, min(ramp, seconds / 2))
            for k in range(users)
        )
    )
    return stats


def summary(stats: Stats, seconds: float, users: int, ramp: float = 0) -> dict[str, Any]:
    every = [x for values in stats.latencies.values() for x in values]
    steady = [x for sent, x in stats.timeline if sent >= ramp]
    steady_seconds = max(seconds - ramp, 0)
    steps = {
        step: {
            "count": len(values),
            "p50_ms": statistics.median(values) * 1000,
            "p95_ms": percentile(values, 95) * 1000,
            "p99_ms": percentile(values, 99) * 1000,
        }
        for step, values in sorted(stats.latencies.items())
    }
    return {
        "users": users,
        "seconds": seconds,
        "requests": len(every),
        "throughput_rps": len(every) / seconds,
        "p50_ms": statistics.median(every) * 1000 if every else None,
        "p95_ms": percentile(every, 95) * 1000 if every else None,
        "p99_ms": percentile(every, 99) * 1000 if every else None,
        "errors": len(stats.errors),
        "error_samples": stats.errors[:10],
        "steps": steps,
        "ramp_seconds": ramp,
        "steady": {
            "requests": len(steady),
            "throughput_rps": len(steady) / steady_seconds if steady_seconds else None,
            "p50_ms": statistics.median(steady) * 1000 if steady else None,
            "p95_ms": percentile(steady, 95) * 1000 if steady else None,
            "p99_ms": percentile(steady, 99) * 1000 if steady else None,
        },
    }


def print_summary(data: dict[str, Any], out: Any = sys.stdout) -> None:
    print(
        f"{data['users']} utilisateurs, {data['seconds']:.0f} s : {data['requests']} requêtes, "
        f"{data['throughput_rps']:.1f} req/s, p50 {data['p50_ms']:.0f} ms, "
        f"p95 {data['p95_ms']:.0f} ms, p99 {data['p99_ms']:.0f} ms, erreurs : {data['errors']}",
        file=out,
    )
    print(f"  {'étape':<24} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}", file=out)
    for step, s in data["steps"].items():
        print(
            f"  {step:<24} {s['count']:>6} {s['p50_ms']:>8.0f} {s['p95_ms']:>8.0f} "
            f"{s['p99_ms']:>8.0f}",
            file=out,
        )
    steady = data.get("steady") or {}
    if steady.get("requests"):
        print(
            f"Une fois les {data['users']} utilisateurs arrivés ({data['ramp_seconds']:.0f} s "
            f"et après) : {steady['requests']} requêtes, {steady['throughput_rps']:.1f} req/s, "
            f"p50 {steady['p50_ms']:.0f} ms, p95 {steady['p95_ms']:.0f} ms, "
            f"p99 {steady['p99_ms']:.0f} ms",
            file=out,
        )
    for sample in data["error_samples"]:
        print(f"  erreur : {sample}", file=out)


def main() -> None:
    parser = argparse.ArgumentParser(description="Pilote du test de charge d'Alvéole.")
    parser.add_argument("accounts", help="fichier JSON des comptes (écrit par alveole loadtest)")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--ramp", type=float, default=20, help="arrivée des utilisateurs (s)")
    parser.add_argument("--output", help="fichier JSON du résumé")
    args = parser.parse_args()
    accounts = json.loads(Path(args.accounts).read_text())
    ramp = min(args.ramp, args.seconds / 2)
    stats = asyncio.run(run(args.url, accounts, args.users, args.seconds, ramp))
    data = summary(stats, args.seconds, args.users, ramp)
    print_summary(data)
    if args.output:
        Path(args.output).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
