"""Neutral invoice → Factur-X EN 16931 CII, in the element order of the Factur-X 1.09 XSD."""

from __future__ import annotations

import base64
import datetime

from lxml import etree

from alveole.einvoicing.cii.syntax import (
    IBAN,
    INVOICED_OBJECT_TYPE,
    NSMAP,
    QDT,
    RAM,
    RSM,
    SUPPORTING_TYPE,
    TENDER_TYPE,
    UDT,
    VAT_POINT_TO_CII,
)
from alveole.einvoicing.document import (
    Address,
    AllowanceCharge,
    CreditTransfer,
    Invoice,
    Line,
    Party,
    PaymentInstructions,
)
from alveole.einvoicing.xmltools import (
    format_amount,
    format_decimal,
    format_rate,
    sub,
)


def _ram(name: str) -> str:
    return f"{{{RAM}}}{name}"


def _rsm(name: str) -> str:
    return f"{{{RSM}}}{name}"


def to_cii(invoice: Invoice) -> bytes:
    """Write the invoice as Factur-X EN 16931 CII XML (UTF-8 bytes with declaration)."""
    root = etree.Element(_rsm("CrossIndustryInvoice"), nsmap=NSMAP)
    context = sub(root, _rsm("ExchangedDocumentContext"))
    if invoice.business_process:
        parameter = sub(context, _ram("BusinessProcessSpecifiedDocumentContextParameter"))
        sub(parameter, _ram("ID"), invoice.business_process)
    guideline = sub(context, _ram("GuidelineSpecifiedDocumentContextParameter"))
    sub(guideline, _ram("ID"), invoice.specification_id)

    document = sub(root, _rsm("ExchangedDocument"))
    sub(document, _ram("ID"), invoice.number)
    sub(document, _ram("TypeCode"), invoice.type_code)
    _write_date_time(document, "IssueDateTime", invoice.issue_date)
    for note in invoice.notes:
        included = sub(document, _ram("IncludedNote"))
        sub(included, _ram("Content"), note.text)
        if note.subject_code:
            sub(included, _ram("SubjectCode"), note.subject_code)

    transaction = sub(root, _rsm("SupplyChainTradeTransaction"))
    for line in invoice.lines:
        _write_line(transaction, line)
    _write_agreement(transaction, invoice)
    _write_delivery(transaction, invoice)
    _write_settlement(transaction, invoice)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_date_time(parent: etree._Element, name: str, value: datetime.date | None) -> None:
    if value is not None:
        holder = sub(parent, _ram(name))
        sub(holder, f"{{{UDT}}}DateTimeString", value.strftime("%Y%m%d"), format="102")


def _write_period(
    parent: etree._Element, start: datetime.date | None, end: datetime.date | None
) -> None:
    if start is None and end is None:
        return
    period = sub(parent, _ram("BillingSpecifiedPeriod"))
    _write_date_time(period, "StartDateTime", start)
    _write_date_time(period, "EndDateTime", end)


def _write_amount(parent: etree._Element, name: str, cents: int | None, **attrs: str) -> None:
    if cents is not None:
        sub(parent, _ram(name), format_amount(cents), **attrs)


def _write_reference(parent: etree._Element, name: str, value: str | None) -> None:
    if value:
        sub(sub(parent, _ram(name)), _ram("IssuerAssignedID"), value)


