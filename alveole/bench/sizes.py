"""The sizes of the benchmark cooperative."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    """How big the generated cooperative is, and how much each measurement does."""

    name: str
    entrepreneurs: int
    years: int
    invoices_per_year: int  # per business
    customers: int = 20  # per business
    purchases_per_year: int = 12  # supplier invoices per business
    import_rows: int = 2_000
    issues: int = 400  # invoices issued by the concurrent workers
    facturx: int = 5

    @property
    def invoices(self) -> int:
        return self.entrepreneurs * self.years * self.invoices_per_year


SIZES = {
    # A third of quick: with quick, shows how each cost grows with the data in minutes.
    "tiny": Size(
        "tiny",
        entrepreneurs=30,
        years=3,
        invoices_per_year=100,
        import_rows=500,
        issues=200,
        facturx=3,
    ),
    "quick": Size(
        "quick",
        entrepreneurs=100,
        years=3,
        invoices_per_year=100,
        import_rows=500,
        issues=200,
        facturx=3,
    ),
    "medium": Size("medium", entrepreneurs=300, years=5, invoices_per_year=100),
    "full": Size("full", entrepreneurs=1_000, years=10, invoices_per_year=100, import_rows=10_000),
}
