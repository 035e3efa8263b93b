"""LHÉO in and out: the schema's examples round-trip, the output validates, hostile XML is
refused with a French message and nothing mapped."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cae_contract.lheo import (
    CATALOGUE_SCHEMA,
    CATALOGUE_VERSION,
    read_lheo,
    validate_lheo,
    with_defaults,
    write_lheo,
)
from cae_contract.registry import get_registry


def examples() -> list[dict[str, Any]]:
    found = get_registry().examples(CATALOGUE_SCHEMA, CATALOGUE_VERSION)
    assert found is not None
    return [d for d in found.valid if d["formations"]]


def toiture() -> dict[str, Any]:
    return copy.deepcopy(examples()[0])


@pytest.mark.parametrize("document", examples(), ids=["complet", "minimal"])
def test_examples_round_trip_through_lheo_and_the_output_validates(
    document: dict[str, Any],
) -> None:
    data = write_lheo([document])

    assert validate_lheo(data) == []
    back, problems = read_lheo(data)
    assert problems == []
    assert back == with_defaults(document)
    assert get_registry().validate(CATALOGUE_SCHEMA, CATALOGUE_VERSION, back) == []


def test_the_pooling_extension_lives_in_extras_under_our_namespace() -> None:
    data = write_lheo([toiture()]).decode()

    assert 'xmlns:cae="https://cae-hub.fr/lheo/mutualisation/1.0"' in data
    assert "<cae:places-offertes>4</cae:places-offertes>" in data
    assert "<cae:metier>43.91A</cae:metier>" in data
    assert "<cae:qualiopi-reference>QUALIOPI-2024-0451</cae:qualiopi-reference>" in data


def test_several_catalogues_make_one_file() -> None:
    first, second = examples()

    back, problems = read_lheo(write_lheo([first, second]))

    assert problems == []
    assert back is not None
    assert [f["numero"] for f in back["formations"]] == ["F-TOIT-01", "F-DEVIS"]


def test_a_lheo_2_2_file_is_read() -> None:
    data = write_lheo([toiture()]).replace(b"http://lheo.gouv.fr/2.3", b"http://lheo.gouv.fr/2.2")

    back, problems = read_lheo(data)

    assert problems == []
    assert back == with_defaults(toiture())


def test_an_element_the_xsd_refuses_drops_its_session_only_and_is_named_by_xpath() -> None:
    data = write_lheo([toiture()]).replace(b"<debut>20270118</debut>", b"<debut>2027011</debut>")

    back, problems = read_lheo(data)

    assert back is not None
    sessions = back["formations"][0]["actions"][0]["sessions"]
    assert [s["numero"] for s in sessions] == ["S-TOIT-2027-02"]
    paths = {p.path for p in problems}
    assert "/lheo/offres/formation/action/session[1]/periode/debut" in paths
    assert all(p.message for p in problems)
    assert any("format non reconnu" in p.message or "longueur" in p.message for p in problems)


def test_a_missing_element_is_named_in_french_and_its_formation_left_out() -> None:
    data = write_lheo([toiture()])
    start = data.index(b"<objectif-formation>")
    end = data.index(b"</objectif-formation>") + len(b"</objectif-formation>")

    back, problems = read_lheo(data[:start] + data[end:])

    assert back == {"formations": []}
    assert [p.path for p in problems] == ["/lheo/offres/formation/resultats-attendus"]
    assert "attendu : objectif-formation" in problems[0].message
    assert "(ligne " in problems[0].message


def test_an_element_without_numero_is_refused_because_it_cannot_be_followed() -> None:
    data = write_lheo([toiture()]).replace(b' numero="S-TOIT-2027-02"', b"")

    back, problems = read_lheo(data)

    assert back is not None
    assert len(back["formations"][0]["actions"][0]["sessions"]) == 1
    assert any("numero manquant" in p.message for p in problems)


def test_what_the_schema_refuses_beyond_the_xsd_is_named_by_xpath_and_field() -> None:
    # LHÉO takes any two or three characters for a département; the code list does not.
    document = toiture()
    data = write_lheo([document]).replace(
        b"<departement>69</departement>\n              <region>84</region>\n            "
        b"</adresse>\n          </adresse-inscription>\n          <etat-recrutement>1"
        b"</etat-recrutement>\n          <extras",
        b"<departement>20</departement>\n              <region>84</region>\n            "
        b"</adresse>\n          </adresse-inscription>\n          <etat-recrutement>1"
        b"</etat-recrutement>\n          <extras",
        1,
    )
    assert data != write_lheo([document])

    back, problems = read_lheo(data)

    assert back is not None
    assert [s["numero"] for s in back["formations"][0]["actions"][0]["sessions"]] == [
        "S-TOIT-2027-02"
    ]
    assert [p.path for p in problems] == ["/lheo/offres/formation/action/session[1]"]
    assert problems[0].message.startswith("adresse_inscription.departement : ")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lheo [
  <!ENTITY a "rire">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
  <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>&i;</offres></lheo>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE lheo [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>&secret;</offres></lheo>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE lheo SYSTEM "http://127.0.0.1:9/lheo.dtd">
<lheo xmlns="http://lheo.gouv.fr/2.3"><offres/></lheo>
"""


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["milliard", "entite", "dtd"]
)
def test_a_dtd_is_refused_and_no_entity_is_expanded(data: bytes) -> None:
    document, problems = read_lheo(data)

    assert document is None
    assert len(problems) == 1
    assert "DTD" in problems[0].message
    assert "root:" not in problems[0].message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "vide"),
        (b"<lheo><offres>", "bien formé"),
        (b'<catalogue xmlns="http://lheo.gouv.fr/2.3"/>', "pas un fichier LHÉO"),
        (b"<lheo><offres/></lheo>", "pas un fichier LHÉO"),
    ],
    ids=["vide", "mal-forme", "autre-racine", "sans-espace-de-noms"],
)
def test_what_is_not_lheo_is_refused_whole(data: bytes, words: str) -> None:
    document, problems = read_lheo(data)

    assert document is None
    assert words in problems[0].message


def test_an_oversized_file_is_refused_before_parsing() -> None:
    data = write_lheo([toiture()])

    document, problems = read_lheo(data, max_bytes=len(data) - 1)

    assert document is None
    assert "trop volumineux" in problems[0].message


def test_writing_nothing_is_refused_as_lheo_requires_a_formation() -> None:
    with pytest.raises(ValueError, match="au moins une formation"):
        write_lheo([{"formations": []}])


def test_a_session_number_used_twice_drops_the_second_as_the_hub_would_refuse_it() -> None:
    data = write_lheo([toiture()]).replace(b'numero="S-TOIT-2027-02"', b'numero="S-TOIT-2027-01"')

    back, problems = read_lheo(data)

    assert back is not None
    assert [s["debut"] for s in back["formations"][0]["actions"][0]["sessions"]] == ["20270118"]
    assert [p.path for p in problems] == ["/lheo/offres/formation/action/session[2]"]
    assert "déjà employé" in problems[0].message


def test_a_session_ending_before_it_starts_is_left_out() -> None:
    data = write_lheo([toiture()]).replace(b"<fin>20270119</fin>", b"<fin>20270101</fin>")

    back, problems = read_lheo(data)

    assert back is not None
    assert len(back["formations"][0]["actions"][0]["sessions"]) == 1
    assert problems[0].message.startswith("fin : la session finit avant")
