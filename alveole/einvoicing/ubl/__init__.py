"""Neutral invoice ⇄ OASIS UBL 2.1 Invoice / CreditNote, with the EN 16931 UBL binding.

Credit-note type codes (381…) are written as a UBL ``CreditNote``, all others as an
``Invoice``. UBL has no note subject code: BT-21 travels as the ``#CODE#text`` prefix the
EN 16931 and French rules use. Two terms move with the document kind: BT-9 is
``cbc:DueDate`` on an Invoice but ``cac:PaymentMeans/cbc:PaymentDueDate`` on a CreditNote
(so a credit note without payment means cannot carry it), and BT-11 is
``cac:ProjectReference`` on an Invoice but an additional document of type 50 on a CreditNote.
"""

from alveole.einvoicing.ubl.read import from_ubl, is_ubl
from alveole.einvoicing.ubl.write import to_ubl

__all__ = ["from_ubl", "is_ubl", "to_ubl"]