def _write_line(transaction: etree._Element, line: Line) -> None:
    item = sub(transaction, _ram("IncludedSupplyChainTradeLineItem"))
    line_document = sub(item, _ram("AssociatedDocumentLineDocument"))
    sub(line_document, _ram("LineID"), line.id)
    if line.note:
        sub(sub(line_document, _ram("IncludedNote")), _ram("Content"), line.note)

    product = sub(item, _ram("SpecifiedTradeProduct"))
    if line.standard_item_id:
        sub(
            product,
            _ram("GlobalID"),
            line.standard_item_id.value,
            schemeID=line.standard_item_id.scheme,
        )
    if line.seller_item_id:
        sub(product, _ram("SellerAssignedID"), line.seller_item_id)
    if line.buyer_item_id:
        sub(product, _ram("BuyerAssignedID"), line.buyer_item_id)
    if line.name is not None:
        sub(product, _ram("Name"), line.name)
    if line.description:
        sub(product, _ram("Description"), line.description)
    for attribute in line.attributes:
        characteristic = sub(product, _ram("ApplicableProductCharacteristic"))
        sub(characteristic, _ram("Description"), attribute.name)
        sub(characteristic, _ram("Value"), attribute.value)
    for classification in line.classifications:
        holder = sub(product, _ram("DesignatedProductClassification"))
        sub(holder, _ram("ClassCode"), classification.value, listID=classification.scheme)
    if line.origin_country:
        sub(sub(product, _ram("OriginTradeCountry")), _ram("ID"), line.origin_country)

    agreement = sub(item, _ram("SpecifiedLineTradeAgreement"))
    if line.order_line_reference:
        sub(
            sub(agreement, _ram("BuyerOrderReferencedDocument")),
            _ram("LineID"),
            line.order_line_reference,
        )
    if line.gross_price is not None:
        gross = sub(agreement, _ram("GrossPriceProductTradePrice"))
        sub(gross, _ram("ChargeAmount"), format_decimal(line.gross_price))
        _write_base_quantity(gross, line)
        if line.price_discount is not None:
            discount = sub(gross, _ram("AppliedTradeAllowanceCharge"))
            sub(sub(discount, _ram("ChargeIndicator")), f"{{{UDT}}}Indicator", "false")
            sub(discount, _ram("ActualAmount"), format_decimal(line.price_discount))
    net = sub(agreement, _ram("NetPriceProductTradePrice"))
    if line.net_price is not None:
        sub(net, _ram("ChargeAmount"), format_decimal(line.net_price))
    _write_base_quantity(net, line)

    delivery = sub(item, _ram("SpecifiedLineTradeDelivery"))
    if line.quantity is not None:
        sub(
            delivery,
            _ram("BilledQuantity"),
            format_decimal(line.quantity),
            unitCode=line.unit_code,
        )

    settlement = sub(item, _ram("SpecifiedLineTradeSettlement"))
    tax = sub(settlement, _ram("ApplicableTradeTax"))
    sub(tax, _ram("TypeCode"), "VAT")
    if line.vat_category:
        sub(tax, _ram("CategoryCode"), line.vat_category)
    if line.vat_rate is not None:
        sub(tax, _ram("RateApplicablePercent"), format_rate(line.vat_rate))
    _write_period(settlement, line.period_start, line.period_end)
    for allowance in line.allowances_charges:
        _write_allowance_charge(settlement, allowance, with_tax=False)
    summation = sub(settlement, _ram("SpecifiedTradeSettlementLineMonetarySummation"))
    _write_amount(summation, "LineTotalAmount", line.net_amount)
    if line.object_id:
        reference = sub(settlement, _ram("AdditionalReferencedDocument"))
        sub(reference, _ram("IssuerAssignedID"), line.object_id.value)
        sub(reference, _ram("TypeCode"), INVOICED_OBJECT_TYPE)
        if line.object_id.scheme:
            sub(reference, _ram("ReferenceTypeCode"), line.object_id.scheme)
    if line.accounting_reference:
        account = sub(settlement, _ram("ReceivableSpecifiedTradeAccountingAccount"))
        sub(account, _ram("ID"), line.accounting_reference)


def _write_base_quantity(price: etree._Element, line: Line) -> None:
    if line.price_base_quantity is not None:
        sub(
            price,
            _ram("BasisQuantity"),
            format_decimal(line.price_base_quantity),
            unitCode=line.price_base_unit_code,
        )


def _write_allowance_charge(
    parent: etree._Element, allowance: AllowanceCharge, *, with_tax: bool
) -> None:
    element = sub(parent, _ram("SpecifiedTradeAllowanceCharge"))
    indicator = "true" if allowance.is_charge else "false"
    sub(sub(element, _ram("ChargeIndicator")), f"{{{UDT}}}Indicator", indicator)
    if allowance.percentage is not None:
        sub(element, _ram("CalculationPercent"), format_decimal(allowance.percentage))
    _write_amount(element, "BasisAmount", allowance.base_amount)
    _write_amount(element, "ActualAmount", allowance.amount)
    if allowance.reason_code:
        sub(element, _ram("ReasonCode"), allowance.reason_code)
    if allowance.reason:
        sub(element, _ram("Reason"), allowance.reason)
    if with_tax:
        tax = sub(element, _ram("CategoryTradeTax"))
        sub(tax, _ram("TypeCode"), "VAT")
        if allowance.vat_category:
            sub(tax, _ram("CategoryCode"), allowance.vat_category)
        if allowance.vat_rate is not None:
            sub(tax, _ram("RateApplicablePercent"), format_rate(allowance.vat_rate))


