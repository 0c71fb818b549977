"""Crawled documents in the real index: incremental builds, current versions preferred, and a
superseded quote said to be one."""
from __future__ import annotations

import dataclasses
import shutil

import pytest
import yaml

from harness.crawl_fixtures import MOVED, OPENING, article_html, fixture_routes
from harness.fixture_site import FixtureSite
from knowledge_base.answer import compose_answer
from knowledge_base.build import build_index
from knowledge_base.corpus_loader import load_corpus
from knowledge_base.index_store import read_index
from knowledge_base.search import KnowledgeBase
from scrapers.config import CrawlSettings
from scrapers.crawl import crawl
from scrapers.sources import load_sources


@pytest.fixture
def crawled(tmp_path, built_index):
    kb_settings, embedder, _ = built_index
    site = FixtureSite().start()
    site.routes.update(fixture_routes(site))
    sources = {"topic_rules": {"complaints": "投诉", "reinvestment": "分配利润"},
               "sources": [{"name": "govcn-test", "parser": "govcn", "issuer": "国务院",
                            "start_urls": [site.url("/zhengce/zuixin.htm")],
                            "title_filter": "外商|外资|负面清单"}]}
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    crawl_settings = CrawlSettings(sources_file=tmp_path / "sources.yaml", data_dir=tmp_path / "crawl",
                                   documents_dir=tmp_path / "documents", contact="mailto:t@example.org",
                                   min_interval=0.05, timeout=5, retries=2, backoff=0.01,
                                   max_bytes=300_000)
    # A private copy of the vector cache (it holds the shipped corpus already), so that what a
    # build embeds is what this test changed, not what earlier runs left in the shared cache.
    shutil.copytree(kb_settings.vectors_cache_dir, tmp_path / "vectors")
    settings = dataclasses.replace(kb_settings, index_dir=tmp_path / "index",
                                   crawled_dir=tmp_path / "documents", vector_cache=tmp_path / "vectors",
                                   laws_dir=tmp_path / "no-laws")
    yield site, crawl_settings, settings, embedder
    site.stop()


def _kb(settings, embedder):
    return KnowledgeBase(settings, read_index(settings.index_dir), embedder)


def test_crawled_documents_are_indexed_incrementally_and_versions_ranked(crawled):
    site, crawl_settings, settings, embedder = crawled
    crawl(load_sources(crawl_settings.sources_file), crawl_settings)
    first = build_index(settings, embedder)
    shipped = sum(len(d.clauses) for d in load_corpus(settings.corpus_dir))
    # The shipped corpus comes from the cache; each crawled clause (Chinese only) is embedded once.
    assert first.embedded == first.clauses - shipped > 0
    kb = _kb(settings, embedder)
    assert not kb.stale
    resp = kb.search("外商投资企业投诉多长时间办结？", lang="zh", top_k=3)
    assert not resp.no_answer
    top = resp.results[0]
    assert top.doc_title == MOVED.title and top.label == "一、" and top.status == "current"
    assert top.source_url == site.url(MOVED.path) and top.doc_number == "国发〔2019〕106号"

    # One page changes: its clause (一) now says something else; the rest is untouched.
    changed = dataclasses.replace(MOVED, paragraphs=(
        "一、外商投资企业投诉工作机构应当在受理之日起30个工作日内办结投诉。", MOVED.paragraphs[1]))
    site.routes[MOVED.path].body = article_html(changed).encode()
    site.routes[MOVED.path].etag = '"moved-2"'
    crawl(load_sources(crawl_settings.sources_file), crawl_settings)
    second = build_index(settings, embedder)
    # Only the changed clause's passage is new; the old version's clauses stay (as superseded).
    assert second.embedded == 1, (first.embedded, second.embedded)
    assert second.clauses == first.clauses + 2

    kb = _kb(settings, embedder)
    results = kb.search("外商投资企业投诉多长时间办结？", lang="zh", top_k=5).results
    mine = [r for r in results if r.doc_title == MOVED.title and r.label == "一、"]
    assert [r.status for r in mine][:2] == ["current", "superseded"]
    assert "30个工作日" in mine[0].text and "60个工作日" in mine[1].text
    # Quoting the superseded version says so.
    old_only = dataclasses.replace(kb.search("投诉 60个工作日内办结", lang="zh", top_k=5),
                                   results=(mine[1],))
    answer = compose_answer(old_only, "zh")
    assert "已更新" in answer.text and "旧版本" in answer.text
    answer_en = compose_answer(old_only, "en")
    assert "earlier version" in answer_en.text


def test_current_documents_outrank_an_equal_superseded_one(crawled):
    site, crawl_settings, settings, embedder = crawled
    crawl(load_sources(crawl_settings.sources_file), crawl_settings)
    changed = dataclasses.replace(OPENING, paragraphs=OPENING.paragraphs[:5] + (
        "（三）各地区要建立健全外商投资企业投诉工作机制。",))
    site.routes[OPENING.path].body = article_html(changed).encode()
    site.routes[OPENING.path].etag = '"opening-2"'
    crawl(load_sources(crawl_settings.sources_file), crawl_settings)
    build_index(settings, embedder)
    kb = _kb(settings, embedder)
    top = kb.search("外国投资者以分配利润直接投资暂不征收预提所得税", lang="zh", top_k=3).results
    same = [r for r in top if r.doc_title == OPENING.title and r.label == "（二）"]
    # Identical clause text in both versions: the current one comes first.
    assert same and same[0].status == "current"
