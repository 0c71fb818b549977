"""The crawler against a fixture site on 127.0.0.1: politeness, parsing, versions, resuming."""
from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import sys

import pytest
import yaml

from harness.crawl_fixtures import (ENCOURAGED_GBK, EXPECTED_TITLES, MOVED, NEGATIVE_LIST_PDF, OPENING,
                            PRIVATE, REPORTING, RETRY, article_html, fixture_routes)
from harness.fixture_site import FixtureSite
from knowledge_base.corpus_loader import load_official_folder
from scrapers.config import CrawlSettings
from scrapers.crawl import crawl
from scrapers.fetcher import PoliteFetcher
from scrapers.sources import load_sources
from helpers import REPO

# Short so the crawl tests stay in the fast tier; the spacing test uses SPACING_INTERVAL, long
# enough to tell the limiter's gaps from loopback's few milliseconds.
MIN_INTERVAL = 0.05
SPACING_INTERVAL = 0.1


@pytest.fixture
def site():
    s = FixtureSite().start()
    s.routes.update(fixture_routes(s))
    yield s
    s.stop()


@pytest.fixture
def crawl_settings(tmp_path, site):
    sources = {
        "topic_rules": {"negative_list": "负面清单|准入特别管理措施",
                        "encouraged_catalogue": "鼓励外商投资产业目录",
                        "information_reporting": "信息报告|年度报告",
                        "complaints": "投诉"},
        "sources": [{
            "name": "govcn-test", "parser": "govcn", "issuer": "国务院",
            "start_urls": [site.url("/zhengce/zuixin.htm")],
            "max_list_pages": 3, "title_filter": "外商|外资|外国投资|负面清单",
        }],
    }
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    return CrawlSettings(sources_file=path, data_dir=tmp_path / "crawl",
                         documents_dir=tmp_path / "documents", contact="mailto:test@example.org",
                         min_interval=MIN_INTERVAL, timeout=5, retries=2, backoff=0.05,
                         max_pages=100, max_bytes=300_000)


def run(settings, **kw):
    return crawl(load_sources(settings.sources_file), settings, **kw)[0]


