"""Rebuild ``connectors/sdk/data/communes.csv.gz`` from a newer vintage of the commune list.

The source is ``data/communes.json`` of the ``@etalab/decoupage-administratif`` package (npm),
which publishes each year's Code officiel géographique of the Insee with La Poste's postcodes,
under the Licence Ouverte::

    npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-*.tgz
    python -m connectors.sdk.communes_build package/data/communes.json

then update ``COMMUNES_VINTAGE`` in ``connectors/sdk/geography.py`` and data/README.md.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path

TARGET = Path(__file__).with_name("data") / "communes.csv.gz"
HEADER = ("code", "nom", "departement", "codes_postaux", "anciens_codes")


def build(source: Path, target: Path = TARGET) -> int:
    """Write the compact list; returns the number of communes written."""
    communes = json.loads(source.read_text(encoding="utf-8"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    count = 0
    for commune in sorted(communes, key=lambda c: (c["code"], c["type"])):
        if not commune.get("departement"):
            continue
        writer.writerow(
            [
                commune["code"],
                commune["nom"],
                commune["departement"],
                " ".join(commune.get("codesPostaux", [])),
                " ".join(commune.get("anciensCodes", [])),
            ]
        )
        count += 1
    # mtime=0: the same source always gives the same bytes.
    target.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), 9, mtime=0))
    return count


if __name__ == "__main__":  # pragma: no cover - a maintenance tool
    written = build(Path(sys.argv[1]))
    sys.stdout.write(f"{written} communes écrites dans {TARGET}\n")
