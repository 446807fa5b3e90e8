"""Uploaded files: is the content what its name says? Decided from the bytes, never the name.

Used by every upload that keeps a file (governance documents, purchases receipts through
purchases/files.py). Executables and scripts are refused whatever their name.
"""

from __future__ import annotations

#: First bytes of programs a browser or a desktop would run: Windows (MZ), Linux (ELF),
#: macOS (Mach-O), Java classes, shell scripts.
EXECUTABLE_SIGNATURES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)

ZIP_MAGIC = b"PK\x03\x04"


def is_executable(head: bytes) -> bool:
    return head.startswith(EXECUTABLE_SIGNATURES)


def content_matches(head: bytes, suffix: str) -> bool:
    """True when the first bytes (at least 1 KiB when the file has them) fit the extension."""
    if is_executable(head):
        return False
    suffix = suffix.lower().lstrip(".")
    if suffix == "pdf":
        return b"%PDF-" in head[:1024]
    if suffix == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if suffix in ("docx", "xlsx", "odt", "ods"):
        return head.startswith(ZIP_MAGIC)
    if suffix in ("txt", "csv"):
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            if error.start < len(head) - 4:
                try:
                    head.decode("cp1252")
                except UnicodeDecodeError:
                    return False
        return not head.lstrip().lower().startswith((b"<script", b"<html", b"<!doctype"))
    return False
