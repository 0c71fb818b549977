"""Lasting records in SQLite (a file; the default) or PostgreSQL, behind one small interface.

A store is written once in the SQL both understand: `?` placeholders, `ON CONFLICT`, `RETURNING`,
and a schema in which `{id}` stands for an auto-numbered primary key and `{float}` for a double.
`Database.transaction(work)` runs `work(sql)` in one transaction; any failure of the backend
arrives as StoreUnavailable.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence, TypeVar

from shared_state.errors import StoreUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

_TYPES = {"sqlite": {"id": "INTEGER PRIMARY KEY AUTOINCREMENT", "float": "REAL"},
          "postgresql": {"id": "BIGSERIAL PRIMARY KEY", "float": "DOUBLE PRECISION"}}


class Rows(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Sql(Protocol):
    def execute(self, query: str, params: Sequence[Any] = ()) -> Rows: ...

    def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Database(Protocol):
    dialect: str

    def transaction(self, work: Callable[[Sql], T]) -> T: ...

    def close(self) -> None: ...


def is_postgres(address: str) -> bool:
    return address.startswith(("postgresql://", "postgres://"))


def open_database(address: str, schema: str) -> Database:
    """A file path, ':memory:' or sqlite:/// address -> SQLite; postgresql:// -> PostgreSQL."""
    if is_postgres(address):
        return PostgresDatabase(address, schema)
    return SqliteDatabase(address, schema)


def sqlite_path(address: str) -> str:
    if address.startswith("sqlite:///"):
        address = address[len("sqlite:///"):]
    return address or ":memory:"


def connect_sqlite(path: str, schema: str = "", timeout: float = 10,
                   fast_commits: bool = True) -> sqlite3.Connection:
    """A SQLite connection as every store here opens one: autocommit (callers BEGIN IMMEDIATE
    themselves), a write-ahead log so readers never block the writer of another process, usable
    from any thread (callers serialise), and `schema` applied.

    fast_commits: synced at checkpoints rather than at every commit. A commit cost ~17 ms of fsync
    on the path of every answer (profiled), and what is kept survives a crashed process (not a
    power cut between checkpoints, which would lose the last seconds of ratings or claims).
    """
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        if fast_commits:
            db.execute("PRAGMA synchronous=NORMAL")
        if schema:
            db.executescript(schema)
    except sqlite3.Error:
        db.close()
        raise
    return db


class SqliteDatabase:
    """One connection per process, shared by its threads under a lock. SQLite's own file locking
    makes it safe across gunicorn workers too; a connection is never carried across a fork."""

    dialect = "sqlite"

    def __init__(self, address: str, schema: str):
        self.path = sqlite_path(address)
        self._schema = schema.format(**_TYPES["sqlite"])
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                self._connection()
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"SQLite store unusable ({type(exc).__name__}: {exc})") from exc

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db, self._pid = connect_sqlite(self.path, self._schema), os.getpid()
        return self._db

    def transaction(self, work: Callable[[Sql], T]) -> T:
        """work(connection) inside BEGIN IMMEDIATE ... COMMIT, one thread at a time."""
        with self._lock:
            try:
                db = self._connection()
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"SQLite store unusable ({type(exc).__name__}: {exc})") from exc
            try:
                result = work(db)  # type: ignore[arg-type]  # sqlite3's cursor fits Sql
                db.execute("COMMIT")
            except BaseException as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreUnavailable(f"SQLite store failed ({type(exc).__name__}: {exc})") from exc
                raise
            return result

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


class _PgSql:
    """psycopg's cursor speaking the `?` placeholders the stores are written with."""

    def __init__(self, cursor):
        self._cursor = cursor

    def execute(self, query: str, params: Sequence[Any] = ()) -> Rows:
        self._cursor.execute(query.replace("?", "%s"), params)
        return self._cursor

    def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(query.replace("?", "%s"), rows)


class PostgresDatabase:
    """A few connections per process, reused; a connection that failed is dropped, so the store
    recovers by itself when the server is back. Queries are bounded by a statement timeout."""

    dialect = "postgresql"

    def __init__(self, url: str, schema: str, *, pool_size: int = 4, connect_timeout: int = 3,
                 statement_timeout_ms: int = 5000):
        import psycopg  # only a deployment with PostgreSQL needs the driver loaded

        self._psycopg = psycopg
        self._url = url
        self._schema = schema.format(**_TYPES["postgresql"])
        self._pool_size = pool_size
        self._connect_timeout = connect_timeout
        self._options = f"-c statement_timeout={statement_timeout_ms}"
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._schema_ready = False

    def _take(self) -> tuple[Any, bool]:
        """(connection, whether it was reused from the pool)."""
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's sockets are not ours
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop(), True
        conn = self._psycopg.connect(self._url, autocommit=True, connect_timeout=max(1, int(self._connect_timeout)),
                                     options=self._options)
        return conn, False

    def _give_back(self, conn) -> None:
        with self._lock:
            if self._pid == os.getpid() and len(self._idle) < self._pool_size and not conn.closed:
                self._idle.append(conn)
                return
        conn.close()

    def _ensure_schema(self, conn) -> None:
        if self._schema_ready:
            return
        with conn.transaction(), conn.cursor() as cur:
            # Two processes creating the same tables at once would collide in PostgreSQL's catalog.
            cur.execute("SELECT pg_advisory_xact_lock(7419214)")
            cur.execute(self._schema)
        self._schema_ready = True

    def transaction(self, work: Callable[[Sql], T]) -> T:
        for attempt in (1, 2):
            try:
                conn, reused = self._take()
            except self._psycopg.Error as exc:
                raise StoreUnavailable(f"PostgreSQL unreachable ({type(exc).__name__})") from exc
            try:
                self._ensure_schema(conn)
                with conn.transaction(), conn.cursor() as cur:
                    result = work(_PgSql(cur))
            except self._psycopg.OperationalError as exc:
                conn.close()
                # A pooled connection the server dropped (it restarted): nothing was committed on
                # it, so try once more on a new one before giving up.
                if reused and attempt == 1:
                    self._drop_idle()
                    continue
                raise StoreUnavailable(f"PostgreSQL failed ({type(exc).__name__})") from exc
            except self._psycopg.Error as exc:
                if conn.broken:
                    conn.close()
                else:
                    self._give_back(conn)
                raise StoreUnavailable(f"PostgreSQL failed ({type(exc).__name__}: {exc})") from exc
            except BaseException:
                conn.close()
                raise
            self._give_back(conn)
            return result
        raise AssertionError("unreachable")

    def _drop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def close(self) -> None:
        self._drop_idle()