def documents(settings) -> dict[str, dict]:
    """Crawled documents by title -> metadata (current versions only unless asked)."""
    out = {}
    for path in sorted(settings.documents_dir.glob("*.yaml")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.setdefault(meta["title"], []).append(meta)
    return out


def test_first_crawl_reads_every_kind_of_page(site, crawl_settings, caplog):
    caplog.set_level(logging.INFO, logger="scrapers")
    report = run(crawl_settings)
    assert report.finished and not report.capped

    docs = documents(crawl_settings)
    pdf_title = f"{NEGATIVE_LIST_PDF.title}（全文）"  # the attachment's own name
    assert set(docs) == EXPECTED_TITLES | {pdf_title}
    assert all(len(versions) == 1 for versions in docs.values())

    opening = docs[OPENING.title][0]
    assert (opening["issuer"], opening["doc_number"], opening["date"], opening["publish_date"]) == \
        ("国务院", "国发〔2019〕101号", "2019-03-01", "2019-03-05")
    assert opening["source_url"] == site.url(OPENING.path)
    by_id = {d.id: d for d in load_official_folder(crawl_settings.documents_dir)}
    clauses = by_id[opening["id"]].clauses
    assert [c.label for c in clauses] == ["（一）", "（二）", "（三）"]
    assert clauses[1].text.startswith("外国投资者以分配利润直接投资")
    assert "negative_list" in clauses[0].topics or "general" in clauses[0].topics
    assert "complaints" in clauses[2].topics

    # GBK page decoded; article-level numbering by 第X条.
    gbk = by_id[docs[ENCOURAGED_GBK.title][0]["id"]]
    assert gbk.title == ENCOURAGED_GBK.title
    assert [c.label for c in gbk.clauses] == ["第一条", "第二条", "第三条"]
    assert "encouraged_catalogue" in gbk.clauses[0].topics

    # The PDF attachment is a document of its own, its wrapped lines and page numbers repaired.
    pdf_doc = by_id[docs[pdf_title][0]["id"]]
    assert pdf_doc.source_url == site.url(NEGATIVE_LIST_PDF.attachment)
    assert [c.label for c in pdf_doc.clauses] == ["一、", "二、", "三、"]
    assert "禁止投资和限制投资两类" in pdf_doc.clauses[2].text
    assert "- 1 -" not in pdf_doc.clauses[1].text
    assert docs[NEGATIVE_LIST_PDF.title][0]["attachments"][0]["kind"] == "pdf"

    # 500 then success; redirect followed (the document keeps the final address).
    assert RETRY.title in docs
    assert site.paths().count(RETRY.path) == 2
    assert docs[MOVED.title][0]["source_url"] == site.url(MOVED.path)

    # robots.txt: the disallowed page was never requested.
    assert PRIVATE.path not in site.paths()
    assert report.disallowed == [site.url(PRIVATE.path)]

    # The malformed and oversized pages are skipped with a logged reason; the crawl went on.
    reasons = dict(report.skipped)
    assert "content_1000007" in " ".join(reasons)
    assert any("cap" in r for r in reasons.values())
    assert any("skipped" in r.message and "content_1000007" in r.message for r in caplog.records)

    # Every request identified us, with the contact address from the settings.
    assert all("PolicyAssistantBot" in h.headers.get("User-Agent", "") and
               "mailto:test@example.org" in h.headers["User-Agent"] for h in site.hits)


def test_requests_to_one_host_are_spaced(site, crawl_settings):
    run(dataclasses.replace(crawl_settings, min_interval=SPACING_INTERVAL))
    times = [h.at for h in site.hits]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(gaps) > 10
    # Measured where the site sees them; network jitter on a busy machine gets some slack
    # (without the limiter the gaps are a few milliseconds).
    assert min(gaps) >= SPACING_INTERVAL * 0.6, gaps
    assert sorted(gaps)[len(gaps) // 2] >= SPACING_INTERVAL - 0.01, gaps
    assert CrawlSettings().min_interval == 1.0  # the default: one request per second per host


def test_second_crawl_is_conditional_and_changes_nothing(site, crawl_settings):
    run(crawl_settings)
    before = {p.name: p.read_bytes() for p in crawl_settings.documents_dir.iterdir()}
    site.hits.clear()
    report = run(crawl_settings)
    assert not report.changed_anything
    article_hits = [h for h in site.hits if h.path in (OPENING.path, REPORTING.path, ENCOURAGED_GBK.path,
                                                        NEGATIVE_LIST_PDF.attachment)]
    assert article_hits and all(h.headers.get("If-None-Match") or h.headers.get("If-Modified-Since")
                                for h in article_hits)
    assert report.not_modified >= 4
    after = {p.name: p.read_bytes() for p in crawl_settings.documents_dir.iterdir()}
    assert after == before


def test_changed_page_supersedes_its_old_version(site, crawl_settings):
    run(crawl_settings)
    changed = dataclasses.replace(OPENING, paragraphs=OPENING.paragraphs + (
        "（四）支持外商投资企业参与标准制定工作。",))
    site.routes[OPENING.path].body = article_html(changed).encode()
    site.routes[OPENING.path].etag = '"opening-2"'
    report = run(crawl_settings)
    assert len(report.changed_documents) == 1 and not report.new_documents

    versions = sorted(documents(crawl_settings)[OPENING.title], key=lambda m: m["crawl"]["version"])
    old, new = versions
    assert (old["status"], old["superseded_by"]) == ("superseded", new["id"])
    assert (new["status"], new["crawl"]["version"]) == ("current", 2)
    by_id = {d.id: d for d in load_official_folder(crawl_settings.documents_dir)}
    assert by_id[old["id"]].status == "superseded"
    assert [c.label for c in by_id[new["id"]].clauses][-1] == "（四）"


def test_newer_edition_supersedes_older_one(site, crawl_settings):
    newer = dataclasses.replace(NEGATIVE_LIST_PDF, path="/zhengce/content/2024-09/08/content_2000004.htm",
                                title="外商投资准入特别管理措施（负面清单）（2024年版）", attachment="")
    from harness.fixture_site import Route
    site.routes[newer.path] = Route(article_html(newer).encode())
    site.routes["/zhengce/zuixin.htm"].body = site.routes["/zhengce/zuixin.htm"].body.replace(
        b"</ul>", f'<li><h4><a href="{newer.path}">{newer.title}</a></h4></li></ul>'.encode())
    run(crawl_settings)
    docs = documents(crawl_settings)
    old, new = docs[NEGATIVE_LIST_PDF.title][0], docs[newer.title][0]
    assert (old["status"], old["superseded_by"], new["status"]) == ("superseded", new["id"], "current")


class InterruptingFetcher(PoliteFetcher):
    """Stops the crawl like Ctrl-C would, just before the n-th article request."""

    def __init__(self, settings, stop_at: int):
        super().__init__(settings)
        self.stop_at, self.articles = stop_at, 0

    def fetch(self, url, **kw):
        if "/content_" in url:
            self.articles += 1
            if self.articles == self.stop_at:
                raise KeyboardInterrupt
        return super().fetch(url, **kw)


def test_interrupted_crawl_resumes_without_loss_or_duplicates(site, crawl_settings, tmp_path):
    sources = load_sources(crawl_settings.sources_file)
    with pytest.raises(KeyboardInterrupt):
        crawl(sources, crawl_settings, fetcher=InterruptingFetcher(crawl_settings, stop_at=4))
    partial = documents(crawl_settings)
    assert 0 < len(partial) < len(EXPECTED_TITLES)

    report = run(crawl_settings)
    assert report.resumed and report.finished
    docs = documents(crawl_settings)
    assert EXPECTED_TITLES <= set(docs)
    assert all(len(v) == 1 for v in docs.values())  # nothing stored twice
    # The pages done before the interruption were not fetched again in the resumed run.
    assert site.paths().count(OPENING.path) == 1


def test_page_cap_stops_the_run_and_the_next_run_resumes(site, crawl_settings):
    first = run(crawl_settings, max_pages=3)
    assert first.capped and not first.finished and first.pages_fetched == 3
    second = run(crawl_settings)
    assert second.resumed and second.finished
    assert EXPECTED_TITLES <= set(documents(crawl_settings))


def test_parse_command_prints_the_document_as_json(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(article_html(ENCOURAGED_GBK, "gb2312").encode("gbk"))
    url = "http://www.gov.cn/zhengce/content/2019-03/07/content_1000003.htm"
    proc = subprocess.run([sys.executable, "-m", "scrapers", "parse", "--json", "--url", url, str(page)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {k: data[k] for k in ("title", "issuer", "doc_number", "date", "source_url")} == {
        "title": ENCOURAGED_GBK.title, "issuer": "国家发展和改革委员会",
        "doc_number": "国家发展改革委 商务部令第27号",
        "date": "2019-06-30", "source_url": url}
    assert [c["label"] for c in data["clauses"]] == ["第一条", "第二条", "第三条"]
    assert data["clauses"][0]["text"] == "为引导外商投资方向，制定本目录。"


def test_parse_command_explains_a_page_that_is_not_an_article(tmp_path):
    page = tmp_path / "empty.html"
    page.write_text("<html><body><p>系统繁忙</p></body></html>", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "scrapers", "parse", "--json", "--url",
                           "http://www.gov.cn/zhengce/content/x.htm", str(page)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "not an article page" in proc.stderr and "Traceback" not in proc.stderr


def test_attachment_titles_lose_their_label_and_extension():
    from scrapers.crawl import attachment_title

    assert attachment_title("附件1：鼓励外商投资产业目录（2022年版）.PDF") == "鼓励外商投资产业目录（2022年版）"
    assert attachment_title("附件：清单.docx") == "清单"
    assert attachment_title("P020240908530000000001.pdf") == "P020240908530000000001"
