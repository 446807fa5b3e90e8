"""Server-side SVG charts of the report (matplotlib, Agg): readable in black and white,
every bar hatched and labelled with its value."""

from __future__ import annotations

import io
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import matplotlib
from matplotlib import pyplot

from alveole.core.formatting import format_amount

# No display: Agg renders in memory (pyplot has drawn nothing yet, so switching is safe).
matplotlib.use("Agg")
# Text stays text in the SVG (small pages, selectable, the page's font) rather than glyph paths.
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "alveole"

#: Line hatches only: dot and star hatches are drawn as thousands of circles in SVG.
HATCHES = ("///", "\\\\\\", "xxx", "---", "|||", "+++", "//", "\\\\", "x")


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    pyplot.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _percent(value: Any) -> str:
    return f"{Decimal(value) * 100:.0f} %"


def shares_chart(parts: Mapping[str, Any], labels: Mapping[str, str], *, as_shares: bool) -> str:
    """Horizontal bars of a breakdown (counts turned into shares), each labelled in %."""
    values = {k: Decimal(v) for k, v in parts.items() if v is not None}
    total = sum(values.values()) if not as_shares else Decimal(1)
    if not values or not total:
        return ""
    names = [str(labels.get(k, k)) for k in values]
    ratios = [float(v / total) for v in values.values()]
    figure, axes = pyplot.subplots(figsize=(6, 0.45 * len(names) + 0.6))
    positions = range(len(names))
    bars = axes.barh(positions, ratios[::-1], color="white", edgecolor="black", linewidth=0.8)
    axes.set_yticks(positions, names[::-1])
    for i, bar in enumerate(bars):
        bar.set_hatch(HATCHES[(len(bars) - 1 - i) % len(HATCHES)])
        axes.text(
            bar.get_width() + 0.01, bar.get_y() + bar.get_height() / 2,
            _percent(ratios[::-1][i]), va="center", fontsize=9,
        )  # fmt: skip
    axes.set_xlim(0, max(ratios) * 1.25 or 1)
    axes.set_xticks([])
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    return _svg(figure)


def evolution_chart(history: Mapping[int, Any], *, euros: bool = True) -> str:
    """Bars over four years, each with its value printed (missing years left empty)."""
    years = sorted(history)
    if all(history[y] is None for y in years):
        return ""
    values = [float(history[y]) if history[y] is not None else 0.0 for y in years]
    figure, axes = pyplot.subplots(figsize=(4.5, 2.6))
    bars = axes.bar(range(len(years)), values, color="white", edgecolor="black", hatch="///")
    axes.set_xticks(range(len(years)), [str(y) for y in years])
    for year, bar in zip(years, bars, strict=True):
        value = history[year]
        text = "—" if value is None else (
            format_amount(Decimal(value).quantize(Decimal(1)), currency=False)[:-3] + "\u202f€"
            if euros
            else str(value).replace(".", ",")
        )  # fmt: skip
        axes.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), text, ha="center",
                  va="bottom", fontsize=8)  # fmt: skip
    axes.set_yticks([])
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    return _svg(figure)


def public_euro_chart(ratio: Decimal | None) -> str:
    """ "1 € public → X €": two bars side by side."""
    if ratio is None:
        return ""
    figure, axes = pyplot.subplots(figsize=(3.5, 2.6))
    bars = axes.bar([0, 1], [1, float(ratio)], color="white", edgecolor="black")
    axes.set_xticks([0, 1], ["1 € public", "restitué"])
    bars[0].set_hatch("---")
    bars[1].set_hatch("///")
    for bar, text in zip(bars, ["1 €", f"{ratio} €".replace(".", ",")], strict=True):
        axes.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), text, ha="center",
                  va="bottom", fontsize=10)  # fmt: skip
    axes.set_yticks([])
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    return _svg(figure)
