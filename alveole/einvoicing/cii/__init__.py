"""Neutral invoice ⇄ UN/CEFACT CII, the XML inside Factur-X.

`to_cii` writes the Factur-X EN 16931 profile (CII D16B, guideline ``urn:cen.eu:en16931:2017``)
in the element order of the Factur-X 1.09 EN 16931 XSD. `from_cii` reads any CII invoice —
Factur-X / ZUGFeRD 2 from MINIMUM to EXTENDED, XRechnung CII, and ZUGFeRD 1
(``urn:ferd:CrossIndustryDocument:invoice:1p0``) — and leaves absent terms as None.
"""

from alveole.einvoicing.cii.read import from_cii, is_cii
from alveole.einvoicing.cii.write import to_cii

__all__ = ["from_cii", "is_cii", "to_cii"]
