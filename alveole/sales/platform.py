"""The cooperative's Plateforme Agréée: deposit issued invoices, record their lifecycle,
take in the invoices received through it.

Every function here talks to the platform synchronously and is meant to run inside a
background task (`alveole.sales.tasks`), never in a request. With no `ALVEOLE_PA_URL` they
do nothing and say "aucune plateforme agréée configurée".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from alveole.einvoicing.platform import LIFECYCLE, FlowClient, PlatformError, read_lifecycle
from alveole.sales.einvoice import export
from alveole.sales.models import Customer, Invoice, PlatformStatus

logger = logging.getLogger(__name__)

NOT_CONFIGURED = "Aucune plateforme agréée configurée : rien n'est transmis."
# Seconds to wait before each new attempt after a timeout, a 429 or a 5xx.
RETRY_DELAYS: tuple[float, ...] = (2, 10, 60)


def configured() -> bool:
    return bool(settings.ALVEOLE_PA_URL)


def client() -> FlowClient:
    return FlowClient(
        settings.ALVEOLE_PA_URL, settings.ALVEOLE_PA_TOKEN, timeout=settings.ALVEOLE_PA_TIMEOUT
    )


def with_retries[T](call: Callable[[], T], delays: tuple[float, ...] | None = None) -> T:
    """`call()`, tried again after each delay while the failure is retryable."""
    delays = RETRY_DELAYS if delays is None else delays
    for delay in (*delays, None):
        try:
            return call()
        except PlatformError as error:
            if not error.retryable or delay is None:
                raise
            logger.warning("Plateforme agréée : %s — nouvel essai dans %ss", error.message, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def processing_rule(invoice: Invoice) -> str:
    """The Flow service's processing rule for the invoice's customer (as frozen at issue)."""
    from alveole.sales.ereporting import category, invoice_customer

    customer = invoice_customer(invoice)
    kind = category(customer)
    if kind is not None:
        return "B2C" if kind == "B2C" else "B2BInt"
    if customer.get("kind") == Customer.Kind.PUBLIC_BODY:
        return "B2G"
    return "B2B"


def _record(
    invoice: Invoice, code: str, *, message: str = "", flow_id: str = "", date: str = ""
) -> PlatformStatus:
    label = LIFECYCLE.get(code) or str(PlatformStatus.OWN_CODES.get(code, code))
    return PlatformStatus.objects.create(
        invoice=invoice,
        code=code,
        label=label,
        message=message[:500],
        flow_id=flow_id,
        status_date=date[:40],
    )


def submit_invoice(invoice_id: int) -> PlatformStatus | None:
    """Deposit an issued invoice's Factur-X; records the outcome (also a refusal or a
    failure after the retries) and returns it. None when nothing is to be sent."""
    if not configured():
        logger.info(NOT_CONFIGURED)
        return None
    invoice = Invoice.objects.select_related("customer", "business").get(pk=invoice_id)
    rule = processing_rule(invoice)
    if rule in ("B2C", "B2BInt"):
        logger.info("%s : %s, transmise par l'e-reporting, pas déposée.", invoice.number, rule)
        return None
    content, filename, _content_type = export(invoice, "facturx")
    try:
        info = with_retries(
            lambda: client().submit(
                content, filename, tracking_id=invoice.number or "", processing_rule=rule
            )
        )
    except PlatformError as error:
        code = PlatformStatus.FAILED if error.retryable else PlatformStatus.ERROR
        return _record(invoice, code, message=error.message)
    return _record(
        invoice,
        PlatformStatus.SUBMITTED,
        flow_id=str(info["flowId"]),
        date=str(info.get("submittedAt") or ""),
    )


def _ack_errors(flow: dict[str, Any]) -> str:
    details = (flow.get("acknowledgement") or {}).get("details") or []
    messages = [
        f"{d.get('item', '')} : {d.get('reasonMessage', '')}".strip(" :")
        for d in details
        if isinstance(d, dict)
    ]
    return " ; ".join(messages) or "rejet technique sans détail"


def poll_statuses() -> int:
    """Check the deposited flows and read the lifecycle messages; returns how many new
    statuses were recorded."""
    if not configured():
        logger.info(NOT_CONFIGURED)
        return 0
    flow_client = client()
    recorded = 0
    # The technical acknowledgement of the invoices still waiting after their deposit.
    for status in PlatformStatus.objects.filter(code=PlatformStatus.SUBMITTED).select_related(
        "invoice"
    ):
        if status.invoice.platform_statuses.filter(pk__gt=status.pk).exists():
            continue
        flow = with_retries(partial(flow_client.flow, status.flow_id))
        ack = (flow.get("acknowledgement") or {}).get("status")
        if ack == "Error":
            _record(
                status.invoice,
                PlatformStatus.ERROR,
                message=_ack_errors(flow),
                flow_id=status.flow_id,
            )
            recorded += 1
    # The lifecycle messages (CDAR) about the invoices the cooperative issued.
    flows = with_retries(
        lambda: flow_client.search({"flowType": ["CustomerInvoiceLC"], "flowDirection": ["In"]})
    )
    for flow in flows:
        flow_id = str(flow.get("flowId") or "")
        if not flow_id or PlatformStatus.objects.filter(flow_id=flow_id).exists():
            continue
        try:
            content = with_retries(partial(flow_client.download, flow_id))
            statuses = read_lifecycle(content)
        except PlatformError as error:
            logger.warning("Cycle de vie %s illisible : %s", flow_id, error.message)
            continue
        for found in statuses:
            invoice = Invoice.objects.filter(number=found.invoice_number).first()
            if invoice is None:
                logger.warning(
                    "Cycle de vie %s : facture %s inconnue", flow_id, found.invoice_number
                )
                continue
            _record(invoice, found.code, message=found.reason, flow_id=flow_id, date=found.date)
            recorded += 1
    return recorded


def fetch_received() -> list[int]:
    """Take the invoices received through the platform into the purchases reception;
    returns the ids of the supplier invoices created (duplicates are refused there)."""
    from alveole.purchases.services import supplier_invoice_receive

    if not configured():
        logger.info(NOT_CONFIGURED)
        return []
    flow_client = client()
    flows = with_retries(
        lambda: flow_client.search({"flowType": ["SupplierInvoice"], "flowDirection": ["In"]})
    )
    created = []
    for flow in flows:
        flow_id = str(flow.get("flowId") or "")
        if not flow_id:
            continue
        try:
            content = with_retries(partial(flow_client.download, flow_id))
            received = supplier_invoice_receive(
                actor=None, content=content, filename=str(flow.get("name") or flow_id)
            )
        except PlatformError as error:
            logger.warning("Flux reçu %s : %s", flow_id, error.message)
            continue
        except ValidationError as error:
            logger.info("Flux reçu %s refusé : %s", flow_id, "; ".join(error.messages))
            continue
        created.append(received.pk)
    return created


def latest_status(invoice: Invoice) -> PlatformStatus | None:
    return invoice.platform_statuses.order_by("-at", "-pk").first()
