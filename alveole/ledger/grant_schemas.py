"""The shapes of the grants' API (alveole/ledger/grant_api.py). Amounts are integer cents."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from alveole.coop.models import Grant
from alveole.core.api import PageQuery
from alveole.people.schemas import StrictIn


class GrantsQuery(PageQuery):
    year: int | None = Field(None, ge=2000, le=2100, description="Une année couverte.")
    funder_kind: Grant.FunderKind | None = None
    received: bool | None = Field(None, description="`true` : reçues ; `false` : à recevoir.")


class AllocationIO(Schema):
    year: int
    amount_cents: int


class GrantOut(Schema):
    id: int
    funder_kind: str
    funder_kind_label: str
    funder_name: str
    programme: str
    amount_cents: int
    start_year: int
    end_year: int
    allocations: list[AllocationIO]
    decision_date: datetime.date | None
    received_date: datetime.date | None
    notes: str


class GrantPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[GrantOut]


class GrantIn(StrictIn):
    funder_kind: Grant.FunderKind
    funder_name: str = ""
    programme: str
    amount_cents: int
    start_year: int
    end_year: int
    allocations: list[AllocationIO] | None = Field(
        None, description="Part de chaque année couverte ; absent : parts égales."
    )
    decision_date: datetime.date | None = None
    received_date: datetime.date | None = None
    notes: str = ""


class GrantPatch(StrictIn):
    """Only the fields sent change."""

    funder_kind: Grant.FunderKind | None = None
    funder_name: str | None = None
    programme: str | None = None
    amount_cents: int | None = None
    start_year: int | None = None
    end_year: int | None = None
    allocations: list[AllocationIO] | None = None
    decision_date: datetime.date | None = None
    received_date: datetime.date | None = None
    notes: str | None = None


class FunderAmountOut(Schema):
    funder_kind: str
    label: str
    amount_cents: int


class GrantsByFunderOut(Schema):
    year: int
    total_cents: int
    funders: list[FunderAmountOut]
