"""Training catalogues: reading a large LHÉO file, and searching the network's offer.

1. Import of a generated 5,000-session LHÉO 2.3 file (``bench.catalogues.lheo_file``, about
   9 MB) by ``read_lheo`` from disk — streamed parse, XSD validation of every formation,
   mapping to ``training-catalogue``, JSON Schema and catalogue rules — against its floor,
   lxml's own ``etree.parse`` of the same file followed by ``XMLSchema.validate`` with the
   official XSD, measured in turns in the same run. Target: ≤ 3×.
2. ``GET /v1/trainings/sessions`` on the catalogues of 150 CAEs (40 sessions each, 6,000 in
   all) stored through ``catalogue_service.store``: server time of a mix of searches through
   ``fastapi.testclient`` (the whole application in process: routing, token, queries,
   serialisation), p99 against the 50 ms target, and against its peer: the very SQL the
   hub ran for each search (captured from the engine), replayed on a raw DB-API cursor.
   On SQLite, and on PostgreSQL when one answers on 127.0.0.1:5432.

Run with ``python -m bench.trainings``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import Engine, event

from bench.catalogues import lheo_file, network
from bench.federation import generate_federation
from bench.support import (
    add_member,
    bearer,
    bench_settings,
    heading,
    machine,
    measure_together,
    member_token,
    percentile,
    postgres_reachable,
    ratio,
    seconds,
    throwaway_database,
)
from cae_contract.lheo import read_lheo
from cae_contract.lheo_format import parser, xsd
from hub.db import make_engine, session_scope
from hub.main import create_app
from hub.trainings.service import catalogue_service

SESSIONS = 5000
IMPORT_TARGET = 3.0
CAES = 150
SESSIONS_EACH = 40
SEARCH_TARGET = 0.050
ROUNDS = 40
SEARCHES = (
    "/v1/trainings/sessions",
    "/v1/trainings/sessions?q=toiture",
    "/v1/trainings/sessions?q=securite%20hauteur",
    "/v1/trainings/sessions?metier=43.91A",
    "/v1/trainings/sessions?formacode=22618",
    "/v1/trainings/sessions?departement=69&modalite=0",
    "/v1/trainings/sessions?region=84&places_min=3",
    "/v1/trainings/sessions?debut_min=2027-03-01&debut_max=2027-04-30",
    "/v1/trainings/sessions?q=devis&region=52&page=2",
)


def import_bench() -> None:
    heading(f"LHÉO import: a {SESSIONS:,}-session file against lxml's parse + XSD validation")
    with tempfile.TemporaryDirectory(prefix="cae-hub-bench-lheo-") as folder:
        path = Path(folder) / "catalogue.xml"
        path.write_bytes(lheo_file(SESSIONS))
        size = path.stat().st_size
        schema = xsd()

        def floor(_: int) -> None:
            tree = etree.parse(str(path), parser())
            assert schema.validate(tree)

        def ours(_: int) -> None:
            document, problems = read_lheo(path)
            assert document is not None and not problems

        timings = measure_together({"floor": floor, "read_lheo": ours}, repeat=5, warmup=1)
    floor_t, ours_t = timings["floor"], timings["read_lheo"]
    print(f"File: {size:,} bytes. Machine: {machine()}.")
    print(f"floor (etree.parse + XMLSchema.validate): {floor_t.describe()}")
    print(f"read_lheo (streamed, validated, mapped):  {ours_t.describe()}")
    verdict = "within" if ours_t.median <= IMPORT_TARGET * floor_t.median else "ABOVE"
    print(
        f"Ratio: {ratio(ours_t.median, floor_t.median)} the floor "
        f"(CPU {ratio(ours_t.cpu_median, floor_t.cpu_median)}); {verdict} the "
        f"{IMPORT_TARGET:g}× target."
    )


class _Statements:
    """The SQL statements an engine runs, with their parameters, while ``recording``."""

    def __init__(self, engine: Engine) -> None:
        self.recording = False
        self.seen: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if self.recording:
            self.seen.append((statement, parameters))


@contextmanager
def _database(kind: str, folder: Path) -> Iterator[Engine]:
    with throwaway_database(kind, folder) as url:
        engine = make_engine(bench_settings(url))
        try:
            yield engine
        finally:
            engine.dispose()


def _load(engine: Engine) -> str:
    """The 150 CAEs of the benchmark federation and a catalogue each; a token of the first."""
    caes = generate_federation(caes=CAES).caes
    catalogues = network(CAES, SESSIONS_EACH, seed=11)
    members = [add_member(engine, cae.profile()) for cae in caes]
    with session_scope(engine) as session:
        for member, document in zip(members, catalogues, strict=True):
            catalogue_service.store(session, member, catalogue_service.prepare(document))
    return member_token(engine, members[0].siren)


def search_bench(kind: str) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="cae-hub-bench-search-") as folder,
        _database(kind, Path(folder)) as engine,
    ):
        start = time.perf_counter()
        token = _load(engine)
        loaded = time.perf_counter() - start
        url = engine.url.render_as_string(hide_password=False)
        app = create_app(bench_settings(url), engine=engine)
        statements = _Statements(engine)
        hub_times: list[float] = []
        sql_times: list[float] = []
        with TestClient(app) as client:
            headers = bearer(token)
            recorded: dict[str, list[tuple[str, Any]]] = {}
            for url in SEARCHES:  # warm-up, and the SQL each search runs
                statements.seen.clear()
                statements.recording = True
                answer = client.get(url, headers=headers)
                statements.recording = False
                assert answer.status_code == 200, f"{url}: {answer.text[:300]}"
                recorded[url] = [
                    s for s in statements.seen if s[0].lstrip().upper().startswith("SELECT")
                ]
            raw = engine.raw_connection()
            try:
                for _ in range(ROUNDS):
                    for url in SEARCHES:
                        began = time.perf_counter()
                        client.get(url, headers=headers)
                        hub_times.append(time.perf_counter() - began)
                        began = time.perf_counter()
                        cursor = raw.cursor()
                        for statement, parameters in recorded[url]:
                            cursor.execute(statement, parameters)
                            cursor.fetchall()
                        cursor.close()
                        sql_times.append(time.perf_counter() - began)
            finally:
                raw.close()
    p99, p50 = percentile(hub_times, 0.99), percentile(hub_times, 0.50)
    peer99, peer50 = percentile(sql_times, 0.99), percentile(sql_times, 0.50)
    print(
        f"{kind}: {CAES} CAEs, {CAES * SESSIONS_EACH:,} sessions loaded in {seconds(loaded)}; "
        f"{len(hub_times)} searches ({len(SEARCHES)} kinds × {ROUNDS})."
    )
    print(f"  hub GET /v1/trainings/sessions: p50 {seconds(p50)}, p99 {seconds(p99)}")
    print(
        f"  peer, the same SQL on a raw DB-API cursor: p50 {seconds(peer50)}, p99 {seconds(peer99)}"
    )
    verdict = "within" if p99 <= SEARCH_TARGET else "ABOVE"
    print(
        f"  p99 {ratio(p99, SEARCH_TARGET)} the {SEARCH_TARGET * 1000:g} ms target ({verdict}); "
        f"p50 {ratio(p50, peer50)}, p99 {ratio(p99, peer99)} the raw SQL."
    )


def main() -> None:
    import_bench()
    heading(f"Catalogue search: server time on {CAES} CAEs' catalogues")
    print(f"Machine: {machine()}.")
    search_bench("sqlite")
    if postgres_reachable():
        search_bench("postgresql")
    else:
        print("postgresql: not reachable on 127.0.0.1:5432, left out.")


if __name__ == "__main__":
    main()
