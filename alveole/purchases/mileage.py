"""Mileage allowances from the fiscal scale (barème kilométrique), by horsepower and distance.

The scale gives a yearly amount: for a car of P horsepower driven d km in the year, the
band (P, d) says d × rate + fixed. A trip is paid the difference the trip makes to that
yearly amount: scale(distance before + trip) − scale(distance before). Trips of one year
and one vehicle thus add up exactly to the scale's yearly amount, whatever the months —
no regularisation at the end of the year. An electric car gets the scale's bonus (20 %).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from alveole.core.money import round_cents

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Band:
    """One cell of the scale (see `models.MileageBand`)."""

    horsepower_min: int
    horsepower_max: int | None
    distance_min_km: int
    distance_max_km: int | None
    rate_per_km: Decimal
    fixed_cents: int

    def covers(self, horsepower: int, distance: Decimal) -> bool:
        return (
            self.horsepower_min <= horsepower
            and (self.horsepower_max is None or horsepower <= self.horsepower_max)
            and self.distance_min_km <= distance
            and (self.distance_max_km is None or distance <= self.distance_max_km)
        )


class NoBand(ValueError):
    """The scale has no band for this horsepower and distance."""


def _band(bands: Iterable[Band], horsepower: int, distance: Decimal) -> Band:
    # Bands are written with whole kilometres (0–5 000, 5 001–20 000…): a distance between
    # two bands (5 000,5 km) belongs to the lower one.
    candidates = sorted(
        (b for b in bands if b.horsepower_min <= horsepower
         and (b.horsepower_max is None or horsepower <= b.horsepower_max)),
        key=lambda b: b.distance_min_km,
    )  # fmt: skip
    chosen = None
    for band in candidates:
        if band.distance_min_km <= distance or chosen is None:
            chosen = band
        if band.distance_max_km is not None and distance <= band.distance_max_km:
            break
    if chosen is None:
        raise NoBand(horsepower)
    return chosen


def yearly_amount_cents(
    bands: Iterable[Band], horsepower: int, distance: Decimal, electric_bonus: Decimal | None = None
) -> int:
    """The scale's yearly amount, in cents, for `distance` km with a car of `horsepower` CV."""
    if distance <= 0:
        return 0
    band = _band(list(bands), horsepower, distance)
    amount = distance * band.rate_per_km + Decimal(band.fixed_cents) / 100
    if electric_bonus:
        amount = amount * (HUNDRED + electric_bonus) / HUNDRED
    return round_cents(amount)


def trip_amount_cents(
    bands: Iterable[Band],
    *,
    horsepower: int,
    distance: Decimal,
    distance_before: Decimal,
    electric_bonus: Decimal | None = None,
) -> int:
    """What one trip adds to the yearly amount, given the distance already driven that year."""
    bands = list(bands)
    after = yearly_amount_cents(bands, horsepower, distance_before + distance, electric_bonus)
    before = yearly_amount_cents(bands, horsepower, distance_before, electric_bonus)
    return after - before
