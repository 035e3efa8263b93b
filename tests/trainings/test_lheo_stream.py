"""LHÉO files read as a stream: memory bounded on a 5,000-session file, every formation
validated against the official XSD as it is read, positions in XPaths right across
formations, and hostile or oversized XML refused whole."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.catalogues import catalogue, lheo_file
from cae_contract.lheo import read_lheo, with_defaults, write_lheo
from tests.trainings.catalogues import example

MEMORY_PROBE = """
import json, sys
from pathlib import Path
from cae_contract.lheo import read_lheo
from cae_contract.lheo_format import xsd

def status_kib(field):
    # VmHWM, the peak resident size, starts again at exec (ru_maxrss keeps the parent's).
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])

xsd()
read_lheo(Path(sys.argv[1]).with_name("small.xml"))  # warm every lazy cache
before = status_kib("VmHWM")
document, problems = read_lheo(Path(sys.argv[1]))
peak = status_kib("VmHWM")
sessions = sum(len(a["sessions"]) for f in document["formations"] for a in f["actions"])
print(json.dumps({"growth_kib": peak - before, "sessions": sessions, "problems": len(problems)}))
"""


def test_a_5000_session_file_is_read_in_bounded_memory(tmp_path: Path) -> None:
    # The document built weighs about 15 MB in Python; the file's whole tree in lxml would
    # add about 40 MB more. Streamed, the parser holds one formation at a time.
    path = tmp_path / "catalogue.xml"
    path.write_bytes(lheo_file(5000))
    (tmp_path / "small.xml").write_bytes(lheo_file(3))
    assert path.stat().st_size > 8_000_000

    run = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", MEMORY_PROBE, str(path)],
        capture_output=True,
        check=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    measured = json.loads(run.stdout)

    assert measured["sessions"] == 5000
    assert measured["problems"] == 0
    assert measured["growth_kib"] < 30 * 1024, measured


def test_a_large_file_streamed_from_disk_reads_as_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.xml"
    path.write_bytes(lheo_file(400, seed=3))

    from_disk = read_lheo(path)

    assert from_disk == read_lheo(path.read_bytes())
    assert from_disk == (with_defaults(catalogue("F", 400, seed=3)), [])


def test_a_refused_session_in_a_later_formation_is_named_with_its_position() -> None:
    data = write_lheo([example(0), example(1)])
    data = data.replace(b'numero="S-DEVIS-1"', b"", 1)
    assert data != write_lheo([example(0), example(1)])

    back, problems = read_lheo(data)

    assert back is not None
    assert [f["numero"] for f in back["formations"]] == ["F-TOIT-01"]
    assert [p.path for p in problems] == [
        "/lheo/offres/formation[2]/action/session",
        "/lheo/offres/formation[2]/action",
        "/lheo/offres/formation[2]",
    ]
    assert "numero manquant" in problems[0].message


def test_an_xsd_error_in_the_second_formation_names_the_element_there() -> None:
    data = write_lheo([example(0), example(1)])
    head, tail = data.split(b'<formation numero="F-DEVIS"', 1)
    tail = tail.replace(b"<certifiante>0</certifiante>", b"<certifiante>2</certifiante>", 1)

    back, problems = read_lheo(head + b'<formation numero="F-DEVIS"' + tail)

    assert back is not None
    assert [f["numero"] for f in back["formations"]] == ["F-TOIT-01"]
    assert [p.path for p in problems] == ["/lheo/offres/formation[2]/certifiante"]
    assert "dictionnaire LHÉO" in problems[0].message


def test_a_lheo_2_2_file_of_several_formations_is_streamed() -> None:
    documents = [example(0), example(1)]
    data = write_lheo(documents).replace(b"http://lheo.gouv.fr/2.3", b"http://lheo.gouv.fr/2.2")

    back, problems = read_lheo(data)

    assert problems == []
    assert back == with_defaults({"formations": [f for d in documents for f in d["formations"]]})


def test_what_the_xsd_refuses_outside_the_formations_refuses_the_file() -> None:
    data = write_lheo([example(0), example(1)]).replace(b"<offres>", b"<offres><intrus/>", 1)

    back, problems = read_lheo(data)

    assert back is None
    assert [p.path for p in problems] == ["/lheo/offres/intrus"]
    assert "élément inattendu" in problems[0].message


def test_a_formation_in_the_files_extras_is_not_part_of_the_offer() -> None:
    # LHÉO's <extras> take any content: the file is valid, only <offres> is read.
    data = write_lheo([example(1)])
    formation = data[data.index(b"<formation") : data.index(b"</offres>")]
    formation = formation.replace(b"F-DEVIS", b"F-AILLEURS")
    elsewhere = data.replace(b"</offres>", b"</offres><extras>" + formation + b"</extras>")

    back, problems = read_lheo(elsewhere)

    assert problems == []
    assert back == read_lheo(data)[0]


def test_a_dtd_declared_after_a_long_prolog_is_still_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!--' + b" " * 70_000 + b"-->"
        b'<!DOCTYPE lheo [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>&x;</offres></lheo>'
    )

    back, problems = read_lheo(data)

    assert back is None
    assert "DTD" in problems[0].message


@pytest.mark.parametrize(
    "data",
    [
        b'<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>'
        + b"<a>" * 300
        + b"</a>" * 300
        + b"</offres></lheo>",
        b'<lheo xmlns="http://lheo.gouv.fr/2.3"><offres><a>'
        + b"x" * (11 * 1024 * 1024)
        + b"</a></offres></lheo>",
    ],
    ids=["trop-profond", "texte-demesure"],
)
def test_oversized_structures_are_refused_whole(data: bytes) -> None:
    back, problems = read_lheo(data)

    assert back is None
    assert len(problems) == 1
    assert "démesurée" in problems[0].message


def test_an_oversized_file_on_disk_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.xml"
    path.write_bytes(write_lheo([example(0)]))

    back, problems = read_lheo(path, max_bytes=100)

    assert back is None
    assert "trop volumineux" in problems[0].message


def test_an_empty_file_on_disk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.xml"
    path.write_bytes(b"  \n")

    assert read_lheo(path) == (None, read_lheo(b"")[1])
