"""The file of historical invoices that `alveole bench` and `alveole bench_import` import."""

from __future__ import annotations

import csv
import datetime
import io

from alveole.sales.models import Customer

from .generate import Generated


def import_csv(generated: Generated, year: int, rows: int) -> str:
    """`rows` invoices of `year` numbered H<year>-000000…, half of them paid, spread over the
    generated businesses, each for an existing customer of its business."""
    customers = dict(
        Customer.objects.filter(business__in=generated.businesses).values_list(
            "business_id", "name"
        )
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["number", "business", "customer", "issue_date", "net_20", "paid_amount"])
    businesses = generated.businesses
    for n in range(rows):
        business = businesses[n % len(businesses)]
        day = datetime.date(year, 1 + n % 12, 1 + n % 28)
        amount = f"{100 + n % 900},{n % 100:02d}"
        paid = amount if n % 2 else ""
        writer.writerow(
            [
                f"H{year}-{n:06d}",
                business.code,
                customers[business.pk],
                f"{day:%d/%m/%Y}",
                amount,
                paid,
            ]
        )
    return buffer.getvalue()
