"""CII → neutral invoice, tolerant of every profile and of ZUGFeRD 1: absent terms become None."""

from __future__ import annotations

import base64
import binascii
import datetime

from lxml import etree

from alveole.einvoicing.cii.syntax import (
    INVOICED_OBJECT_TYPE,
    ROOT_NAMES,
    TENDER_TYPE,
    VAT_POINT_FROM_CII,
)
from alveole.einvoicing.document import (
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
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    SupportingDocument,
    Totals,
    VatBreakdown,
)
from alveole.einvoicing.xmltools import (
    NotAnInvoice,
    child,
    children,
    local,
    parse_xml,
    path,
    text,
    text_at,
    to_bool,
    to_cents,
    to_date,
    to_decimal,
)


def is_cii(root: etree._Element) -> bool:
    """True when the root element is a CII invoice (D16B/D22B) or a ZUGFeRD 1 document."""
    return local(root) in ROOT_NAMES


def from_cii(data: bytes | etree._Element) -> Invoice:
    """Read a CII invoice of any profile (MINIMUM … EXTENDED, ZUGFeRD 1 and 2)."""
    root = parse_xml(data) if isinstance(data, bytes) else data
    if not is_cii(root):
        raise NotAnInvoice(f"Ce XML n'est pas une facture CII (élément racine « {local(root)} »).")
    context = child(root, "ExchangedDocumentContext", "SpecifiedExchangedDocumentContext")
    document = child(root, "ExchangedDocument", "HeaderExchangedDocument")
    transaction = child(root, "SupplyChainTradeTransaction", "SpecifiedSupplyChainTradeTransaction")
    agreement = child(
        transaction, "ApplicableHeaderTradeAgreement", "ApplicableSupplyChainTradeAgreement"
    )
    delivery = child(
        transaction, "ApplicableHeaderTradeDelivery", "ApplicableSupplyChainTradeDelivery"
    )
    settlement = child(
        transaction, "ApplicableHeaderTradeSettlement", "ApplicableSupplyChainTradeSettlement"
    )
    currency = text_at(settlement, "InvoiceCurrencyCode") or "EUR"
    accounting_currency = text_at(settlement, "TaxCurrencyCode")

    invoice = Invoice(
        number=text_at(document, "ID") or "",
        issue_date=_read_date_time(child(document, "IssueDateTime")),
        type_code=text_at(document, "TypeCode") or "380",
        currency=currency,
        accounting_currency=accounting_currency,
        business_process=text_at(context, "BusinessProcessSpecifiedDocumentContextParameter", "ID"),
        specification_id=text_at(context, "GuidelineSpecifiedDocumentContextParameter", "ID") or "",
        notes=[_read_note(note) for note in children(document, "IncludedNote")],
        buyer_reference=text_at(agreement, "BuyerReference"),
        seller=_read_party(child(agreement, "SellerTradeParty")) or Party(),
        buyer=_read_party(child(agreement, "BuyerTradeParty")) or Party(),
        tax_representative=_read_party(child(agreement, "SellerTaxRepresentativeTradeParty")),
        payee=_read_party(child(settlement, "PayeeTradeParty")),
        sales_order_reference=_read_reference(child(agreement, "SellerOrderReferencedDocument")),
        order_reference=_read_reference(child(agreement, "BuyerOrderReferencedDocument")),
        contract_reference=_read_reference(child(agreement, "ContractReferencedDocument")),
        project_reference=text_at(agreement, "SpecifiedProcuringProject", "ID"),
        despatch_advice_reference=_read_reference(
            child(delivery, "DespatchAdviceReferencedDocument")
        ),
        receiving_advice_reference=_read_reference(
            child(delivery, "ReceivingAdviceReferencedDocument")
        ),
        buyer_accounting_reference=text_at(
            settlement, "ReceivableSpecifiedTradeAccountingAccount", "ID"
        ),
        delivery=_read_delivery(delivery),
        lines=[
            _read_line(item) for item in children(transaction, "IncludedSupplyChainTradeLineItem")
        ],
    )
    _read_additional_documents(agreement, invoice)
    _read_settlement(settlement, invoice)
    return invoice


