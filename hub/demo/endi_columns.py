"""The columns of each enDI export (field name, French label) and the words CAEs write."""

from __future__ import annotations

# The CAE's own words for a stage and an exit reason (declared in its configuration).
OWN_CAPE_STAGE = "Convention d'accompagnement"
OWN_EXIT_REASON = "Projet abouti"

EXIT_WORDS = {
    "company_creation": (
        "Création d'entreprise",
        "Immatriculation en micro-entreprise",
        "Installation à son compte",
    ),
    "employment": ("Embauche en CDI", "Emploi salarié", "CDD de plus de 6 mois"),
    "training": ("Formation qualifiante", "Entrée en formation"),
    "other": ("Déménagement", "Raisons de santé", "Abandon du projet", "Retraite"),
}

EXIT_TYPES = {
    "company_creation": "Sortie positive",
    "employment": "Sortie positive",
    "training": "Sortie dynamique",
    "other": "Autre sortie",
}

PRESCRIBERS = ("France Travail", "Réseau d'accompagnement", "Bouche à oreille", "Mission locale")

CUSTOMERS = (
    "SCI Les Tilleuls",
    "Mairie",
    "Syndic de copropriété",
    "Particulier",
    "Office public de l'habitat",
    "SARL Habitat Sud",
    "Association",
)

USERDATAS = (
    ("id", "ID Gestion sociale"),
    ("coordonnees_civilite", "Civilité"),
    ("coordonnees_lastname", "Nom"),
    ("coordonnees_firstname", "Prénom"),
    ("coordonnees_sex", "Sexe"),
    ("coordonnees_birthday", "Date de naissance"),
    ("coordonnees_secu", "Numéro de sécurité sociale"),
    ("coordonnees_email1", "E-mail"),
    ("coordonnees_tel", "Téléphone"),
    ("coordonnees_address", "Adresse"),
    ("coordonnees_zipcode", "Code postal"),
    ("coordonnees_city", "Ville"),
    ("coordonnees_study_level", "Niveau d'études"),
    ("situation_situation", "Situation"),
    ("situation_antenne", "Antenne"),
    ("situation_societariat_entrance", "Date d'entrée au sociétariat"),
    ("activity_typologie", "Typologie"),
    ("parcours_prescripteur", "Prescripteur"),
)

CAREER_PATHS = (
    ("userdatas_id", "ID Gestion sociale"),
    ("lastname", "Nom"),
    ("firstname", "Prénom"),
    ("start_date", "Date d'effet"),
    ("end_date", "Date d'échéance"),
    ("career_stage", "Étape de parcours"),
    ("stage_type", "Nature"),
    ("type_contrat", "Type de contrat"),
    ("num_hours", "Nombre d'heures"),
    ("goals_amount", "Objectif de CA"),
    ("type_sortie", "Type de sortie"),
    ("motif_sortie", "Motif de sortie"),
)

NATURES = {
    "entry": "Entrée",
    "contract": "Contrat",
    "amendment": "Avenant",
    "exit": "Sortie",
}

COMPANIES = (
    ("id", "ID enseigne"),
    ("name", "Enseigne"),
    ("email", "E-mail"),
    ("code_compta", "Code comptable"),
    ("contribution", "Contribution (%)"),
    ("activity", "Activité"),
    ("zip_code", "Code postal"),
    ("userdatas_id", "ID Gestion sociale"),
    ("active", "Active"),
)

INVOICES = (
    ("official_number", "Numéro de facture"),
    ("date", "Date"),
    ("company_id", "ID enseigne"),
    ("company", "Enseigne"),
    ("customer", "Client"),
    ("ht", "Montant HT"),
    ("tva", "Montant TVA"),
    ("ttc", "Montant TTC"),
    ("status", "Statut"),
    ("financial_year", "Exercice"),
)

PAYROLL = (
    ("month", "Mois"),
    ("userdatas_id", "ID Gestion sociale"),
    ("lastname", "Nom"),
    ("firstname", "Prénom"),
    ("gross", "Salaire brut"),
    ("net", "Salaire net"),
)
