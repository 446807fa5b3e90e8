"""Neutral invoice → UBL 2.1 Invoice / CreditNote with the EN 16931 binding."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal

from lxml import etree

from alveole.einvoicing.document import (
    Address,
    AllowanceCharge,
    CreditTransfer,
    Delivery,
    Invoice,
    Line,
    Party,
    PaymentInstructions,
)
from alveole.einvoicing.ubl.syntax import (
    CAC,
    CBC,
    CREDIT_NOTE_NS,
    INVOICE_NS,
    INVOICED_OBJECT_TYPE,
    PROJECT_TYPE,
    SEPA,
)
from alveole.einvoicing.xmltools import (
    format_amount,
    format_decimal,
    format_rate,
    sub,
)


def _cac(name: str) -> str:
    return f"{{{CAC}}}{name}"


def _cbc(name: str) -> str:
    return f"{{{CBC}}}{name}"


def to_ubl(invoice: Invoice) -> bytes:
    """Write the invoice as UBL 2.1 (Invoice, or CreditNote for credit-note type codes)."""
    credit_note = invoice.is_credit_note
    namespace = CREDIT_NOTE_NS if credit_note else INVOICE_NS
    root = etree.Element(
        f"{{{namespace}}}{'CreditNote' if credit_note else 'Invoice'}",
        nsmap={None: namespace, "cac": CAC, "cbc": CBC},
    )
    currency = invoice.currency

    def amount(parent: etree._Element, name: str, cents: int | None) -> None:
        if cents is not None:
            sub(parent, _cbc(name), format_amount(cents), currencyID=currency)

    sub(root, _cbc("CustomizationID"), invoice.specification_id)
    if invoice.business_process:
        sub(root, _cbc("ProfileID"), invoice.business_process)
    sub(root, _cbc("ID"), invoice.number)
    _write_date(root, "IssueDate", invoice.issue_date)
    if credit_note:
        _write_date(root, "TaxPointDate", invoice.tax_point_date)
        sub(root, _cbc("CreditNoteTypeCode"), invoice.type_code)
    else:
        _write_date(root, "DueDate", invoice.due_date)
        sub(root, _cbc("InvoiceTypeCode"), invoice.type_code)
    for note in invoice.notes:
        content = f"#{note.subject_code}#{note.text}" if note.subject_code else note.text
        sub(root, _cbc("Note"), content)
    if not credit_note:
        _write_date(root, "TaxPointDate", invoice.tax_point_date)
    sub(root, _cbc("DocumentCurrencyCode"), currency)
    if invoice.accounting_currency:
        sub(root, _cbc("TaxCurrencyCode"), invoice.accounting_currency)
    if invoice.buyer_accounting_reference:
        sub(root, _cbc("AccountingCost"), invoice.buyer_accounting_reference)
    if invoice.buyer_reference:
        sub(root, _cbc("BuyerReference"), invoice.buyer_reference)
    if invoice.period_start or invoice.period_end or invoice.vat_point_date_code:
        period = sub(root, _cac("InvoicePeriod"))
        _write_date(period, "StartDate", invoice.period_start)
        _write_date(period, "EndDate", invoice.period_end)
        if invoice.vat_point_date_code:
            sub(period, _cbc("DescriptionCode"), invoice.vat_point_date_code)
    if invoice.order_reference or invoice.sales_order_reference:
        order = sub(root, _cac("OrderReference"))
        sub(order, _cbc("ID"), invoice.order_reference or "NA")
        if invoice.sales_order_reference:
            sub(order, _cbc("SalesOrderID"), invoice.sales_order_reference)
    for preceding in invoice.preceding_invoices:
        reference = sub(sub(root, _cac("BillingReference")), _cac("InvoiceDocumentReference"))
        sub(reference, _cbc("ID"), preceding.number)
        _write_date(reference, "IssueDate", preceding.issue_date)
    _write_document_id(root, "DespatchDocumentReference", invoice.despatch_advice_reference)
    _write_document_id(root, "ReceiptDocumentReference", invoice.receiving_advice_reference)
    if not credit_note:
        _write_document_id(root, "OriginatorDocumentReference", invoice.tender_reference)
    _write_document_id(root, "ContractDocumentReference", invoice.contract_reference)
    _write_additional_documents(root, invoice, credit_note)
    if credit_note:
        _write_document_id(root, "OriginatorDocumentReference", invoice.tender_reference)
    elif invoice.project_reference:
        sub(sub(root, _cac("ProjectReference")), _cbc("ID"), invoice.project_reference)

    payment = invoice.payment
    creditor_id = payment.creditor_id if payment else None
    seller = sub(root, _cac("AccountingSupplierParty"))
    _write_party(seller, invoice.seller, creditor_id=None if invoice.payee else creditor_id)
    _write_party(sub(root, _cac("AccountingCustomerParty")), invoice.buyer)
    if invoice.payee:
        _write_payee(root, invoice.payee, creditor_id)
    if invoice.tax_representative:
        _write_tax_representative(root, invoice.tax_representative)
    if invoice.delivery:
        _write_delivery(root, invoice.delivery)
    if payment and payment.means_code:
        _write_payment_means(root, payment, invoice.due_date if credit_note else None)
    if invoice.payment_terms:
        sub(sub(root, _cac("PaymentTerms")), _cbc("Note"), invoice.payment_terms)
    for allowance in invoice.allowances_charges:
        _write_allowance_charge(root, allowance, currency, with_tax=True)

    tax_total = sub(root, _cac("TaxTotal"))
    amount(
        tax_total,
        "TaxAmount",
        invoice.totals.vat_total if invoice.totals.vat_total is not None else 0,
    )
    for breakdown in invoice.vat_breakdown:
        subtotal = sub(tax_total, _cac("TaxSubtotal"))
        amount(subtotal, "TaxableAmount", breakdown.basis)
        amount(subtotal, "TaxAmount", breakdown.amount if breakdown.amount is not None else 0)
        _write_tax_category(
            subtotal,
            "TaxCategory",
            breakdown.category,
            breakdown.rate,
            exemption_reason_code=breakdown.exemption_reason_code,
            exemption_reason=breakdown.exemption_reason,
        )
    accounting_vat = invoice.totals.vat_total_accounting_currency
    if invoice.accounting_currency and accounting_vat is not None:
        other = sub(root, _cac("TaxTotal"))
        sub(
            other,
            _cbc("TaxAmount"),
            format_amount(accounting_vat),
            currencyID=invoice.accounting_currency,
        )

    totals = invoice.totals
    monetary = sub(root, _cac("LegalMonetaryTotal"))
    amount(monetary, "LineExtensionAmount", totals.line_total)
    amount(monetary, "TaxExclusiveAmount", totals.tax_exclusive)
    amount(monetary, "TaxInclusiveAmount", totals.tax_inclusive)
    amount(monetary, "AllowanceTotalAmount", totals.allowance_total)
    amount(monetary, "ChargeTotalAmount", totals.charge_total)
    amount(monetary, "PrepaidAmount", totals.prepaid)
    amount(monetary, "PayableRoundingAmount", totals.rounding)
    amount(monetary, "PayableAmount", totals.due if totals.due is not None else 0)

    for line in invoice.lines:
        _write_line(root, line, currency, credit_note)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_date(parent: etree._Element, name: str, value: datetime.date | None) -> None:
    if value is not None:
        sub(parent, _cbc(name), value.isoformat())


def _write_document_id(parent: etree._Element, name: str, value: str | None) -> None:
    if value:
        sub(sub(parent, _cac(name)), _cbc("ID"), value)


def _write_additional_documents(root: etree._Element, invoice: Invoice, credit_note: bool) -> None:
    if invoice.invoiced_object:
        reference = sub(root, _cac("AdditionalDocumentReference"))
        sub(
            reference,
            _cbc("ID"),
            invoice.invoiced_object.value,
            schemeID=invoice.invoiced_object.scheme,
        )
        sub(reference, _cbc("DocumentTypeCode"), INVOICED_OBJECT_TYPE)
    if credit_note and invoice.project_reference:
        reference = sub(root, _cac("AdditionalDocumentReference"))
        sub(reference, _cbc("ID"), invoice.project_reference)
        sub(reference, _cbc("DocumentTypeCode"), PROJECT_TYPE)
    for document in invoice.supporting_documents:
        reference = sub(root, _cac("AdditionalDocumentReference"))
        sub(reference, _cbc("ID"), document.id)
        if document.description:
            sub(reference, _cbc("DocumentDescription"), document.description)
        if document.content is not None or document.uri:
            attachment = sub(reference, _cac("Attachment"))
            if document.content is not None:
                sub(
                    attachment,
                    _cbc("EmbeddedDocumentBinaryObject"),
                    base64.b64encode(document.content).decode("ascii"),
                    mimeCode=document.mime_code or "application/octet-stream",
                    filename=document.filename or document.id,
                )
            if document.uri:
                sub(sub(attachment, _cac("ExternalReference")), _cbc("URI"), document.uri)


def _write_address(parent: etree._Element, name: str, address: Address) -> None:
    element = sub(parent, _cac(name))
    if address.line1:
        sub(element, _cbc("StreetName"), address.line1)
    if address.line2:
        sub(element, _cbc("AdditionalStreetName"), address.line2)
    if address.city:
        sub(element, _cbc("CityName"), address.city)
    if address.postcode:
        sub(element, _cbc("PostalZone"), address.postcode)
    if address.subdivision:
        sub(element, _cbc("CountrySubentity"), address.subdivision)
    if address.line3:
        sub(sub(element, _cac("AddressLine")), _cbc("Line"), address.line3)
    if address.country:
        sub(sub(element, _cac("Country")), _cbc("IdentificationCode"), address.country)


def _write_party(holder: etree._Element, party: Party, *, creditor_id: str | None = None) -> None:
    element = sub(holder, _cac("Party"))
    if party.electronic_address:
        sub(
            element,
            _cbc("EndpointID"),
            party.electronic_address.value,
            schemeID=party.electronic_address.scheme,
        )
    for identifier in party.identifiers:
        identification = sub(element, _cac("PartyIdentification"))
        sub(identification, _cbc("ID"), identifier.value, schemeID=identifier.scheme)
    if creditor_id:
        identification = sub(element, _cac("PartyIdentification"))
        sub(identification, _cbc("ID"), creditor_id, schemeID=SEPA)
    if party.trading_name:
        sub(sub(element, _cac("PartyName")), _cbc("Name"), party.trading_name)
    if party.address:
        _write_address(element, "PostalAddress", party.address)
    if party.vat_id:
        scheme = sub(element, _cac("PartyTaxScheme"))
        sub(scheme, _cbc("CompanyID"), party.vat_id)
        sub(sub(scheme, _cac("TaxScheme")), _cbc("ID"), "VAT")
    if party.tax_registration_id:
        scheme = sub(element, _cac("PartyTaxScheme"))
        sub(scheme, _cbc("CompanyID"), party.tax_registration_id)
        sub(sub(scheme, _cac("TaxScheme")), _cbc("ID"), "FC")
    legal = sub(element, _cac("PartyLegalEntity"))
    sub(legal, _cbc("RegistrationName"), party.name or "")
    if party.legal_id:
        sub(legal, _cbc("CompanyID"), party.legal_id.value, schemeID=party.legal_id.scheme)
    if party.legal_info:
        sub(legal, _cbc("CompanyLegalForm"), party.legal_info)
    if party.contact:
        contact = sub(element, _cac("Contact"))
        if party.contact.name:
            sub(contact, _cbc("Name"), party.contact.name)
        if party.contact.phone:
            sub(contact, _cbc("Telephone"), party.contact.phone)
        if party.contact.email:
            sub(contact, _cbc("ElectronicMail"), party.contact.email)


def _write_payee(root: etree._Element, payee: Party, creditor_id: str | None) -> None:
    element = sub(root, _cac("PayeeParty"))
    for identifier in payee.identifiers:
        sub(
            sub(element, _cac("PartyIdentification")),
            _cbc("ID"),
            identifier.value,
            schemeID=identifier.scheme,
        )
    if creditor_id:
        sub(sub(element, _cac("PartyIdentification")), _cbc("ID"), creditor_id, schemeID=SEPA)
    sub(sub(element, _cac("PartyName")), _cbc("Name"), payee.name or "")
    if payee.legal_id:
        legal = sub(element, _cac("PartyLegalEntity"))
        sub(legal, _cbc("CompanyID"), payee.legal_id.value, schemeID=payee.legal_id.scheme)


def _write_tax_representative(root: etree._Element, party: Party) -> None:
    element = sub(root, _cac("TaxRepresentativeParty"))
    sub(sub(element, _cac("PartyName")), _cbc("Name"), party.name or "")
    if party.address:
        _write_address(element, "PostalAddress", party.address)
    scheme = sub(element, _cac("PartyTaxScheme"))
    sub(scheme, _cbc("CompanyID"), party.vat_id or "")
    sub(sub(scheme, _cac("TaxScheme")), _cbc("ID"), "VAT")


def _write_delivery(root: etree._Element, delivery: Delivery) -> None:
    element = sub(root, _cac("Delivery"))
    _write_date(element, "ActualDeliveryDate", delivery.date)
    if delivery.location_id or delivery.address:
        location = sub(element, _cac("DeliveryLocation"))
        if delivery.location_id:
            sub(
                location,
                _cbc("ID"),
                delivery.location_id.value,
                schemeID=delivery.location_id.scheme,
            )
        if delivery.address:
            _write_address(location, "Address", delivery.address)
    if delivery.party_name:
        party = sub(element, _cac("DeliveryParty"))
        sub(sub(party, _cac("PartyName")), _cbc("Name"), delivery.party_name)


def _write_payment_means(
    root: etree._Element, payment: PaymentInstructions, due_date: datetime.date | None
) -> None:
    accounts: list[CreditTransfer | None] = list(payment.credit_transfers) or [None]
    for index, account in enumerate(accounts):
        means = sub(root, _cac("PaymentMeans"))
        sub(means, _cbc("PaymentMeansCode"), payment.means_code, name=payment.means_text)
        if index == 0:
            _write_date(means, "PaymentDueDate", due_date)
        if payment.remittance_information:
            sub(means, _cbc("PaymentID"), payment.remittance_information)
        if index == 0 and payment.card_account:
            card = sub(means, _cac("CardAccount"))
            sub(card, _cbc("PrimaryAccountNumberID"), payment.card_account)
            sub(card, _cbc("NetworkID"), "NA")  # mandatory in UBL, no business term
            if payment.card_holder:
                sub(card, _cbc("HolderName"), payment.card_holder)
        if account is not None:
            financial = sub(means, _cac("PayeeFinancialAccount"))
            sub(financial, _cbc("ID"), account.account_id or "")
            if account.account_name:
                sub(financial, _cbc("Name"), account.account_name)
            if account.bic:
                branch = sub(financial, _cac("FinancialInstitutionBranch"))
                sub(branch, _cbc("ID"), account.bic)
        if index == 0 and (payment.mandate_id or payment.debited_account):
            mandate = sub(means, _cac("PaymentMandate"))
            if payment.mandate_id:
                sub(mandate, _cbc("ID"), payment.mandate_id)
            if payment.debited_account:
                sub(
                    sub(mandate, _cac("PayerFinancialAccount")), _cbc("ID"), payment.debited_account
                )


def _write_tax_category(
    parent: etree._Element,
    name: str,
    category: str | None,
    rate: object,
    *,
    exemption_reason_code: str | None = None,
    exemption_reason: str | None = None,
) -> None:
    element = sub(parent, _cac(name))
    sub(element, _cbc("ID"), category or "")
    if rate is not None:
        sub(element, _cbc("Percent"), format_rate(rate))  # type: ignore[arg-type]
    if exemption_reason_code:
        sub(element, _cbc("TaxExemptionReasonCode"), exemption_reason_code)
    if exemption_reason:
        sub(element, _cbc("TaxExemptionReason"), exemption_reason)
    sub(sub(element, _cac("TaxScheme")), _cbc("ID"), "VAT")


def _write_allowance_charge(
    parent: etree._Element, allowance: AllowanceCharge, currency: str, *, with_tax: bool
) -> None:
    element = sub(parent, _cac("AllowanceCharge"))
    sub(element, _cbc("ChargeIndicator"), "true" if allowance.is_charge else "false")
    if allowance.reason_code:
        sub(element, _cbc("AllowanceChargeReasonCode"), allowance.reason_code)
    if allowance.reason:
        sub(element, _cbc("AllowanceChargeReason"), allowance.reason)
    if allowance.percentage is not None:
        sub(element, _cbc("MultiplierFactorNumeric"), format_decimal(allowance.percentage))
    sub(element, _cbc("Amount"), format_amount(allowance.amount), currencyID=currency)
    if allowance.base_amount is not None:
        sub(element, _cbc("BaseAmount"), format_amount(allowance.base_amount), currencyID=currency)
    if with_tax:
        _write_tax_category(element, "TaxCategory", allowance.vat_category, allowance.vat_rate)


def _write_line(root: etree._Element, line: Line, currency: str, credit_note: bool) -> None:
    element = sub(root, _cac("CreditNoteLine" if credit_note else "InvoiceLine"))
    sub(element, _cbc("ID"), line.id)
    if line.note:
        sub(element, _cbc("Note"), line.note)
    if line.quantity is not None:
        sub(
            element,
            _cbc("CreditedQuantity" if credit_note else "InvoicedQuantity"),
            format_decimal(line.quantity),
            unitCode=line.unit_code,
        )
    if line.net_amount is not None:
        sub(
            element,
            _cbc("LineExtensionAmount"),
            format_amount(line.net_amount),
            currencyID=currency,
        )
    if line.accounting_reference:
        sub(element, _cbc("AccountingCost"), line.accounting_reference)
    if line.period_start or line.period_end:
        period = sub(element, _cac("InvoicePeriod"))
        _write_date(period, "StartDate", line.period_start)
        _write_date(period, "EndDate", line.period_end)
    if line.order_line_reference:
        sub(sub(element, _cac("OrderLineReference")), _cbc("LineID"), line.order_line_reference)
    if line.object_id:
        reference = sub(element, _cac("DocumentReference"))
        sub(reference, _cbc("ID"), line.object_id.value, schemeID=line.object_id.scheme)
        sub(reference, _cbc("DocumentTypeCode"), INVOICED_OBJECT_TYPE)
    for allowance in line.allowances_charges:
        _write_allowance_charge(element, allowance, currency, with_tax=False)

    item = sub(element, _cac("Item"))
    if line.description:
        sub(item, _cbc("Description"), line.description)
    if line.name is not None:
        sub(item, _cbc("Name"), line.name)
    if line.buyer_item_id:
        sub(sub(item, _cac("BuyersItemIdentification")), _cbc("ID"), line.buyer_item_id)
    if line.seller_item_id:
        sub(sub(item, _cac("SellersItemIdentification")), _cbc("ID"), line.seller_item_id)
    if line.standard_item_id:
        sub(
            sub(item, _cac("StandardItemIdentification")),
            _cbc("ID"),
            line.standard_item_id.value,
            schemeID=line.standard_item_id.scheme,
        )
    if line.origin_country:
        sub(sub(item, _cac("OriginCountry")), _cbc("IdentificationCode"), line.origin_country)
    for classification in line.classifications:
        sub(
            sub(item, _cac("CommodityClassification")),
            _cbc("ItemClassificationCode"),
            classification.value,
            listID=classification.scheme,
        )
    _write_tax_category(item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
    for attribute in line.attributes:
        prop = sub(item, _cac("AdditionalItemProperty"))
        sub(prop, _cbc("Name"), attribute.name)
        sub(prop, _cbc("Value"), attribute.value)

    price = sub(element, _cac("Price"))
    sub(
        price,
        _cbc("PriceAmount"),
        format_decimal(line.net_price) if line.net_price is not None else "0",
        currencyID=currency,
    )
    if line.price_base_quantity is not None:
        sub(
            price,
            _cbc("BaseQuantity"),
            format_decimal(line.price_base_quantity),
            unitCode=line.price_base_unit_code,
        )
    if line.gross_price is not None or line.price_discount is not None:
        discount = sub(price, _cac("AllowanceCharge"))
        sub(discount, _cbc("ChargeIndicator"), "false")
        sub(
            discount,
            _cbc("Amount"),
            format_decimal(line.price_discount if line.price_discount is not None else Decimal(0)),
            currencyID=currency,
        )
        if line.gross_price is not None:
            sub(discount, _cbc("BaseAmount"), format_decimal(line.gross_price), currencyID=currency)
