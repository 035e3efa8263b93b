"""The published schemas: immutable, self-consistent, validated with French messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cae_contract.registry import SCHEMAS_DIR, SchemaRegistry, content_hash, get_registry

SCHEMAS = SCHEMAS_DIR


@pytest.fixture
def registry() -> SchemaRegistry:
    return SchemaRegistry(SCHEMAS)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, target)
    return target


def _write(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_the_published_registry_is_sound(registry: SchemaRegistry) -> None:
    assert registry.check() == []


def test_every_published_file_matches_its_pinned_hash() -> None:
    manifest = json.loads((SCHEMAS / "manifest.json").read_text(encoding="utf-8"))
    files = sorted(p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.glob("*/*.json"))
    assert files == sorted(manifest)
    for relative, pinned in manifest.items():
        assert content_hash((SCHEMAS / relative).read_bytes()) == pinned, (
            f"{relative} a changé après publication : publiez une nouvelle version"
        )


def test_the_catalogue_and_code_lists_are_there(registry: SchemaRegistry) -> None:
    assert {
        "indicator-report",
        "member-profile",
        "code-trade",
        "code-departement",
        "code-region",
        "code-sex",
        "code-age-band",
        "code-contract",
        "code-exit-reason",
    } <= set(registry.names())
    departements = registry.code_list("code-departement")
    assert {"2A", "2B", "971", "976"} <= set(departements)
    assert "20" not in departements
    assert len(departements) == 101
    trades = registry.code_list("code-trade")
    assert trades["43.21A"] == "Travaux d'installation électrique dans tous locaux"
    assert len(trades) == 22


def test_a_changed_published_file_is_detected(copy: Path) -> None:
    path = copy / "code-sex" / "1.0.0.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["description"] += " (modifiée)"
    _write(path, document)
    registry = SchemaRegistry(copy)
    assert any("code-sex/1.0.0.json : modifié après publication" in p for p in registry.check())
    with pytest.raises(ValueError, match="déjà publiée"):
        registry.pin()


def test_a_minor_version_must_accept_the_previous_examples(copy: Path) -> None:
    original = json.loads((copy / "code-sex" / "1.0.0.json").read_text(encoding="utf-8"))
    narrower = {
        **original,
        "$id": "https://cae-hub.fr/schemas/code-sex/1.1.0.json",
        "anyOf": original["anyOf"][:2],
    }
    _write(copy / "code-sex" / "1.1.0.json", narrower)
    examples = json.loads((copy / "code-sex" / "examples" / "1.0.0.json").read_text("utf-8"))
    _write(copy / "code-sex" / "examples" / "1.1.0.json", examples)
    registry = SchemaRegistry(copy)
    registry.pin()
    problems = SchemaRegistry(copy).check()
    assert any("1.1.0.json : refuse l'exemple valide" in p for p in problems), problems


def test_a_compatible_minor_version_is_accepted_once_pinned(copy: Path) -> None:
    original = json.loads((copy / "code-age-band" / "1.0.0.json").read_text(encoding="utf-8"))
    wider = {
        **original,
        "$id": "https://cae-hub.fr/schemas/code-age-band/1.1.0.json",
        "anyOf": [*original["anyOf"], {"const": "inconnu", "title": "Âge inconnu"}],
    }
    _write(copy / "code-age-band" / "1.1.0.json", wider)
    examples = json.loads((copy / "code-age-band" / "examples" / "1.0.0.json").read_text("utf-8"))
    _write(copy / "code-age-band" / "examples" / "1.1.0.json", examples)
    assert any("non épinglé" in p for p in SchemaRegistry(copy).check())
    assert SchemaRegistry(copy).pin() == ["code-age-band/1.1.0.json"]
    registry = SchemaRegistry(copy)
    assert registry.check() == []
    assert registry.latest("code-age-band").version == "1.1.0"


def test_an_unresolvable_reference_is_reported(copy: Path) -> None:
    document = json.loads((copy / "member-profile" / "1.0.0.json").read_text(encoding="utf-8"))
    document["$id"] = "https://cae-hub.fr/schemas/member-profile/2.0.0.json"
    document["properties"]["region"] = {"$ref": "../code-nowhere/1.0.0.json"}
    _write(copy / "member-profile" / "2.0.0.json", document)
    problems = SchemaRegistry(copy).check()
    assert any("référence introuvable : ../code-nowhere/1.0.0.json" in p for p in problems)


def test_an_invalid_schema_is_reported(copy: Path) -> None:
    _write(
        copy / "code-sex" / "2.0.0.json",
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://cae-hub.fr/schemas/code-sex/2.0.0.json",
            "title": "Sexe",
            "description": "…",
            "type": "chaîne",
        },
    )
    problems = SchemaRegistry(copy).check()
    assert any("2.0.0.json : non conforme au méta-schéma" in p for p in problems)


def test_validators_are_compiled_once(registry: SchemaRegistry) -> None:
    assert registry.validator("indicator-report", "1.0.0") is registry.validator(
        "indicator-report", "latest"
    )
    assert get_registry() is get_registry()


def test_amounts_are_checked_in_decimal(registry: SchemaRegistry) -> None:
    def report(value: float) -> dict:
        return {
            "period": "2026-S1",
            "cells": [{"indicator": "revenue_eur", "dims": {}, "value": value}],
        }

    for accepted in (1234.56, 0.07, 19.99, 1e9 + 0.01, 100):
        assert registry.validate("indicator-report", "1.0.0", report(accepted)) == []
    errors = registry.validate("indicator-report", "1.0.0", report(10.005))
    assert [(e.path, e.message) for e in errors] == [("$.cells[0].value", "au plus deux décimales")]


def test_every_error_is_reported_with_its_path_in_french(registry: SchemaRegistry) -> None:
    document = {
        "period": "2026-S3",
        "cells": [
            {"indicator": "entrepreneurs", "dims": {"sex": "F"}, "value": 4},
            {
                "indicator": "associates",
                "dims": {"age_band": "<26", "trade": "99.99Z"},
                "value": 1.5,
            },
            {"indicator": "revenue_eur", "dims": {}, "value": -3},
        ],
        "signature": "x",
    }
    errors = {e.path: e.message for e in registry.validate("indicator-report", "1.0.0", document)}
    assert errors == {
        "$.period": errors["$.period"],
        "$.signature": "champ non admis par « Rapport d'indicateurs »",
        "$.cells[1].dims.age_band": "dimension « age_band » non admise pour cet indicateur",
        "$.cells[1].dims.trade": (
            "« 99.99Z » n'est pas un code de la liste « Métier du bâtiment (code NAF) »"
        ),
        "$.cells[1].value": "doit être un nombre entier",
        "$.cells[2].value": "doit être supérieur ou égal à 0",
    }
    assert errors["$.period"].startswith("format non reconnu")


def test_errors_come_in_document_order(registry: SchemaRegistry) -> None:
    cells = [{"indicator": "entrepreneurs", "dims": {}, "value": -1} for _ in range(12)]
    errors = registry.validate("indicator-report", "1.0.0", {"period": "2026", "cells": cells})
    assert [e.path for e in errors] == [f"$.cells[{i}].value" for i in range(12)]
