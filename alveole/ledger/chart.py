"""The chart of accounts and the journals a fresh installation starts with, and the account
numbers the posting functions use (the chart stays editable: labels, new sub-accounts).

The numbers follow the French PCG (règlement ANC 2014-03 as amended by ANC 2022-06).
Sub-accounts the PCG leaves free are ours and say so in their label's note below:
44564 and 44574 (VAT waiting for a payment), 1811 and 1812 (liaison between analytic
sections), 4671 (expense reports), 6459 (general reduction). See docs/adr/0010.
"""

from __future__ import annotations

# --- accounts the posting functions use -------------------------------------------------

CAPITAL = "1013"
RETAINED_EARNINGS_CREDIT = "110"
RETAINED_EARNINGS_DEBIT = "119"
PROFIT = "120"
LOSS = "129"
LIAISON_CONTRIBUTIONS = "1811"
LIAISON_INTERNAL = "1812"
SUPPLIERS = "401"
CUSTOMERS = "411"
WAGES_DUE = "421"
WAGE_WITHHOLDINGS = "427"
URSSAF = "431"
OTHER_SOCIAL_BODIES = "437"
GRANTS_RECEIVABLE = "441"
VAT_PAYABLE = "44551"
VAT_DEDUCTIBLE_PENDING = "44564"
VAT_DEDUCTIBLE = "44566"
VAT_CREDIT = "44567"
VAT_COLLECTED = "44571"
VAT_COLLECTED_PENDING = "44574"
EXPENSE_REPORTS_DUE = "4671"
BANK = "512"
STUDIES_AND_SERVICES = "604"
NON_STOCK_SUPPLIES = "606"
GOODS_FOR_RESALE = "607"
SUBCONTRACTING = "611"
GROSS_WAGES = "641"
EMPLOYER_CONTRIBUTIONS = "645"
GENERAL_REDUCTION = "6459"
SERVICES_SOLD = "706"
GOODS_SOLD = "707"
OPERATING_GRANTS = "740"

#: (number, label) of the initial chart, loaded by migration 0002 (copied there).
INITIAL_ACCOUNTS: list[tuple[str, str]] = [
    ("101", "Capital"),
    ("1013", "Capital souscrit – appelé, versé"),
    ("106", "Réserves"),
    ("1061", "Réserve légale"),
    ("1068", "Autres réserves (réserves impartageables)"),
    ("110", "Report à nouveau (solde créditeur)"),
    ("119", "Report à nouveau (solde débiteur)"),
    ("120", "Résultat de l'exercice (bénéfice)"),
    ("129", "Résultat de l'exercice (perte)"),
    ("1811", "Liaison entre activités – contributions coopératives"),
    ("1812", "Liaison entre activités – ventes et achats internes"),
    ("401", "Fournisseurs"),
    ("411", "Clients"),
    ("421", "Personnel – rémunérations dues"),
    ("427", "Personnel – oppositions et autres retenues"),
    ("431", "Sécurité sociale (URSSAF)"),
    ("437", "Autres organismes sociaux"),
    ("441", "État – subventions à recevoir"),
    ("44551", "TVA à décaisser"),
    ("44564", "TVA déductible en attente de paiement"),
    ("44566", "TVA déductible sur autres biens et services"),
    ("44567", "Crédit de TVA à reporter"),
    ("44571", "TVA collectée"),
    ("44574", "TVA collectée en attente d'encaissement (prestations)"),
    ("4671", "Notes de dépenses à rembourser"),
    ("512", "Banque"),
    ("604", "Achats d'études et prestations de services (sous-traitance)"),
    ("606", "Achats non stockés de matières et fournitures"),
    ("6061", "Fournitures non stockables (eau, énergie, carburant)"),
    ("6063", "Fournitures d'entretien et de petit équipement"),
    ("6064", "Fournitures administratives"),
    ("607", "Achats de marchandises"),
    ("611", "Sous-traitance générale"),
    ("613", "Locations"),
    ("6181", "Documentation générale"),
    ("6226", "Honoraires"),
    ("6251", "Voyages et déplacements"),
    ("6256", "Missions"),
    ("6257", "Réceptions"),
    ("626", "Frais postaux et de télécommunications"),
    ("627", "Services bancaires et assimilés"),
    ("628", "Divers"),
    ("641", "Rémunérations du personnel"),
    ("645", "Charges de sécurité sociale et de prévoyance"),
    ("6459", "Réduction générale des cotisations patronales"),
    ("706", "Prestations de services"),
    ("707", "Ventes de marchandises"),
    ("740", "Subventions d'exploitation"),
]

#: (code, label) of the journals, loaded by migration 0002 (copied there).
INITIAL_JOURNALS: list[tuple[str, str]] = [
    ("VE", "Ventes"),
    ("AC", "Achats"),
    ("BQ", "Banque"),
    ("PA", "Paie"),
    ("OD", "Opérations diverses"),
    ("AN", "À-nouveaux"),
]

SALES_JOURNAL = "VE"
PURCHASES_JOURNAL = "AC"
BANK_JOURNAL = "BQ"
PAYROLL_JOURNAL = "PA"
MISC_JOURNAL = "OD"
OPENING_JOURNAL = "AN"

#: The account charged for each expense category of an expense report (categories are the
#: purchases app's `ExpenseCategory` values, repeated here as plain strings: the ledger sits
#: below purchases and does not import it).
EXPENSE_ACCOUNTS: dict[str, str] = {
    "transport": "6251",
    "fuel": "6061",
    "tolls_parking": "6251",
    "accommodation": "6256",
    "meals": "6256",
    "supplies": "6063",
    "telecom": "626",
    "postage": "626",
    "documentation": "6181",
    "other": "628",
    "mileage": "6251",
}

#: The account charged for each supplier invoice category (purchases' `PurchaseCategory`).
PURCHASE_ACCOUNTS: dict[str, str] = {
    "goods_for_resale": GOODS_FOR_RESALE,
    "subcontracting": STUDIES_AND_SERVICES,
    "other": NON_STOCK_SUPPLIES,
}

#: Accounts whose net debits the gross margin deducts (goods for resale, subcontracting).
GROSS_MARGIN_DEDUCTED = (GOODS_FOR_RESALE, STUDIES_AND_SERVICES, SUBCONTRACTING)
