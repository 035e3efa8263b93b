"""Dashboard sign-in: server-side sessions, CSRF tokens and the login throttle.

Sessions live in the database rather than in a signed cookie (itsdangerous), because:

- logout, expiry and the deactivation of an account take effect at once on every hub
  process, whereas a signed cookie stays valid until it expires whatever the server does;
- the cookie carries 256 random bits and nothing else; the database keeps only their
  SHA-256, so a copy of the database cannot be replayed as a cookie;
- every login draws a new identifier and deletes the browser's previous session, so an
  identifier planted before login (session fixation) never becomes a logged-in session.

The price is one indexed lookup per page, which loads the account the page needs anyway.

CSRF: synchronizer tokens. A session's token is an HMAC of its identifier under
``HUB_SECRET_KEY``: bound to the session, replaced with it at login, never stored. Before
login, the form's token is the HMAC of a random value held in a short-lived HttpOnly cookie;
a page of another site can neither read that cookie nor compute the HMAC.

Throttle. Three counters, each a row updated by one statement (``INSERT … ON CONFLICT DO
UPDATE … RETURNING``), so that every process counts the same and parallel attempts cannot
overrun a limit. Keys are HMACs under ``HUB_SECRET_KEY``: what people type is not stored.

- account × client address (``login_max_failures``, 5 by default) — the strict one. Every
  attempt is counted *before* its password is checked, and only an attempt within the limit
  is checked: 40 parallel wrong passwords check 5. A success forgets this counter.
- account, from any address (``login_max_failures_per_account``, 50): guesses spread over
  many addresses. Counted before the check too; a success gives its own attempt back, so
  that failures elsewhere are not wiped by the owner logging in.
- client address (``login_max_failures_per_client``, 100): one address trying many
  accounts. It counts failures only, after the check, and is read (not reserved) before it,
  so that logins from a shared address never queue behind each other; it may be passed by
  the attempts already in flight, which the strict counter bounds.

On PostgreSQL a counted row stays locked until its attempt's transaction ends: parallel
attempts on one account from one address are counted one after the other, each seeing the
previous count, while attempts on other accounts do not wait.

An office or a gateway is one address for many people: its people's typing errors reach
the generous per-address cap long after each of them would be slowed down on their own
account, so one person's failures (or an intruder's on some accounts) never block the others
from signing in, unless failures from that address pass the per-address cap. The client
address is the peer's, or, when the peer is one of ``HUB_TRUSTED_PROXIES``, the right-most
address of ``X-Forwarded-For`` that is not a trusted proxy: the header of an untrusted peer
is ignored, so a direct client cannot draw a fresh counter by forging it.

A counter's window (``login_failure_window_s``) starts at its first attempt; past the
limit, attempts are refused without checking the password until the window ends.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session

from hub.audit.service import ANONYMOUS, Actor, record
from hub.config import Settings
from hub.db import optional_write, utcnow
from hub.members.repository import MemberRepository, MemberUserRepository, StaffRepository
from hub.members.service import (
    PasswordLogin,
    Principal,
    password_auth_service,
    session_principal,
)
from hub.security import hash_password, password_needs_rehash
from hub.web.models import WebSession
from hub.web.repository import LoginThrottleRepository, WebSessionRepository

_ID_BYTES = 32
_MAX_ID_LENGTH = 128
TOUCH_RESOLUTION = timedelta(seconds=60)
PURGE_BATCH = 500


def _sign(settings: Settings, purpose: str, value: str) -> str:
    key = settings.secret_key.get_secret_value().encode("utf-8")
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def _id_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_identifier() -> str:
    return secrets.token_urlsafe(_ID_BYTES)


def session_csrf_token(settings: Settings, session_id: str) -> str:
    return _sign(settings, "csrf", session_id)


def login_csrf_token(settings: Settings, nonce: str) -> str:
    return _sign(settings, "connexion", nonce)


def tokens_match(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


@dataclass(frozen=True)
class WebUser:
    """Who is behind a page request: the API's principal plus what the pages display."""

    principal: Principal
    display_name: str
    email: str
    csrf_token: str
    record: WebSession

    @property
    def is_staff(self) -> bool:
        return self.principal.staff is not None

    @property
    def actor(self) -> Actor:
        """Who this is, for the audit trail: the staff account or the CAE's web account."""
        if self.principal.staff is not None:
            return Actor("staff", self.principal.staff.id)
        member = self.principal.member
        return Actor("web_account", self.record.member_user_id, member.id if member else None)


@dataclass(frozen=True)
class LoginResult:
    status: Literal["ok", "refused", "throttled"]
    session_id: str | None = None
    retry_after_s: int = 0


@dataclass(frozen=True)
class _ThrottleKeys:
    """The counters one attempt is checked against."""

    account_client: str
    account: str
    client: str | None

    @classmethod
    def of(cls, settings: Settings, email: str, client: str | None) -> _ThrottleKeys:
        address = email.strip().lower()
        return cls(
            account_client=_sign(settings, "login-account-client", f"{address}\n{client or ''}"),
            account=_sign(settings, "login-account", address),
            client=_sign(settings, "login-client", client) if client else None,
        )


