"""E-reporting data of a period for the Plateforme Agréée.

What the reform asks the cooperative to report, for a month:

- transactions: the sales that are not e-invoiced in France, i.e. to individuals (B2C)
  and to customers abroad (international B2B, in and out of the EU), invoice by invoice,
  with the base and VAT of each rate (credit notes count negative);
- payments: the money received, in the period, for services sold to those customers
  (VAT on services is due when paid, so the payments are reported; goods are not).

Domestic B2B sales are e-invoiced and their payments travel as lifecycle status 212:
they are left out. Internal invoices between the cooperative's businesses are not sales.
The file is JSON or CSV (one row per transaction rate, then one per payment).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from typing import Any

from django.core.exceptions import ValidationError

from alveole.sales.mentions import customer_snapshot
from alveole.sales.models import Invoice, LineType, Payment
from alveole.sales.totals import compute_totals

EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})  # fmt: skip
SERVICE_CATEGORIES = (Invoice.OperationCategory.SERVICES, Invoice.OperationCategory.MIXED)


def period_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a `YYYY-MM` period."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", period or "")
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValidationError(f"Période invalide « {period} » : attendu AAAA-MM.")
    start = datetime.date(int(match[1]), int(match[2]), 1)
    after = datetime.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, after - datetime.timedelta(days=1)


def invoice_customer(invoice: Invoice) -> dict[str, Any]:
    return (invoice.snapshot or {}).get("customer") or customer_snapshot(invoice.customer)


def category(customer: dict[str, Any]) -> str | None:
    """B2C, B2BInt-UE (intra-EU), B2BInt-HorsUE, or None for a domestic B2B sale."""
    if not customer.get("professional", True) or customer.get("kind") == "individual":
        return "B2C"
    country = (customer.get("country") or "FR").upper()
    if country == "FR":
        return None
    return "B2BInt-UE" if country in EU_COUNTRIES else "B2BInt-HorsUE"


def _reportable(start: datetime.date, end: datetime.date) -> list[Invoice]:
    invoices = (
        Invoice.objects.issued()
        .filter(
            kind__in=(Invoice.Kind.INVOICE, Invoice.Kind.CREDIT_NOTE),
            issue_date__gte=start,
            issue_date__lte=end,
        )
        .select_related("customer", "business")
        .prefetch_related("lines")
        .order_by("issue_date", "number")
    )
    return [i for i in invoices if category(invoice_customer(i)) is not None]


def transactions(start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    rows = []
    for invoice in _reportable(start, end):
        customer = invoice_customer(invoice)
        sign = -1 if invoice.is_credit_note else 1
        items = [line for line in invoice.lines.all() if line.line_type == LineType.ITEM]
        rows.append(
            {
                "number": invoice.number,
                "type_code": invoice.type_code,
                "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else "",
                "business": invoice.business.code,
                "category": category(customer),
                "operation_category": invoice.operation_category,
                "customer": customer.get("name", ""),
                "country": (customer.get("country") or "FR").upper(),
                "vat_number": customer.get("vat_number", ""),
                "currency": "EUR",
                "vat": [
                    {
                        "rate": str(vat.rate),
                        "base_cents": sign * vat.base_cents,
                        "vat_cents": sign * vat.vat_cents,
                    }
                    for vat in compute_totals(items).vat_lines
                ],
                "total_excl_vat_cents": sign * invoice.total_excl_vat_cents,
                "total_vat_cents": sign * invoice.total_vat_cents,
                "total_incl_vat_cents": sign * invoice.total_incl_vat_cents,
            }
        )
    return rows


def payments(start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    found = (
        Payment.objects.active()
        .filter(
            date__gte=start,
            date__lte=end,
            invoice__kind=Invoice.Kind.INVOICE,
            invoice__operation_category__in=SERVICE_CATEGORIES,
        )
        .select_related("invoice", "invoice__customer", "invoice__business")
        .order_by("date", "pk")
    )
    rows = []
    for payment in found:
        kind = category(invoice_customer(payment.invoice))
        if kind is None:
            continue
        rows.append(
            {
                "invoice": payment.invoice.number,
                "date": payment.date.isoformat(),
                "business": payment.invoice.business.code,
                "category": kind,
                "amount_cents": payment.amount_cents,
                "method": payment.method,
            }
        )
    return rows


def report(period: str) -> dict[str, Any]:
    """The e-reporting data of a `YYYY-MM` period."""
    start, end = period_bounds(period)
    return {
        "period": period,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "transactions": transactions(start, end),
        "payments": payments(start, end),
    }


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


CSV_COLUMNS = [
    "kind", "number", "date", "business", "category", "operation_category", "customer",
    "country", "vat_number", "rate", "base_cents", "vat_cents", "amount_cents", "method",
]  # fmt: skip


def to_csv(data: dict[str, Any]) -> bytes:
    """One row per rate of each transaction, then one per payment; amounts in cents."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, delimiter=";", lineterminator="\n")
    writer.writeheader()
    for row in data["transactions"]:
        for vat in row["vat"]:
            line = {
                "kind": "transaction", "number": row["number"], "date": row["issue_date"],
                "business": row["business"], "category": row["category"],
                "operation_category": row["operation_category"], "customer": row["customer"],
                "country": row["country"], "vat_number": row["vat_number"], "rate": vat["rate"],
                "base_cents": vat["base_cents"], "vat_cents": vat["vat_cents"],
                "amount_cents": vat["base_cents"] + vat["vat_cents"],
            }  # fmt: skip
            writer.writerow(line)
    for pay in data["payments"]:
        line = {
            "kind": "payment", "number": pay["invoice"], "date": pay["date"],
            "business": pay["business"], "category": pay["category"],
            "amount_cents": pay["amount_cents"], "method": pay["method"],
        }  # fmt: skip
        writer.writerow(line)
    return out.getvalue().encode()