def _read_date_time(holder: etree._Element | None) -> datetime.date | None:
    """A date from `<X><udt:DateTimeString format="102">…` or from ZUGFeRD 1's plain text."""
    if holder is None:
        return None
    string = child(holder, "DateTimeString", "DateString")
    if string is not None:
        return to_date(text(string), string.get("format"))
    return to_date(text(holder))


def _read_note(element: etree._Element) -> Note:
    contents = [text(content) or "" for content in children(element, "Content")]
    return Note(text="\n".join(contents), subject_code=text_at(element, "SubjectCode"))


def _read_reference(element: etree._Element | None) -> str | None:
    return text_at(element, ("IssuerAssignedID", "ID"))


def _read_identifier(element: etree._Element | None) -> Identifier | None:
    value = text(element)
    if value is None or element is None:
        return None
    return Identifier(value=value, scheme=element.get("schemeID") or None)


def _read_amount(
    parent: etree._Element | None, name: str, currency: str | None = None
) -> int | None:
    """An amount; when it repeats with currencies (ZUGFeRD 1), the one in `currency`."""
    candidates = children(parent, name)
    if not candidates:
        return None
    if currency:
        for candidate in candidates:
            if candidate.get("currencyID") in (None, currency):
                return to_cents(text(candidate))
    return to_cents(text(candidates[0]))


def _read_address(element: etree._Element | None) -> Address | None:
    if element is None:
        return None
    return Address(
        line1=text_at(element, "LineOne"),
        line2=text_at(element, "LineTwo"),
        line3=text_at(element, "LineThree"),
        city=text_at(element, "CityName"),
        postcode=text_at(element, "PostcodeCode"),
        subdivision=text_at(element, "CountrySubDivisionName"),
        country=text_at(element, "CountryID"),
    )


def _read_party(element: etree._Element | None) -> Party | None:
    if element is None:
        return None
    identifiers = [
        identifier
        for identifier in (
            _read_identifier(candidate) for candidate in children(element, "ID", "GlobalID")
        )
        if identifier is not None
    ]
    organization = child(element, "SpecifiedLegalOrganization")
    contact_element = child(element, "DefinedTradeContact")
    contact = None
    if contact_element is not None:
        contact = Contact(
            name=text_at(contact_element, "PersonName")
            or text_at(contact_element, "DepartmentName"),
            phone=text_at(contact_element, "TelephoneUniversalCommunication", "CompleteNumber"),
            email=text_at(contact_element, "EmailURIUniversalCommunication", "URIID"),
        )
    vat_id = tax_registration_id = None
    for registration in children(element, "SpecifiedTaxRegistration"):
        identifier = child(registration, "ID")
        value = text(identifier)
        scheme = identifier.get("schemeID") if identifier is not None else None
        if value and scheme == "FC":
            tax_registration_id = tax_registration_id or value
        elif value:
            vat_id = vat_id or value
    return Party(
        name=text_at(element, "Name"),
        trading_name=text_at(organization, "TradingBusinessName"),
        identifiers=identifiers,
        legal_id=_read_identifier(child(organization, "ID")),
        vat_id=vat_id,
        tax_registration_id=tax_registration_id,
        legal_info=text_at(element, "Description"),
        electronic_address=_read_identifier(path(element, "URIUniversalCommunication", "URIID")),
        address=_read_address(child(element, "PostalTradeAddress")),
        contact=contact,
    )


def _read_delivery(element: etree._Element | None) -> Delivery | None:
    party = child(element, "ShipToTradeParty")
    event = child(element, "ActualDeliverySupplyChainEvent")
    date = _read_date_time(child(event, "OccurrenceDateTime"))
    if party is None and date is None:
        return None
    return Delivery(
        party_name=text_at(party, "Name"),
        location_id=_read_identifier(child(party, "GlobalID", "ID")),
        date=date,
        address=_read_address(child(party, "PostalTradeAddress")),
    )


