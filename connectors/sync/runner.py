"""One sync run: read the source through the connector, check, send what changed, report.

The order matters for safety:

1. the configuration, the connector and the token are checked before anything is read;
2. every document is made and passed through the personal-data guard before any is sent:
   one document carrying a personal field stops the run with nothing sent;
3. the hub is asked once what it holds: an acknowledged document it no longer holds (a
   restored backup) is sent again, and a new revision that loses an indicator or a breakdown
   the previous one had is refused unless the configuration says it is no longer sent;
4. each document is sent with an idempotency key derived from its content and the last
   acknowledged revision, and the hub's acknowledgement is committed right after its answer.

A run killed anywhere therefore leaves the hub with each document once: the next run either
finds the acknowledgement, or sends the same content under the same key (the hub replays its
answer), or the hub finds the content unchanged.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests

from cae_contract.registry import SchemaRegistry
from connectors.sdk.base import Connector, Document
from connectors.sdk.errors import (
    ConfigError,
    ConnectorError,
    FatalSyncError,
    PersonalDataError,
    RetriableSyncError,
)
from connectors.sdk.guard import ensure_no_personal_data
from connectors.sdk.registry import load
from connectors.sync.client import SUBMIT_PATHS, Accepted, Held, HubClient, RetryPolicy
from connectors.sync.config import NoLongerSent, SyncConfig, check_periods
from connectors.sync.contents import describe, document_breakdowns
from connectors.sync.continuity import loss_refusal, uncovered_losses
from connectors.sync.holdings import ask_hub, missing_on_hub
from connectors.sync.progress import Progress, Silent
from connectors.sync.report import DocumentOutcome, Status, SyncReport
from connectors.sync.state import Acknowledgement, SyncState, now_text
from connectors.sync.validation import LocalValidator

Sleep = Callable[[float], None]
T = TypeVar("T")


def content_hash(document: Document) -> str:
    """The same document always gives the same hash (keys sorted, no spaces)."""
    text = json.dumps(
        {"schema": document.schema, "period": document.period, "body": document.body},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def build_connector(config: SyncConfig) -> Connector:
    """The configured connector, found by name among the installed ones."""

    name = config.connector.name
    cls = load(name)
    return _guarded(name, lambda: cls(config.connector.config, base_dir=config.base_dir))


def _guarded(name: str, call: Callable[[], T]) -> T:
    """Run connector code; an unexpected exception becomes a FatalSyncError naming it."""
    try:
        return call()
    except ConnectorError:
        raise
    except Exception as exc:  # third-party code: report it, never a traceback
        raise FatalSyncError(
            f"le connecteur « {name} » a échoué ({type(exc).__name__}) ; "
            "relancez avec --debug pour le détail et signalez-le à son auteur",
            detail=repr(exc),
        ) from exc


def run_sync(
    config: SyncConfig,
    *,
    session: requests.Session | None = None,
    connector: Connector | None = None,
    periods: Sequence[str] | None = None,
    dry_run: bool = False,
    force: bool = False,
    accept_skipped: bool = False,
    progress: Progress | None = None,
    sleep: Sleep = time.sleep,
    contract: SchemaRegistry | None = None,
) -> SyncReport:
    """Run one synchronisation and return its report.

    ``session`` replaces the HTTP session (a transport seam); ``connector`` an already built
    connector instead of the configured one; ``periods`` replaces the configured ones. With
    ``dry_run`` the hub checks everything and nothing is stored, here or there. With
    ``force`` documents already acknowledged are sent again (the hub answers « unchanged »);
    without it, those the hub no longer holds (a hub restored from a backup) are sent again.
    Records the connector skipped make the report not ``ok`` unless ``accept_skipped``.
    ``contract`` is the registry documents are written against (by default, the one this
    installation ships); the client checks and sends them as its version.

    Raises ConfigError (the user must fix something) or FatalSyncError (the run stopped);
    a document the hub refuses is not an error, it is in the report.
    """
    progress = progress or Silent()
    try:
        return _run(
            config,
            session=session,
            connector=connector,
            periods=periods,
            dry_run=dry_run,
            force=force,
            accept_skipped=accept_skipped,
            progress=progress,
            sleep=sleep,
            contract=contract,
        )
    finally:
        progress.finish()


def _run(
    config: SyncConfig,
    *,
    session: requests.Session | None,
    connector: Connector | None,
    periods: Sequence[str] | None,
    dry_run: bool,
    force: bool,
    accept_skipped: bool,
    progress: Progress,
    sleep: Sleep,
    contract: SchemaRegistry | None,
) -> SyncReport:
    started = datetime.now(UTC)
    connector = connector or build_connector(config)
    name = connector.name
    wanted = (
        check_periods(periods, name=lambda index: f"période demandée n°{index + 1}")
        if periods
        else config.periods_on()
    )
    progress.note(f"connecteur {connector.label} : vérification de la source")
    _guarded(name, connector.check)

    retry = RetryPolicy(
        max_attempts=config.hub.max_attempts,
        backoff=config.hub.backoff,
        max_retry_after=config.hub.max_retry_after,
    )
    with (
        SyncState(config.data_dir) as state,
        HubClient(
            config.hub.url,
            config.hub.token,
            connector=connector.label,
            session=session,
            timeout=config.hub.timeout,
            retry=retry,
            sleep=sleep,
            on_retry=progress.note,
        ) as client,
    ):
        me = client.whoami()
        _check_identity(me, state)
        progress.note(f"extraction des périodes {', '.join(wanted)}")
        documents = _extract(connector, wanted, retry=retry, sleep=sleep, progress=progress)
        digests = _content_hashes(name, documents)
        try:
            # Every document before any is sent: a leak stops the run with nothing sent.
            for document in documents:
                ensure_no_personal_data(document)
        except PersonalDataError as exc:
            raise PersonalDataError(
                f"{exc.message} ; rien n'a été envoyé au hub : corrigez la configuration du "
                "connecteur (colonnes lues) ou signalez-le à son auteur",
                paths=exc.paths,
            ) from None

        report = SyncReport(
            hub_url=config.hub.url,
            connector=connector.label,
            periods=wanted,
            dry_run=dry_run,
            started_at=started,
            skipped=list(connector.skipped),
            connector_warnings=list(getattr(connector, "warnings", [])),
            accept_skipped=accept_skipped,
        )
        held = ask_hub(client, me, documents, report)
        if dry_run:
            for document in documents:
                contents = describe(document)
                if contents:
                    progress.note(f"{document.key} contient : {contents}")
        validator = LocalValidator(client, state, contract=contract)
        progress.start(len(documents))
        for document in documents:
            outcome = _send(
                document,
                digests[document.key],
                client=client,
                state=state,
                validator=validator,
                held=held.get(document.schema),
                no_longer_sent=config.no_longer_sent,
                dry_run=dry_run,
                force=force,
            )
            report.outcomes.append(outcome)
            if outcome.deprecation and outcome.deprecation not in report.hub_remarks:
                report.hub_remarks.append(outcome.deprecation)
            progress.done(outcome)
        report.finished_at = datetime.now(UTC)
        return report


def _check_identity(me: Mapping[str, Any], state: SyncState) -> None:
    member = me.get("member")
    if me.get("kind") != "member" or not isinstance(member, Mapping):
        raise ConfigError(
            "hub : ce jeton appartient à un compte de la fédération, pas à une CAE ; "
            "utilisez le jeton de votre CAE"
        )
    # The state says what this CAE already sent: another CAE's token must not inherit it.
    siren = str(member.get("siren"))
    owner = state.owner
    if owner is None:
        state.claim(siren)
    elif owner != siren:
        raise ConfigError(
            f"sync.data_dir : cet état local est celui de la CAE {owner}, or le jeton est celui "
            f"de la CAE {siren} ; donnez à chaque CAE son propre dossier d'état"
        )
    if "reports:write" not in (me.get("scopes") or []):
        raise ConfigError(
            "hub : ce jeton n'a pas le droit d'envoyer des rapports (reports:write) ; "
            "demandez un jeton de synchronisation à la fédération"
        )


def _extract(
    connector: Connector,
    periods: list[str],
    *,
    retry: RetryPolicy,
    sleep: Sleep,
    progress: Progress,
) -> list[Document]:
    """Every document, retrying the whole extraction on a passing failure of the source."""
    for attempt in range(1, retry.max_attempts + 1):
        try:
            documents = _guarded(connector.name, lambda: list(connector.documents(periods)))
        except RetriableSyncError as exc:
            if attempt == retry.max_attempts:
                raise FatalSyncError(
                    f"{exc.message} (toujours après {attempt} essai(s))", detail=exc.detail
                ) from None
            wait = retry.wait(attempt, exc.retry_after)
            progress.note(f"{exc.message} ; nouvel essai dans {wait:.1f} s")
            sleep(wait)
            continue
        return documents
    raise AssertionError("unreachable: the loop returns or raises")


def _content_hashes(name: str, documents: list[Document]) -> dict[str, str]:
    """Each document's content hash by key; a repeated key or a body that is not JSON stops
    the run before anything is sent."""
    digests: dict[str, str] = {}
    for document in documents:
        if document.key in digests:
            raise FatalSyncError(
                f"le connecteur « {name} » a produit deux documents « {document.key} »"
            )
        try:
            digests[document.key] = content_hash(document)
        except (TypeError, ValueError) as exc:
            raise FatalSyncError(
                f"le connecteur « {name} » a produit un document « {document.key} » qui n'est "
                "pas du JSON (nombre infini, date ou objet non converti)",
                detail=str(exc),
            ) from None
    return digests


def _send(
    document: Document,
    digest: str,
    *,
    client: HubClient,
    state: SyncState,
    validator: LocalValidator,
    held: Mapping[str, Held] | None,
    no_longer_sent: Sequence[NoLongerSent],
    dry_run: bool,
    force: bool,
) -> DocumentOutcome:
    contents = describe(document)

    def outcome(status: Status, **fields: Any) -> DocumentOutcome:
        return DocumentOutcome(
            document.key, document.schema, document.period, status, contents=contents, **fields
        )

    if document.schema not in SUBMIT_PATHS:
        return outcome(
            Status.REJECTED,
            refused_by="client",
            detail=(
                f"le hub ne reçoit pas encore ce type de document (« {document.schema} ») ; "
                "mettez cae-hub à jour ou signalez-le à l'auteur du connecteur"
            ),
        )
    previous = state.acknowledged(document.key)
    resent = None
    if previous is not None and previous.content_hash == digest and not force:
        resent = missing_on_hub(previous, held)
        if resent is None:
            return outcome(Status.UP_TO_DATE, revision=previous.revision)

    errors = validator.validate(document.schema, document.body)
    if errors is None:
        return outcome(
            Status.REJECTED,
            refused_by="client",
            detail=(
                f"le hub ne publie pas le format de ce type de document (« {document.schema} ») ; "
                "signalez-le à la fédération"
            ),
        )
    if errors:
        return outcome(
            Status.REJECTED,
            refused_by="client",
            detail=f"non conforme au format attendu par le hub : {len(errors)} erreur(s)",
            errors=tuple(errors),
        )

    breakdowns = document_breakdowns(document)
    if breakdowns is not None:
        losses, revision = uncovered_losses(
            breakdowns,
            previous=previous,
            on_hub=held.get(document.period) if held is not None else None,
            no_longer_sent=no_longer_sent,
        )
        if losses:
            return outcome(
                Status.REJECTED,
                refused_by="client",
                detail=loss_refusal(losses, revision),
                errors=tuple(("$.cells", loss.sentence()) for loss in losses),
            )

    key = state.idempotency_key(document.key, digest)
    answer = client.submit(
        document.schema,
        document.period,
        document.body,
        idempotency_key=key,
        schema_version=validator.version(document.schema),
        dry_run=dry_run,
    )
    if not isinstance(answer, Accepted):
        problem = answer.problem
        return outcome(
            Status.REJECTED,
            refused_by="hub",
            detail=f"{problem.sentence} (HTTP {problem.status})",
            errors=problem.errors,
        )
    if dry_run:
        status = Status.UNCHANGED if answer.unchanged else Status.CHECKED
    else:
        state.record(
            Acknowledgement(
                document_key=document.key,
                schema=document.schema,
                period=document.period,
                content_hash=digest,
                idempotency_key=key,
                revision=answer.revision,
                hub_content_hash=str(answer.summary.get("content_hash") or "") or None,
                connector=client.connector,
                acknowledged_at=now_text(),
                breakdowns=breakdowns,
            ),
            receipt=answer.receipt,
        )
        status = Status.UNCHANGED if answer.unchanged else Status.ACCEPTED
    return outcome(
        status,
        revision=answer.revision,
        warnings=tuple(answer.warnings),
        deprecation=answer.deprecation,
        replayed=answer.replayed,
        resent=resent,
    )
