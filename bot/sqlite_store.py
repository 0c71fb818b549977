"""One SQLite connection per store and process, shared by threads under a lock.

SQLite's own locking makes the stores safe across gunicorn workers too; a connection is never
carried across a fork (it is reopened in the child).
"""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path


def sqlite_path(address: str) -> str:
    """A file path, ':memory:', or an sqlite:/// address -> what sqlite3.connect takes."""
    if address.startswith("sqlite:///"):
        address = address[len("sqlite:///"):]
    return address or ":memory:"


class SqliteStore:
    def __init__(self, address: str, schema: str):
        self._path = sqlite_path(address)
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        self._schema = schema
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        with self._lock:
            self._connection()

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db = sqlite3.connect(self._path, timeout=10, isolation_level=None,
                                       check_same_thread=False)
            self._pid = os.getpid()
            self._db.executescript(self._schema)
        return self._db

    def transaction(self, work):
        """Run work(connection) inside BEGIN IMMEDIATE ... COMMIT, one thread at a time."""
        with self._lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