def _write_party(parent: etree._Element, name: str, party: Party) -> None:
    element = sub(parent, _ram(name))
    for identifier in party.identifiers:
        if not identifier.scheme:
            sub(element, _ram("ID"), identifier.value)
    for identifier in party.identifiers:
        if identifier.scheme:
            sub(element, _ram("GlobalID"), identifier.value, schemeID=identifier.scheme)
    if party.name is not None:
        sub(element, _ram("Name"), party.name)
    if party.legal_info:
        sub(element, _ram("Description"), party.legal_info)
    if party.legal_id or party.trading_name:
        organization = sub(element, _ram("SpecifiedLegalOrganization"))
        if party.legal_id:
            sub(
                organization,
                _ram("ID"),
                party.legal_id.value,
                schemeID=party.legal_id.scheme,
            )
        if party.trading_name:
            sub(organization, _ram("TradingBusinessName"), party.trading_name)
    if party.contact:
        contact = sub(element, _ram("DefinedTradeContact"))
        if party.contact.name:
            sub(contact, _ram("PersonName"), party.contact.name)
        if party.contact.phone:
            phone = sub(contact, _ram("TelephoneUniversalCommunication"))
            sub(phone, _ram("CompleteNumber"), party.contact.phone)
        if party.contact.email:
            email = sub(contact, _ram("EmailURIUniversalCommunication"))
            sub(email, _ram("URIID"), party.contact.email)
    if party.address:
        _write_address(element, party.address)
    if party.electronic_address:
        communication = sub(element, _ram("URIUniversalCommunication"))
        sub(
            communication,
            _ram("URIID"),
            party.electronic_address.value,
            schemeID=party.electronic_address.scheme,
        )
    if party.vat_id:
        sub(sub(element, _ram("SpecifiedTaxRegistration")), _ram("ID"), party.vat_id, schemeID="VA")
    if party.tax_registration_id:
        registration = sub(element, _ram("SpecifiedTaxRegistration"))
        sub(registration, _ram("ID"), party.tax_registration_id, schemeID="FC")


def _write_address(parent: etree._Element, address: Address) -> None:
    element = sub(parent, _ram("PostalTradeAddress"))
    for name, value in (
        ("PostcodeCode", address.postcode),
        ("LineOne", address.line1),
        ("LineTwo", address.line2),
        ("LineThree", address.line3),
        ("CityName", address.city),
        ("CountryID", address.country),
        ("CountrySubDivisionName", address.subdivision),
    ):
        if value:
            sub(element, _ram(name), value)


def _write_agreement(transaction: etree._Element, invoice: Invoice) -> None:
    agreement = sub(transaction, _ram("ApplicableHeaderTradeAgreement"))
    if invoice.buyer_reference:
        sub(agreement, _ram("BuyerReference"), invoice.buyer_reference)
    _write_party(agreement, "SellerTradeParty", invoice.seller)
    _write_party(agreement, "BuyerTradeParty", invoice.buyer)
    if invoice.tax_representative:
        _write_party(agreement, "SellerTaxRepresentativeTradeParty", invoice.tax_representative)
    _write_reference(agreement, "SellerOrderReferencedDocument", invoice.sales_order_reference)
    _write_reference(agreement, "BuyerOrderReferencedDocument", invoice.order_reference)
    _write_reference(agreement, "ContractReferencedDocument", invoice.contract_reference)
    for document in invoice.supporting_documents:
        reference = sub(agreement, _ram("AdditionalReferencedDocument"))
        sub(reference, _ram("IssuerAssignedID"), document.id)
        if document.uri:
            sub(reference, _ram("URIID"), document.uri)
        sub(reference, _ram("TypeCode"), SUPPORTING_TYPE)
        if document.description:
            sub(reference, _ram("Name"), document.description)
        if document.content is not None:
            sub(
                reference,
                _ram("AttachmentBinaryObject"),
                base64.b64encode(document.content).decode("ascii"),
                mimeCode=document.mime_code or "application/octet-stream",
                filename=document.filename or document.id,
            )
    if invoice.tender_reference:
        reference = sub(agreement, _ram("AdditionalReferencedDocument"))
        sub(reference, _ram("IssuerAssignedID"), invoice.tender_reference)
        sub(reference, _ram("TypeCode"), TENDER_TYPE)
    if invoice.invoiced_object:
        reference = sub(agreement, _ram("AdditionalReferencedDocument"))
        sub(reference, _ram("IssuerAssignedID"), invoice.invoiced_object.value)
        sub(reference, _ram("TypeCode"), INVOICED_OBJECT_TYPE)
        if invoice.invoiced_object.scheme:
            sub(reference, _ram("ReferenceTypeCode"), invoice.invoiced_object.scheme)
    if invoice.project_reference:
        project = sub(agreement, _ram("SpecifiedProcuringProject"))
        sub(project, _ram("ID"), invoice.project_reference)
        sub(project, _ram("Name"), "Project reference")  # mandatory in CII, no business term


