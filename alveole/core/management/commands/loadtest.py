"""`alveole loadtest`: gunicorn with several workers on PostgreSQL, driven by virtual users.

1. generates a cooperative (the benchmark's generator, size `load`) in a throwaway
   PostgreSQL database `bench_…`, with accounts and API tokens for the virtual users;
2. starts `gunicorn -w N` on 127.0.0.1 against it;
3. runs the driver (`alveole.bench.load`) in a second process for `--seconds`;
4. prints throughput, p50/p95/p99 and errors (JSON under bench/), stops gunicorn and
   drops the database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from alveole.bench.database import throwaway_database
from alveole.bench.generate import generate
from alveole.bench.sizes import Size
from alveole.core.roles import Role
from alveole.people.models import User
from alveole.people.services import api_token_create
from alveole.sales.models import Customer

LOAD = Size("load", entrepreneurs=50, years=2, invoices_per_year=60)
ROOT = Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = "Test de charge : gunicorn sur PostgreSQL, parcours réels, débit et latences."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument("--workers", type=int, default=4, help="workers gunicorn")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--output", default="bench")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "Le test de charge tourne sur PostgreSQL : DATABASE_URL=postgres://… alveole loadtest"
            )
        gunicorn = Path(sys.executable).parent / "gunicorn"
        if not gunicorn.exists():
            raise CommandError("gunicorn manque : pip install -e '.[prod,bench]'")
        with tempfile.TemporaryDirectory(prefix="alveole-load-") as folder:
            work = Path(folder)
            with override_settings(DEBUG=False), throwaway_database() as database:
                self.stdout.write(f"Base jetable : {database}")
                accounts = self._prepare()
                (work / "accounts.json").write_text(json.dumps(accounts))
                db = connection.settings_dict
                url = (
                    f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
                    f":{db['PORT'] or 5432}/{db['NAME']}"
                )
                connection.close()
                summary = self._serve_and_drive(gunicorn, url, work, options)
        folder_out = Path(options["output"])
        folder_out.mkdir(parents=True, exist_ok=True)
        path = folder_out / f"{timezone.now():%Y%m%dT%H%M%S}-loadtest.json"
        path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(f"Résultats : {path}")

    def _prepare(self) -> list[dict[str, Any]]:
        self.stdout.write(
            f"Génération : {LOAD.entrepreneurs} activités × {LOAD.years} ans, {LOAD.invoices} factures"
        )
        generated = generate(LOAD)
        password_hash = generated.entrepreneur_user.password  # hashed once, shared
        from alveole.bench.generate import PASSWORD

        users = [generated.entrepreneur_user]
        users += User.objects.bulk_create(
            User(email=f"e{n}@bench.example", role=Role.ENTREPRENEUR, password=password_hash,
                 person_id=b.memberships.get(is_main=True).person_id)
            for n, b in enumerate(generated.businesses[1:], start=1)
        )  # fmt: skip
        # One staff account for four entrepreneurs, each used by one virtual user: an
        # authenticator's code is accepted once (django-otp refuses it a second time).
        staff = [generated.staff]
        staff += User.objects.bulk_create(
            User(email=f"staff{n}@bench.example", role=Role.STAFF, password=password_hash)
            for n in range(1, -(-len(users) // 4))
        )
        devices = {
            user.pk: TOTPDevice.objects.create(user=user, name="Application", confirmed=True)
            for user in staff
        }
        accounts = []
        for user, business in zip(users, generated.businesses, strict=True):
            _token, raw = api_token_create(actor=None, user=user, name="test de charge")
            accounts.append(
                {"email": user.email, "password": PASSWORD, "role": "entrepreneur",
                 "token": raw, "business_id": business.pk,
                 "customer_ids": list(
                     Customer.objects.filter(business=business).values_list("pk", flat=True)
                 )}
            )  # fmt: skip
        for user in staff:
            accounts.append(
                {"email": user.email, "password": PASSWORD, "role": "staff",
                 "report_year": generated.years[-1], "totp_key": devices[user.pk].key}
            )  # fmt: skip
        ordered = []
        entrepreneurs = [a for a in accounts if a["role"] == "entrepreneur"]
        staffs = [a for a in accounts if a["role"] == "staff"]
        for k, account in enumerate(entrepreneurs):
            ordered.append(account)
            if k % 4 == 3:
                ordered.append(staffs[(k // 4) % len(staffs)])
        return ordered

    def _serve_and_drive(
        self, gunicorn: Path, url: str, work: Path, options: dict[str, Any]
    ) -> dict[str, Any]:
        base = f"http://127.0.0.1:{options['port']}"
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ALVEOLE_")},
            "DATABASE_URL": url,
            "ALVEOLE_DEBUG": "0",
            "ALVEOLE_DATA_DIR": str(work / "data"),
            "ALVEOLE_LOGIN_MAX_FAILURES": "1000",
            "GUNICORN_WORKERS": str(options["workers"]),
            "GUNICORN_BIND": f"127.0.0.1:{options['port']}",
            "GUNICORN_ACCESS_LOG": "0",
        }
        server = subprocess.Popen(  # noqa: S603 - our own server
            [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py")], cwd=ROOT, env=environment,
            stdout=subprocess.DEVNULL, stderr=open(work / "gunicorn.log", "w"),  # noqa: SIM115
        )  # fmt: skip
        try:
            self._wait_healthy(base, server, work)
            self.stdout.write(
                f"gunicorn -w {options['workers']} prêt ; {options['users']} utilisateurs "
                f"pendant {options['seconds']:.0f} s…"
            )
            output = work / "summary.json"
            subprocess.run(  # noqa: S603 - our own driver
                [sys.executable, "-m", "alveole.bench.load", str(work / "accounts.json"),
                 "--url", base, "--users", str(options["users"]),
                 "--seconds", str(options["seconds"]), "--output", str(output)],
                cwd=ROOT, check=True, stdout=self.stdout._out,
            )  # fmt: skip
            return json.loads(output.read_text())
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    def _wait_healthy(self, base: str, server: subprocess.Popen, work: Path) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(
                    f"gunicorn s'est arrêté :\n{(work / 'gunicorn.log').read_text()}"
                )
            try:
                with urllib.request.urlopen(f"{base}/health/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(1)
        raise CommandError("gunicorn ne répond pas sur /health/ après 120 s")
