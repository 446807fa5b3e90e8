"""The legal mentions printed on a document, frozen into its snapshot when it is issued.

An issued invoice must print what was true at its issue date even if the cooperative's
capital, the customer's address or the entrepreneur's contract change later, so every
printed fact that lives outside the invoice is copied into `snapshot` at issue.
"""

from __future__ import annotations

import datetime
from typing import Any

from alveole.businesses.models import Business
from alveole.coop.selectors import cooperative_get
from alveole.people.models import Contract, Person, Status
from alveole.sales.models import Customer, SalesSettings


def cape_mention(person: Person | None, day: datetime.date) -> dict[str, Any] | None:
    """The CAPE the main entrepreneur is under at the date (Code de commerce R127-3), if any."""
    if person is None:
        return None
    running = [
        c
        for c in person.contracts.filter(kind=Contract.Kind.CAPE, start_date__lte=day)
        if c.is_running_at(day)
    ]
    # Most entrepreneurs have no running CAPE: the status (the one definition, in SQL) is
    # only asked for when one runs, since a CESA or an exit the same day overrides it.
    if not running or person.status_at(day) != Status.CAPE:
        return None
    contract = max(running, key=lambda c: c.start_date)
    end = contract.end_date or contract.planned_end_date
    return {
        "person": str(person),
        "start_date": contract.start_date.isoformat(),
        "end_date": end.isoformat() if end else "",
    }


def seller_snapshot(
    business: Business, day: datetime.date, footer: str | None = None
) -> dict[str, Any]:
    """The cooperative's legal identity and the business selling under it (`footer`: the
    business's sales settings' footer when the caller already read them)."""
    coop = cooperative_get()
    main = business.memberships.filter(is_main=True).select_related("person").first()
    person = main.person if main else None
    return {
        "name": coop.name,
        "legal_form": coop.legal_form,
        "capital_cents": coop.capital_cents,
        "address": coop.address,
        "postal_code": coop.postal_code,
        "city": coop.city,
        "siren": coop.siren,
        "siret": coop.siret,
        "rcs_city": coop.rcs_city,
        "vat_number": coop.vat_number,
        "vat_on_debits": coop.vat_on_debits,
        "training_registration_number": coop.training_registration_number,
        "email": coop.email,
        "phone": coop.phone,
        "business_name": business.name,
        "business_code": business.code,
        "entrepreneur": str(person) if person else "",
        "cape": cape_mention(person, day),
        "footer": (
            footer
            if footer is not None
            else SalesSettings.objects.filter(business=business)
            .values_list("footer", flat=True)
            .first()
        )
        or "",
    }


def customer_snapshot(customer: Customer) -> dict[str, Any]:
    """The customer as printed: name, identifiers, billing and delivery addresses."""
    return {
        "name": customer.name,
        "kind": customer.kind,
        "professional": customer.is_professional,
        "siren": customer.siren,
        "siret": customer.siret,
        "vat_number": customer.vat_number,
        "address": customer.address,
        "postal_code": customer.postal_code,
        "city": customer.city,
        "country": customer.country,
        "delivery_address": customer.delivery_address,
        "delivery_postal_code": customer.delivery_postal_code,
        "delivery_city": customer.delivery_city,
        "delivery_country": customer.delivery_country,
        "email": customer.email,
        "electronic_address": customer.electronic_address,
        "internal_business_code": (
            customer.internal_business.code if customer.internal_business_id else ""
        ),
    }


def document_snapshot(
    *,
    business: Business,
    customer: Customer,
    day: datetime.date,
    footer: str | None = None,
    seller: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything outside the document that its print shows, as it is on `day` (`seller`:
    the business's `seller_snapshot` for that day when the caller already made it, for
    documents issued together)."""
    return {
        "seller": seller if seller is not None else seller_snapshot(business, day, footer),
        "customer": customer_snapshot(customer),
    }