def _read_additional_documents(agreement: etree._Element | None, invoice: Invoice) -> None:
    for element in children(agreement, "AdditionalReferencedDocument"):
        type_code = text_at(element, "TypeCode")
        identifier = _read_reference(element) or ""
        if type_code == TENDER_TYPE:
            invoice.tender_reference = identifier or None
        elif type_code == INVOICED_OBJECT_TYPE:
            invoice.invoiced_object = Identifier(
                value=identifier, scheme=text_at(element, "ReferenceTypeCode")
            )
        else:
            attachment = child(element, "AttachmentBinaryObject")
            content = None
            if attachment is not None and text(attachment):
                try:
                    content = base64.b64decode(text(attachment) or "", validate=False)
                except (binascii.Error, ValueError):
                    content = None
            invoice.supporting_documents.append(
                SupportingDocument(
                    id=identifier,
                    description=text_at(element, "Name"),
                    uri=text_at(element, "URIID"),
                    content=content,
                    mime_code=attachment.get("mimeCode") if attachment is not None else None,
                    filename=attachment.get("filename") if attachment is not None else None,
                )
            )


def _read_allowance_charge(element: etree._Element) -> AllowanceCharge:
    tax = child(element, "CategoryTradeTax")
    return AllowanceCharge(
        is_charge=bool(to_bool(text_at(element, "ChargeIndicator", "Indicator"))),
        amount=to_cents(text_at(element, "ActualAmount")) or 0,
        base_amount=to_cents(text_at(element, "BasisAmount")),
        percentage=to_decimal(text_at(element, "CalculationPercent")),
        vat_category=text_at(tax, "CategoryCode"),
        vat_rate=to_decimal(text_at(tax, ("RateApplicablePercent", "ApplicablePercent"))),
        reason=text_at(element, "Reason"),
        reason_code=text_at(element, "ReasonCode"),
    )


