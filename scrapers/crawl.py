"""One crawl of one source: list pages -> article pages -> PDF attachments -> versioned documents.

The frontier lives in SQLite, so an interrupted run is resumed by the next one; each step is
idempotent (a document already stored with the same content hash is recognised, not duplicated).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from .article import body_clauses
from .config import CrawlSettings
from .fetcher import Disallowed, FetchError, OffSite, PoliteFetcher
from .sites import parser_for_source
from .sources import Source, SourcesFile
from .store import CrawlStore, FrontierItem, now, sha256
from .types import FetchResult, ParseError, ParsedArticle

logger = logging.getLogger(__name__)

# Editions of one list or catalogue: 外商投资准入特别管理措施（负面清单）（2021年版） -> （2024年版）
_EDITION = re.compile(r"[（(]\s*(\d{4})\s*年?\s*(?:版|修订|修订版|本)\s*[）)]")


@dataclass
class SourceReport:
    source: str
    resumed: bool = False
    pages_fetched: int = 0
    not_modified: int = 0
    new_documents: list[str] = field(default_factory=list)
    changed_documents: list[str] = field(default_factory=list)  # the new versions' ids
    unchanged_documents: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    disallowed: list[str] = field(default_factory=list)
    capped: bool = False
    finished: bool = False

    @property
    def changed_anything(self) -> bool:
        return bool(self.new_documents or self.changed_documents)

    def summary(self) -> str:
        state = "finished" if self.finished else "stopped at the page cap; the next run resumes"
        return (f"{self.source}: {state}{' (resumed)' if self.resumed else ''}; "
                f"{self.pages_fetched} fetched, {self.not_modified} not modified; "
                f"{len(self.new_documents)} new, {len(self.changed_documents)} changed, "
                f"{self.unchanged_documents} unchanged documents; {len(self.skipped)} skipped, "
                f"{len(self.disallowed)} disallowed by robots.txt")


def doc_id_for(source: str, url: str, version: int) -> str:
    base = f"{source}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:12]}"
    return base if version == 1 else f"{base}-v{version}"


def clause_topics(title: str, clauses, source: Source, rules: dict[str, str]) -> tuple[list, list]:
    """Topics of the whole document (from its title) and of each clause (title + clause text)."""
    def match(text: str) -> list[str]:
        return [topic for topic, pattern in rules.items() if re.search(pattern, text)]

    doc_topics = list(dict.fromkeys([*source.topics, *match(title)]))
    per_clause = []
    for clause in clauses:
        topics = list(dict.fromkeys([*doc_topics, *match(f"{clause.heading}\n{clause.text}")]))
        per_clause.append(topics or ["general"])
    return doc_topics or ["general"], per_clause


class SourceCrawler:
    def __init__(self, source: Source, sources: SourcesFile, settings: CrawlSettings,
                 fetcher: PoliteFetcher, store: CrawlStore):
        self.source = source
        self.rules = sources.topic_rules
        self.settings = settings
        self.fetcher = fetcher
        self.store = store
        self.parser = parser_for_source(source)
        self.report = SourceReport(source.name)

    def run(self, max_pages: int | None = None) -> SourceReport:
        budget = self.settings.max_pages if max_pages is None else max_pages
        run_id, self.report.resumed = self.store.open_run(self.source.name, list(self.source.start_urls))
        if self.report.resumed:
            logger.info("%s: resuming the unfinished run %d", self.source.name, run_id)
        while True:
            item = self.store.next_pending(run_id)
            if item is None:
                self.store.finish_run(run_id)
                self.report.finished = True
                break
            if self.report.pages_fetched >= budget:
                self.report.capped = True
                logger.warning("%s: page cap of %d reached; the next crawl resumes here",
                               self.source.name, budget)
                break
            self._process(item)
        return self.report

    def _process(self, item: FrontierItem) -> None:
        try:
            handler = {"list": self._list_page, "article": self._article,
                       "attachment": self._attachment}[item.kind]
            state = handler(item) or "done"
            self.store.mark(item.seq, state)
        except Disallowed as exc:
            logger.info("not fetched (robots.txt): %s", exc.url)
            self.report.disallowed.append(item.url)
            self.store.mark(item.seq, "disallowed", exc.reason)
        except (FetchError, ParseError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, FetchError) else str(exc)
            logger.warning("skipped %s: %s", item.url, reason)
            self.report.skipped.append((item.url, reason))
            self.store.mark(item.seq, "failed", reason)

    def _fetch(self, url: str, conditional: bool, expect=("html",)) -> FetchResult:
        validators = self.store.page_state(url) if conditional else None
        self.report.pages_fetched += 1
        if not self.source.on_site(url):  # e.g. queued by an older version of the crawler
            raise OffSite(url, "outside the source's hosts")
        result = self.fetcher.fetch(url, etag=validators.etag if validators else "",
                                    last_modified=validators.last_modified if validators else "",
                                    expect=expect, on_site=self.source.on_site)
        if result.not_modified:
            self.report.not_modified += 1
        return result

    # -- list pages -------------------------------------------------------------------------
    def _list_page(self, item: FrontierItem) -> None:
        result = self._fetch(item.url, conditional=False, expect=("html", "json"))
        page = self.parser.parse_list(result.text, result.final_url)
        for url in page.article_urls:
            if self.source.follows(url) and self._on_site(url):
                self.store.enqueue(item.run_id, url, "article", item.depth)
        if page.next_url and item.depth + 1 < self.source.max_list_pages \
                and self._on_site(page.next_url):
            self.store.enqueue(item.run_id, page.next_url, "list", item.depth + 1)

    def _on_site(self, url: str) -> bool:
        if self.source.on_site(url):
            return True
        logger.info("%s: not following off-site link %s", self.source.name, url)
        self.report.skipped.append((url, "outside the source's hosts"))
        return False

    # -- articles ---------------------------------------------------------------------------
    def _fetch_changed(self, item: FrontierItem, expect: tuple[str, ...]):
        """(the page, its latest stored version); the page is None when it answered 304 and its
        document is stored already."""
        result = self._fetch(item.url, conditional=True, expect=expect)
        latest = self.store.latest_version(item.url)
        if result.not_modified:
            if latest is not None:
                self.report.unchanged_documents += 1
                return None, latest
            # A 304 for a page we hold no document of (its earlier parse failed): fetch it whole.
            result = self._fetch(item.url, conditional=False, expect=expect)
        return result, latest

    def _article(self, item: FrontierItem) -> str | None:
        result, latest = self._fetch_changed(item, ("html",))
        if result is None:
            # Attachments of an unchanged page are checked too (conditionally, so cheaply).
            self._enqueue_attachments(item, self.store.read_meta(latest.doc_id) or {})
            return None
        raw_hash, _ = self.store.save_snapshot(self.source.name, result.content, "html")
        article = self.parser.parse_article(result.text, result.final_url)
        if not self.source.keeps_title(article.title):
            self.store.save_page(item.url, result.etag, result.last_modified, raw_hash)
            logger.info("not about foreign investment, not kept: %s (%s)", article.title, item.url)
            return "ignored"
        meta = self._store_article(item.url, article, raw_hash, latest)
        self.store.save_page(item.url, result.etag, result.last_modified, raw_hash)
        self._enqueue_attachments(item, meta)
        return None

    def _store_article(self, url: str, article: ParsedArticle, raw_hash: str, latest,
                       text_format: str = "paragraphs") -> dict:
        content_hash = sha256(json.dumps(
            [article.title, article.issuer, article.doc_number, article.written_date,
             article.publish_date, article.body, [a.url for a in article.attachments]],
            ensure_ascii=False))
        if latest is not None and latest.content_hash == content_hash:
            self.report.unchanged_documents += 1
            return self.store.read_meta(latest.doc_id) or {}
        version = latest.version + 1 if latest else 1
        doc_id = doc_id_for(self.source.name, url, version)
        doc_topics, per_clause = clause_topics(article.title, article.clauses, self.source, self.rules)
        meta = {
            "id": doc_id,
            "file": f"{doc_id}.txt",
            "title": article.title,
            "issuer": article.issuer,
            "doc_number": article.doc_number,
            "date": article.date,
            "written_date": article.written_date,
            "publish_date": article.publish_date,
            "source_url": article.source_url,
            "status": "current",
            "superseded_by": None,
            "language": "zh",
            "text_format": text_format,
            "topics": doc_topics,
            "clause_topics": per_clause,
            "attachments": [{"url": a.url, "name": a.name, "kind": a.kind} for a in article.attachments],
            "crawl": {"source": self.source.name, "url": url, "version": version,
                      "content_hash": content_hash, "raw_hash": raw_hash, "fetched_at": now()},
        }
        self.store.record_version(doc_id=doc_id, source=self.source.name, url=url, version=version,
                                  content_hash=content_hash, raw_hash=raw_hash, title=article.title,
                                  issuer=article.issuer, meta=meta, text=article.body, previous=latest)
        (self.report.changed_documents if latest else self.report.new_documents).append(doc_id)
        logger.info("%s document %s: %s", "new version of" if latest else "new", doc_id, article.title)
        return meta

    def _enqueue_attachments(self, item: FrontierItem, meta: dict) -> None:
        for attachment in meta.get("attachments") or []:
            if attachment.get("kind") != "pdf":
                continue  # DOC/DOCX/XLS stay as links in the document's metadata
            if not self._on_site(attachment["url"]):
                continue
            context = {key: meta.get(key, "") for key in
                       ("title", "issuer", "doc_number", "date", "written_date", "publish_date", "topics")}
            context.update(parent=meta.get("id", ""), name=attachment.get("name", ""))
            self.store.enqueue(item.run_id, attachment["url"], "attachment", item.depth, context)

    # -- PDF attachments --------------------------------------------------------------------
    def _attachment(self, item: FrontierItem) -> str | None:
        from .pdf_text import pdf_text  # pypdf is only needed when a PDF comes

        result, latest = self._fetch_changed(item, ("pdf",))
        if result is None:
            return None
        raw_hash, _ = self.store.save_snapshot(self.source.name, result.content, "pdf")
        text = pdf_text(result.content)
        ctx = item.context
        name = attachment_title(ctx.get("name") or urlparse(item.url).path.rsplit("/", 1)[-1])
        parent = ctx.get("title", "")
        issuer = ctx.get("issuer") or self.parser.default_issuer
        article = ParsedArticle(
            # The list itself is often the attachment ("附件：…（2024年版）.pdf"): its own name then.
            title=name if not parent or parent in name else f"{parent}（附件：{name}）",
            issuer=issuer, doc_number=ctx.get("doc_number", ""),
            written_date=ctx.get("written_date", ""), publish_date=ctx.get("publish_date", ""),
            source_url=result.final_url, body=text,
            clauses=body_clauses(text, issuer, hard_wrapped=True),
        )
        self._store_article(item.url, article, raw_hash, latest, text_format="wrapped")
        self.store.save_page(item.url, result.etag, result.last_modified, raw_hash)
        return None


def supersede_older_editions(store: CrawlStore) -> None:
    """A list or catalogue republished as a new edition (…（2024年版）) supersedes the older
    editions of the same issuer, whatever their addresses and sources."""
    series: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for doc_id, title, issuer in store.current_titles():
        match = _EDITION.search(title)
        if match:
            series.setdefault((issuer, _EDITION.sub("", title)), []).append((int(match.group(1)), doc_id))
    for editions in series.values():
        newest_year, newest = max(editions)
        for year, doc_id in editions:
            if year < newest_year:
                logger.info("%s is an older edition; superseded by %s", doc_id, newest)
                store.set_superseded(doc_id, newest)


def attachment_title(link_text: str) -> str:
    """附件1：外商投资准入特别管理措施（负面清单）.pdf -> 外商投资准入特别管理措施（负面清单）"""
    name = re.sub(r"^\s*附件\s*[0-9一二三四五六七八九十]*\s*[：:.、]?\s*", "", link_text)
    name = re.sub(r"\.(pdf|docx?|xlsx?|wps|ofd|zip)\s*$", "", name, flags=re.I).strip()
    return name or link_text.strip()


def crawl(sources: SourcesFile, settings: CrawlSettings, names: list[str] | None = None,
          max_pages: int | None = None, fetcher: PoliteFetcher | None = None) -> list[SourceReport]:
    chosen = [sources.get(n) for n in names] if names else [s for s in sources.sources if s.enabled]
    store = CrawlStore(settings.state_db, settings.snapshots_dir, settings.documents_dir)
    fetcher = fetcher or PoliteFetcher(settings)
    reports = []
    try:
        for source in chosen:
            reports.append(SourceCrawler(source, sources, settings, fetcher, store).run(max_pages))
        supersede_older_editions(store)  # across sources: an edition may move to another site
    finally:
        store.close()
    return reports
