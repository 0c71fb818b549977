"""`python -m scrapers crawl | laws | parse | sources | documents`."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from shared_state.env import SettingError

from .config import DEFAULT_CONTACT, get_crawl_settings
from .fetcher import decode_html
from .sources import SourceConfigError, load_sources
from .types import ParseError


def cmd_crawl(args) -> int:
    settings = get_crawl_settings()
    sources = load_sources(settings.sources_file)
    if settings.contact == DEFAULT_CONTACT:
        logging.getLogger("scrapers").warning(
            "SCRAPER_CONTACT is not set: the User-Agent gives site owners no way to reach you")
    from .crawl import crawl

    try:
        reports = crawl(sources, settings, args.source or None, args.max_pages)
    except KeyboardInterrupt:
        print("Interrupted. Run the same command again to resume where it stopped.", file=sys.stderr)
        return 130
    changed = False
    for report in reports:
        print(report.summary())
        for url, reason in report.skipped:
            print(f"  skipped {url}: {reason}")
        changed |= report.changed_anything
    if changed:
        print("Documents changed: rebuild the index with `python -m knowledge_base build` "
              "(`make crawl` does it); a running bot picks the new index up by itself.")
    return 0


def cmd_parse(args) -> int:
    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        print(f"Cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    from .sites import parser_for_url

    try:
        sources = load_sources(get_crawl_settings().sources_file).sources
    except SourceConfigError:
        sources = ()
    parser = parser_for_url(args.url, sources)
    text, _ = decode_html(raw)
    try:
        article = parser.parse_article(text, args.url)
    except ParseError as exc:
        print(f"{path} is not an article page that the {parser.name} parser can read: {exc}",
              file=sys.stderr)
        return 1
    if args.json:
        json.dump(article.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(f"{article.title}\n{article.issuer} {article.doc_number} {article.date}\n{article.source_url}")
        for clause in article.clauses:
            print(f"\n{clause.label} {clause.text}")
    return 0


def cmd_sources(args) -> int:
    for source in load_sources(get_crawl_settings().sources_file).sources:
        state = "" if source.enabled else " (disabled)"
        print(f"{source.name}{state}: parser {source.parser}; {', '.join(source.start_urls)}")
    return 0


def cmd_documents(args) -> int:
    from .store import CrawlStore

    settings = get_crawl_settings()
    store = CrawlStore(settings.state_db, settings.snapshots_dir, settings.documents_dir)
    try:
        for doc in store.documents(args.source):
            meta = store.read_meta(doc.doc_id) or {}
            print(f"{doc.doc_id}\tv{doc.version}\t{doc.status}\t{meta.get('title', '')}")
    finally:
        store.close()
    return 0


def cmd_laws(args) -> int:
    from knowledge_base.config import get_settings

    from .law_source import LawSourceError, import_laws, load_config, provision_database

    settings = get_settings()
    config_path = Path(args.list) if args.list else Path(__file__).with_name("laws.yaml")
    try:
        config = load_config(config_path)
        db_path = Path(args.database) if args.database else provision_database(config, settings.cache_dir)
        report = import_laws(config, db_path, settings.laws_dir, everything=args.all)
    except LawSourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print(report.summary())
    if report.changed:
        print("Laws changed: rebuild the index with `python -m knowledge_base build` "
              "(`make index` does it).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scrapers", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("crawl", help="crawl every enabled source, or those named")
    p.add_argument("--source", action="append", help="a source name from sources.yaml (repeatable)")
    p.add_argument("--max-pages", type=int, help="requests per source this run (default SCRAPER_MAX_PAGES)")
    p.set_defaults(func=cmd_crawl)
    p = sub.add_parser("parse", help="parse one saved article page and print its document")
    p.add_argument("file")
    p.add_argument("--url", required=True, help="the page's address (chooses the site's parser)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_parse)
    p = sub.add_parser("laws", help="import national laws from the pinned law package")
    p.add_argument("--all", action="store_true", help="every current law, not only the default list")
    p.add_argument("--list", help="a law list in the format of scrapers/laws.yaml (default: that file)")
    p.add_argument("--database", help="read this laws.db instead of the pinned package's (tests, staff)")
    p.set_defaults(func=cmd_laws)
    p = sub.add_parser("sources", help="list the configured sources")
    p.set_defaults(func=cmd_sources)
    p = sub.add_parser("documents", help="list the crawled documents and their versions")
    p.add_argument("--source")
    p.set_defaults(func=cmd_documents)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "crawl" and not args.verbose:
        logging.getLogger("scrapers").setLevel(logging.INFO)
    try:
        get_crawl_settings()  # a bad setting is refused before any work starts
        return args.func(args)
    except (SourceConfigError, SettingError) as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
