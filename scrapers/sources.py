"""The crawl sources (sources.yaml): which site, which list pages, which parser, which topics."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import yaml

from knowledge_base.types import TOPICS


class SourceConfigError(ValueError):
    """sources.yaml is invalid; the message names the entry and the field."""


@dataclass(frozen=True)
class Source:
    name: str
    parser: str  # a parser name from scrapers.sites (govcn, mofcom, ndrc, sat, fdi, generic)
    start_urls: tuple[str, ...]
    hosts: tuple[str, ...] = ()
    issuer: str = ""
    max_list_pages: int = 5
    # Only articles whose title matches are kept (the policy library holds far more than
    # foreign-investment policy); empty keeps everything.
    title_filter: str = ""
    # Only article links matching this are followed; empty follows every link the parser returns.
    follow: str = ""
    topics: tuple[str, ...] = ()  # topics of every clause, besides those the rules find
    selectors: dict = field(default_factory=dict)  # generic parser only
    enabled: bool = True

    def keeps_title(self, title: str) -> bool:
        return not self.title_filter or re.search(self.title_filter, title) is not None

    def follows(self, url: str) -> bool:
        return not self.follow or re.search(self.follow, url) is not None

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """`hosts` and the start pages' hosts: the only hosts the crawl may read."""
        found = [h.lower().strip(".") for h in self.hosts]
        found += [(urlparse(u).hostname or "") for u in self.start_urls]
        return tuple(dict.fromkeys(h for h in found if h))

    def on_site(self, url: str) -> bool:
        """True for an http(s) address on one of the allowed hosts or their subdomains: list
        pages, articles, redirects and attachments elsewhere are not fetched, so nothing off
        the site is indexed under the source's issuer."""
        parts = urlparse(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            return False
        return any(host == h or host.endswith("." + h) for h in self.allowed_hosts)


@dataclass(frozen=True)
class SourcesFile:
    sources: tuple[Source, ...]
    # topic -> regex over a clause's heading and text (and the document title)
    topic_rules: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources)
        raise SourceConfigError(f"no source named {name!r}; known sources: {known}")


_FIELDS = {"name", "parser", "start_urls", "hosts", "issuer", "max_list_pages", "title_filter",
           "follow", "topics", "selectors", "enabled"}


def load_sources(path: Path) -> SourcesFile:
    if not path.exists():
        raise SourceConfigError(f"sources file {path} not found (set SCRAPER_SOURCES)")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rules = {str(k): str(v) for k, v in (data.get("topic_rules") or {}).items()}
    for topic, pattern in rules.items():
        if topic not in TOPICS:
            raise SourceConfigError(f"{path}: topic_rules: unknown topic {topic!r}")
        _check_regex(pattern, f"{path}: topic_rules.{topic}")
    sources, names = [], set()
    for i, entry in enumerate(data.get("sources") or []):
        where = f"{path}: sources[{i}]"
        unknown = set(entry) - _FIELDS
        if unknown:
            raise SourceConfigError(f"{where}: unknown field(s) {sorted(unknown)}")
        for required in ("name", "parser", "start_urls"):
            if not entry.get(required):
                raise SourceConfigError(f"{where}: `{required}` is required")
        if entry["name"] in names:
            raise SourceConfigError(f"{where}: duplicate source name {entry['name']!r}")
        names.add(entry["name"])
        topics = tuple(entry.get("topics") or ())
        if any(t not in TOPICS for t in topics):
            raise SourceConfigError(f"{where}: unknown topic in {list(topics)}")
        for key in ("title_filter", "follow"):
            if entry.get(key):
                _check_regex(entry[key], f"{where}.{key}")
        if entry["parser"] == "generic":
            _check_generic(entry, where)
        sources.append(Source(
            name=str(entry["name"]), parser=str(entry["parser"]),
            start_urls=tuple(str(u) for u in entry["start_urls"]),
            hosts=tuple(str(h) for h in entry.get("hosts") or ()),
            issuer=str(entry.get("issuer") or ""),
            max_list_pages=int(entry.get("max_list_pages", 5)),
            title_filter=str(entry.get("title_filter") or ""), follow=str(entry.get("follow") or ""),
            topics=topics, selectors=dict(entry.get("selectors") or {}),
            enabled=bool(entry.get("enabled", True)),
        ))
    return SourcesFile(tuple(sources), rules)


def _check_regex(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise SourceConfigError(f"{where}: invalid regular expression ({exc})") from None


def _check_generic(entry: dict, where: str) -> None:
    """A generic entry's selectors and hosts are checked now, not half-way through a crawl."""
    from .sites.generic import GenericParser

    try:
        GenericParser.from_config(str(entry["name"]), entry)
    except (ValueError, KeyError) as exc:
        raise SourceConfigError(f"{where}: {exc}") from None
