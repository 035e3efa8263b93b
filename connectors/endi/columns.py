"""The columns the connector reads in each enDI export: field name and French labels.

Only these columns are read; every other column of an export (names, addresses, NIR…) is
left in the file. The first label is the one enDI shows and the one messages use.
"""

from __future__ import annotations

from connectors.sdk.tabular import Column

USERDATAS = (
    Column("id", ("ID Gestion sociale", "Identifiant gestion sociale", "userdatas_id")),
    Column(
        "situation_societariat_entrance",
        ("Date d'entrée au sociétariat", "Sociétariat", "Entrée au sociétariat"),
        required=False,
    ),
    Column("coordonnees_civilite", ("Civilité",), required=False),
    Column("coordonnees_sex", ("Sexe",), required=False),
    Column("coordonnees_birthday", ("Date de naissance", "Naissance"), required=False),
    Column("coordonnees_zipcode", ("Code postal",), required=False),
    Column(
        "activity_typologie",
        (
            "Typologie",
            "Typologie des métiers/secteurs d'activités",
            "Typologie des métiers ou secteurs d'activités",
        ),
        required=False,
    ),
    Column(
        "activity_companydatas",
        ("Type d'activité", "Activité", "Activités"),
        required=False,
    ),
)

CAREER_PATHS = (
    Column("userdatas_id", ("ID Gestion sociale", "Identifiant gestion sociale")),
    Column("start_date", ("Date d'effet", "Date de début")),
    Column("career_stage", ("Étape de parcours", "Étape", "Type d'étape")),
    Column("stage_type", ("Nature", "Nature de l'étape"), required=False),
    Column("type_contrat", ("Type de contrat",), required=False),
    Column("type_sortie", ("Type de sortie",), required=False),
    Column("motif_sortie", ("Motif de sortie",), required=False),
)

INVOICES = (
    Column("date", ("Date", "Date de la facture", "Date de facture")),
    Column("ht", ("Montant HT", "HT", "Total HT")),
    Column("company_id", ("ID enseigne", "Identifiant enseigne"), required=False),
    Column("company", ("Enseigne", "Nom de l'enseigne"), required=False),
    Column("status", ("Statut", "État"), required=False),
)

COMPANIES = (
    Column("id", ("ID enseigne", "Identifiant enseigne"), required=False),
    Column("name", ("Enseigne", "Nom de l'enseigne", "Nom"), required=False),
    Column("activity", ("Activité", "Activités", "Domaine d'activité"), required=False),
    Column("zip_code", ("Code postal",), required=False),
    Column("userdatas_id", ("ID Gestion sociale", "Identifiant gestion sociale"), required=False),
)

PAYROLL = (
    Column("month", ("Mois", "Période", "Mois de paie")),
    Column("gross", ("Salaire brut", "Brut", "Montant brut")),
    Column("userdatas_id", ("ID Gestion sociale", "Identifiant gestion sociale"), required=False),
)
