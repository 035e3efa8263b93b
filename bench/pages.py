"""Page times: every page of the dashboard on the 150-CAE benchmark federation.

Target: each page is answered in under 200 ms of server time. The federation is
``generate_federation()`` (150 CAEs, 2024-S1 to 2025-S2), every report submitted through
``report_service.submit`` into SQLite, all semesters but the last published. A staff member
signs in through the login form; each page is then asked for through ``fastapi.testclient``
(the whole application, in process: routing, session lookup, queries, disclosure control,
templates), with the session cookie.

Each page is timed twice:

* warm: as a running hub answers it again, its tables already computed and kept (a
  published table never changes; a live one is kept until a report arrives);
* cold: every such in-process cache emptied before each run, as after a restart, for the
  first reader of a new publication, or after a report changed the live figures.

No peer here: the limit is the reference, and each median is printed as a ratio of it.
Run with ``python -m bench.pages``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bench.federation import Federation, generate_federation
from bench.support import Timing, heading, machine, measure, once, ratio, seconds, temporary_hub
from hub.db import session_scope
from hub.indicators.service import report_service
from hub.members.models import StaffRole
from hub.members.schemas import MemberCreate, StaffCreate
from hub.members.service import member_service, staff_service
from hub.stats import service as stats_module
from hub.stats.service import stats_service
from hub.web.dashboard import clear_caches

LIMIT_SECONDS = 0.2
LIMIT = f"{LIMIT_SECONDS * 1000:g} ms"
REPEAT = 7
WARMUP = 1
STAFF_EMAIL = "mesures-pages@federation.example"
CONNECTOR = "spreadsheet/1.4.0"


@dataclass(frozen=True)
class PageSpec:
    name: str
    url: str
    content_type: str = "text/html"


def pages(published: str, live: str, siren: str) -> list[PageSpec]:
    table = f"/statistiques?indicateur=entrepreneurs&periode={published}&par=trade&par=sex"
    export = f"/statistiques/export?indicateur=entrepreneurs&periode={published}&par=trade&par=sex"
    return [
        PageSpec(f"overview {published} (published)", f"/tableau-de-bord?periode={published}"),
        PageSpec(f"overview {live} (live figures)", f"/tableau-de-bord?periode={live}"),
        PageSpec("explorer table, trade × sex", f"{table}&vue=tableau"),
        PageSpec(
            "explorer table, revenue trade × dépt",
            f"/statistiques?indicateur=revenue_eur&periode={published}"
            "&par=trade&par=departement&vue=tableau",
        ),
        PageSpec(
            "explorer trend, by sex",
            f"/statistiques?indicateur=entrepreneurs&periode={published}&par=sex&vue=evolution",
        ),
        PageSpec(f"completeness {live}", f"/completude?periode={live}"),
        PageSpec("members list", "/membres"),
        PageSpec("member detail", f"/membres/{siren}"),
        PageSpec(f"publication confirmation {live}", f"/publication/{live}"),
        PageSpec("export CSV, trade × sex", f"{export}&format=csv", "text/csv"),
        PageSpec(
            "export XLSX, trade × sex",
            f"{export}&format=xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ]


def load(engine: Engine, federation: Federation) -> tuple[int, int, str]:
    """Members and every report; the number of reports and cells, and a staff password."""
    reports = cells = 0
    with session_scope(engine) as session:
        members = {
            cae.siren: member_service.create(session, MemberCreate(**cae.profile()))
            for cae in federation.caes
        }
        for cae, period, document in federation.reports():
            report_service.submit(
                session, members[cae.siren], str(period), document, connector=CONNECTOR
            )
            reports += 1
            cells += len(document["cells"])
        _, password = staff_service.create(
            session,
            StaffCreate(
                email=STAFF_EMAIL,
                display_name="Mesures des pages",
                role=StaffRole.STAFF,
                password=None,  # the hub draws one
            ),
        )
    assert password is not None
    return reports, cells, password


def publish(engine: Engine, settings: Any, periods: list[str]) -> None:
    with session_scope(engine) as session:
        staff = staff_service.get_by_email(session, STAFF_EMAIL)
        for period in periods:
            stats_service.publish(session, period_text=period, staff=staff, settings=settings)


def sign_in(client: TestClient, password: str) -> None:
    """Through the login form, as a browser does: its CSRF token, then the session cookie."""
    form = client.get("/connexion")
    assert form.status_code == 200, form.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert found, "jeton CSRF absent de la page de connexion"
    answer = client.post(
        "/connexion",
        data={"csrf_token": found.group(1), "email": STAFF_EMAIL, "password": password},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def forget_tables() -> None:
    """Empty the process's caches of protected tables and of page tables."""
    stats_module.clear_caches()
    clear_caches()


