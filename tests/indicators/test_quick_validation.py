"""Reports are told valid by a validator whose code lists are ``enum``s: it must accept and
refuse exactly what the published schema does (the errors still come from the published one)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cae_contract.catalogue import DIMENSION_LISTS, REPORT_SCHEMA, get_catalogue
from cae_contract.registry import get_registry, quick_form

REGISTRY = get_registry()
VERSION = get_catalogue().schema_version
SCHEMAS = [(s.name, s.version) for s in REGISTRY.all()]


def agree(name: str, version: str, document: Any) -> bool:
    full = REGISTRY.validator(name, version).is_valid(document)
    quick = REGISTRY.quick_validator(name, version).is_valid(document)
    assert quick == full, (name, version, document)
    return full


@pytest.mark.parametrize(("name", "version"), SCHEMAS)
def test_every_published_example_is_judged_alike(name: str, version: str) -> None:
    examples = REGISTRY.examples(name, version)
    if examples is None:
        pytest.skip(f"{name} {version} n'a pas d'exemples")
    assert all(agree(name, version, document) for document in examples.valid)
    assert not any(agree(name, version, document) for document in examples.invalid)


def test_a_code_list_becomes_an_enum_and_data_stays_as_written() -> None:
    code_list = {"type": "string", "anyOf": [{"const": "F", "title": "Femmes"}, {"const": "M"}]}
    assert quick_form(code_list) == {"type": "string", "enum": ["F", "M"]}
    literal = {"const": {"anyOf": [{"const": 1}]}, "default": {"anyOf": [{"const": 2}]}}
    assert quick_form(literal) == literal
    mixed = {"anyOf": [{"const": "F"}, {"type": "integer"}]}
    assert quick_form(mixed) == mixed
    narrowed = {"enum": ["F"], "anyOf": [{"const": "F"}, {"const": "M"}]}
    assert quick_form(narrowed) == narrowed
    nested = {"properties": {"sex": {"$ref": "x"}, "dims": {"items": code_list}}}
    assert quick_form(nested)["properties"]["dims"]["items"]["enum"] == ["F", "M"]


def codes(dimension: str) -> list[str]:
    return list(REGISTRY.code_list(DIMENSION_LISTS[dimension]))


DIMENSIONS = sorted(DIMENSION_LISTS)
code_or_not = st.one_of(
    st.sampled_from(DIMENSIONS).flatmap(lambda d: st.sampled_from(codes(d))),
    st.text(max_size=4),
    st.integers(-2, 100),
    st.none(),
    st.booleans(),
)
cell = st.fixed_dictionaries(
    {
        "indicator": st.one_of(
            st.sampled_from(sorted(get_catalogue().indicators)), st.text(max_size=5)
        ),
        "dims": st.dictionaries(st.sampled_from([*DIMENSIONS, "autre"]), code_or_not, max_size=3),
        "value": st.one_of(st.integers(-1, 10**6), st.floats(-1, 1e6), st.text(max_size=2)),
    },
    optional={"extra": st.just(1)},
)
INDICATORS = list(get_catalogue().indicators.values())


@st.composite
def near_valid_cell(draw: st.DrawFn) -> dict[str, Any]:
    """A cell the schema accepts, or one code, name or value away from it."""
    indicator = draw(st.sampled_from(INDICATORS))
    names = (
        draw(st.lists(st.sampled_from(list(indicator.dims)), unique=True)) if indicator.dims else []
    )
    dims: dict[str, Any] = {n: draw(st.sampled_from(codes(n))) for n in names}
    value: Any = draw(st.integers(0, 10**6))
    spoil = draw(st.sampled_from(["none", "none", "code", "name", "value"]))
    if spoil == "code" and dims:
        dims[names[0]] = draw(code_or_not)
    elif spoil == "name":
        dims[draw(st.sampled_from([*DIMENSIONS, "autre"]))] = draw(code_or_not)
    elif spoil == "value":
        value = draw(st.one_of(st.floats(-1, 1e6), st.integers(-3, -1), st.text(max_size=2)))
    return {"indicator": indicator.code, "dims": dims, "value": value}


report = st.fixed_dictionaries(
    {
        "period": st.sampled_from(["2025-S1", "2025", "2025-S3", "25-S1"]),
        "cells": st.lists(st.one_of(cell, near_valid_cell(), near_valid_cell()), max_size=4),
    }
)


@settings(max_examples=400, deadline=None)
@given(report)
def test_any_report_is_judged_alike(document: dict[str, Any]) -> None:
    agree(REPORT_SCHEMA, VERSION, document)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(DIMENSIONS), code_or_not)
def test_every_code_of_every_list_is_judged_alike(dimension: str, code: Any) -> None:
    document = {
        "period": "2025-S1",
        "cells": [{"indicator": "entrepreneurs", "dims": {dimension: code}, "value": 1}],
    }
    agree(REPORT_SCHEMA, VERSION, document)
