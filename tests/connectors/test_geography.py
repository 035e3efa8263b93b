"""The Insee's commune list shipped with the SDK: names, codes and postcodes to départements."""

from __future__ import annotations

import pytest

from connectors.sdk.geography import (
    COMMUNES_VINTAGE,
    Ambiguous,
    departement_of,
    postcode_departement,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bordeaux", "33"),
        ("BORDEAUX", "33"),
        ("Saint-Émilion", "33"),
        ("saint emilion", "33"),
        ("33063", "33"),  # Insee code of Bordeaux
        ("2A004", "2A"),  # Ajaccio
        ("2b033", "2B"),  # Bastia
        ("75056", "75"),  # Paris
        ("75111", "75"),  # Paris 11e arrondissement
        ("75011", "75"),  # a Paris postcode, not the old Seine code of a commune of the 94
        ("33000 Bordeaux", "33"),
        ("Bordeaux 33000", "33"),
        ("Bordeaux Cedex", "33"),
        ("Saint-Denis (93)", "93"),
        ("Saint-Denis (974)", "974"),
        ("Lyon 3e Arrondissement", "69"),
        ("Nulle-Part-sur-Rien", None),
        ("Bordeaux (47)", None),
    ],
)
def test_departement_of(text: str, expected: str | None) -> None:
    assert departement_of(text) == expected


def test_names_of_several_departements_are_ambiguous() -> None:
    with pytest.raises(Ambiguous) as caught:
        departement_of("Saint-Denis")
    assert caught.value.departements == ("11", "30", "93", "974")


def test_postcodes() -> None:
    assert postcode_departement("47000") == "47"
    assert postcode_departement("94390") == "91"  # Paray-Vieille-Poste, in the Essonne
    assert postcode_departement("33999") is None
    with pytest.raises(Ambiguous):
        postcode_departement("05110")  # communes of the 04 and of the 05
    assert COMMUNES_VINTAGE == 2026
