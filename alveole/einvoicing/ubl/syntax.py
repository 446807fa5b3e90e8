"""Namespaces and codes shared by the UBL writer and reader."""

from __future__ import annotations

import re

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

NOTE_WITH_SUBJECT = re.compile(r"^#([A-Z]{3})#(.*)$", re.DOTALL)
PROJECT_TYPE = "50"
INVOICED_OBJECT_TYPE = "130"
SEPA = "SEPA"
