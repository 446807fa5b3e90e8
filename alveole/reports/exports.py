"""The report as data: JSON-ready values and one row per figure for CSV/XLSX."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from alveole.reports.figures import Report

HEADER = ["key", "label", "value", "unit", "year"]


def plain(value: Any) -> Any:
    """A figure value for JSON: decimals as strings ("2218653.00"), breakdowns as objects."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def report_json(report: Report) -> dict[str, Any]:
    """`{"year": Y, "figures": {key: value}, "missing": {key: reason}}`."""
    return {
        "year": report.year,
        "figures": {key: plain(f.value) for key, f in report.figures.items()},
        "missing": {key: f.missing for key, f in report.figures.items() if f.value is None},
    }


def report_rows(report: Report) -> list[list[Any]]:
    """One row per figure: key, label, value, unit, year; a breakdown is one row per part
    (key.part), a missing figure has an empty value."""
    rows: list[list[Any]] = []
    for figure in report.figures.values():
        if isinstance(figure.value, dict):
            for part, value in figure.value.items():
                label = f"{figure.label} — {figure.labels.get(str(part), part)}"
                rows.append([f"{figure.key}.{part}", label, plain(value), figure.unit, report.year])
        else:
            rows.append([figure.key, figure.label, plain(figure.value), figure.unit, report.year])
    return rows
