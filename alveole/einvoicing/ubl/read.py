"""UBL 2.1 Invoice / CreditNote → neutral invoice; absent terms become None."""

from __future__ import annotations

import base64
import binascii

from lxml import etree

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
from alveole.einvoicing.ubl.syntax import (
    CREDIT_NOTE_NS,
    INVOICE_NS,
    INVOICED_OBJECT_TYPE,
    NOTE_WITH_SUBJECT,
    PROJECT_TYPE,
    SEPA,
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


def is_ubl(root: etree._Element) -> bool:
    """True when the root element is a UBL 2.x Invoice or CreditNote."""
    return etree.QName(root).namespace in (INVOICE_NS, CREDIT_NOTE_NS)


def from_ubl(data: bytes | etree._Element) -> Invoice:
    """Read a UBL 2.1 Invoice or CreditNote; absent terms become None."""
    root = parse_xml(data) if isinstance(data, bytes) else data
    if not is_ubl(root):
        raise NotAnInvoice(f"Ce XML n'est pas une facture UBL (élément racine « {local(root)} »).")
    credit_note = local(root) == "CreditNote"
    currency = text_at(root, "DocumentCurrencyCode") or "EUR"
    accounting_currency = text_at(root, "TaxCurrencyCode")
    period = child(root, "InvoicePeriod")
    order = child(root, "OrderReference")
    order_id = text_at(order, "ID")

    invoice = Invoice(
        number=text_at(root, "ID") or "",
        issue_date=to_date(text_at(root, "IssueDate")),
        type_code=text_at(root, "CreditNoteTypeCode" if credit_note else "InvoiceTypeCode")
        or ("381" if credit_note else "380"),
        currency=currency,
        accounting_currency=accounting_currency,
        tax_point_date=to_date(text_at(root, "TaxPointDate")),
        vat_point_date_code=text_at(period, "DescriptionCode"),
        due_date=to_date(text_at(root, "DueDate")),
        buyer_reference=text_at(root, "BuyerReference"),
        project_reference=text_at(root, "ProjectReference", "ID"),
        contract_reference=text_at(root, "ContractDocumentReference", "ID"),
        order_reference=order_id if order_id and order_id != "NA" else None,
        sales_order_reference=text_at(order, "SalesOrderID"),
        receiving_advice_reference=text_at(root, "ReceiptDocumentReference", "ID"),
        despatch_advice_reference=text_at(root, "DespatchDocumentReference", "ID"),
        tender_reference=text_at(root, "OriginatorDocumentReference", "ID"),
        buyer_accounting_reference=text_at(root, "AccountingCost"),
        payment_terms="\n".join(
            note
            for terms in children(root, "PaymentTerms")
            for note in (text(n) for n in children(terms, "Note"))
            if note
        )
        or None,
        notes=[_read_note(text(note) or "") for note in children(root, "Note")],
        business_process=text_at(root, "ProfileID"),
        specification_id=text_at(root, "CustomizationID") or "",
        preceding_invoices=[
            PrecedingInvoice(
                number=text_at(reference, "ID") or "",
                issue_date=to_date(text_at(reference, "IssueDate")),
            )
            for billing in children(root, "BillingReference")
            for reference in children(billing, "InvoiceDocumentReference")
        ],
        seller=_read_party(path(root, "AccountingSupplierParty", "Party")) or Party(),
        buyer=_read_party(path(root, "AccountingCustomerParty", "Party")) or Party(),
        payee=_read_payee(child(root, "PayeeParty")),
        tax_representative=_read_party(child(root, "TaxRepresentativeParty")),
        delivery=_read_delivery(child(root, "Delivery")),
        period_start=to_date(text_at(period, "StartDate")),
        period_end=to_date(text_at(period, "EndDate")),
        lines=[
            _read_line(line, credit_note)
            for line in children(root, "CreditNoteLine" if credit_note else "InvoiceLine")
        ],
    )
    _read_additional_documents(root, invoice)
    invoice.payment = _read_payment(root, invoice)
    if credit_note and invoice.due_date is None:
        invoice.due_date = to_date(text_at(root, "PaymentMeans", "PaymentDueDate"))
    for allowance in children(root, "AllowanceCharge"):
        invoice.allowances_charges.append(_read_allowance_charge(allowance))
    _read_taxes_and_totals(root, invoice)
    return invoice


def _read_note(content: str) -> Note:
    match = NOTE_WITH_SUBJECT.match(content)
    if match:
        return Note(text=match.group(2), subject_code=match.group(1))
    return Note(text=content)


def _read_identifier(element: etree._Element | None) -> Identifier | None:
    value = text(element)
    if value is None or element is None:
        return None
    return Identifier(value=value, scheme=element.get("schemeID") or None)


def _read_address(element: etree._Element | None) -> Address | None:
    if element is None:
        return None
    return Address(
        line1=text_at(element, "StreetName"),
        line2=text_at(element, "AdditionalStreetName"),
        line3=text_at(element, "AddressLine", "Line"),
        city=text_at(element, "CityName"),
        postcode=text_at(element, "PostalZone"),
        subdivision=text_at(element, "CountrySubentity"),
        country=text_at(element, "Country", "IdentificationCode"),
    )


def _read_party(element: etree._Element | None) -> Party | None:
    if element is None:
        return None
    vat_id = tax_registration_id = None
    for scheme in children(element, "PartyTaxScheme"):
        company_id = text_at(scheme, "CompanyID")
        if (text_at(scheme, "TaxScheme", "ID") or "").upper() == "VAT":
            vat_id = vat_id or company_id
        else:
            tax_registration_id = tax_registration_id or company_id
    legal = child(element, "PartyLegalEntity")
    contact_element = child(element, "Contact")
    contact = None
    if contact_element is not None:
        contact = Contact(
            name=text_at(contact_element, "Name"),
            phone=text_at(contact_element, "Telephone"),
            email=text_at(contact_element, "ElectronicMail"),
        )
    identifiers = [
        identifier
        for identifier in (
            _read_identifier(child(identification, "ID"))
            for identification in children(element, "PartyIdentification")
        )
        if identifier is not None
    ]
    return Party(
        name=text_at(legal, "RegistrationName") or text_at(element, "PartyName", "Name"),
        trading_name=text_at(element, "PartyName", "Name") if legal is not None else None,
        identifiers=identifiers,
        legal_id=_read_identifier(child(legal, "CompanyID")),
        vat_id=vat_id,
        tax_registration_id=tax_registration_id,
        legal_info=text_at(legal, "CompanyLegalForm"),
        electronic_address=_read_identifier(child(element, "EndpointID")),
        address=_read_address(child(element, "PostalAddress")),
        contact=contact,
    )


def _read_payee(element: etree._Element | None) -> Party | None:
    if element is None:
        return None
    return Party(
        name=text_at(element, "PartyName", "Name"),
        identifiers=[
            identifier
            for identifier in (
                _read_identifier(child(identification, "ID"))
                for identification in children(element, "PartyIdentification")
            )
            if identifier is not None
        ],
        legal_id=_read_identifier(path(element, "PartyLegalEntity", "CompanyID")),
    )


def _read_delivery(element: etree._Element | None) -> Delivery | None:
    if element is None:
        return None
    location = child(element, "DeliveryLocation")
    return Delivery(
        party_name=text_at(element, "DeliveryParty", "PartyName", "Name"),
        location_id=_read_identifier(child(location, "ID")),
        date=to_date(text_at(element, "ActualDeliveryDate")),
        address=_read_address(child(location, "Address")),
    )


def _read_additional_documents(root: etree._Element, invoice: Invoice) -> None:
    credit_note = local(root) == "CreditNote"
    for element in children(root, "AdditionalDocumentReference"):
        identifier = child(element, "ID")
        type_code = text_at(element, "DocumentTypeCode")
        if type_code == INVOICED_OBJECT_TYPE:
            invoice.invoiced_object = _read_identifier(identifier)
            continue
        if type_code == PROJECT_TYPE and credit_note:
            invoice.project_reference = text(identifier)
            continue
        attachment = child(element, "Attachment")
        binary = child(attachment, "EmbeddedDocumentBinaryObject")
        content = None
        if binary is not None and text(binary):
            try:
                content = base64.b64decode(text(binary) or "", validate=False)
            except (binascii.Error, ValueError):
                content = None
        invoice.supporting_documents.append(
            SupportingDocument(
                id=text(identifier) or "",
                description=text_at(element, "DocumentDescription"),
                uri=text_at(attachment, "ExternalReference", "URI"),
                content=content,
                mime_code=binary.get("mimeCode") if binary is not None else None,
                filename=binary.get("filename") if binary is not None else None,
            )
        )


def _read_payment(root: etree._Element, invoice: Invoice) -> PaymentInstructions | None:
    # BT-90 travels as a party identifier with scheme SEPA (payee, else seller).
    creditor_id = None
    for party in (invoice.payee, invoice.seller):
        if party is None:
            continue
        for identifier in list(party.identifiers):
            if (identifier.scheme or "").upper() == SEPA:
                creditor_id = creditor_id or identifier.value
                party.identifiers.remove(identifier)
    means_list = children(root, "PaymentMeans")
    if not means_list and creditor_id is None:
        return None
    payment = PaymentInstructions(creditor_id=creditor_id)
    for means in means_list:
        code = child(means, "PaymentMeansCode")
        payment.means_code = payment.means_code or text(code)
        if code is not None and payment.means_text is None:
            payment.means_text = code.get("name") or None
        payment.remittance_information = payment.remittance_information or text_at(
            means, "PaymentID"
        )
        card = child(means, "CardAccount")
        if card is not None and payment.card_account is None:
            payment.card_account = text_at(card, "PrimaryAccountNumberID")
            payment.card_holder = text_at(card, "HolderName")
        mandate = child(means, "PaymentMandate")
        if mandate is not None:
            payment.mandate_id = payment.mandate_id or text_at(mandate, "ID")
            payment.debited_account = payment.debited_account or text_at(
                mandate, "PayerFinancialAccount", "ID"
            )
        account = child(means, "PayeeFinancialAccount")
        if account is not None:
            payment.credit_transfers.append(
                CreditTransfer(
                    account_id=text_at(account, "ID"),
                    account_name=text_at(account, "Name"),
                    bic=text_at(account, "FinancialInstitutionBranch", "ID"),
                )
            )
    return payment


def _read_allowance_charge(element: etree._Element) -> AllowanceCharge:
    category = child(element, "TaxCategory")
    return AllowanceCharge(
        is_charge=bool(to_bool(text_at(element, "ChargeIndicator"))),
        amount=to_cents(text_at(element, "Amount")) or 0,
        base_amount=to_cents(text_at(element, "BaseAmount")),
        percentage=to_decimal(text_at(element, "MultiplierFactorNumeric")),
        vat_category=text_at(category, "ID"),
        vat_rate=to_decimal(text_at(category, "Percent")),
        reason=text_at(element, "AllowanceChargeReason"),
        reason_code=text_at(element, "AllowanceChargeReasonCode"),
    )


def _read_taxes_and_totals(root: etree._Element, invoice: Invoice) -> None:
    vat_total = vat_total_accounting = None
    for tax_total in children(root, "TaxTotal"):
        amount_element = child(tax_total, "TaxAmount")
        currency = amount_element.get("currencyID") if amount_element is not None else None
        if currency in (None, invoice.currency) and vat_total is None:
            vat_total = to_cents(text(amount_element))
        elif currency == invoice.accounting_currency:
            vat_total_accounting = to_cents(text(amount_element))
        for subtotal in children(tax_total, "TaxSubtotal"):
            category = child(subtotal, "TaxCategory")
            invoice.vat_breakdown.append(
                VatBreakdown(
                    basis=to_cents(text_at(subtotal, "TaxableAmount")),
                    amount=to_cents(text_at(subtotal, "TaxAmount")),
                    category=text_at(category, "ID"),
                    rate=to_decimal(text_at(category, "Percent")),
                    exemption_reason=text_at(category, "TaxExemptionReason"),
                    exemption_reason_code=text_at(category, "TaxExemptionReasonCode"),
                )
            )
    monetary = child(root, "LegalMonetaryTotal")
    invoice.totals = Totals(
        line_total=to_cents(text_at(monetary, "LineExtensionAmount")),
        allowance_total=to_cents(text_at(monetary, "AllowanceTotalAmount")),
        charge_total=to_cents(text_at(monetary, "ChargeTotalAmount")),
        tax_exclusive=to_cents(text_at(monetary, "TaxExclusiveAmount")),
        vat_total=vat_total,
        vat_total_accounting_currency=vat_total_accounting,
        tax_inclusive=to_cents(text_at(monetary, "TaxInclusiveAmount")),
        prepaid=to_cents(text_at(monetary, "PrepaidAmount")),
        rounding=to_cents(text_at(monetary, "PayableRoundingAmount")),
        due=to_cents(text_at(monetary, "PayableAmount")),
    )


def _read_line(element: etree._Element, credit_note: bool) -> Line:
    quantity = child(element, "CreditedQuantity" if credit_note else "InvoicedQuantity")
    if quantity is None:
        quantity = child(element, "InvoicedQuantity", "CreditedQuantity")
    item = child(element, "Item")
    price = child(element, "Price")
    base_quantity = child(price, "BaseQuantity")
    price_allowance = child(price, "AllowanceCharge")
    category = child(item, "ClassifiedTaxCategory")
    object_id = None
    for reference in children(element, "DocumentReference"):
        if text_at(reference, "DocumentTypeCode") in (INVOICED_OBJECT_TYPE, None):
            object_id = _read_identifier(child(reference, "ID"))
            if object_id:
                break
    notes = [text(note) for note in children(element, "Note")]
    return Line(
        id=text_at(element, "ID") or "",
        note="\n".join(n for n in notes if n) or None,
        object_id=object_id,
        quantity=to_decimal(text(quantity)),
        unit_code=quantity.get("unitCode") if quantity is not None else None,
        net_amount=to_cents(text_at(element, "LineExtensionAmount")),
        order_line_reference=text_at(element, "OrderLineReference", "LineID"),
        accounting_reference=text_at(element, "AccountingCost"),
        period_start=to_date(text_at(element, "InvoicePeriod", "StartDate")),
        period_end=to_date(text_at(element, "InvoicePeriod", "EndDate")),
        allowances_charges=[
            _read_allowance_charge(allowance) for allowance in children(element, "AllowanceCharge")
        ],
        net_price=to_decimal(text_at(price, "PriceAmount")),
        price_discount=to_decimal(text_at(price_allowance, "Amount")),
        gross_price=to_decimal(text_at(price_allowance, "BaseAmount")),
        price_base_quantity=to_decimal(text(base_quantity)),
        price_base_unit_code=base_quantity.get("unitCode") if base_quantity is not None else None,
        vat_category=text_at(category, "ID"),
        vat_rate=to_decimal(text_at(category, "Percent")),
        name=text_at(item, "Name"),
        description=text_at(item, "Description"),
        seller_item_id=text_at(item, "SellersItemIdentification", "ID"),
        buyer_item_id=text_at(item, "BuyersItemIdentification", "ID"),
        standard_item_id=_read_identifier(path(item, "StandardItemIdentification", "ID")),
        classifications=[
            Identifier(value=text(code) or "", scheme=code.get("listID"))
            for classification in children(item, "CommodityClassification")
            for code in children(classification, "ItemClassificationCode")
        ],
        origin_country=text_at(item, "OriginCountry", "IdentificationCode"),
        attributes=[
            ItemAttribute(name=text_at(prop, "Name") or "", value=text_at(prop, "Value") or "")
            for prop in children(item, "AdditionalItemProperty")
        ],
    )
