"""The hub's HTTP client: timeouts, retries with backoff and jitter, ``Retry-After``, problems.

The ``requests.Session`` is injectable (a transport seam, as httpx's ``MockTransport``): tests
and embedding programs may pass their own. Connection errors, timeouts, 429 and 5xx answers
are retried, and so is a 409 saying the first attempt with the same idempotency key is still
being stored (``type`` ending in ``in-progress``). Every ``PUT`` carries an idempotency key
chosen by the caller, so a retried request whose first attempt did reach the hub is answered
by a replay, not a second revision.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

import requests

from cae_contract.versions import SCHEMA_VERSION_HEADER
from connectors.sync.errors import HubFailed, HubUnreachable, TokenRefused

USER_AGENT = "cae-hub-sync/1"

# Where the hub receives each kind of document.
SUBMIT_PATHS: dict[str, str] = {
    "indicator-report": "/v1/indicators/reports/{period}",
    # A catalogue is one snapshot, not a period's: the path takes no period.
    "training-catalogue": "/v1/trainings/catalogue",
}
# Where the hub lists what it holds of each kind, period by period (a catalogue, which is a
# snapshot and not a period's, is listed under ``SNAPSHOT``).
HELD_PATHS: dict[str, str] = {
    "indicator-report": "/v1/indicators/reports",
    "training-catalogue": "/v1/trainings/catalogue/held",
}
SNAPSHOT = "*"
"""The period under which ``held`` lists a snapshot document, whatever period it was sent for."""
SNAPSHOT_SCHEMAS = frozenset({"training-catalogue"})
_HELD_LISTS = {"indicator-report": "reports", "training-catalogue": "catalogues"}


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to call, and how long to wait in between."""

    max_attempts: int = 5
    backoff: float = 1.0  # first wait; doubles after each failure
    max_backoff: float = 60.0
    max_retry_after: float = 300.0  # a longer Retry-After ends the run instead of blocking it

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed ``attempt`` (1-based).

        The hub's ``Retry-After`` is a floor; a little jitter on top keeps the CAEs told to come
        back at the same moment from arriving together.
        """
        if retry_after is not None:
            return retry_after + random.uniform(0, min(1.0, retry_after * 0.1))  # noqa: S311
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not secrecy


@dataclass(frozen=True)
class Problem:
    """An ``application/problem+json`` answer, reduced to what a person reads."""

    status: int
    detail: str
    errors: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, response: requests.Response) -> Problem:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, Mapping):
            return cls(response.status_code, f"réponse HTTP {response.status_code} sans détail")
        detail = str(body.get("detail") or body.get("title") or f"HTTP {response.status_code}")
        items = body.get("errors") or []
        errors = tuple(
            (str(item.get("path", "$")), str(item.get("message", "")))
            for item in items
            if isinstance(item, Mapping)
        )
        return cls(response.status_code, detail, errors)

    @property
    def sentence(self) -> str:
        """The detail as the end of a French sentence (no capital, no full stop)."""
        text = self.detail.strip().rstrip(".")
        if len(text) > 1 and text[0].isupper() and not text[1].isupper():
            text = text[0].lower() + text[1:]
        return text


@dataclass(frozen=True)
class Accepted:
    """The hub's import summary of a document (or what it would be, in a dry run)."""

    summary: Mapping[str, Any]

    @property
    def revision(self) -> int:
        return int(self.summary.get("revision", 0))

    @property
    def unchanged(self) -> bool:
        return bool(self.summary.get("unchanged", False))

    @property
    def replayed(self) -> bool:
        return bool(self.summary.get("replayed", False))

    @property
    def deprecation(self) -> str | None:
        """The hub's warning that the schema version sent is deprecated, with its end date."""
        text = self.summary.get("deprecation")
        return str(text) if text else None

    @property
    def receipt(self) -> Mapping[str, Any] | None:
        """The hub's signed receipt of the exchange (none in a dry run or from an older hub)."""
        found = self.summary.get("receipt")
        return found if isinstance(found, Mapping) else None

    @property
    def warnings(self) -> list[tuple[str, str]]:
        items = self.summary.get("warnings") or []
        return [(str(i.get("path", "$")), str(i.get("message", ""))) for i in items]


@dataclass(frozen=True)
class Rejected:
    """The hub refused the document; nothing was stored."""

    problem: Problem


@dataclass(frozen=True)
class Held:
    """What the hub holds for one period: its revision in force and the content's hash."""

    period: str
    revision: int
    content_hash: str
    breakdowns: dict[str, list[str]] | None = None


