"""Engine, column types and the session dependency that owns the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from anyio import to_thread
from fastapi import Depends, Request
from sqlalchemy import Connection, DateTime, Engine, create_engine, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from hub.admission import Admission
from hub.config import Settings

T = TypeVar("T")

# Stable constraint names, so that migrations can alter them on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite has no timezone-aware type: without this, values written aware come back naive
    and comparisons with ``utcnow()`` fail on one database and pass on the other.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime in UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Execution option marking a transaction that will write (see the SQLite "begin" hook).
WRITE_INTENT = "hub_write_intent"
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(settings: Settings, *, url: str | None = None) -> Engine:
    """An engine for ``url`` (default: the settings' database) with the pragmas the hub needs."""
    url = url or settings.database_url
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.sqlite_busy_timeout_ms / 1000,
            },
        )
        busy_timeout = settings.sqlite_busy_timeout_ms

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
            # Let SQLAlchemy, not the sqlite3 module, say when transactions begin, so that
            # SAVEPOINT and transactional DDL behave as on PostgreSQL.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Connection) -> None:
            # A deferred transaction that reads, then writes, fails at once with "database is
            # locked" when another writer got there first: a writing request takes the write
            # lock up front and waits its turn (busy_timeout) instead.
            writes = connection.get_execution_options().get(WRITE_INTENT, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout_s,
    )


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of an SQLite file so that a fresh checkout can start."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def database_reachable(engine: Engine) -> bool:
    """True when a trivial query answers."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def session_factory(bind: Engine | Connection, **options: Any) -> sessionmaker[Session]:
    """Sessions for requests; tests bind them to a connection whose transaction they roll back."""
    return sessionmaker(bind=bind, class_=Session, expire_on_commit=False, **options)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work outside a request (CLI, jobs): commit on success, roll back on error.

    It may write, so on SQLite it waits for the write lock rather than failing on it.
    """
    with Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options={WRITE_INTENT: True})
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        else:
            session.commit()


SQLITE_BUSY = 5  # primary result code; the extended ones (BUSY_SNAPSHOT…) share its low byte


@contextmanager
def optional_write(session: Session) -> Iterator[None]:
    """A write the unit of work can do without (a date of last use): skipped, not failed,
    when SQLite cannot give the write lock now.

    A reading request begins a plain transaction (see ``get_session``); it must neither wait
    for the write lock (a busy writer would hold the reader for the whole busy timeout) nor
    fail for it. On SQLite the write is tried without waiting, undone to a savepoint when the
    lock is taken, and the request carries on.
    """
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        with session.begin_nested():
            yield
    except OperationalError as error:
        code = getattr(error.orig, "sqlite_errorcode", None)
        if code is None or code & 0xFF != SQLITE_BUSY:
            raise
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(waited or 0)}")


def writing(bind: Engine | Connection) -> Engine | Connection:
    """``bind`` marked so that its transactions take SQLite's write lock when they begin.

    The connection is still taken lazily, at the first statement: a session made on it holds
    nothing while the request's other dependencies run.
    """
    if isinstance(bind, Engine):
        return bind.execution_options(**{WRITE_INTENT: True})
    return bind  # a test's connection: its transaction has already begun


def _session(request: Request, *, writes: bool) -> Session:
    factory: sessionmaker[Session] = request.app.state.session_factory
    bind = factory.kw.get("bind")
    if writes and bind is not None:
        return factory(bind=writing(bind))
    return factory()


async def admitted(request: Request) -> AsyncIterator[None]:
    """A slot of the admission gate of the request's kind, held until the endpoint returns."""
    admission: Admission = request.app.state.admission
    async with admission.for_method(request.method).slot():
        yield


AdmissionSlot = Annotated[None, Depends(admitted, scope="function")]


def get_session(request: Request, _slot: AdmissionSlot) -> Iterator[Session]:
    """One session per request: committed when the endpoint returns, rolled back on error.

    Services only flush; the request owns the transaction. The request waits for its admission
    slot first, on the event loop, without holding a thread or a connection.
    """
    with _session(request, writes=request.method not in READ_ONLY_METHODS) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        else:
            session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def app_settings(request: Request) -> Settings:
    """The settings the application was built with (``create_app(settings)``)."""
    settings: Settings = request.app.state.settings
    return settings


async def _settings(request: Request) -> Settings:
    # On the event loop: FastAPI runs a plain ``def`` dependency in a worker thread, a hop
    # that costs more than reading an attribute.
    return app_settings(request)


SettingsDep = Annotated[Settings, Depends(_settings)]


def _unit_of_work(request: Request, work: Callable[[Session], T], *, writes: bool) -> T:
    with _session(request, writes=writes) as session:
        try:
            result = work(session)
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return result


async def read_unit(request: Request, work: Callable[[Session], T]) -> T:
    """Run ``work`` in its own transaction, which only reads, once a read slot is free.

    For endpoints that answer from memory when they can and need the database only on a miss:
    they take neither a slot nor a connection when they do not.
    """
    admission: Admission = request.app.state.admission
    async with admission.reads.slot():
        return await to_thread.run_sync(lambda: _unit_of_work(request, work, writes=False))


async def write_unit(request: Request, work: Callable[[Session], T]) -> T:
    """Run ``work`` in its own committed transaction, once a write slot is free.

    For endpoints that do their CPU-bound checks first and need the database only to store.
    """
    admission: Admission = request.app.state.admission
    async with admission.writes.slot():
        return await to_thread.run_sync(lambda: _unit_of_work(request, work, writes=True))