def _write_delivery(transaction: etree._Element, invoice: Invoice) -> None:
    element = sub(transaction, _ram("ApplicableHeaderTradeDelivery"))
    delivery = invoice.delivery
    if delivery and (delivery.party_name or delivery.location_id or delivery.address):
        party = sub(element, _ram("ShipToTradeParty"))
        if delivery.location_id:
            if delivery.location_id.scheme:
                sub(
                    party,
                    _ram("GlobalID"),
                    delivery.location_id.value,
                    schemeID=delivery.location_id.scheme,
                )
            else:
                sub(party, _ram("ID"), delivery.location_id.value)
        if delivery.party_name:
            sub(party, _ram("Name"), delivery.party_name)
        if delivery.address:
            _write_address(party, delivery.address)
    if delivery and delivery.date:
        event = sub(element, _ram("ActualDeliverySupplyChainEvent"))
        _write_date_time(event, "OccurrenceDateTime", delivery.date)
    _write_reference(element, "DespatchAdviceReferencedDocument", invoice.despatch_advice_reference)
    _write_reference(
        element, "ReceivingAdviceReferencedDocument", invoice.receiving_advice_reference
    )


def _write_settlement(transaction: etree._Element, invoice: Invoice) -> None:
    settlement = sub(transaction, _ram("ApplicableHeaderTradeSettlement"))
    payment = invoice.payment
    if payment and payment.creditor_id:
        sub(settlement, _ram("CreditorReferenceID"), payment.creditor_id)
    if payment and payment.remittance_information:
        sub(settlement, _ram("PaymentReference"), payment.remittance_information)
    if invoice.accounting_currency:
        sub(settlement, _ram("TaxCurrencyCode"), invoice.accounting_currency)
    sub(settlement, _ram("InvoiceCurrencyCode"), invoice.currency)
    if invoice.payee:
        _write_party(settlement, "PayeeTradeParty", invoice.payee)
    if payment and payment.means_code:
        _write_payment_means(settlement, payment)

    due_date_type = VAT_POINT_TO_CII.get(
        invoice.vat_point_date_code or "", invoice.vat_point_date_code
    )
    for breakdown in invoice.vat_breakdown:
        tax = sub(settlement, _ram("ApplicableTradeTax"))
        _write_amount(tax, "CalculatedAmount", breakdown.amount)
        sub(tax, _ram("TypeCode"), "VAT")
        if breakdown.exemption_reason:
            sub(tax, _ram("ExemptionReason"), breakdown.exemption_reason)
        _write_amount(tax, "BasisAmount", breakdown.basis)
        if breakdown.category:
            sub(tax, _ram("CategoryCode"), breakdown.category)
        if breakdown.exemption_reason_code:
            sub(tax, _ram("ExemptionReasonCode"), breakdown.exemption_reason_code)
        if invoice.tax_point_date:
            point = sub(tax, _ram("TaxPointDate"))
            sub(
                point,
                f"{{{UDT}}}DateString",
                invoice.tax_point_date.strftime("%Y%m%d"),
                format="102",
            )
        if due_date_type:
            sub(tax, _ram("DueDateTypeCode"), due_date_type)
        if breakdown.rate is not None:
            sub(tax, _ram("RateApplicablePercent"), format_rate(breakdown.rate))

    _write_period(settlement, invoice.period_start, invoice.period_end)
    for allowance in invoice.allowances_charges:
        _write_allowance_charge(settlement, allowance, with_tax=True)
    mandate = payment.mandate_id if payment else None
    if invoice.payment_terms or invoice.due_date or mandate:
        terms = sub(settlement, _ram("SpecifiedTradePaymentTerms"))
        if invoice.payment_terms:
            sub(terms, _ram("Description"), invoice.payment_terms)
        _write_date_time(terms, "DueDateDateTime", invoice.due_date)
        if mandate:
            sub(terms, _ram("DirectDebitMandateID"), mandate)

    totals = invoice.totals
    summation = sub(settlement, _ram("SpecifiedTradeSettlementHeaderMonetarySummation"))
    _write_amount(summation, "LineTotalAmount", totals.line_total)
    _write_amount(summation, "ChargeTotalAmount", totals.charge_total)
    _write_amount(summation, "AllowanceTotalAmount", totals.allowance_total)
    _write_amount(summation, "TaxBasisTotalAmount", totals.tax_exclusive)
    _write_amount(summation, "TaxTotalAmount", totals.vat_total, currencyID=invoice.currency)
    if invoice.accounting_currency and totals.vat_total_accounting_currency is not None:
        _write_amount(
            summation,
            "TaxTotalAmount",
            totals.vat_total_accounting_currency,
            currencyID=invoice.accounting_currency,
        )
    _write_amount(summation, "RoundingAmount", totals.rounding)
    _write_amount(summation, "GrandTotalAmount", totals.tax_inclusive)
    _write_amount(summation, "TotalPrepaidAmount", totals.prepaid)
    _write_amount(summation, "DuePayableAmount", totals.due)

    for preceding in invoice.preceding_invoices:
        reference = sub(settlement, _ram("InvoiceReferencedDocument"))
        sub(reference, _ram("IssuerAssignedID"), preceding.number)
        if preceding.issue_date:
            formatted = sub(reference, _ram("FormattedIssueDateTime"))
            sub(
                formatted,
                f"{{{QDT}}}DateTimeString",
                preceding.issue_date.strftime("%Y%m%d"),
                format="102",
            )
    if invoice.buyer_accounting_reference:
        account = sub(settlement, _ram("ReceivableSpecifiedTradeAccountingAccount"))
        sub(account, _ram("ID"), invoice.buyer_accounting_reference)


