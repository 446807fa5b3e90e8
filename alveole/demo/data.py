"""The raw material of the demo cooperative: its identity, names, towns, business names.

Everything here is fictional. The identifiers pass python-stdnum's checks but are not
those of a known company; the towns and postal codes are real, so that the demographics
(departments 32, 65, 64, 31) read like the seed cooperative's.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The demo cooperative's identity (a CAE of the Gers and the Hautes-Pyrénées).
COOPERATIVE = {
    "name": "CAE Adour-Gascogne (démonstration)",
    "legal_form": "SCOP SA à capital variable",
    "capital_cents": 14_850_000,
    "siren": "904321866",
    "siret": "90432186600017",
    "rcs_city": "Auch",
    "vat_number": "FR61904321866",
    "address": "8 rue Gambetta",
    "postal_code": "32000",
    "city": "Auch",
    "region": "Occitanie",
    "training_registration_number": "76320123432",
    "email": "contact@adour-gascogne.example",
    "phone": "05 62 00 00 00",
    "website": "https://adour-gascogne.example",
}
#: Staff members' work addresses use this domain; entrepreneurs' use EMAIL_DOMAINS.
COOPERATIVE_DOMAIN = "adour-gascogne.example"
EMAIL_DOMAINS = ("example.org", "example.com", "example.net")

#: (name, head office?, address, postal code, city)
OFFICES = (
    ("Auch", True, "8 rue Gambetta", "32000", "Auch"),
    ("Tarbes", False, "5 place de Verdun", "65000", "Tarbes"),
)
#: Which office receives the people of a department.
OFFICE_FOR_DEPARTMENT = {"32": "Auch", "31": "Auch", "65": "Tarbes", "64": "Tarbes"}
DEFAULT_OFFICE = "Auch"

#: Where members live, by department, with a weight (the seed's map: Gers first).
DEPARTMENT_WEIGHTS = {"32": 46, "65": 34, "64": 8, "31": 7, "other": 5}
TOWNS = {
    "32": [
        ("Auch", "32000", 8), ("Condom", "32100", 3), ("Fleurance", "32500", 2),
        ("L'Isle-Jourdain", "32600", 3), ("Lectoure", "32700", 2), ("Eauze", "32800", 2),
        ("Mirande", "32300", 2), ("Gimont", "32200", 2), ("Samatan", "32130", 1),
        ("Vic-Fezensac", "32190", 1), ("Nogaro", "32110", 1), ("Marciac", "32230", 1),
        ("Masseube", "32140", 1), ("Mauvezin", "32120", 1), ("Simorre", "32420", 1),
        ("Pavie", "32550", 2), ("Seissan", "32260", 1), ("Riscle", "32400", 1),
    ],
    "65": [
        ("Tarbes", "65000", 8), ("Lourdes", "65100", 3), ("Bagnères-de-Bigorre", "65200", 2),
        ("Lannemezan", "65300", 2), ("Vic-en-Bigorre", "65500", 1), ("Argelès-Gazost", "65400", 1),
        ("Séméac", "65600", 1), ("Aureilhan", "65800", 2), ("Maubourguet", "65700", 1),
        ("Ibos", "65420", 1), ("Juillan", "65290", 1), ("Trie-sur-Baïse", "65220", 1),
        ("Luz-Saint-Sauveur", "65120", 1), ("Capvern", "65130", 1),
    ],
    "64": [
        ("Pau", "64000", 6), ("Lescar", "64230", 1), ("Billère", "64140", 1), ("Nay", "64800", 1),
        ("Oloron-Sainte-Marie", "64400", 1), ("Orthez", "64300", 1), ("Morlaàs", "64160", 1),
        ("Bayonne", "64100", 1),
    ],
    "31": [
        ("Toulouse", "31000", 4), ("Toulouse", "31300", 2), ("Toulouse", "31500", 2),
        ("Colomiers", "31770", 1), ("Blagnac", "31700", 1), ("Muret", "31600", 1),
        ("Saint-Gaudens", "31800", 1), ("Tournefeuille", "31170", 1), ("Léguevin", "31490", 1),
    ],
    "other": [
        ("Mont-de-Marsan", "40000", 1), ("Agen", "47000", 1), ("Montauban", "82000", 1),
        ("Foix", "09000", 1), ("Bordeaux", "33000", 1),
    ],
}  # fmt: skip

STREETS = (
    "rue Gambetta", "rue Victor-Hugo", "avenue Jean-Jaurès", "rue de la République",
    "chemin du Moulin", "rue des Écoles", "place du Foirail", "route de Toulouse",
    "rue du Pont", "impasse des Vignes", "allée des Platanes", "rue Pasteur",
    "avenue de la Gare", "rue de l'Église", "rue Carnot", "chemin de Lartigue",
    "rue du Maréchal-Foch", "avenue des Pyrénées", "rue Lafayette", "lotissement Les Tilleuls",
    "rue Émile-Zola", "chemin des Coteaux", "rue du Stade", "place de la Mairie",
)  # fmt: skip

FEMALE_FIRST_NAMES = (
    "Camille", "Léa", "Julie", "Marie", "Sophie", "Nathalie", "Isabelle", "Sandrine", "Céline",
    "Aurélie", "Émilie", "Claire", "Anne", "Laure", "Manon", "Chloé", "Pauline", "Élodie",
    "Caroline", "Virginie", "Stéphanie", "Christine", "Catherine", "Valérie", "Hélène", "Agnès",
    "Florence", "Mathilde", "Lucie", "Sarah", "Laura", "Audrey", "Charlotte", "Marion", "Anaïs",
    "Delphine", "Karine", "Sylvie", "Véronique", "Martine", "Françoise", "Patricia", "Corinne",
    "Nadia", "Inès", "Fatima", "Amandine", "Margaux", "Juliette", "Alice", "Jeanne", "Louise",
    "Maëlle", "Elsa", "Fanny", "Cécile", "Géraldine", "Muriel", "Pascale", "Odile", "Béatrice",
    "Marine", "Solène", "Clémence", "Estelle", "Gaëlle", "Noémie", "Perrine", "Lætitia", "Maud",
    "Bérénice", "Adèle", "Rose", "Yasmina", "Mélanie", "Coralie", "Sabine", "Annie",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Thomas", "Nicolas", "Julien", "Sébastien", "Pierre", "Laurent", "Stéphane", "David",
    "Olivier", "Christophe", "Frédéric", "Philippe", "Éric", "Jérôme", "Vincent", "François",
    "Guillaume", "Mathieu", "Romain", "Antoine", "Alexandre", "Maxime", "Benoît", "Cédric",
    "Fabien", "Damien", "Yannick", "Bruno", "Patrick", "Thierry", "Pascal", "Didier", "Alain",
    "Jean-Marc", "Jean-Luc", "Hervé", "Lionel", "Loïc", "Arnaud", "Florian", "Quentin", "Hugo",
    "Lucas", "Théo", "Baptiste", "Adrien", "Clément", "Jérémy", "Mehdi", "Karim", "Samir",
    "Paul", "Louis", "Gabriel", "Martin", "Simon", "Benjamin", "Sylvain", "Emmanuel", "Raphaël",
    "Gilles", "Michel", "Serge", "Joël", "Régis", "Xavier", "Gaëtan", "Tristan", "Bastien",
    "Aurélien", "Erwan", "Jean-Pierre",
)  # fmt: skip
LAST_NAMES = (
    # Common in the South-West…
    "Dupuy", "Lacoste", "Labat", "Fourcade", "Bordes", "Lafforgue", "Dabadie", "Cazaux",
    "Abadie", "Carrère", "Lasserre", "Barrère", "Soulé", "Sarrat", "Duffau", "Laborde",
    "Castaing", "Pujol", "Ducasse", "Lagarde", "Pomès", "Sempé", "Baylac", "Lanne", "Marque",
    "Lamarque", "Dufau", "Caussade", "Larrieu", "Tournier", "Daguzan", "Lartigue", "Manaud",
    "Espagnac", "Peyrou", "Lafargue", "Sentenac", "Dubarry", "Laffitte", "Candau", "Pédeboscq",
    "Arrieu", "Bégué", "Cazenave", "Daries", "Lapeyre", "Mengelatte", "Noguès", "Pouey",
    "Rivière", "Save", "Theil", "Verdier", "Bonnecarrère", "Courtade", "Darrieux", "Esquerré",
    # … and everywhere in France.
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin",
    "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier",
    "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen",
    "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Roger", "Roche", "Roy", "Noël", "Meyer",
    "Lucas", "Meunier", "Perez", "Marchand", "Blanchard", "Barbier", "Brun", "Dumas", "Brunet",
    "Schmitt", "Colin", "Fernandez", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud",
    "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Lacroix", "Fabre",
    "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert", "Guillot", "Le Gall", "Adam", "Rey",
    "Moulin", "Gonzalez", "Berger", "Fleury", "Deschamps", "Julien", "Benoît", "Maillard",
    "Aubry", "Renault", "Prévost", "Poirier", "Charpentier", "Huet", "Baron", "Pons", "Breton",
    "Marty", "Cousin", "Benali", "Haddad", "Ferreira", "Pereira", "Kowalski", "Diallo",
)  # fmt: skip

#: Regions and landscapes that name businesses here: (name, "of" form).
PLACES = (
    ("Gascogne", "de Gascogne"), ("Bigorre", "de Bigorre"), ("Adour", "de l'Adour"),
    ("Armagnac", "d'Armagnac"), ("Pyrénées", "des Pyrénées"), ("Astarac", "de l'Astarac"),
    ("Lomagne", "de Lomagne"), ("Béarn", "du Béarn"), ("Coteaux", "des Coteaux"),
    ("Comminges", "du Comminges"), ("Baïse", "de la Baïse"), ("Gers", "du Gers"),
)  # fmt: skip

#: Business-name patterns per sector. Placeholders: {first} {last} {place} {of_place} {of_town}.
BUSINESS_NAMES = {
    "formation-conseil": (
        "{last} Conseil", "{first} {last} Formation", "Cap Compétences {place}", "Boussole RH",
        "Le Fil des Talents", "Horizon Management", "Trajectoires {of_place}",
        "Atelier du Leadership", "{first} {last} Coaching", "Parole Partagée", "Sens & Travail",
        "Passerelle Formation", "Cap Qualité {place}", "Déclic Conseil", "Élan Coaching",
        "Le Lien Formation", "Stratégies {of_place}", "Ancrages Conseil", "Prisme Consultants",
        "{last} Accompagnement", "Les Chemins du Projet", "Médiation {of_place}",
        "Graines d'Entreprendre", "Langues Vivantes {of_town}", "Nuances RH", "Transitions {place}",
        "Écoute & Projets", "Le Carnet du Manager", "{last} Études & Conseil", "Orientation {place}",
        "English with {first}", "Cap Sur l'Emploi", "Dialogue Social Conseil", "Agilités {place}",
    ),
    "tic": (
        "Pixel {place}", "{first} Web Studio", "Code & Coteaux", "Datalis", "Nuage Numérique",
        "{last} Informatique", "Octet {place}", "Clic {of_place}", "Les Sites {of_town}",
        "Appli {place}", "Réseau & Dépannage {last}", "Numérique Solidaire {place}",
        "{first} {last} Développement", "Data Coteaux",
    ),
    "sante": (
        "Diététique {last}", "Ergonomie {place}", "Prévention Santé {place}", "Équilibre Nutrition",
        "Posture & Prévention", "Sport Santé {of_place}", "Aidants {of_place}",
        "{first} {last} Nutrition", "Gestes & Postures {place}", "Santé au Travail {place}",
    ),
    "artisanat-commerce": (
        "Savonnerie {of_town}", "Céramiques {first}", "L'Atelier du Cuir", "Bijoux {of_place}",
        "Les Confitures {of_town}", "Couture {first} {last}", "Ébénisterie {last}",
        "Le Panier Gascon", "Bougies & Cie", "Vannerie {last}", "Laines {of_place}",
        "Tissages {of_place}", "Luthier {last}", "Verre d'Art {last}", "Mosaïques {first}",
        "Cosmétiques {of_place}", "L'Épicerie en Ligne {of_place}", "Tournerie {last}",
        "Papeterie {first}", "Sellerie {of_town}",
    ),
    "habitat-espaces-verts": (
        "Jardins {of_place}", "Paysages {last}", "Déco & Patine", "Home Staging {place}",
        "{first} Décoration", "Les Jardins {of_town}", "Peinture Décorative {last}",
        "Potager & Compagnie", "Intérieurs {of_place}", "Tapisserie {last}", "Harmonie Habitat",
    ),
    "arts-culture": (
        "Compagnie {last}", "Studio {first} {last} Photographie", "Éditions {of_place}",
        "Musiques {of_place}", "Théâtre de la Halle", "Illustrations {first} {last}",
        "Images {of_place}", "Graphisme {last}", "Danse {of_place}", "Contes {of_place}",
        "Cie Les Grandes Marées", "Atelier d'Écriture {first}", "Vidéo {place}",
    ),
    "bien-etre": (
        "Sophrologie {first} {last}", "Yoga des Coteaux", "Naturopathie {last}",
        "Shiatsu {place}", "Massages {of_town}", "Qi Gong {of_place}", "Respiration & Sens",
        "L'Instant Présent", "Art-thérapie {last}", "Réflexologie {first}",
    ),
    "services-entreprises": (
        "Secrétariat {last}", "Traductions {first} {last}", "Gestion & Admin {place}",
        "Assistance {place}", "Rédaction {first} {last}", "Événements {of_place}",
        "Diagnostic Énergie {place}", "Conciergerie {of_town}", "Archives & Classement",
        "Cartographie {last}", "Bureau d'Études {last}",
    ),
}  # fmt: skip

#: Share of members per sector in the seed report (42/13/7/14/4/10/5/5 %), in its order.
SECTOR_WEIGHTS = {
    "formation-conseil": 42,
    "tic": 13,
    "sante": 7,
    "artisanat-commerce": 14,
    "habitat-espaces-verts": 4,
    "arts-culture": 10,
    "bien-etre": 5,
    "services-entreprises": 5,
}

#: Age at entry, in brackets of the seed's age pyramid (weights in %).
ENTRY_AGE_WEIGHTS = {(23, 30): 20, (31, 40): 32, (41, 50): 28, (51, 60): 17, (61, 64): 3}
#: The members' ages on the census day (the seed's pyramid: "61 ans et + 7 %").
CENSUS_AGE_WEIGHTS = {(24, 30): 9, (31, 40): 27, (41, 50): 32, (51, 60): 25, (61, 66): 7}
#: Situation at entry (weights in %): EntrySituation values.
ENTRY_SITUATION_WEIGHTS = {"employed": 24, "job_seeker": 50, "rsa": 12, "other": 14}
#: The seed: 30 % of the entrepreneurs have another income.
OTHER_INCOME_WEIGHTS = {True: 30, False: 70}

#: Reasons a support-team member writes down.
NOT_INTEGRATED_REASONS = (
    "Projet relevant d'une profession réglementée.",
    "Activité du bâtiment, hors du champ de la coopérative : orientation vers une CAE bâtiment.",
    "Projet encore au stade de l'idée : orientation vers un dispositif d'émergence.",
    "La personne préfère le statut de micro-entrepreneur.",
    "Investissements trop lourds pour démarrer dans la coopérative.",
    "Projet agricole : orientation vers les partenaires de l'installation agricole.",
    "Pas de disponibilité pour démarrer l'activité cette année.",
)
POSTPONED_REASONS = (
    "Étude de marché à compléter avant de décider.",
    "En attente de l'accord de financement de la formation.",
    "Formation en cours, à revoir à la fin de celle-ci.",
    "Premiers clients à confirmer.",
)
EXIT_REASONS = {
    "business_creation": (
        "Immatriculation d'une entreprise individuelle.",
        "Création d'une SARL avec un associé.",
        "Création d'une SAS pour accueillir des investisseurs.",
        "Reprise d'une entreprise existante.",
    ),
    "salaried_job": (
        "CDI dans une entreprise du secteur.",
        "Embauche par un client.",
        "CDD de longue durée dans une collectivité.",
    ),
    "training": ("Entrée en formation qualifiante.", "Reconversion : formation longue."),
    "other": (
        "Déménagement hors de la région.",
        "Arrêt de l'activité pour raisons personnelles.",
        "Départ à la retraite.",
    ),
    "unknown": ("",),
}
#: Outcomes of exits, by where the person was when they left (small decks, so that every
#: twenty exits of a kind follow the proportions): the seed reports 77 % positive exits
#: (business creation or salaried job).
EXIT_OUTCOME_WEIGHTS = {
    "cape": {"business_creation": 4, "salaried_job": 3, "training": 1, "other": 1, "unknown": 1},
    "cesa": {"business_creation": 10, "salaried_job": 7, "training": 1, "other": 1, "unknown": 1},
}  # fmt: skip
#: A CESA's monthly hours at the start and the steps of later amendments.
CESA_START_HOURS = {"20": 20, "35": 30, "50": 25, "70": 15, "104": 10}
CESA_HOUR_STEPS = ("20", "35", "50", "70", "86.67", "104", "121.34", "151.67")


@dataclass(frozen=True)
class StaffMember:
    """A member of the support team. `hired` and `left` are (years after the first full
    year, month); `associate_after`: years after hiring when they became associates."""

    key: str
    gender: str
    job: str
    role: str | None  # the account's role; None: no account (left the cooperative)
    office: str
    hired: tuple[int, int]
    associate_after: int | None
    left: tuple[int, int] | None = None


#: The support team: eight employed at the end of the last full year, six of them
#: associates; one left in the summer of the second year and was replaced.
STAFF = (
    StaffMember("director", "F", "Directrice générale", "director", "Auch", (-17, 9), 2),
    StaffMember("accountant", "M", "Responsable administratif et comptable", "accountant",
                "Auch", (-13, 3), 2),
    StaffMember("staff-auch-1", "F", "Chargée d'accompagnement", "staff", "Auch", (-11, 1), 2),
    StaffMember("staff-tarbes-1", "F", "Chargée d'accompagnement", "staff", "Tarbes", (-10, 4), 3),
    StaffMember("staff-auch-2", "M", "Chargé d'accompagnement", "staff", "Auch", (-8, 9), 2),
    StaffMember("staff-auch-3", "F", "Responsable formation et qualité", "staff", "Auch",
                (-5, 1), 3),
    StaffMember("staff-tarbes-2", "M", "Chargé d'accompagnement", "staff", "Tarbes", (-1, 9), None),
    StaffMember("staff-tarbes-3", "F", "Chargée d'accompagnement", "staff", "Tarbes", (1, 9), None),
    StaffMember("staff-tarbes-former", "M", "Chargé d'accompagnement", None, "Tarbes", (-9, 2), 2,
                left=(1, 6)),
)  # fmt: skip
#: External associates: (gender, note, years before the first full year when they joined).
EXTERNAL_ASSOCIATES = (
    ("F", "Ancienne entrepreneure, associée extérieure", 9),
    ("M", "Représentant d'un partenaire de l'économie sociale et solidaire", 3),
)
