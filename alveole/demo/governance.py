"""The demo's share capital: every associate's subscription, through governance's services.

Entrepreneurs and team members subscribe 20 to 40 shares of 25 € when they join (most pay
at once, some in three monthly instalments); external associates subscribe more.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from alveole.governance.services.shares import shares_subscribe
from alveole.people.models import PersonKind

if TYPE_CHECKING:
    from alveole.demo.generator import DemoContext

NOMINAL_CENTS = 2500
INSTALMENT_SHARE = 0.25  # subscriptions paid in three monthly instalments


def step_governance(ctx: DemoContext) -> None:
    """A share subscription for every associateship the paths created, at its start."""
    rng = ctx.random("governance")
    actor = ctx.users.get("director")
    for key, associateship in ctx.bar(sorted(ctx.associateships.items()), "Sociétariat"):
        person = ctx.people[key]
        day = associateship.start_date
        external = person.kind == PersonKind.EXTERNAL
        shares = rng.choice((40, 80, 200)) if external else rng.choice((20, 20, 30, 40))
        amount = shares * NOMINAL_CENTS
        paid, schedule = amount, []
        if not external and rng.random() < INSTALMENT_SHARE:
            part = amount // 3
            paid = amount - 2 * part
            schedule = [(day + datetime.timedelta(days=30 * n), part) for n in (1, 2)]
        shares_subscribe(
            actor=actor,
            person=person,
            date=day,
            shares=shares,
            nominal_cents=NOMINAL_CENTS,
            paid_cents=paid,
            schedule=schedule,
            note="Souscription à l'entrée au sociétariat",
        )