class WebAuthService:
    def login(
        self,
        session: Session,
        settings: Settings,
        *,
        email: str,
        password: str,
        client: str | None,
        previous_session_id: str | None,
    ) -> LoginResult:
        """Count the attempt, check the password if the throttle allows; on success, a fresh
        session identifier (see the module's docstring for the throttle)."""
        now = utcnow()
        window = timedelta(seconds=settings.login_failure_window_s)
        throttle = LoginThrottleRepository(session)
        keys = _ThrottleKeys.of(settings, email, client)
        if keys.client is not None:
            failures, started = throttle.peek(keys.client, now, window)
            if failures >= settings.login_max_failures_per_client:
                _failed(session, "throttled")
                return _throttled(started + window - now)
        wait = timedelta(0)
        for key, limit in (
            (keys.account_client, settings.login_max_failures),
            (keys.account, settings.login_max_failures_per_account),
        ):
            attempts, started = throttle.hit(key, now, window)
            if attempts > limit:
                wait = max(wait, started + window - now)
        if wait > timedelta(0):
            _failed(session, "throttled")
            return _throttled(wait)
        matched = password_auth_service.check(session, email, password)
        if matched is None:
            if keys.client is not None:
                throttle.hit(keys.client, now, window)
            throttle.purge(now, window)
            _failed(session, "refused")
            return LoginResult("refused")
        throttle.forget(keys.account_client)
        throttle.give_back(keys.account)
        self._rehash_if_needed(session, matched, password)
        sessions = WebSessionRepository(session)
        if previous_session_id:
            self.logout(session, previous_session_id)
        sessions.delete_expired(now)
        raw = new_identifier()
        sessions.add(
            WebSession(
                id_hash=_id_hash(raw),
                staff_id=matched.staff.id if matched.staff is not None else None,
                member_user_id=matched.member_user.id if matched.member_user is not None else None,
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(seconds=self._first_lifetime(settings)),
            )
        )
        if matched.staff is not None:
            actor = Actor("staff", matched.staff.id)
        else:
            assert matched.member_user is not None and matched.member is not None
            actor = Actor("web_account", matched.member_user.id, matched.member.id)
        record(session, kind="login.succeeded", actor=actor, details={"via": "password"})
        return LoginResult("ok", session_id=raw)

    @staticmethod
    def _rehash_if_needed(session: Session, matched: PasswordLogin, password: str) -> None:
        """A hash made with weaker Argon2 parameters than today's is replaced at login, the
        only moment the password is known."""
        if matched.staff is not None and password_needs_rehash(matched.staff.password_hash):
            matched.staff.password_hash = hash_password(password)
            StaffRepository(session).add(matched.staff)
        account = matched.member_user
        if account is not None and password_needs_rehash(account.password_hash):
            account.password_hash = hash_password(password)
            MemberUserRepository(session).add(account)

    @staticmethod
    def _first_lifetime(settings: Settings) -> int:
        return min(settings.session_idle_timeout_s, settings.session_max_age_s)

    def purge_stale(self, session: Session, settings: Settings, now: datetime) -> tuple[int, int]:
        """Delete expired sessions and login-failure counters whose window has ended (the
        logins do it too, a batch at a time); how many of each went."""
        sessions = WebSessionRepository(session).delete_expired(now)
        throttle = LoginThrottleRepository(session)
        window = timedelta(seconds=settings.login_failure_window_s)
        counters = 0
        while True:
            purged = throttle.purge(now, window, batch=PURGE_BATCH)
            counters += purged
            if purged < PURGE_BATCH:
                return sessions, counters

    def resolve(
        self, session: Session, settings: Settings, session_id: str | None
    ) -> WebUser | None:
        """The user of a live session, or None (unknown, expired, or account deactivated)."""
        if not session_id or len(session_id) > _MAX_ID_LENGTH:
            return None
        sessions = WebSessionRepository(session)
        record = sessions.get_by_hash(_id_hash(session_id))
        if record is None:
            return None
        now = utcnow()
        if now >= record.expires_at:
            sessions.delete(record)
            return None
        user = self._user(session, settings, record, session_id)
        if user is None:
            sessions.delete(record)
            return None
        if now - record.last_seen_at >= TOUCH_RESOLUTION:
            # Pages are reads: extending the session must not fail one (the next page does it).
            with optional_write(session):
                record.last_seen_at = now
                record.expires_at = min(
                    record.created_at + timedelta(seconds=settings.session_max_age_s),
                    now + timedelta(seconds=settings.session_idle_timeout_s),
                )
                sessions.add(record)
        return user

    @staticmethod
    def _user(
        session: Session, settings: Settings, record: WebSession, session_id: str
    ) -> WebUser | None:
        csrf = session_csrf_token(settings, session_id)
        if record.staff_id is not None:
            staff = StaffRepository(session).get(record.staff_id)
            if staff is None or not staff.active:
                return None
            return WebUser(
                session_principal(staff=staff), staff.display_name, staff.email, csrf, record
            )
        assert record.member_user_id is not None
        account = MemberUserRepository(session).get(record.member_user_id)
        if account is None or not account.active:
            return None
        member = MemberRepository(session).get(account.member_id)
        if member is None or not member.active:
            return None
        return WebUser(
            session_principal(member=member), account.display_name, account.email, csrf, record
        )

    def end(self, session: Session, user: WebUser) -> None:
        """Log ``user`` out: the session already looked up for the request is deleted."""
        WebSessionRepository(session).delete(user.record)

    def logout(self, session: Session, session_id: str) -> None:
        if len(session_id) > _MAX_ID_LENGTH:
            return
        sessions = WebSessionRepository(session)
        record = sessions.get_by_hash(_id_hash(session_id))
        if record is not None:
            sessions.delete(record)


def _failed(session: Session, reason: str) -> None:
    # Nothing of what was typed: the address may be a person's, or a password typed in the
    # wrong field.
    record(session, kind="login.failed", actor=ANONYMOUS, details={"reason": reason})


def _throttled(wait: timedelta) -> LoginResult:
    return LoginResult("throttled", retry_after_s=max(1, math.ceil(wait.total_seconds())))


web_auth_service = WebAuthService()
