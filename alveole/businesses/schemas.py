"""The shapes of the businesses API."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from alveole.businesses.models import Business
from alveole.core.api import PageQuery, inline_enum
from alveole.people.schemas import StrictIn

BusinessKind = inline_enum(Business.Kind)


class BusinessesQuery(PageQuery):
    """Filters of the businesses list: the same as the businesses page."""

    q: str = Field("", description="Recherche dans le nom, le code et les noms des membres.")
    sector: int | None = Field(None, description="Identifiant du secteur.")
    kind: BusinessKind | None = None
    active: bool | None = Field(
        None, description="`true` : sans date de fin ; `false` : terminées ; absent : toutes."
    )


class MemberOut(Schema):
    id: int
    person_id: int
    person_name: str
    is_main: bool
    start_date: datetime.date
    end_date: datetime.date | None


class BusinessOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    kind_label: str
    sector_id: int | None
    sector_name: str | None
    description: str
    start_date: datetime.date
    end_date: datetime.date | None
    main_person_id: int | None
    members: list[MemberOut]


class BusinessPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[BusinessOut]


class BusinessIn(StrictIn):
    name: str
    code: str = Field(description="Code analytique et préfixe des factures : 2 à 12 caractères.")
    kind: BusinessKind = Business.Kind.ENTREPRENEUR
    sector_id: int | None = Field(
        None, description="Obligatoire pour une activité d'entrepreneur·e."
    )
    description: str = ""
    start_date: datetime.date
    end_date: datetime.date | None = None
    main_person_id: int | None = Field(
        None,
        description="Entrepreneur·e principal·e (obligatoire pour une activité d'entrepreneur·e).",
    )


class BusinessPatch(StrictIn):
    """Only the fields sent are changed; the code and the kind never change."""

    name: str | None = None
    code: str | None = None
    kind: BusinessKind | None = None
    sector_id: int | None = None
    description: str | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


class MemberIn(StrictIn):
    person_id: int
    start_date: datetime.date
    is_main: bool = False
