"""Namespaces and codes shared by the CII writer and reader."""

from __future__ import annotations

import re

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
ZUGFERD1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"  # read by local names like the others
NSMAP = {"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}

ROOT_NAMES = ("CrossIndustryInvoice", "CrossIndustryDocument")

# BT-8: the semantic model uses UNTDID 2005 (3, 35, 432), CII uses UNTDID 2475 (5, 29, 72).
VAT_POINT_TO_CII = {"3": "5", "35": "29", "432": "72"}
VAT_POINT_FROM_CII = {cii: semantic for semantic, cii in VAT_POINT_TO_CII.items()}

IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$")

# BG-24 / BT-17 / BT-18 all travel as AdditionalReferencedDocument, told apart by TypeCode.
TENDER_TYPE = "50"
INVOICED_OBJECT_TYPE = "130"
SUPPORTING_TYPE = "916"