@dataclass(frozen=True)
class SchemaAnswer:
    """``GET /v1/schemas/{name}/{version}``: 200 with a body, or 304 when our copy is current."""

    status: int
    etag: str | None
    body: bytes | None = field(default=None, repr=False)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _breakdowns(value: object) -> dict[str, list[str]] | None:
    """The breakdowns of a listed report, or None if the hub gave none it could vouch for."""
    if not isinstance(value, Mapping):
        return None
    found: dict[str, list[str]] = {}
    for indicator, sets in value.items():
        if not isinstance(sets, list) or not all(isinstance(s, str) for s in sets):
            return None
        found[str(indicator)] = list(sets)
    return found


def _in_progress(response: requests.Response) -> bool:
    """A 409 saying the hub is still storing the first request with this idempotency key."""
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, Mapping):
        return False
    kind, code = body.get("type"), body.get("code")
    return (isinstance(kind, str) and kind.endswith("in-progress")) or code == "in-progress"


def _retriable(response: requests.Response) -> bool:
    """Answers worth asking again: overload, a failing hub, a first attempt still in progress.

    A 409 is otherwise final (the key already served another content): nothing to retry.
    """
    status = response.status_code
    return status == 429 or status >= 500 or (status == 409 and _in_progress(response))


def _why(exc: requests.RequestException, timeout: float) -> str:
    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return f"pas de réponse en {timeout:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        return "connexion TLS refusée (certificat invalide ?)"
    if "Name or service not known" in text or "Failed to resolve" in text or "getaddrinfo" in text:
        return "nom d'hôte inconnu"
    if "Connection refused" in text:
        return "connexion refusée"
    if "Connection reset" in text or "RemoteDisconnected" in text or "Connection aborted" in text:
        return "connexion interrompue"
    return "connexion impossible"


