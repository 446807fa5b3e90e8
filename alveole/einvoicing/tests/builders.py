"""Neutral invoices built the way Alvéole issues them, for the einvoicing tests."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from pathlib import Path

from alveole.einvoicing import totals
from alveole.einvoicing.document import (
    SCHEME_FRENCH_ELECTRONIC_ADDRESS,
    SCHEME_SIREN,
    SCHEME_SIRET,
    Address,
    AllowanceCharge,
    Contact,
    CreditTransfer,
    Delivery,
    Identifier,
    Invoice,
    ItemAttribute,
    Line,
    Note,
    NoteSubject,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    SupportingDocument,
    TypeCode,
    VatBreakdown,
    VatPointDateCode,
)

DATA = Path(__file__).parent / "data"
SELLER_SIREN = "123456782"
BUYER_SIREN = "987654324"


def seller() -> Party:
    """The cooperative: a SCOP with SIREN, SIRET, VAT number and a French electronic address."""
    return Party(
        name="Alvéole Coopérative",
        trading_name="Atelier Alice",
        identifiers=[Identifier(f"{SELLER_SIREN}00017", SCHEME_SIRET)],
        legal_id=Identifier(SELLER_SIREN, SCHEME_SIREN),
        vat_id=f"FR11{SELLER_SIREN}",
        legal_info="SCOP SA à capital variable, RCS Auch",
        electronic_address=Identifier(SELLER_SIREN, SCHEME_FRENCH_ELECTRONIC_ADDRESS),
        address=Address(
            line1="12 rue de la Coopération",
            line2="Bâtiment B",
            city="Auch",
            postcode="32000",
            country="FR",
        ),
        contact=Contact(name="Alice Martin", phone="+33 5 62 00 00 00", email="alice@example.org"),
    )


def buyer() -> Party:
    """A French business customer (B2B) with SIREN, VAT number and electronic address."""
    return Party(
        name="Librairie du Gers SARL",
        legal_id=Identifier(BUYER_SIREN, SCHEME_SIREN),
        vat_id=f"FR14{BUYER_SIREN}",
        electronic_address=Identifier(BUYER_SIREN, SCHEME_FRENCH_ELECTRONIC_ADDRESS),
        address=Address(
            line1="3 place de la Libération", city="Tarbes", postcode="65000", country="FR"
        ),
        contact=Contact(email="compta@librairie-du-gers.example"),
    )


def mandatory_notes() -> list[Note]:
    """The notes the French rules require once each, plus the B2B processing note."""
    return [
        Note(
            "Pénalités de retard : taux directeur de la BCE majoré de 10 points, "
            "exigibles dès le lendemain de l'échéance.",
            NoteSubject.PENALTIES,
        ),
        Note(
            "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
            NoteSubject.RECOVERY_INDEMNITY,
        ),
        Note("Pas d'escompte pour paiement anticipé.", NoteSubject.EARLY_PAYMENT_DISCOUNT),
        Note("B2B", NoteSubject.BILLING_PROCESS),
    ]


def payment() -> PaymentInstructions:
    """A SEPA credit transfer to the cooperative's account."""
    return PaymentInstructions(
        means_code="58",
        means_text="Virement SEPA",
        remittance_information="F-ALICE-2026-0042",
        credit_transfers=[
            CreditTransfer(
                account_id="FR7630006000011234567890189",
                account_name="Alvéole Coopérative",
                bic="AGRIFRPP",
            )
        ],
    )


