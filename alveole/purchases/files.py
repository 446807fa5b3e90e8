"""Files people send: receipts (photo or PDF) and received e-invoices, checked by content.

The type is decided by the file's first bytes, never by its name or the browser's claim:
a receipt must really be a JPEG, PNG, WebP, HEIC or PDF.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from alveole.core.uploads import is_executable

#: A phone photo is 2–8 MB; a scanned receipt PDF less.
RECEIPT_MAX_BYTES = 10 * 1024 * 1024

#: Content types of receipts, by signature; HEIC is what iPhones take by default.
RECEIPT_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
}


def sniff(content: bytes) -> str | None:
    """The content type of a receipt from its first bytes, or None when it is none of ours."""
    head = content[:32]
    if is_executable(head):
        return None  # a program named receipt.pdf, even with "%PDF-" further on
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim"):
        return "image/heic"
    if b"%PDF-" in content[:1024]:
        return "application/pdf"
    return None


@dataclass(frozen=True)
class CheckedFile:
    """A file's bytes, its name as sent, its real content type and its SHA-256."""

    content: bytes
    filename: str
    content_type: str
    sha256: str


def check_receipt(content: bytes, filename: str) -> CheckedFile:
    """Accept a receipt photo or PDF of reasonable size, or say why not."""
    if not content:
        raise ValidationError({"receipt": _("Le justificatif est vide.")}, code="empty")
    if len(content) > RECEIPT_MAX_BYTES:
        raise ValidationError(
            {
                "receipt": _(
                    "Le justificatif dépasse la taille maximale (%(max)s Mo) : réduisez la photo "
                    "ou le PDF."
                )
                % {"max": RECEIPT_MAX_BYTES // (1024 * 1024)}
            },
            code="too_big",
        )
    content_type = sniff(content)
    if content_type is None:
        raise ValidationError(
            {
                "receipt": _(
                    "Le justificatif doit être une photo (JPEG, PNG, WebP, HEIC) ou un PDF."
                )
            },
            code="bad_type",
        )
    return CheckedFile(content, filename[:255], content_type, hashlib.sha256(content).hexdigest())


#: What a browser may show inline from our origin; anything else (XML above all, which a
#: browser would render with any XHTML it contains) is downloaded, in a sandbox.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "image/webp"})


def stored_file_response(
    field: FieldFile, *, filename: str, content_type: str = ""
) -> FileResponse:
    """A stored file under the name it was sent with: PDFs and photos inline, the rest as a
    download. Its type is read from its first bytes when not given."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if not content_type:
        head = handle.read(1024)
        handle.seek(0)
        content_type = sniff(head) or ("application/xml" if head.lstrip().startswith(b"<") else "")
    content_type = content_type or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=filename
    )
    if not inline:
        response["Content-Security-Policy"] = "sandbox"
    return response


def einvoice_max_bytes() -> int:
    """The largest received e-invoice accepted: the import limit of the settings."""
    return int(settings.ALVEOLE_IMPORT_MAX_BYTES)