class HubClient:
    """Calls to one hub with one token, on behalf of one connector."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        connector: str,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self.connector = connector
        self._own_session = session is None
        self.session = session or requests.Session()
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._on_retry = on_retry or (lambda _: None)

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- calls --------------------------------------------------------------------------------

    def whoami(self) -> Mapping[str, Any]:
        """``GET /v1/me``: fails early, before any extraction, on a bad URL or token."""
        response = self._request("GET", "/v1/me", what="identification")
        if response.status_code != 200:
            self._refuse(response, "identification")
        body = self._json(response)
        if "kind" not in body:
            self._not_a_hub()
        return body

    def fetch_schema(self, name: str, version: str, *, etag: str | None) -> SchemaAnswer | None:
        """A published schema, or 304 if ``etag`` is still current; None if the hub has none."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._request(
            "GET", f"/v1/schemas/{name}/{version}", what=f"schéma {name}", headers=headers
        )
        if response.status_code == 404:
            return None
        if response.status_code not in (200, 304):
            self._refuse(response, f"schéma {name}")
        body = response.content if response.status_code == 200 else None
        return SchemaAnswer(response.status_code, response.headers.get("ETag"), body)

    def held(self, schema: str) -> dict[str, Held] | None:
        """What the hub holds of ``schema``, by period; None when it cannot say (an older hub,
        or a kind of document it does not list)."""
        path = HELD_PATHS.get(schema)
        if path is None:
            return None
        what = "liste des documents détenus par le hub"
        response = self._request("GET", path, what=what)
        if response.status_code in (404, 405):
            return None
        if response.status_code != 200:
            self._refuse(response, what)
        items = self._json(response).get(_HELD_LISTS[schema])
        if not isinstance(items, list):
            self._not_a_hub()
        held: dict[str, Held] = {}
        for item in items:
            try:
                entry = Held(
                    period=SNAPSHOT if schema in SNAPSHOT_SCHEMAS else str(item["period"]),
                    revision=int(item["revision"]),
                    content_hash=str(item["content_hash"]),
                    breakdowns=_breakdowns(item.get("breakdowns")),
                )
            except (KeyError, TypeError, ValueError, AttributeError):
                self._not_a_hub()
            held[entry.period] = entry
        return held

    def submit(
        self,
        schema: str,
        period: str,
        body: Mapping[str, Any],
        *,
        idempotency_key: str,
        schema_version: str | None = None,
        dry_run: bool = False,
    ) -> Accepted | Rejected:
        """Send one document, naming the ``schema_version`` it was written against; the
        hub's summary, or its refusal with the failing fields."""
        path = SUBMIT_PATHS[schema].format(period=period)
        headers = {"Idempotency-Key": idempotency_key}
        if schema_version is not None:
            headers[SCHEMA_VERSION_HEADER] = schema_version
        response = self._request(
            "PUT",
            path,
            what=f"envoi {schema} {period}",
            json=dict(body),
            params={"dry_run": "true"} if dry_run else None,
            headers=headers,
        )
        if response.status_code == 200:
            return Accepted(self._json(response))
        if response.status_code in (409, 413, 422):
            return Rejected(Problem.of(response))
        self._refuse(response, f"envoi {schema} {period}")

    # -- plumbing -----------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        all_headers = {
            "Authorization": f"Bearer {self._token}",
            "User-Agent": USER_AGENT,
            "X-Cae-Hub-Connector": self.connector,
            "Accept": "application/json, application/problem+json",
            **(headers or {}),
        }
        timeout = (min(10.0, self.timeout), self.timeout)
        attempts = self.retry.max_attempts
        reason = ""
        failed: requests.Response | None = None
        for attempt in range(1, attempts + 1):
            try:
                # Redirects are not followed: requests would turn a redirected PUT into a GET.
                response = self.session.request(
                    method,
                    self.url + path,
                    headers=all_headers,
                    timeout=timeout,
                    allow_redirects=False,
                    **kwargs,
                )
            except requests.exceptions.SSLError as exc:
                raise HubUnreachable(
                    f"hub injoignable à {self.url} : {_why(exc, self.timeout)} ; vérifiez hub.url",
                    detail=str(exc),
                ) from None
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                reason = _why(exc, self.timeout)
                failed = None
                wait = self.retry.wait(attempt, None)
            except requests.RequestException as exc:
                raise HubFailed(
                    f"échange impossible avec le hub à {self.url} ({type(exc).__name__}) ; "
                    "vérifiez hub.url",
                    detail=str(exc),
                ) from None
            else:
                if not _retriable(response):
                    return response
                failed = response
                reason = f"HTTP {response.status_code}"
                if response.status_code == 409:
                    reason += " (déjà en cours de traitement par le hub)"
                retry_after = _retry_after(response)
                if retry_after is not None and retry_after > self.retry.max_retry_after:
                    raise HubFailed(
                        f"le hub est surchargé ou en maintenance et demande d'attendre "
                        f"{retry_after:.0f} s ; relancez la synchronisation plus tard"
                    )
                wait = self.retry.wait(attempt, retry_after)
            if attempt == attempts:
                break
            self._on_retry(
                f"{what} : {reason}, nouvel essai dans {wait:.1f} s "
                f"(essai {attempt + 1}/{attempts})"
            )
            self._sleep(wait)
        if failed is None:
            raise HubUnreachable(
                f"hub injoignable à {self.url} : {reason} après {attempts} essai(s) ; "
                "vérifiez hub.url, le réseau et que le hub est en service"
            )
        problem = Problem.of(failed)
        raise HubFailed(
            f"le hub n'a pas pu traiter la demande ({what}) après {attempts} essai(s) : "
            f"{problem.sentence} (HTTP {problem.status}) ; relancez plus tard"
        )

    def _json(self, response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            self._not_a_hub()
        if not isinstance(body, dict):
            self._not_a_hub()
        return body

    def _not_a_hub(self) -> NoReturn:
        raise HubFailed(
            f"{self.url} ne répond pas comme un hub cae-hub ; vérifiez hub.url "
            "(l'adresse du hub, sans /v1)"
        )

    def _refuse(self, response: requests.Response, what: str) -> NoReturn:
        if response.is_redirect:
            target = response.headers.get("Location", "?")
            raise HubFailed(
                f"le hub renvoie vers une autre adresse ({target}) ; corrigez hub.url en "
                "conséquence"
            )
        problem = Problem.of(response)
        if problem.status == 401:
            raise TokenRefused(
                f"jeton refusé par le hub : {problem.sentence} ; vérifiez le jeton de la "
                "section [hub] ou demandez-en un nouveau à la fédération"
            )
        if problem.status == 403:
            raise HubFailed(f"le hub refuse ({what}) : {problem.sentence}")
        if problem.status in (404, 405):
            self._not_a_hub()
        raise HubFailed(
            f"réponse inattendue du hub ({what}) : {problem.sentence} (HTTP {problem.status})"
        )