def _write_payment_means(settlement: etree._Element, payment: PaymentInstructions) -> None:
    # CII repeats the whole payment means once per bank account (BG-17).
    accounts: list[CreditTransfer | None] = list(payment.credit_transfers) or [None]
    for index, account in enumerate(accounts):
        means = sub(settlement, _ram("SpecifiedTradeSettlementPaymentMeans"))
        sub(means, _ram("TypeCode"), payment.means_code)
        if payment.means_text:
            sub(means, _ram("Information"), payment.means_text)
        if index == 0 and payment.card_account:
            card = sub(means, _ram("ApplicableTradeSettlementFinancialCard"))
            sub(card, _ram("ID"), payment.card_account)
            if payment.card_holder:
                sub(card, _ram("CardholderName"), payment.card_holder)
        if index == 0 and payment.debited_account:
            debtor = sub(means, _ram("PayerPartyDebtorFinancialAccount"))
            sub(debtor, _ram("IBANID"), payment.debited_account)
        if account is None:
            continue
        if account.account_id or account.account_name:
            creditor = sub(means, _ram("PayeePartyCreditorFinancialAccount"))
            if account.account_id:
                compact = account.account_id.replace(" ", "")
                tag = "IBANID" if IBAN.match(compact) else "ProprietaryID"
                if tag == "IBANID":
                    sub(creditor, _ram("IBANID"), account.account_id)
                if account.account_name:
                    sub(creditor, _ram("AccountName"), account.account_name)
                if tag == "ProprietaryID":
                    sub(creditor, _ram("ProprietaryID"), account.account_id)
            elif account.account_name:
                sub(creditor, _ram("AccountName"), account.account_name)
        if account.bic:
            institution = sub(means, _ram("PayeeSpecifiedCreditorFinancialInstitution"))
            sub(institution, _ram("BICID"), account.bic)
