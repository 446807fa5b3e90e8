"""The legal rules of SCOP governance that are arithmetic, in one place (our reading; docs/adr/0005).

Sources: loi n° 47-1775 du 10 septembre 1947 (statut de la coopération: one person, one
vote) and loi n° 78-763 du 19 juillet 1978 (statut des SCOP: employees' share of capital
and votes, proxies, quorum). Quorum fractions are data (`QuorumRule`); the rest is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from alveole.governance.models import Majority
from alveole.people.models import Associateship

#: Associates who count as employees for the legal ratios: salaried entrepreneurs and staff.
EMPLOYEE_CATEGORIES = (Associateship.Category.ENTREPRENEUR, Associateship.Category.SUPPORT_STAFF)
#: Employees hold at least 51 % of the capital and 65 % of the votes (loi 78-763).
EMPLOYEE_CAPITAL_MIN_PERCENT = Decimal(51)
EMPLOYEE_VOTES_MIN_PERCENT = Decimal(65)
#: From this number of associates on, a proxy holder may hold up to 1/20th of the associates.
PROXY_THRESHOLD = 20


def proxy_cap(associates: int) -> int:
    """How many proxies one associate may hold, on top of their own vote (loi 78-763).

    Fewer than 20 associates: one. From 20 on: at most a twentieth of the associates
    (rounded down: 39 associates still allow only one).
    """
    if associates < PROXY_THRESHOLD:
        return 1
    return associates // PROXY_THRESHOLD


def quorum_required(associates: int, numerator: int, denominator: int) -> int:
    """The smallest number of associates present or represented that meets the fraction."""
    return -(-associates * numerator // denominator)


#: Majorities as fractions of the votes cast (for + against); abstentions are not cast votes.
#: `strict` means "more than" (a tie rejects), otherwise "at least".
MAJORITY_FRACTIONS: dict[str, tuple[int, int, bool]] = {
    Majority.SIMPLE: (1, 2, True),
    Majority.TWO_THIRDS: (2, 3, False),
    Majority.THREE_QUARTERS: (3, 4, False),
}


def is_adopted(majority: str, votes_for: int, votes_against: int) -> bool:
    """Whether a resolution passes: computed from the counts, never typed."""
    numerator, denominator, strict = MAJORITY_FRACTIONS[majority]
    cast = votes_for + votes_against
    if cast == 0:
        return False
    if strict:
        return votes_for * denominator > cast * numerator
    return votes_for * denominator >= cast * numerator


@dataclass(frozen=True)
class Ratio:
    """A legal ratio at a date: the part, the whole, the minimum percentage, and whether it holds."""

    part: int
    whole: int
    minimum_percent: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.whole:
            return None
        return (Decimal(self.part) * 100 / Decimal(self.whole)).quantize(Decimal("0.01"))

    @property
    def percent_label(self) -> str:
        """The percentage the French way: 47,06 %."""
        percent = self.percent
        return "" if percent is None else f"{percent}".replace(".", ",") + "\u202f%"

    @property
    def holds(self) -> bool:
        # Integer comparison: no rounding can make a broken ratio look right.
        return self.whole == 0 or self.part * 100 >= self.minimum_percent * self.whole
