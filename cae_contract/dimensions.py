"""The breakdowns of an indicator report: the code list describing each, and its French name.

Plain data, shared by the hub and the connectors without loading the schema registry.
"""

from __future__ import annotations

DIMENSION_LISTS = {
    "contract": "code-contract",
    "trade": "code-trade",
    "sex": "code-sex",
    "age_band": "code-age-band",
    "departement": "code-departement",
    "exit_reason": "code-exit-reason",
}
DIMENSIONS = tuple(DIMENSION_LISTS)

# The noun a French sentence uses for each breakdown (« ne se ventile pas par métier »).
DIMENSION_NOUNS = {
    "contract": "contrat",
    "trade": "métier",
    "sex": "sexe",
    "age_band": "tranche d'âge",
    "departement": "département",
    "exit_reason": "motif de sortie",
}

# Breakdowns the hub derives from reported ones (never sent by a CAE): the region of a
# département, from the x-region annotation of the département code list.
DERIVED_DIMENSION_LISTS = {"region": "code-region"}
DERIVED_DIMENSION_NOUNS = {"region": "région"}