def _read_settlement(settlement: etree._Element | None, invoice: Invoice) -> None:
    currency = invoice.currency
    start = _read_date_time(path(settlement, "BillingSpecifiedPeriod", "StartDateTime"))
    end = _read_date_time(path(settlement, "BillingSpecifiedPeriod", "EndDateTime"))
    invoice.period_start, invoice.period_end = start, end

    for tax in children(settlement, "ApplicableTradeTax"):
        invoice.vat_breakdown.append(
            VatBreakdown(
                basis=_read_amount(tax, "BasisAmount", currency),
                amount=_read_amount(tax, "CalculatedAmount", currency),
                category=text_at(tax, "CategoryCode"),
                rate=to_decimal(text_at(tax, ("RateApplicablePercent", "ApplicablePercent"))),
                exemption_reason=text_at(tax, "ExemptionReason"),
                exemption_reason_code=text_at(tax, "ExemptionReasonCode"),
            )
        )
        code = text_at(tax, "DueDateTypeCode")
        if code and invoice.vat_point_date_code is None:
            invoice.vat_point_date_code = VAT_POINT_FROM_CII.get(code, code)
        point = _read_date_time(child(tax, "TaxPointDate"))
        if point and invoice.tax_point_date is None:
            invoice.tax_point_date = point

    for element in children(settlement, "SpecifiedTradeAllowanceCharge"):
        invoice.allowances_charges.append(_read_allowance_charge(element))
    for element in children(settlement, "SpecifiedLogisticsServiceCharge"):  # ZUGFeRD 1
        tax = child(element, "AppliedTradeTax")
        invoice.allowances_charges.append(
            AllowanceCharge(
                is_charge=True,
                amount=_read_amount(element, "AppliedAmount", currency) or 0,
                vat_category=text_at(tax, "CategoryCode"),
                vat_rate=to_decimal(text_at(tax, ("RateApplicablePercent", "ApplicablePercent"))),
                reason=text_at(element, "Description"),
            )
        )

    terms = children(settlement, "SpecifiedTradePaymentTerms")
    descriptions = [text(d) for term in terms for d in children(term, "Description") if text(d)]
    invoice.payment_terms = "\n".join(d for d in descriptions if d) or None
    for term in terms:
        due = _read_date_time(child(term, "DueDateDateTime"))
        if due:
            invoice.due_date = due
            break
    mandate = next(
        (text_at(t, "DirectDebitMandateID") for t in terms if text_at(t, "DirectDebitMandateID")),
        None,
    )
    invoice.payment = _read_payment(settlement, mandate)

    summation = child(
        settlement,
        "SpecifiedTradeSettlementHeaderMonetarySummation",
        "SpecifiedTradeSettlementMonetarySummation",
    )
    vat_total_accounting = None
    if invoice.accounting_currency and invoice.accounting_currency != currency:
        for candidate in children(summation, "TaxTotalAmount"):
            if candidate.get("currencyID") == invoice.accounting_currency:
                vat_total_accounting = to_cents(text(candidate))
    invoice.totals = Totals(
        line_total=_read_amount(summation, "LineTotalAmount", currency),
        allowance_total=_read_amount(summation, "AllowanceTotalAmount", currency),
        charge_total=_read_amount(summation, "ChargeTotalAmount", currency),
        tax_exclusive=_read_amount(summation, "TaxBasisTotalAmount", currency),
        vat_total=_read_amount(summation, "TaxTotalAmount", currency),
        vat_total_accounting_currency=vat_total_accounting,
        tax_inclusive=_read_amount(summation, "GrandTotalAmount", currency),
        prepaid=_read_amount(summation, "TotalPrepaidAmount", currency),
        rounding=_read_amount(summation, "RoundingAmount", currency),
        due=_read_amount(summation, "DuePayableAmount", currency),
    )
    for element in children(settlement, "InvoiceReferencedDocument"):
        date_holder = child(element, "FormattedIssueDateTime")
        issue_date = (
            _read_date_time(date_holder)
            if date_holder is not None
            else _read_date_time(child(element, "IssueDateTime"))
        )
        invoice.preceding_invoices.append(
            PrecedingInvoice(number=_read_reference(element) or "", issue_date=issue_date)
        )


def _read_payment(
    settlement: etree._Element | None, mandate: str | None
) -> PaymentInstructions | None:
    means_list = children(settlement, "SpecifiedTradeSettlementPaymentMeans")
    creditor_id = text_at(settlement, "CreditorReferenceID")
    remittance = text_at(settlement, "PaymentReference")
    if not means_list and not (creditor_id or remittance or mandate):
        return None
    payment = PaymentInstructions(
        remittance_information=remittance, creditor_id=creditor_id, mandate_id=mandate
    )
    for means in means_list:
        payment.means_code = payment.means_code or text_at(means, "TypeCode")
        payment.means_text = payment.means_text or text_at(means, "Information")
        card = child(means, "ApplicableTradeSettlementFinancialCard")
        if card is not None and payment.card_account is None:
            payment.card_account = text_at(card, "ID")
            payment.card_holder = text_at(card, "CardholderName")
        debtor = child(means, "PayerPartyDebtorFinancialAccount")
        if debtor is not None and payment.debited_account is None:
            payment.debited_account = text_at(debtor, ("IBANID", "ProprietaryID"))
        creditor = child(means, "PayeePartyCreditorFinancialAccount")
        bic = text_at(means, "PayeeSpecifiedCreditorFinancialInstitution", "BICID")
        if creditor is not None or bic:
            payment.credit_transfers.append(
                CreditTransfer(
                    account_id=text_at(creditor, "IBANID") or text_at(creditor, "ProprietaryID"),
                    account_name=text_at(creditor, "AccountName"),
                    bic=bic,
                )
            )
    return payment


