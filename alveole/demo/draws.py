"""Random draws that keep proportions: decks, stratified durations, apportioning."""

from __future__ import annotations

import math
import random
import unicodedata
from typing import Any


class Deck:
    """Draws values in fixed proportions with little drift: a shuffled deck, refilled when empty."""

    def __init__(self, rng: random.Random, weights: dict[Any, int]) -> None:
        self.rng = rng
        self.values = [value for value, weight in weights.items() for _ in range(weight)]
        self.cards: list[Any] = []

    def draw(self) -> Any:
        if not self.cards:
            self.cards = list(self.values)
            self.rng.shuffle(self.cards)
        return self.cards.pop()


def share(rng: random.Random, yes: float) -> Deck:
    """A deck of True/False in a given proportion (to the nearest 5 %)."""
    cards = round(yes * 20)
    return Deck(rng, {True: cards, False: 20 - cards})


class Strata:
    """Uniform draws in [0, 1) spread evenly: every ten draws fall one in each tenth.

    Durations drawn through it (CAPE lengths, time until leaving) vary from person to
    person like random ones, but ten people always look like the distribution.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tenths = Deck(rng, dict.fromkeys(range(10), 1))

    def draw(self) -> float:
        return (self.tenths.draw() + self.rng.random()) / 10

    def triangular(self, low: float, high: float, mode: float) -> float:
        """The inverse distribution function of random.triangular, on a stratified draw."""
        u, c = self.draw(), (mode - low) / (high - low)
        if u > c:
            u, c, low, high = 1 - u, 1 - c, high, low
        return low + (high - low) * math.sqrt(u * c)

    def years_until_leaving(self, yearly_rate: float) -> float:
        """Years until an event that happens to `yearly_rate` of the people each year."""
        return -math.log(1 - self.draw()) / -math.log(1 - yearly_rate)


def apportion[K](weights: dict[K, int], total: int) -> dict[K, int]:
    """Split `total` in proportion to `weights` (largest remainders; the counts add up)."""
    exact = {key: total * weight / sum(weights.values()) for key, weight in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    left = total - sum(counts.values())
    for key in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[:left]:
        counts[key] += 1
    return counts


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only: "Léa Da Silva" → "leadasilva"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalpha())
