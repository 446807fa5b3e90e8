"""The Plateforme Agréée client against a local Flow service (AFNOR XP Z12-013 routes):
deposit, lifecycle statuses, an error answer, a timeout retried then recorded, received
invoices taken into the purchases reception, and nothing at all without a platform."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.urls import reverse

from alveole.einvoicing.platform import FlowClient, PlatformError, read_lifecycle
from alveole.purchases.models import SupplierInvoice
from alveole.purchases.tests.conftest import cii_bytes
from alveole.sales import platform, tasks
from alveole.sales.models import PlatformStatus

from .conftest import issued

pytestmark = pytest.mark.django_db

SUBMITTED_AT = "2026-03-02T10:00:00Z"


def cdar(number: str, code: str, reason: str = "") -> bytes:
    """A minimal CDAR lifecycle message about one invoice."""
    reason_xml = f"<ram:Reason>{reason}</ram:Reason>" if reason else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossDomainAcknowledgementAndResponse
  xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
  <rsm:ExchangedDocument><ram:IssueDateTime>20260303</ram:IssueDateTime></rsm:ExchangedDocument>
  <rsm:AcknowledgementDocument>
    <ram:ReferenceReferencedDocument>
      <ram:IssuerAssignedID>{number}</ram:IssuerAssignedID>
      <ram:ProcessConditionCode>{code}</ram:ProcessConditionCode>
      <ram:SpecifiedDocumentStatus>{reason_xml}</ram:SpecifiedDocumentStatus>
    </ram:ReferenceReferencedDocument>
  </rsm:AcknowledgementDocument>
</rsm:CrossDomainAcknowledgementAndResponse>""".encode()


