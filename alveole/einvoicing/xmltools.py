"""Small helpers shared by the CII and UBL converters: tolerant reading, exact writing.

Readers walk the tree by *local name*, ignoring namespaces, so that one reader serves CII
D16B (Factur-X, ZUGFeRD 2, XRechnung), CII D22B (EXTENDED-CTC-FR) and ZUGFeRD 1, whose
namespaces differ. Every parsing helper returns None on a missing or malformed value and
never raises: a received invoice with a bad date is still read.
"""

from __future__ import annotations

import datetime
import re
import threading
from decimal import Decimal, InvalidOperation

from lxml import etree

from alveole.core.money import from_cents, round_cents

_local = threading.local()


def safe_parser() -> etree.XMLParser:
    """This thread's parser: no external entities, no network (received files are untrusted)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        _local.parser = parser
    return parser


class NotAnInvoice(ValueError):
    """The bytes are not an electronic invoice Alvéole can read; the message is French."""


def parse_xml(data: bytes) -> etree._Element:
    """Parse XML bytes safely, or raise NotAnInvoice with the parser's reason."""
    if not data or not data.strip():
        raise NotAnInvoice("Le fichier est vide.")
    try:
        return etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise NotAnInvoice(f"Le fichier n'est pas un XML bien formé : {error}") from None


def local(element: etree._Element) -> str:
    """The local name of an element (no namespace)."""
    tag = element.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rpartition("}")[2]


def children(element: etree._Element | None, *names: str) -> list[etree._Element]:
    """The child elements whose local name is one of `names`, in document order."""
    if element is None:
        return []
    return [child for child in element if local(child) in names]


def child(element: etree._Element | None, *names: str) -> etree._Element | None:
    """The first child element whose local name is one of `names`, or None."""
    if element is None:
        return None
    for candidate in element:
        if local(candidate) in names:
            return candidate
    return None


def path(element: etree._Element | None, *steps: str | tuple[str, ...]) -> etree._Element | None:
    """Follow a chain of child steps; a step may be a tuple of alternative local names."""
    for step in steps:
        names = step if isinstance(step, tuple) else (step,)
        element = child(element, *names)
        if element is None:
            return None
    return element


def text(element: etree._Element | None) -> str | None:
    """The stripped text of an element, None when absent or blank."""
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def text_at(element: etree._Element | None, *steps: str | tuple[str, ...]) -> str | None:
    """The text at the end of a chain of child steps."""
    return text(path(element, *steps))


def to_decimal(value: str | None) -> Decimal | None:
    """A Decimal from text, None when absent or not a finite number."""
    if value is None:
        return None
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def to_cents(value: str | None) -> int | None:
    """Integer cents from an amount text, rounded half-up like the rest of Alvéole."""
    number = to_decimal(value)
    return None if number is None else round_cents(number)


_DIGITS = re.compile(r"\d+")


def to_date(value: str | None, fmt: str | None = None) -> datetime.date | None:
    """A date from CII (format 102: YYYYMMDD) or ISO (YYYY-MM-DD) text; None if unreadable."""
    if value is None:
        return None
    digits = "".join(_DIGITS.findall(value))
    if fmt not in (None, "102") or len(digits) < 8:
        return None  # 610 (month) and 616 (week) are not dates
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def to_bool(value: str | None) -> bool | None:
    """An XML boolean."""
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    return None


# --- writing ---------------------------------------------------------------------------------


def format_amount(cents: int) -> str:
    """Cents as an amount with exactly two decimals ("1234.50")."""
    return str(from_cents(cents))


def format_decimal(number: Decimal, min_places: int = 0) -> str:
    """A Decimal in plain notation (no exponent), with at least `min_places` decimals."""
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places < min_places:
        number = number.quantize(Decimal(1).scaleb(-min_places))
    return format(number, "f")


def format_rate(rate: Decimal) -> str:
    """A VAT rate with two decimals ("20.00", "5.50"), as the French rules list them."""
    return format_decimal(rate, 2)


def sub(
    parent: etree._Element, tag: str, value: str | None = None, **attributes: str | None
) -> etree._Element:
    """Append a child element with optional text and the attributes that are not None."""
    element = etree.SubElement(parent, tag)
    if value is not None:
        element.text = value
    for name, attribute in attributes.items():
        if attribute is not None:
            element.set(name, attribute)
    return element
