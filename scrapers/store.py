"""Crawl state and versions: SQLite for page validators, the crawl frontier and document versions;
content-addressed raw snapshots; parsed documents written in the knowledge base's corpus format.

Every step is idempotent, so a crawl interrupted anywhere can simply be run again: a page whose
parsed content is already stored is recognised by its hash and neither duplicated nor lost.
"""
from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from shared_state.files import atomic_write
from shared_state.sql import connect_sqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, raw_hash TEXT, fetched_at TEXT);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, started_at TEXT NOT NULL,
    finished_at TEXT);
CREATE TABLE IF NOT EXISTS frontier (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL, url TEXT NOT NULL,
    kind TEXT NOT NULL, depth INTEGER NOT NULL DEFAULT 0, context TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'pending', reason TEXT, UNIQUE (run_id, url));
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, url TEXT NOT NULL, version INTEGER NOT NULL,
    content_hash TEXT NOT NULL, raw_hash TEXT, title TEXT, issuer TEXT, status TEXT NOT NULL,
    superseded_by TEXT, fetched_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS documents_by_url ON documents (url, version);
"""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class PageState:
    etag: str
    last_modified: str
    raw_hash: str


@dataclass(frozen=True)
class FrontierItem:
    seq: int
    run_id: int
    url: str
    kind: str  # list | article | attachment
    depth: int
    context: dict


@dataclass(frozen=True)
class StoredVersion:
    doc_id: str
    url: str
    version: int
    content_hash: str
    status: str


class CrawlStore:
    def __init__(self, state_db: Path, snapshots_dir: Path, documents_dir: Path):
        state_db.parent.mkdir(parents=True, exist_ok=True)
        self.snapshots_dir = snapshots_dir
        self.documents_dir = documents_dir
        # Every commit synced: the crawl state is written rarely and records what was fetched.
        self.db = connect_sqlite(str(state_db), SCHEMA, timeout=30, fast_commits=False)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- runs and the frontier --------------------------------------------------------------
    def open_run(self, source: str, seeds: list[str]) -> tuple[int, bool]:
        """The unfinished run of `source` to resume, or a new run seeded with its list pages."""
        row = self.db.execute("SELECT id FROM runs WHERE source=? AND finished_at IS NULL "
                              "ORDER BY id DESC LIMIT 1", (source,)).fetchone()
        if row:
            return row[0], True
        with self.transaction():
            run_id = self.db.execute("INSERT INTO runs (source, started_at) VALUES (?, ?)",
                                     (source, now())).lastrowid
            for url in seeds:
                self.db.execute("INSERT OR IGNORE INTO frontier (run_id, url, kind) VALUES (?, ?, 'list')",
                                (run_id, url))
        return run_id, False

    def finish_run(self, run_id: int) -> None:
        self.db.execute("UPDATE runs SET finished_at=? WHERE id=?", (now(), run_id))

    def enqueue(self, run_id: int, url: str, kind: str, depth: int = 0, context: dict | None = None) -> bool:
        cur = self.db.execute(
            "INSERT OR IGNORE INTO frontier (run_id, url, kind, depth, context) VALUES (?, ?, ?, ?, ?)",
            (run_id, url, kind, depth, json.dumps(context or {}, ensure_ascii=False)))
        return cur.rowcount == 1

    def next_pending(self, run_id: int) -> FrontierItem | None:
        row = self.db.execute("SELECT seq, run_id, url, kind, depth, context FROM frontier "
                              "WHERE run_id=? AND state='pending' ORDER BY seq LIMIT 1",
                              (run_id,)).fetchone()
        if not row:
            return None
        return FrontierItem(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]))

    def mark(self, seq: int, state: str, reason: str = "") -> None:
        self.db.execute("UPDATE frontier SET state=?, reason=? WHERE seq=?", (state, reason or None, seq))

    # -- pages ------------------------------------------------------------------------------
    def page_state(self, url: str) -> PageState | None:
        row = self.db.execute("SELECT etag, last_modified, raw_hash FROM pages WHERE url=?", (url,)).fetchone()
        return PageState(row[0] or "", row[1] or "", row[2] or "") if row else None

    def save_page(self, url: str, etag: str, last_modified: str, raw_hash: str) -> None:
        self.db.execute("INSERT INTO pages (url, etag, last_modified, raw_hash, fetched_at) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, "
                        "last_modified=excluded.last_modified, raw_hash=excluded.raw_hash, "
                        "fetched_at=excluded.fetched_at", (url, etag, last_modified, raw_hash, now()))

    def save_snapshot(self, source: str, content: bytes, extension: str) -> tuple[str, Path]:
        digest = sha256(content)
        path = self.snapshots_dir / source / digest[:2] / f"{digest}.{extension}"
        if not path.exists():
            atomic_write(path, content)
        return digest, path

    # -- document versions ------------------------------------------------------------------
    def latest_version(self, url: str) -> StoredVersion | None:
        row = self.db.execute("SELECT doc_id, url, version, content_hash, status FROM documents "
                              "WHERE url=? ORDER BY version DESC LIMIT 1", (url,)).fetchone()
        return StoredVersion(*row) if row else None

    def documents(self, source: str | None = None) -> list[StoredVersion]:
        sql = "SELECT doc_id, url, version, content_hash, status FROM documents"
        rows = self.db.execute(sql + (" WHERE source=?" if source else "") + " ORDER BY doc_id",
                               (source,) if source else ()).fetchall()
        return [StoredVersion(*r) for r in rows]

    def record_version(self, *, doc_id: str, source: str, url: str, version: int, content_hash: str,
                       raw_hash: str, title: str, issuer: str, meta: dict, text: str,
                       previous: StoredVersion | None) -> None:
        """Write the document files, then its row; mark the previous version superseded."""
        self.write_document(doc_id, meta, text)
        if previous is not None:
            self.set_superseded(previous.doc_id, doc_id)
        self.db.execute(
            "INSERT OR REPLACE INTO documents (doc_id, source, url, version, content_hash, raw_hash, "
            "title, issuer, status, superseded_by, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'current', NULL, ?)",
            (doc_id, source, url, version, content_hash, raw_hash, title, issuer, now()))

    def current_titles(self) -> list[tuple[str, str, str]]:
        """(doc_id, title, issuer) of every current document, without reading their files."""
        return self.db.execute("SELECT doc_id, COALESCE(title, ''), COALESCE(issuer, '') "
                               "FROM documents WHERE status='current'").fetchall()

    def set_superseded(self, doc_id: str, by: str) -> None:
        meta_path = self.documents_dir / f"{doc_id}.yaml"
        if meta_path.exists():
            meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
            if meta.get("status") != "superseded" or meta.get("superseded_by") != by:
                meta["status"], meta["superseded_by"] = "superseded", by
                atomic_write(meta_path, _dump_yaml(meta))
        self.db.execute("UPDATE documents SET status='superseded', superseded_by=? WHERE doc_id=?",
                        (by, doc_id))

    def write_document(self, doc_id: str, meta: dict, text: str) -> None:
        # The text first: a metadata file is only ever beside a complete text.
        atomic_write(self.documents_dir / f"{doc_id}.txt", text.encode("utf-8"))
        atomic_write(self.documents_dir / f"{doc_id}.yaml", _dump_yaml(meta))

    def read_meta(self, doc_id: str) -> dict | None:
        path = self.documents_dir / f"{doc_id}.yaml"
        return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


def _dump_yaml(data: dict) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")
