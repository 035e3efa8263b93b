"""enDI / CAERP connector: indicator reports from the exports of enDI.

enDI has no general API; the CAE exports its data (CSV or XLSX) and the connector reads the
files, aggregates them locally and yields one ``indicator-report`` per period. Personal
columns are never read: only the columns listed below are, and what is read of a person
(birth date, postcode, sex) only feeds counts. Messages name a file and a line, never a
person.

Files
=====

Every file is CSV (``;``, ``,`` or tab; UTF-8 with or without BOM, or Latin-1/cp1252) or XLSX
(first sheet unless ``sheet`` is given). The header row holds, for each column, either the
field name or one of its French labels below; case, accents, spaces and punctuation do not
matter (``DATE D'EFFET`` = ``Date d’effet`` = ``date_d_effet``), nor does the order of the
columns. Other columns are ignored. A few title lines may precede the header row. Dates are
``JJ/MM/AAAA`` (optionally followed by a time) or ``AAAA-MM-JJ``, or typed XLSX dates; numbers
are ``1 234,56`` or ``1234.56`` or typed XLSX numbers; an empty cell is an absent value.
Identifiers are compared as text (a typed XLSX ``12`` equals a CSV ``12``).

``userdatas`` — the entrepreneur file (export of « Gestion sociale », one row per person)
    ==============================  ============================================  ========
    field name                      French labels                                  required
    ==============================  ============================================  ========
    id                              ID Gestion sociale, Identifiant gestion        yes
                                    sociale, userdatas_id
    situation_societariat_entrance  Date d'entrée au sociétariat, Sociétariat,     no
                                    Entrée au sociétariat
    coordonnees_civilite            Civilité (Madame, Mme, Monsieur, M. …)          no
    coordonnees_sex                 Sexe (F, M, Femme, Homme, H; other → X)         no
    coordonnees_birthday            Date de naissance, Naissance                   no
    coordonnees_zipcode             Code postal                                    no
    activity_typologie              Typologie, Typologie des métiers/secteurs      no
                                    d'activités
    activity_companydatas           Type d'activité, Activité, Activités           no
    ==============================  ============================================  ========

    Sex comes from ``coordonnees_sex``, else from the civility, else « X ». The département
    comes from the postcode: ``20000``–``20199`` → 2A, ``20200``–``20999`` → 2B, ``971xx`` to
    ``976xx`` → 971…976, a four-digit postcode gets its leading zero back; anything else is
    unknown. The trade is the typology, else the activity type, through ``trades``.

``career_paths`` — the career-path stages (export of « Parcours », one row per stage)
    ============  ========================================  ========
    field name    French labels                              required
    ============  ========================================  ========
    userdatas_id  ID Gestion sociale                         yes
    start_date    Date d'effet, Date de début                yes
    career_stage  Étape de parcours, Étape, Type d'étape     yes
    stage_type    Nature, Nature de l'étape                  no
    type_contrat  Type de contrat                            no
    type_sortie   Type de sortie                             no
    motif_sortie  Motif de sortie                            no
    ============  ========================================  ========

    A stage is a CAPE, a CESA, an exit, or ignored (diagnostic, information meeting,
    amendment…). ``career_stages`` decides first; otherwise a ``stage_type`` of exit/« Sortie »
    makes an exit and amendment/« Avenant » is ignored; otherwise the words of the stage name
    (then of the contract type) decide: « sortie » → exit, « avenant » → ignored, « CESA » or
    « entrepreneur salarié » → CESA, « CAPE » or « appui au projet » → CAPE, « diagnostic »,
    « information », « accueil », « entretien », « candidature », « réunion »,
    « positionnement » → ignored. Any other stage name stops the connector (ConfigError) until
    ``career_stages`` says what it is.

    A stay in the CAE starts with the first CAPE or CESA (entry date), becomes CESA at the
    first CESA, and ends at the next exit stage's ``start_date`` (exit date). Someone who
    leaves and comes back has two stays. An exit before any contract closes a candidacy and
    counts for nothing. The exit reason is ``motif_sortie``, else ``type_sortie``, through
    ``exit_reasons``, else by their words (« formation » → training; « création », « créer »,
    « immatriculation », « indépendant », « micro-entreprise », « à son compte » →
    company_creation; « emploi », « embauche », « CDI », « CDD », « intérim », « salarié(e) »
    → employment; « autre », « abandon », « démission », « retraite », « décès »,
    « déménagement », « santé », « maladie », « fin de contrat », « rupture »,
    « licenciement », « non renouvellement », « chômage », « sans suite », « inconnu »,
    « non précisé » → other). An exit with neither is « other »; an unrecognised label stops
    the connector until ``exit_reasons`` maps it.

``invoices`` (optional) — the invoices (and credit notes, with negative amounts)
    ==========  =======================================  ========
    field name  French labels                             required
    ==========  =======================================  ========
    date        Date, Date de la facture, Date de facture  yes
    ht          Montant HT, HT, Total HT                   yes
    company_id  ID enseigne, Identifiant enseigne          no
    company     Enseigne, Nom de l'enseigne                no
    status      Statut, État                               no
    ==========  =======================================  ========

    ``ht`` is in the unit ``amount_unit`` says: ``euros`` (default: ``1 234,56``),
    ``centimes`` (``123456``) or ``x100000`` (enDI's internal fixed point: ``123456000``).
    When the median invoice does not fall between 1 € and 100 000 € in that unit, or a
    fixed-point unit meets decimals, ``check()`` and each run add a warning. Rows whose
    status says draft/brouillon, wait/en attente, invalid/invalidée, refusée or annulée are
    not counted. An invoice counts in the period of its date, under the trade and département
    of its company (found by ``company_id``, else by ``company`` name).

``companies`` (optional, with ``invoices``) — the « enseignes »
    ============  =========================================  ========
    field name    French labels                               required
    ============  =========================================  ========
    id            ID enseigne, Identifiant enseigne           one of
    name          Enseigne, Nom de l'enseigne, Nom            id/name
    activity      Activité, Activités, Domaine d'activité     no
    zip_code      Code postal                                 no
    userdatas_id  ID Gestion sociale                          no
    ============  =========================================  ========

    A company's trade is its activity (through ``trades``), else its entrepreneur's; its
    département comes from its postcode, else from its entrepreneur's.

``payroll`` (optional) — gross pay by month
    ============  ==================================  ========
    field name    French labels                        required
    ============  ==================================  ========
    month         Mois, Période, Mois de paie          yes (``01/2026``, ``2026-01`` or a date)
    gross         Salaire brut, Brut, Montant brut     yes (euros)
    userdatas_id  ID Gestion sociale                   no (gives the trade)
    ============  ==================================  ========

Configuration
=============

``userdatas`` and ``career_paths`` are required; each file is a path (relative to the
configuration file's folder) or ``{"path": ..., "sheet": ...}``::

    {
      "userdatas": "exports/userdatas.csv",
      "career_paths": "exports/parcours.csv",
      "invoices": {"path": "exports/factures.xlsx", "sheet": "Factures"},
      "companies": "exports/enseignes.csv",
      "payroll": "exports/paie.csv",
      "amount_unit": "euros",
      "trades": {"Électricité": "43.21A", "Plomberie": "43.22A", "Conseil": null},
      "career_stages": {"Convention d'accompagnement": "cape"},
      "exit_reasons": {"Sortie positive": "employment"},
      "support_staff_fte": {"2026-S1": 3.5},
      "training_hours": {"2026-S1": 420}
    }

``trades`` maps the CAE's activity labels to NAF codes of code-trade, or to ``null`` for an
activity outside the building trades; a cell holding a NAF code (``43.21A`` or ``4321A``)
needs no mapping; an activity neither mapped nor a code stops the connector (ConfigError
listing them). ``support_staff_fte`` and ``training_hours`` are given per period and sent
only for the periods listed.

What is reported
================

For each period, ``connectors.sdk.microdata.aggregate`` counts the stays and sums the amounts
(DESIGN.md §6): entrepreneurs present on the last day by contract, trade, sex, age band and
département; associates (``situation_societariat_entrance`` reached, in CESA); entries and
exits within the period; revenue by trade and département; gross payroll by trade; support
staff FTE and training hours. Unusable rows go to ``skipped`` (« userdatas.csv ligne 14,
colonne « Date de naissance » : n'est pas une date… »), remarks (amount unit, breakdowns left
out for lack of a trade or département) to ``warnings``.
"""

from __future__ import annotations

from connectors.endi.connector import CONFIG_SCHEMA, EndiConnector

__all__ = ["CONFIG_SCHEMA", "EndiConnector"]
