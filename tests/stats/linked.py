"""Helpers for auditing whole publications: the true lattice of an indicator, rebuilt from
the federation's reports, and every table of the indicator as served, merged by cell."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

from fastapi.testclient import TestClient

from bench.federation import Federation, report_for
from cae_contract.catalogue import get_catalogue
from cae_contract.periods import Period
from hub.stats.lattice import CellId, Lattice, build_lattice, cell_id
from hub.stats.patterns import EXTRA, region_of, table_dims


def truth(
    federation: Federation,
    period: Period,
    indicator: str,
    recode: Mapping[str, Mapping[str, str]],
    *,
    revisions: Mapping[str, int] | None = None,
) -> Lattice:
    """Every CAE's part of every cell, each CAE named by its SIREN as a number (or by
    ``revisions[siren]``)."""
    rows = []
    kind = get_catalogue().indicators[indicator].kind
    for cae in federation.caes:
        ident = revisions[cae.siren] if revisions else int(cae.siren)
        for cell in report_for(cae, period)["cells"]:
            if cell["indicator"] == indicator:
                dims = cell["dims"]
                value = cell["value"] if kind == "amount" else int(cell["value"])
                rows.append((ident, ",".join(sorted(dims)), dims, value))
    info = get_catalogue().indicators[indicator]
    return build_lattice(
        indicator,
        table_dims(info),
        rows,
        region_of=region_of(),
        recode=recode,
        extra=EXTRA.get(indicator, ()),
    )


def served(
    client: TestClient, headers: Mapping[str, str], indicator: str, period: str
) -> dict[CellId, Any]:
    """Every table of ``indicator`` (by nothing, one or two dimensions) as published, merged
    by cell; a cell shared by several tables must be served the same way by each."""
    info = get_catalogue().indicators[indicator]
    dims = table_dims(info)
    sets = [()] + [(d,) for d in dims]
    sets += [p for p in combinations(dims, 2) if set(p) != {"departement", "region"}]
    merged: dict[CellId, Any] = {}
    for by in sets:
        url = f"/v1/stats?indicator={indicator}&period={period}"
        response = client.get(url + (f"&by={','.join(by)}" if by else ""), headers=headers)
        assert response.status_code == 200, response.text
        for cell in response.json()["cells"]:
            key = cell_id(cell["dims"].items())
            seen = (cell["value"], cell["suppressed"])
            assert merged.setdefault(key, seen) == seen, (indicator, by, key)
    return {key: value for key, (value, _) in merged.items()}
