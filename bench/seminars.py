"""Seminar pack: the plenary pack of the 150-CAE benchmark federation, against WeasyPrint.

The federation is ``generate_federation()`` (150 CAEs, 2024-S1 to 2025-S2) loaded into
SQLite as for the page benchmark, every semester but the last published, a seminar after
the last published one. Measured, in the same run:

* the pack: its whole production as the job and ``cae-hub seminaire pack`` do it (every
  section read from the services, the HTML rendered, the PDF/A drawn), without storing it;
* the peer, the floor: WeasyPrint alone drawing the PDF of the same HTML.

Target: the pack within 1.5 × the floor (what the hub adds — queries, tables, charts,
templates — costs at most half of what drawing the PDF costs). Each is the median of its
runs; caches of published tables are emptied before each pack run (a pack is built once).
Run with ``python -m bench.seminars``.
"""

from __future__ import annotations

from bench.federation import generate_federation
from bench.pages import forget_tables, load, publish
from bench.support import heading, machine, measure, once, ratio, seconds, temporary_hub
from cae_contract.periods import Period
from hub.db import session_scope
from hub.seminars.packs import pack_service, write_pdf
from hub.seminars.service import seminar_service

TARGET = 1.5
REPEAT = 3
WARMUP = 1


def main() -> None:
    federation = generate_federation()
    periods = [str(p) for p in federation.periods]
    published = periods[:-1]
    heading(f"Seminar pack: the plenary pack of {len(federation.caes)} CAEs against WeasyPrint")
    print(
        "SQLite in a temporary folder; the pack built as the hub builds it (sections, HTML, "
        f"PDF/A), against WeasyPrint alone on the same HTML; {WARMUP} warm-up + {REPEAT} timed "
        f"runs each, median wall time. Target: ≤ {TARGET:g} × WeasyPrint alone."
    )
    print(f"Machine: {machine()}.")
    with temporary_hub() as hub:
        _, loading = once(lambda: load(hub.engine, federation))
        publish(hub.engine, hub.settings, published)
        print(f"Loaded and published {', '.join(published)} in {seconds(loading.median)}.")
        last = Period.parse(published[-1])
        with session_scope(hub.engine) as session:
            seminar = seminar_service.create(
                session,
                period=str(last.following()),
                day=str(last.following().end),
                place="Bordeaux",
            )
        with session_scope(hub.engine) as session:
            chosen = seminar_service.get(session, seminar.id or 0)
            html = pack_service.html(
                pack_service.context(session, hub.settings, chosen, "pleniere")
            )

            def pack(_: int) -> None:
                forget_tables()
                pack_service.render(session, hub.settings, chosen, "pleniere")

            def floor(_: int) -> None:
                write_pdf(html)

            floor_timing = measure(floor, repeat=REPEAT, warmup=WARMUP)
            pack_timing = measure(pack, repeat=REPEAT, warmup=WARMUP)
    print()
    print(f"{'':<28} {'median':>9} {'/ WeasyPrint':>13}")
    print(f"{'WeasyPrint alone (floor)':<28} {seconds(floor_timing.median):>9} {'1×':>13}")
    print(
        f"{'plenary pack':<28} {seconds(pack_timing.median):>9} "
        f"{ratio(pack_timing.median, floor_timing.median):>13}"
    )
    print(f"HTML of {len(html) // 1024} KiB.")
    within = pack_timing.median <= TARGET * floor_timing.median
    print(
        f"Verdict: the pack takes {ratio(pack_timing.median, floor_timing.median)} the time of "
        f"WeasyPrint alone — {'within' if within else 'ABOVE'} the {TARGET:g}× target."
    )


if __name__ == "__main__":
    main()