def invoice() -> Invoice:
    """An invoice for goods and services at two VAT rates, VAT on debits, issued in B2B."""
    issue = datetime.date(2026, 11, 2)
    draft = Invoice(
        number="F-ALICE-2026-0042",
        issue_date=issue,
        type_code=TypeCode.INVOICE,
        currency="EUR",
        vat_point_date_code=VatPointDateCode.ISSUE_DATE,
        due_date=issue + datetime.timedelta(days=30),
        buyer_reference="SERVICE-ACHATS",
        order_reference="BC-2026-118",
        contract_reference="CONTRAT-7",
        payment_terms="Paiement à 30 jours par virement.",
        notes=mandatory_notes(),
        business_process="M1",
        seller=seller(),
        buyer=buyer(),
        delivery=Delivery(
            party_name="Librairie du Gers",
            date=datetime.date(2026, 10, 30),
            address=Address(
                line1="3 place de la Libération", city="Tarbes", postcode="65000", country="FR"
            ),
        ),
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        payment=payment(),
        lines=[
            Line(
                id="1",
                note="Maquettes validées le 28/10.",
                quantity=Decimal("3"),
                unit_code="DAY",
                net_price=Decimal("450.00"),
                gross_price=Decimal("500.00"),
                price_discount=Decimal("50.00"),
                vat_category="S",
                vat_rate=Decimal("20"),
                name="Conception graphique",
                description="Catalogue de l'automne, 24 pages",
                seller_item_id="GRAPH-J",
                period_start=datetime.date(2026, 10, 1),
                period_end=datetime.date(2026, 10, 15),
            ),
            Line(
                id="2",
                quantity=Decimal("100"),
                unit_code="C62",
                net_price=Decimal("2.35"),
                vat_category="S",
                vat_rate=Decimal("5.5"),
                name="Livret imprimé",
                order_line_reference="4",
                standard_item_id=Identifier("9782123456803", "0160"),
                origin_country="FR",
            ),
        ],
    )
    return totals.complete(draft)


def invoice_with_exemption_and_allowance() -> Invoice:
    """A training invoice exempt of VAT, with a document-level discount and a deposit deducted."""
    base = invoice()
    draft = dataclasses.replace(
        base,
        number="F-ALICE-2026-0043",
        business_process="S1",
        vat_point_date_code=VatPointDateCode.PAID_TO_DATE,
        delivery=None,
        lines=[
            dataclasses.replace(base.lines[0], gross_price=None, price_discount=None),
            Line(
                id="2",
                quantity=Decimal("7"),
                unit_code="HUR",
                net_price=Decimal("60"),
                vat_category="E",
                vat_rate=Decimal("0"),
                name="Formation PAO",
            ),
        ],
        allowances_charges=[
            AllowanceCharge(
                amount=10000,
                base_amount=135000,
                percentage=Decimal("7.4074"),
                vat_category="S",
                vat_rate=Decimal("20"),
                reason="Remise fidélité",
                reason_code="95",
            )
        ],
        vat_breakdown=[
            VatBreakdown(
                category="E",
                rate=Decimal("0"),
                exemption_reason="Exonération de TVA, art. 261-4-4° a du CGI",
                exemption_reason_code="VATEX-FR-CGI261-4",
            )
        ],
    )
    draft = dataclasses.replace(draft, totals=dataclasses.replace(draft.totals, prepaid=30000))
    return totals.complete(draft)


def credit_note() -> Invoice:
    """A credit note for part of the invoice, referring to it (BT-25/BT-26)."""
    base = invoice()
    draft = dataclasses.replace(
        base,
        number="AV-ALICE-2026-0001",
        type_code=TypeCode.CREDIT_NOTE,
        issue_date=datetime.date(2026, 11, 20),
        due_date=datetime.date(2026, 11, 20),
        business_process="S1",
        preceding_invoices=[PrecedingInvoice(base.number, base.issue_date)],
        payment_terms="Remboursement par virement sous 8 jours.",
        delivery=None,
        period_start=None,
        period_end=None,
        lines=[
            Line(
                id="1",
                quantity=Decimal("1"),
                unit_code="DAY",
                net_price=Decimal("450.00"),
                vat_category="S",
                vat_rate=Decimal("20"),
                name="Conception graphique (journée non réalisée)",
            )
        ],
        vat_breakdown=[],
    )
    return totals.complete(draft)