class FlowService:
    """The state of the fake platform; `mode` drives POST /v1/flows."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 0.0
        self.posts: list[dict] = []
        self.tokens: list[str] = []
        self.flows: dict[str, dict] = {}
        self.files: dict[str, bytes] = {}

    def add(self, flow_type: str, content: bytes, name: str, ack: str = "Ok") -> str:
        flow_id = f"flow-{len(self.flows) + 1}"
        self.flows[flow_id] = {
            "flowId": flow_id, "name": name, "submittedAt": SUBMITTED_AT,
            "updatedAt": SUBMITTED_AT, "flowSyntax": "CDAR" if "LC" in flow_type else "CII",
            "flowProfile": "CIUS", "processingRule": "B2B", "processingRuleSource": "Computed",
            "flowType": flow_type, "flowDirection": "In", "acknowledgement": {"status": ack},
        }  # fmt: skip
        self.files[flow_id] = content
        return flow_id


def make_handler(service: FlowService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, payload: dict | bytes, ctype: str = "application/json"):
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            # The client may have given up (timeout): nobody reads the answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_POST(self) -> None:
            service.tokens.append(self.headers.get("Authorization", ""))
            if self.path == "/flow-service/v1/flows":
                return self._submit()
            if self.path == "/flow-service/v1/flows/search":
                where = json.loads(self._body())["where"]
                results = [
                    f for f in service.flows.values()
                    if f["flowType"] in where.get("flowType", [f["flowType"]])
                    and f["flowDirection"] in where.get("flowDirection", [f["flowDirection"]])
                ]  # fmt: skip
                return self._send(200, {"limit": 100, "filters": where, "results": results})
            return self._send(404, {"errorCode": "NOT_FOUND"})

        def _submit(self) -> None:
            raw = self._body()
            if service.delay:
                time.sleep(service.delay)
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = BytesParser(policy=HTTP).parsebytes(head + raw)
            parts = {
                p.get_param("name", header="content-disposition"): p for p in message.iter_parts()
            }
            info = json.loads(parts["flowInfo"].get_payload(decode=True))
            file = parts["file"].get_payload(decode=True)
            service.posts.append({"info": info, "file": file})
            if service.mode == "error":
                return self._send(422, {
                    "errorCode": "INVALID_FLOW", "errorMessage": "Invalid flow",
                    "details": "BR-FR-12 : SIREN de l'acheteur absent",
                })  # fmt: skip
            if service.mode == "unavailable":
                return self._send(503, {"errorCode": "UNAVAILABLE"})
            flow_id = f"out-{len(service.posts)}"
            service.flows[flow_id] = {
                **info, "flowId": flow_id, "submittedAt": SUBMITTED_AT, "updatedAt": SUBMITTED_AT,
                "flowType": "CustomerInvoice", "flowDirection": "Out",
                "processingRuleSource": "Input", "acknowledgement": {"status": "Pending"},
            }  # fmt: skip
            return self._send(202, {**info, "flowId": flow_id, "submittedAt": SUBMITTED_AT})

        def do_GET(self) -> None:
            url = urlparse(self.path)
            flow_id = url.path.rsplit("/", 1)[-1]
            if flow_id not in service.flows:
                return self._send(404, {"errorCode": "FLOW_NOT_FOUND"})
            doc_type = parse_qs(url.query).get("docType", ["Metadata"])[0]
            if doc_type == "Metadata":
                return self._send(200, service.flows[flow_id])
            return self._send(200, service.files[flow_id], "application/octet-stream")

    return Handler


@pytest.fixture
def flow_service(settings, tmp_path, monkeypatch):
    service = FlowService()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(service))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ALVEOLE_PA_URL = f"http://127.0.0.1:{server.server_address[1]}/flow-service"
    settings.ALVEOLE_PA_TOKEN = "jeton-de-test"
    settings.ALVEOLE_PA_TIMEOUT = 5
    settings.MEDIA_ROOT = str(tmp_path)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(platform, "RETRY_DELAYS", (0.01, 0.01))
    # The Factur-X PDF is tested elsewhere: the deposit carries the CII here (faster).
    monkeypatch.setattr(
        platform, "export", lambda invoice, fmt: (b"%PDF-1.7 facture", f"{invoice.number}.pdf", "")
    )
    yield service
    server.shutdown()
    server.server_close()


def test_submit_records_the_flow_id(flow_service, alice):
    invoice = issued(alice.business)
    result = tasks.submit_invoice.enqueue(invoice.pk)
    assert result.return_value == PlatformStatus.SUBMITTED
    status = platform.latest_status(invoice)
    assert (status.code, status.flow_id, status.label) == (
        "submitted", "out-1", "Transmise à la plateforme agréée",
    )  # fmt: skip
    post = flow_service.posts[0]
    assert post["file"] == b"%PDF-1.7 facture"
    assert post["info"]["trackingId"] == invoice.number
    assert post["info"]["flowSyntax"] == "Factur-X"
    assert post["info"]["processingRule"] == "B2B"
    assert len(post["info"]["sha256"]) == 64
    assert flow_service.tokens == ["Bearer jeton-de-test"]


def test_status_updates_are_recorded_once_each(flow_service, alice):
    invoice = issued(alice.business)
    tasks.submit_invoice.enqueue(invoice.pk)
    for code in ("200", "202", "205", "212"):
        flow_service.add("CustomerInvoiceLC", cdar(invoice.number, code), f"cdar-{code}.xml")
    flow_service.add("CustomerInvoiceLC", cdar("INCONNUE-1", "207"), "cdar-other.xml")
    assert tasks.poll_platform_statuses.enqueue().return_value == 4
    assert tasks.poll_platform_statuses.enqueue().return_value == 0  # nothing twice
    codes = [(s.code, s.label) for s in invoice.platform_statuses.all()]
    assert codes == [
        ("submitted", "Transmise à la plateforme agréée"), ("200", "Déposée"),
        ("202", "Reçue par la plateforme"), ("205", "Approuvée"), ("212", "Encaissée"),
    ]  # fmt: skip
    flow_service.add("CustomerInvoiceLC", cdar(invoice.number, "207", "Quantité contestée"), "x")
    assert tasks.poll_platform_statuses.enqueue().return_value == 1
    disputed = platform.latest_status(invoice)
    assert (disputed.code, disputed.label, disputed.message) == (
        "207", "En litige", "Quantité contestée",
    )  # fmt: skip


def test_a_technical_rejection_of_the_deposit_is_recorded(flow_service, alice):
    invoice = issued(alice.business)
    tasks.submit_invoice.enqueue(invoice.pk)
    flow_service.flows["out-1"]["acknowledgement"] = {
        "status": "Error",
        "details": [{"level": "Error", "item": "file", "reasonCode": "DOUBLON",
                     "reasonMessage": "Facture déjà déposée"}],
    }  # fmt: skip
    assert tasks.poll_platform_statuses.enqueue().return_value == 1
    status = platform.latest_status(invoice)
    assert (status.code, status.message) == ("error", "file : Facture déjà déposée")


def test_an_error_answer_is_recorded_in_french_without_retry(flow_service, alice):
    flow_service.mode = "error"
    invoice = issued(alice.business)
    assert tasks.submit_invoice.enqueue(invoice.pk).return_value == PlatformStatus.ERROR
    assert len(flow_service.posts) == 1  # a refusal is not retried
    status = platform.latest_status(invoice)
    assert status.label == "Refusée par la plateforme agréée"
    assert status.message == (
        "La plateforme agréée a répondu 422 (flux refusé) [INVALID_FLOW] : "
        "BR-FR-12 : SIREN de l'acheteur absent"
    )


def test_a_timeout_is_retried_then_recorded_as_failed(flow_service, alice, settings):
    settings.ALVEOLE_PA_TIMEOUT = 0.3
    flow_service.delay = 1.0
    invoice = issued(alice.business)
    assert tasks.submit_invoice.enqueue(invoice.pk).return_value == PlatformStatus.FAILED
    time.sleep(1.0)  # the server threads finish reading
    assert len(flow_service.posts) == 3  # first try and the two retries
    status = platform.latest_status(invoice)
    assert status.label == "Échec de la transmission"
    assert status.message == "La plateforme agréée n'a pas répondu en 0.3 s."


def test_a_timeout_then_success_records_the_deposit(flow_service, alice, settings, monkeypatch):
    settings.ALVEOLE_PA_TIMEOUT = 0.3
    flow_service.delay = 1.0

    def sleep(seconds):  # the backoff: the platform recovers meanwhile
        flow_service.delay = 0

    monkeypatch.setattr(platform.time, "sleep", sleep)
    invoice = issued(alice.business)
    assert tasks.submit_invoice.enqueue(invoice.pk).return_value == PlatformStatus.SUBMITTED


def test_a_5xx_is_retried(flow_service, alice):
    flow_service.mode = "unavailable"
    invoice = issued(alice.business)
    assert tasks.submit_invoice.enqueue(invoice.pk).return_value == PlatformStatus.FAILED
    assert len(flow_service.posts) == 3
    assert "503 (erreur du serveur)" in platform.latest_status(invoice).message


def test_b2c_invoices_are_not_deposited(flow_service, alice):
    from .conftest import individual

    invoice = issued(alice.business, individual(alice.business))
    assert tasks.submit_invoice.enqueue(invoice.pk).return_value == ""
    assert flow_service.posts == []


def test_received_invoices_go_to_the_reception(flow_service, alice):
    flow_service.add("SupplierInvoice", cii_bytes(), "facture-fournisseur.xml")
    ids = tasks.fetch_received_invoices.enqueue().return_value
    assert len(ids) == 1
    received = SupplierInvoice.objects.get(pk=ids[0])
    assert (received.number, received.origin) == ("FA-2026-0042", "received")
    # Fetched again: the reception refuses the duplicate, nothing new.
    assert tasks.fetch_received_invoices.enqueue().return_value == []


def test_without_a_platform_nothing_happens(settings, alice, caplog):
    settings.ALVEOLE_PA_URL = ""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    invoice = issued(alice.business)
    with caplog.at_level("INFO"):
        assert tasks.submit_invoice.enqueue(invoice.pk).return_value == ""
        assert tasks.poll_platform_statuses.enqueue().return_value == 0
        assert tasks.fetch_received_invoices.enqueue().return_value == []
    assert "Aucune plateforme agréée configurée" in caplog.text
    assert not PlatformStatus.objects.exists()
    with pytest.raises(PlatformError, match="Aucune plateforme agréée configurée"):
        FlowClient("")


def test_read_lifecycle_refuses_a_non_xml_file():
    with pytest.raises(PlatformError, match="illisible"):
        read_lifecycle(b"pas du xml")
    assert read_lifecycle(cdar("F-1", "210", "Hors contrat"))[0].label == "Refusée"


def test_issuing_queues_the_deposit_after_the_commit(
    flow_service, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invoice = issued(alice.business)
    assert len(callbacks) == 1
    assert platform.latest_status(invoice).code == PlatformStatus.SUBMITTED
    assert flow_service.posts[0]["info"]["trackingId"] == invoice.number


def test_sync_command(flow_service, alice, settings, capsys):
    invoice = issued(alice.business)
    flow_service.add("CustomerInvoiceLC", cdar(invoice.number, "210", "Hors contrat"), "c.xml")
    flow_service.add("SupplierInvoice", cii_bytes(), "facture-fournisseur.xml")
    call_command("platform_sync", "--now")
    assert "1 statut(s) enregistré(s), 1 facture(s) reçue(s)" in capsys.readouterr().out
    assert platform.latest_status(invoice).label == "Refusée"
    settings.ALVEOLE_PA_URL = ""
    call_command("platform_sync")
    assert "Aucune plateforme agréée configurée" in capsys.readouterr().err


def test_the_detail_page_shows_the_platform_statuses(flow_service, personas):
    invoice = issued(personas.entrepreneur.business)
    tasks.submit_invoice.enqueue(invoice.pk)
    flow_service.add("CustomerInvoiceLC", cdar(invoice.number, "207", "Prix contesté"), "c.xml")
    tasks.poll_platform_statuses.enqueue()
    url = reverse("sales:invoice_detail", args=[invoice.pk])
    page = personas.entrepreneur.client.get(url).content.decode()
    assert "Plateforme agréée" in page
    assert "207 En litige" in page and "Prix contesté" in page
    assert "Transmise à la plateforme agréée" in page
