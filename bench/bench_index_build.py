"""Full index build versus an incremental build after one changed document, in the same run.

A fixture site on 127.0.0.1 (the crawler tests' pages) is crawled into a temporary folder; then,
per round: a full build (empty vector cache: every passage embedded), one page changes on the
site, a second crawl picks it up, and an incremental build embeds only what changed. The model
load is outside the timings. Run with `make bench` or `PYTHONPATH=. python bench/bench_index_build.py`.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from harness.crawl_fixtures import MOVED, article_html, fixture_routes
from harness.fixture_site import FixtureSite
from knowledge_base.build import build_index
from knowledge_base.config import get_settings
from knowledge_base.embedder import Embedder
from scrapers.config import CrawlSettings
from scrapers.crawl import crawl
from scrapers.sources import load_sources

REPO = Path(__file__).resolve().parents[1]


def one_round(embedder, base_settings, workdir: Path, round_no: int) -> dict:
    site = FixtureSite().start()
    try:
        site.routes.update(fixture_routes(site))
        sources = {"sources": [{"name": "bench", "parser": "govcn", "issuer": "国务院",
                                "start_urls": [site.url("/zhengce/zuixin.htm")]}]}
        (workdir / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
        crawl_settings = CrawlSettings(sources_file=workdir / "sources.yaml", data_dir=workdir / "crawl",
                                       documents_dir=workdir / "documents", contact="bench",
                                       min_interval=0.0, backoff=0.0, max_bytes=300_000)
        settings = dataclasses.replace(base_settings, index_dir=workdir / "index",
                                       crawled_dir=workdir / "documents",
                                       vector_cache=workdir / "vectors")
        logging_off()
        crawl(load_sources(crawl_settings.sources_file), crawl_settings)
        full = build_index(settings, embedder)

        changed = dataclasses.replace(MOVED, paragraphs=(
            f"一、外商投资企业投诉工作机构应当在受理之日起{30 + round_no}个工作日内办结投诉。",
            MOVED.paragraphs[1]))
        site.routes[MOVED.path].body = article_html(changed).encode()
        site.routes[MOVED.path].etag = f'"moved-{round_no + 2}"'
        crawl(load_sources(crawl_settings.sources_file), crawl_settings)
        incremental = build_index(settings, embedder)
        return {"full_s": full.seconds, "full_embedded": full.embedded, "full_clauses": full.clauses,
                "incremental_s": incremental.seconds, "incremental_embedded": incremental.embedded,
                "incremental_clauses": incremental.clauses}
    finally:
        site.stop()


def logging_off() -> None:
    import logging

    logging.getLogger("scrapers").setLevel(logging.ERROR)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = get_settings()
    started = time.perf_counter()
    embedder = Embedder(settings)
    print(f"model loaded in {time.perf_counter() - started:.1f} s")
    rounds = []
    for i in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            result = one_round(embedder, settings, Path(tmp), i)
        rounds.append(result)
        print(f"round {i + 1}: full {result['full_s']:.2f} s ({result['full_embedded']} passages "
              f"embedded, {result['full_clauses']} clauses); incremental {result['incremental_s']:.2f} s "
              f"({result['incremental_embedded']} embedded, {result['incremental_clauses']} clauses)")
    summary = {
        "full_build_s_median": statistics.median(r["full_s"] for r in rounds),
        "incremental_build_s_median": statistics.median(r["incremental_s"] for r in rounds),
        "rounds": rounds,
    }
    print(f"median: full build {summary['full_build_s_median']:.2f} s, incremental build after one "
          f"changed document {summary['incremental_build_s_median']:.2f} s")
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "index_build.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