def timed(client: TestClient, page: PageSpec, *, cold: bool) -> Timing:
    def run(_: int) -> None:
        if cold:
            forget_tables()
        answer = client.get(page.url, follow_redirects=False)
        assert answer.status_code == 200, f"{page.url}: {answer.status_code} {answer.text[:300]}"
        assert answer.headers["content-type"].startswith(page.content_type), page.url

    return measure(run, repeat=REPEAT, warmup=WARMUP)


def against_limit(timing: Timing) -> str:
    return f"{seconds(timing.median):>9} {ratio(timing.median, LIMIT_SECONDS):>8}"


def main() -> None:
    federation = generate_federation()
    periods = [str(p) for p in federation.periods]
    published, live = periods[:-1], periods[-1]
    heading(f"Pages: server time of every dashboard page, {len(federation.caes)} CAEs")
    print(
        "SQLite in a temporary folder, the real app through fastapi.testclient, a staff session "
        f"opened through the login form; {WARMUP} warm-up + {REPEAT} timed runs per page; "
        f"median wall time, as a ratio of the {LIMIT} limit."
    )
    print(f"Machine: {machine()}.")
    with temporary_hub() as hub:
        (reports, cells, password), loading = once(lambda: load(hub.engine, federation))
        publish(hub.engine, hub.settings, published)
        print(
            f"Loaded {reports} reports ({cells:,} cells) of {', '.join(periods)} in "
            f"{seconds(loading.median)}; published {', '.join(published)}; {live} left live."
        )
        siren = federation.caes[0].siren
        results: list[tuple[PageSpec, Timing, Timing]] = []
        with TestClient(hub.app) as client:
            sign_in(client, password)
            for page in pages(published[-1], live, siren):
                cold = timed(client, page, cold=True)
                warm = timed(client, page, cold=False)
                results.append((page, warm, cold))
    print()
    print(f"{'page':<42} {'warm':>9} {'/ limit':>8}   {'cold':>9} {'/ limit':>8}")
    for page, warm, cold in results:
        print(f"{page.name:<42} {against_limit(warm)}   {against_limit(cold)}")
    report(results)


def report(results: list[tuple[PageSpec, Timing, Timing]]) -> None:
    def over(pick: Callable[[tuple[PageSpec, Timing, Timing]], Timing]) -> list[str]:
        return [
            f"{r[0].name} ({seconds(pick(r).median)})"
            for r in results
            if pick(r).median > LIMIT_SECONDS
        ]

    slowest = max(results, key=lambda r: r[2].median)
    warm_over, cold_over = over(lambda r: r[1]), over(lambda r: r[2])
    print(
        f"Slowest cold page: {slowest[0].name}, {seconds(slowest[2].median)} "
        f"(max over runs {seconds(max(slowest[2].samples))})."
    )
    if not warm_over and not cold_over:
        print(f"Verdict: all {len(results)} pages within the {LIMIT} limit, warm and cold.")
        return
    print(
        f"Verdict: {len(results) - len(warm_over)} of {len(results)} pages within the "
        f"{LIMIT} limit warm, {len(results) - len(cold_over)} cold."
    )
    for name in warm_over:
        print(f"  ABOVE the limit, warm: {name}")
    for name in cold_over:
        print(f"  ABOVE the limit, cold: {name}")


if __name__ == "__main__":
    main()
