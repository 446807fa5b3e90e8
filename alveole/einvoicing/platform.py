"""A small client for a Plateforme Agréée's Flow service (AFNOR XP Z12-013, API 1.3.0).

Only the routes Alvéole needs: submit a flow (`POST /v1/flows`, multipart `flowInfo` +
`file`), search flows (`POST /v1/flows/search`), read a flow's metadata or download its
file (`GET /v1/flows/{flowId}?docType=…`). Lifecycle statuses arrive as `CustomerInvoiceLC`
flows whose file is a CDAR message: `read_lifecycle` reads the statuses out of it.

Standard library only (urllib); no Django. Errors are `PlatformError` with a French message;
`retryable` tells a timeout, a 429 or a 5xx (worth trying again) from a refusal.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from alveole.einvoicing.xmltools import parse_xml

# The invoice lifecycle statuses of the French reform (codes of the CDAR messages).
LIFECYCLE: dict[str, str] = {
    "200": "Déposée",
    "201": "Émise par la plateforme",
    "202": "Reçue par la plateforme",
    "203": "Mise à disposition",
    "204": "Prise en charge",
    "205": "Approuvée",
    "206": "Approuvée partiellement",
    "207": "En litige",
    "208": "Suspendue",
    "209": "Complétée",
    "210": "Refusée",
    "211": "Paiement transmis",
    "212": "Encaissée",
    "213": "Rejetée",
}


class PlatformError(Exception):
    """A call to the platform failed; `message` is French and fit to show."""

    def __init__(
        self, message: str, *, status: int | None = None, code: str = "", retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.retryable = retryable


@dataclass(frozen=True)
class LifecycleStatus:
    invoice_number: str
    code: str
    label: str
    date: str
    reason: str


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _child_text(element: Any, name: str) -> str:
    for child in element.iter():
        if _local(child.tag) == name and (child.text or "").strip():
            return (child.text or "").strip()
    return ""


def read_lifecycle(content: bytes) -> list[LifecycleStatus]:
    """The statuses a CDAR lifecycle message carries, one per referenced invoice."""
    try:
        root = parse_xml(content)
    except Exception as exc:  # any parse failure is a refusal
        raise PlatformError(f"Message de cycle de vie illisible : {exc}") from None
    date = _child_text(root, "IssueDateTime")
    found = []
    for ref in root.iter():
        if _local(ref.tag) != "ReferenceReferencedDocument":
            continue
        number = _child_text(ref, "IssuerAssignedID")
        code = _child_text(ref, "ProcessConditionCode")
        if not number or not code:
            continue
        reason = _child_text(ref, "Reason") or _child_text(ref, "ReasonCode")
        found.append(LifecycleStatus(number, code, LIFECYCLE.get(code, code), date, reason))
    return found


def _error_message(status: int, body: bytes) -> tuple[str, str]:
    code = detail = ""
    try:
        data = json.loads(body or b"{}")
        code = str(data.get("errorCode") or "")
        detail = str(data.get("details") or data.get("errorMessage") or "")
    except (ValueError, AttributeError):
        detail = body[:200].decode("utf-8", "replace")
    known = {
        400: "requête refusée",
        401: "authentification refusée (jeton)",
        403: "accès interdit",
        404: "flux introuvable",
        413: "fichier trop volumineux",
        422: "flux refusé",
        429: "trop de requêtes",
    }
    what = known.get(status, "erreur du serveur" if status >= 500 else "erreur")
    text = f"La plateforme agréée a répondu {status} ({what})"
    if code:
        text += f" [{code}]"
    if detail:
        text += f" : {detail}"
    return text, code


class FlowClient:
    """The Flow service of one platform: `base_url` ends with the service name."""

    def __init__(self, base_url: str, token: str = "", timeout: float = 10) -> None:
        if not base_url:
            raise PlatformError("Aucune plateforme agréée configurée.")
        if not base_url.startswith(("http://", "https://")):
            raise PlatformError(f"Adresse de plateforme agréée invalide : {base_url}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _request(
        self, method: str, path: str, body: bytes | None = None, content_type: str = ""
    ) -> tuple[bytes, str]:
        headers = {"Request-Id": str(uuid.uuid4()), "Accept": "application/json, */*"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(  # noqa: S310 — http(s) only, checked in __init__
            self.base_url + path, data=body, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            message, code = _error_message(exc.code, exc.read())
            retryable = exc.code == 429 or exc.code >= 500
            raise PlatformError(message, status=exc.code, code=code, retryable=retryable) from None
        except TimeoutError:
            raise PlatformError(
                f"La plateforme agréée n'a pas répondu en {self.timeout:g} s.", retryable=True
            ) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise PlatformError(
                    f"La plateforme agréée n'a pas répondu en {self.timeout:g} s.", retryable=True
                ) from None
            raise PlatformError(
                f"La plateforme agréée est injoignable : {exc.reason}", retryable=True
            ) from None

    def _json(self, method: str, path: str, payload: Any = None) -> dict[str, Any]:
        body = None if payload is None else json.dumps(payload).encode()
        raw, _ = self._request(method, path, body, "application/json" if body else "")
        try:
            data = json.loads(raw)
        except ValueError:
            raise PlatformError("La plateforme agréée a renvoyé une réponse illisible.") from None
        if not isinstance(data, dict):
            raise PlatformError("La plateforme agréée a renvoyé une réponse inattendue.")
        return data

    def submit(
        self,
        content: bytes,
        name: str,
        *,
        syntax: str = "Factur-X",
        tracking_id: str = "",
        processing_rule: str = "",
    ) -> dict[str, Any]:
        """Deposit a flow; returns the platform's FullFlowInfo (with `flowId`)."""
        info: dict[str, Any] = {
            "name": name,
            "flowSyntax": syntax,
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        if tracking_id:
            info["trackingId"] = tracking_id
        if processing_rule:
            info["processingRule"] = processing_rule
        boundary = uuid.uuid4().hex
        file_type = "application/pdf" if syntax == "Factur-X" else "application/xml"
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                b'Content-Disposition: form-data; name="flowInfo"\r\n',
                b"Content-Type: application/json\r\n\r\n",
                json.dumps(info).encode(),
                f"\r\n--{boundary}\r\n".encode(),
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'.encode(),
                f"Content-Type: {file_type}\r\n\r\n".encode(),
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        raw, _ = self._request(
            "POST", "/v1/flows", body, f"multipart/form-data; boundary={boundary}"
        )
        try:
            data = json.loads(raw)
        except ValueError:
            raise PlatformError("La plateforme agréée a renvoyé une réponse illisible.") from None
        if not isinstance(data, dict) or not data.get("flowId"):
            raise PlatformError("La plateforme agréée n'a pas renvoyé d'identifiant de flux.")
        return data

    def flow(self, flow_id: str) -> dict[str, Any]:
        """A flow's metadata (its acknowledgement status among them)."""
        return self._json("GET", f"/v1/flows/{urllib.parse.quote(flow_id, safe='')}")

    def download(self, flow_id: str, doc_type: str = "Original") -> bytes:
        path = f"/v1/flows/{urllib.parse.quote(flow_id, safe='')}?docType={doc_type}"
        return self._request("GET", path)[0]

    def search(self, where: dict[str, Any], limit: int = 100) -> list[dict[str, Any]]:
        """Every flow matching `where`, following the pagination cursor."""
        results: list[dict[str, Any]] = []
        cursor = None
        for _page in range(1000):
            params: dict[str, Any] = {"where": where, "limit": limit}
            if cursor:
                params["cursor"] = cursor
            data = self._json("POST", "/v1/flows/search", params)
            results.extend(r for r in data.get("results") or [] if isinstance(r, dict))
            cursor = data.get("nextCursor")
            if not cursor:
                break
        return results