def full_invoice() -> Invoice:
    """An invoice that sets every business term of the neutral model, for round trips.

    It is not meant to pass the rules (it carries both BT-7 and BT-8, a card and a mandate);
    it proves that every term survives writing and reading.
    """
    base = invoice()
    line = dataclasses.replace(
        base.lines[0],
        object_id=Identifier("ABC-123", "AAB"),
        order_line_reference="7",
        accounting_reference="706100",
        allowances_charges=[
            AllowanceCharge(
                amount=1000,
                base_amount=10000,
                percentage=Decimal("10"),
                reason="Remise",
                reason_code="95",
            ),
            AllowanceCharge(is_charge=True, amount=500, reason="Emballage", reason_code="ABK"),
        ],
        price_base_quantity=Decimal("1"),
        price_base_unit_code="DAY",
        buyer_item_id="ACH-42",
        standard_item_id=Identifier("9782123456803", "0160"),
        classifications=[Identifier("73110000", "CPV")],
        origin_country="FR",
        attributes=[ItemAttribute("Format", "A4"), ItemAttribute("Pages", "24")],
    )
    full_party = dataclasses.replace(
        buyer(),
        trading_name="La Librairie",
        identifiers=[Identifier("CLIENT-9"), Identifier(f"{BUYER_SIREN}00021", SCHEME_SIRET)],
        tax_registration_id="FR-FISC-9",
        legal_info="SARL au capital de 8 000 €",
        contact=Contact(name="Paul Durand", phone="+33 5 62 11 11 11", email="paul@example.org"),
        address=Address(
            line1="3 place de la Libération",
            line2="Entrée B",
            line3="2e étage",
            city="Tarbes",
            postcode="65000",
            subdivision="Hautes-Pyrénées",
            country="FR",
        ),
    )
    full_seller = dataclasses.replace(
        seller(),
        tax_registration_id="FR-FISC-1",
        address=Address(
            line1="12 rue de la Coopération",
            line2="Bâtiment B",
            line3="Zone artisanale",
            city="Auch",
            postcode="32000",
            subdivision="Gers",
            country="FR",
        ),
    )
    return dataclasses.replace(
        base,
        accounting_currency="USD",
        tax_point_date=datetime.date(2026, 11, 2),
        project_reference="PROJET-3",
        sales_order_reference="CMD-V-9",
        receiving_advice_reference="RECEP-4",
        despatch_advice_reference="BL-5",
        tender_reference="LOT-2",
        invoiced_object=Identifier("COMPTEUR-8", "AVV"),
        buyer_accounting_reference="6064",
        preceding_invoices=[PrecedingInvoice("F-ALICE-2026-0001", datetime.date(2026, 1, 15))],
        seller=full_seller,
        buyer=full_party,
        payee=Party(
            name="Affacturage du Sud",
            identifiers=[Identifier("PAYEE-1", "0088")],
            legal_id=Identifier("552100554", SCHEME_SIREN),
        ),
        tax_representative=Party(
            name="Représentant fiscal SAS",
            vat_id="FR96552100554",
            address=Address(line1="1 rue du Port", city="Bayonne", postcode="64100", country="FR"),
        ),
        delivery=Delivery(
            party_name="Librairie du Gers",
            location_id=Identifier("LIEU-1", "0088"),
            date=datetime.date(2026, 10, 30),
            address=full_party.address,
        ),
        payment=PaymentInstructions(
            means_code="58",
            means_text="Virement SEPA",
            remittance_information="F-ALICE-2026-0042",
            credit_transfers=[
                payment().credit_transfers[0],
                CreditTransfer(
                    account_id="FR7610107001011234567890129",
                    account_name="Compte 2",
                    bic="BREDFRPP",
                ),
            ],
            card_account="1234",
            card_holder="Alice Martin",
            mandate_id="MANDAT-1",
            creditor_id="FR12ZZZ123456",
            debited_account="FR7630004000031234567890143",
        ),
        supporting_documents=[
            SupportingDocument(
                id="ANNEXE-1",
                description="Bon de livraison",
                uri="https://example.org/bl.pdf",
                content=b"%PDF-1.7 minimal",
                mime_code="application/pdf",
                filename="bl.pdf",
            )
        ],
        allowances_charges=[
            AllowanceCharge(
                amount=2000,
                base_amount=20000,
                percentage=Decimal("10"),
                vat_category="S",
                vat_rate=Decimal("20"),
                reason="Remise commerciale",
                reason_code="95",
            ),
            AllowanceCharge(
                is_charge=True,
                amount=1500,
                vat_category="S",
                vat_rate=Decimal("20"),
                reason="Frais de port",
                reason_code="FC",
            ),
        ],
        lines=[line, base.lines[1]],
        vat_breakdown=[
            dataclasses.replace(
                breakdown,
                exemption_reason="Motif",
                exemption_reason_code="VATEX-EU-O",
            )
            for breakdown in base.vat_breakdown
        ],
        totals=dataclasses.replace(
            base.totals,
            allowance_total=2000,
            charge_total=1500,
            vat_total_accounting_currency=33000,
            prepaid=1000,
            rounding=1,
        ),
    )
