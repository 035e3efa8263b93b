"""The demonstration, end to end: generate, write the CAEs' files, register, sync over HTTP
through each CAE's sync client, publish the past semesters.

Run twice, it registers only what is missing and the sync clients find nothing to send, so
nothing is duplicated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from cae_contract.format import fr_decimal
from cae_contract.periods import Period, today
from connectors.sdk.errors import ConnectorError
from connectors.sync import Status, TokenRefused, load_config, run_sync
from hub.config import Settings
from hub.db import session_scope
from hub.demo.accounts import Registration, is_loaded, register, staff_account, write_logins
from hub.demo.federation import DEFAULT_SEED, DemoCae, DemoFederation, generate
from hub.demo.files import CaeFiles, demo_folder, prepare_folder, write_cae_files
from hub.demo.payroll import add_delegation
from hub.demo.seminars import load_seminars
from hub.demo.server import temporary_hub
from hub.demo.trainings import load_trainings
from hub.demo.writing import write_secret
from hub.stats.repository import StatsRepository
from hub.stats.service import stats_service

if TYPE_CHECKING:
    from connectors.sync.report import SyncReport

Say = Callable[[str], None]
# CAEs syncing at the same time (one per core). On SQLite their writes queue for the write
# lock (hub.db begins them IMMEDIATE) instead of failing.
SYNC_WORKERS = 2


class DemoFailed(Exception):
    """The demonstration could not run to its end; the message says what happened."""


@dataclass
class SyncPass:
    """One synchronisation of every CAE."""

    seconds: float = 0.0
    accepted: int = 0
    unchanged: int = 0  # sent, and the hub already held that content
    up_to_date: int = 0  # not sent at all
    per_cae: dict[str, float] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return self.accepted + self.unchanged


@dataclass
class DemoResult:
    folder: Path
    federation: DemoFederation
    files: dict[str, CaeFiles]
    already_loaded: bool
    registration: Registration
    first: SyncPass
    second: SyncPass | None  # None when the first pass already had nothing to send
    published: list[str]
    seconds: float


def french_seconds(seconds: float) -> str:
    return f"{fr_decimal(seconds)} s"


def public_url(settings: Settings) -> str:
    return f"http://{settings.host}:{settings.port}"


def run_demo(
    settings: Settings,
    engine: Engine,
    *,
    count: int | None = None,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    say: Say = print,
) -> DemoResult:
    started = time.perf_counter()
    folder = demo_folder(settings)
    with session_scope(engine) as session:
        loaded = is_loaded(session)
    prepare_folder(folder, fresh=not loaded)
    federation = generate(seed=seed, count=count, scale=scale, today=today())
    say(f"{len(federation.caes)} CAE générées ; écriture de leurs fichiers dans {folder}")
    files = {
        cae.slug: write_cae_files(cae, folder / cae.slug, seed=seed, hub_url=public_url(settings))
        for cae in federation.caes
    }
    need_token = {slug for slug, written in files.items() if not written.token.exists()}
    registration = _register(engine, federation, files, need_token)
    if registration.logins:
        write_logins(folder / "acces.txt", registration.logins, url=public_url(settings))
    say("démarrage d'un hub temporaire pour les synchronisations")
    with temporary_hub(folder / "hub-temporaire.log") as url:
        say(f"synchronisation des {len(files)} CAE par HTTP ({url})")
        first = _sync_all(engine, federation, files, url, say=say)
        second = None
        if first.sent:  # what a nightly run costs when nothing changed at the CAEs
            say("resynchronisation immédiate, sans changement des fichiers")
            second = _sync_all(engine, federation, files, url, say=None)
    published = _publish(engine, federation, settings)
    say(load_trainings(engine, federation, settings, folder, on=today()))
    packs = load_seminars(engine, federation, settings, say=say)
    if packs:
        say(f"séminaire du semestre : {packs} packs produits (groupes et plénière)")
    if len(federation.caes) >= 2:
        _delegate(engine, federation, files, say)
    return DemoResult(
        folder,
        federation,
        files,
        loaded,
        registration,
        first,
        second,
        published,
        time.perf_counter() - started,
    )


def _register(
    engine: Engine, federation: DemoFederation, files: dict[str, CaeFiles], need_token: set[str]
) -> Registration:
    with session_scope(engine) as session:
        registration = register(session, federation, need_token=need_token)
    for slug, secret in registration.tokens.items():
        write_secret(files[slug].token, secret)
    return registration


def _delegate(
    engine: Engine, federation: DemoFederation, files: dict[str, CaeFiles], say: Say
) -> None:
    """The smallest CAE delegates its payroll to the first (the largest)."""
    delegataire = federation.caes[0]
    delegante = min(federation.caes[1:], key=lambda cae: len(cae.people))
    folders = {slug: written.folder for slug, written in files.items()}
    with session_scope(engine) as session:
        uid = add_delegation(session, delegante, delegataire, folders)
    if uid is not None:
        say(
            f"mandat de paie {uid} : {delegante.name} délègue sa paie à {delegataire.name} "
            "(trois mois d'historique chiffré)"
        )


def _sync_one(written: CaeFiles, url: str) -> tuple[float, SyncReport]:

    started = time.perf_counter()
    config = load_config(written.config)
    # The configuration names the hub as ``make run`` serves it; the demonstration's own
    # hub listens elsewhere for the time of the load.
    config = replace(config, hub=replace(config.hub, url=url))
    report = run_sync(config)
    return time.perf_counter() - started, report


def _sync_all(
    engine: Engine,
    federation: DemoFederation,
    files: dict[str, CaeFiles],
    url: str,
    *,
    say: Say | None,
) -> SyncPass:

    result = SyncPass()
    started = time.perf_counter()
    pending = list(federation.caes)
    refused: list[DemoCae] = []
    for attempt in range(2):
        with ThreadPoolExecutor(max_workers=SYNC_WORKERS) as pool:
            futures = {pool.submit(_sync_one, files[cae.slug], url): cae for cae in pending}
            for future in as_completed(futures):
                cae = futures[future]
                try:
                    seconds, report = future.result()
                except TokenRefused:
                    if attempt == 0:
                        refused.append(cae)
                        continue
                    raise DemoFailed(f"{cae.name} : le hub refuse son jeton") from None
                except ConnectorError as error:
                    raise DemoFailed(f"synchronisation de « {cae.name} » : {error}") from None
                _count(result, cae, seconds, report, say)
        if not refused:
            break
        # Token files from another database: the hub does not know them; draw new ones.
        _register(engine, federation, files, {cae.slug for cae in refused})
        pending, refused = refused, []
    result.seconds = time.perf_counter() - started
    return result


def _count(
    result: SyncPass, cae: DemoCae, seconds: float, report: SyncReport, say: Say | None
) -> None:

    if report.rejected:
        first = report.rejected[0]
        raise DemoFailed(
            f"« {cae.name} » : {len(report.rejected)} rapport(s) refusé(s), dont {first.key} : "
            f"{first.detail or ''} (configuration : {cae.slug}/synchro.toml)"
        )
    accepted = len(report.having(Status.ACCEPTED))
    unchanged = len(report.having(Status.UNCHANGED))
    up_to_date = len(report.having(Status.UP_TO_DATE))
    result.accepted += accepted
    result.unchanged += unchanged
    result.up_to_date += up_to_date
    result.per_cae[cae.slug] = seconds
    if say is not None:
        say(
            f"  {cae.name} ({cae.profile.source.connector}) : {accepted} accepté(s), "
            f"{unchanged + up_to_date} déjà à jour — {french_seconds(seconds)}"
        )


def past_semesters(caes: Iterable[DemoCae], *, on: date | None = None) -> list[Period]:
    """The semesters of ``caes`` that are over (their end has passed), oldest first."""
    day = on or today()
    periods = {p for cae in caes for p in cae.periods() if p.end < day}
    return sorted(periods)


def _publish(engine: Engine, federation: DemoFederation, settings: Settings) -> list[str]:
    """Publish each past semester whose current reports are not those last published."""
    published = []
    with session_scope(engine) as session:
        staff = staff_account(session)
        repository = StatsRepository(session)
        for period in past_semesters(federation.caes):
            current = {r.id for r in repository.current_reports(str(period)).values()}
            if not current:
                continue
            latest = repository.latest_publication(str(period))
            if latest is not None and latest.id is not None:
                frozen = {r.id for r in repository.published_reports(latest.id).values()}
                if frozen == current:
                    continue
            stats_service.publish(session, period_text=str(period), staff=staff, settings=settings)
            published.append(str(period))
    return published