def _read_line(item: etree._Element) -> Line:
    line_document = child(item, "AssociatedDocumentLineDocument")
    product = child(item, "SpecifiedTradeProduct")
    agreement = child(item, "SpecifiedLineTradeAgreement", "SpecifiedSupplyChainTradeAgreement")
    delivery = child(item, "SpecifiedLineTradeDelivery", "SpecifiedSupplyChainTradeDelivery")
    settlement = child(item, "SpecifiedLineTradeSettlement", "SpecifiedSupplyChainTradeSettlement")
    gross = child(agreement, "GrossPriceProductTradePrice")
    net = child(agreement, "NetPriceProductTradePrice")
    quantity = child(delivery, "BilledQuantity")
    base_quantity = child(net, "BasisQuantity")
    if base_quantity is None:
        base_quantity = child(gross, "BasisQuantity")
    tax = child(settlement, "ApplicableTradeTax")
    discount = None
    for allowance in children(gross, "AppliedTradeAllowanceCharge"):
        if not to_bool(text_at(allowance, "ChargeIndicator", "Indicator")):
            discount = to_decimal(text_at(allowance, "ActualAmount"))
            break
    notes = [text_at(note, "Content") for note in children(line_document, "IncludedNote")]
    object_id = None
    for reference in children(settlement, "AdditionalReferencedDocument"):
        if text_at(reference, "TypeCode") in (INVOICED_OBJECT_TYPE, None):
            value = _read_reference(reference)
            if value:
                object_id = Identifier(value=value, scheme=text_at(reference, "ReferenceTypeCode"))
                break
    return Line(
        id=text_at(line_document, "LineID") or "",
        note="\n".join(n for n in notes if n) or None,
        object_id=object_id,
        quantity=to_decimal(text(quantity)),
        unit_code=quantity.get("unitCode") if quantity is not None else None,
        net_amount=_read_amount(
            child(
                settlement,
                "SpecifiedTradeSettlementLineMonetarySummation",
                "SpecifiedTradeSettlementMonetarySummation",
            ),
            "LineTotalAmount",
        ),
        order_line_reference=text_at(agreement, "BuyerOrderReferencedDocument", "LineID"),
        accounting_reference=text_at(settlement, "ReceivableSpecifiedTradeAccountingAccount", "ID"),
        period_start=_read_date_time(path(settlement, "BillingSpecifiedPeriod", "StartDateTime")),
        period_end=_read_date_time(path(settlement, "BillingSpecifiedPeriod", "EndDateTime")),
        allowances_charges=[
            _read_allowance_charge(element)
            for element in children(settlement, "SpecifiedTradeAllowanceCharge")
        ],
        net_price=to_decimal(text_at(net, "ChargeAmount")),
        price_discount=discount,
        gross_price=to_decimal(text_at(gross, "ChargeAmount")),
        price_base_quantity=to_decimal(text(base_quantity)),
        price_base_unit_code=base_quantity.get("unitCode") if base_quantity is not None else None,
        vat_category=text_at(tax, "CategoryCode"),
        vat_rate=to_decimal(text_at(tax, ("RateApplicablePercent", "ApplicablePercent"))),
        name=text_at(product, "Name"),
        description=text_at(product, "Description"),
        seller_item_id=text_at(product, "SellerAssignedID"),
        buyer_item_id=text_at(product, "BuyerAssignedID"),
        standard_item_id=_read_identifier(child(product, "GlobalID")),
        classifications=[
            Identifier(value=text(code) or "", scheme=code.get("listID"))
            for classification in children(product, "DesignatedProductClassification")
            for code in children(classification, "ClassCode")
        ],
        origin_country=text_at(product, "OriginTradeCountry", "ID"),
        attributes=[
            ItemAttribute(
                name=text_at(characteristic, "Description") or "",
                value=text_at(characteristic, "Value") or "",
            )
            for characteristic in children(product, "ApplicableProductCharacteristic")
        ],
    )
