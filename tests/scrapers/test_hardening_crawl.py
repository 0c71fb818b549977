"""Crawler hardening (issue 13): host allowlist, internal addresses, robots.txt redirects and a
whole-response deadline; against fixture sites on 127.0.0.1 ("localhost" plays another host)."""
from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from harness.crawl_fixtures import NEGATIVE_LIST_PDF, OPENING, REPORTING, ROBOTS, article_html
from helpers import polite_fetcher
from harness.fixture_site import FixtureSite, Route
from harness.wsgi import serve_forever_in_thread
from scrapers.config import CrawlSettings
from scrapers.crawl import crawl
from scrapers.fetcher import Disallowed, FetchError, OffSite, PoliteFetcher
from scrapers.sources import Source, load_sources

PAGE = "<html><head><title>外商投资</title></head><body><p>外商投资企业</p></body></html>"


def fetcher(**kw) -> PoliteFetcher:
    return polite_fetcher(**{"retries": 0, "max_bytes": 100_000, "allow_private_hosts": True, **kw})


def other_host(site: FixtureSite, path: str) -> str:
    """The same fixture server under another host name."""
    return f"http://localhost:{site.server.server_address[1]}{path}"


def hosts_seen(site: FixtureSite) -> set[str]:
    return {h.headers.get("Host", "").split(":")[0] for h in site.hits}


# --- allowlist -----------------------------------------------------------------------------------

def test_source_hosts_are_its_start_hosts_and_listed_hosts():
    source = Source(name="s", parser="mofcom", start_urls=("https://www.mofcom.gov.cn/zcfb/",),
                    hosts=("files.example.gov.cn",))
    assert source.on_site("https://www.mofcom.gov.cn/article/1.html")
    assert source.on_site("http://files.example.gov.cn/a.pdf")
    assert source.on_site("https://cdn.files.example.gov.cn/a.pdf")  # a subdomain of a listed host
    for url in ("https://evil.example/a.html", "https://www.mofcom.gov.cn.evil.example/",
                "https://mofcom.gov.cn/", "ftp://www.mofcom.gov.cn/x", "javascript:alert(1)",
                "https://127.0.0.1/"):
        assert not source.on_site(url), url


def test_crawl_follows_no_link_redirect_or_attachment_off_site(site, tmp_path):
    port = site.server.server_address[1]
    moved = "/zhengce/content/moved.htm"
    attached = article_html(NEGATIVE_LIST_PDF).replace(
        NEGATIVE_LIST_PDF.attachment, other_host(site, NEGATIVE_LIST_PDF.attachment))
    site.routes.update({
        "/robots.txt": Route(ROBOTS.encode(), "text/plain"),
        # The policy library's JSON feed: its links are taken as they are, whatever the host.
        "/list.json": Route(json.dumps([
            {"URL": OPENING.path, "TITLE": OPENING.title},
            {"URL": other_host(site, REPORTING.path), "TITLE": REPORTING.title},  # another host
            {"URL": moved, "TITLE": "国务院关于外商投资的通知"},           # redirects to another host
            {"URL": NEGATIVE_LIST_PDF.path, "TITLE": NEGATIVE_LIST_PDF.title},  # attachment elsewhere
        ]).encode(), "application/json"),
        OPENING.path: Route(article_html(OPENING).encode()),
        REPORTING.path: Route(article_html(REPORTING).encode()),
        moved: Route(redirect_to=other_host(site, REPORTING.path)),
        NEGATIVE_LIST_PDF.path: Route(attached.encode()),
        NEGATIVE_LIST_PDF.attachment: Route(b"%PDF-1.4", "application/pdf"),
    })
    sources = {"sources": [{"name": "allow-test", "parser": "govcn", "issuer": "国务院",
                            "start_urls": [site.url("/list.json")], "max_list_pages": 1}]}
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    settings = CrawlSettings(sources_file=path, data_dir=tmp_path / "crawl",
                             documents_dir=tmp_path / "documents", contact="mailto:t@example.org",
                             min_interval=0.0, timeout=5, retries=0, max_pages=50,
                             allow_private_hosts=True)
    report = crawl(load_sources(path), settings)[0]
    assert hosts_seen(site) == {"127.0.0.1"}, f"requests went to {hosts_seen(site)}"
    metas = [yaml.safe_load(p.read_text(encoding="utf-8"))
             for p in (tmp_path / "documents").glob("*.yaml")]
    assert metas and all(m["source_url"].startswith(site.base) for m in metas)
    assert not any(f"localhost:{port}" in m["source_url"] for m in metas)
    reasons = {url: reason for url, reason in report.skipped}
    assert "outside the source's hosts" in reasons[other_host(site, REPORTING.path)]
    assert "outside the source's hosts" in reasons[other_host(site, NEGATIVE_LIST_PDF.attachment)]
    assert "outside the source's hosts" in reasons[site.url(moved)]
    assert len(report.new_documents) == 2  # OPENING and the PDF's page, nothing else


def test_redirect_off_site_is_not_followed(site):
    site.routes["/robots.txt"] = Route(b"", "text/plain", status=404)
    site.routes["/a.htm"] = Route(redirect_to=other_host(site, "/b.htm"))
    site.routes["/b.htm"] = Route(PAGE.encode())
    source = Source(name="s", parser="generic", start_urls=(site.url("/"),))
    with pytest.raises(OffSite, match="outside the source's hosts"):
        fetcher().fetch(site.url("/a.htm"), on_site=source.on_site)
    assert "/b.htm" not in site.paths()


def test_internal_addresses_are_refused_outside_tests(site):
    site.routes["/robots.txt"] = Route(b"", "text/plain", status=404)
    site.routes["/a.htm"] = Route(PAGE.encode())
    strict = fetcher(allow_private_hosts=False)
    for url in (site.url("/a.htm"), other_host(site, "/a.htm"),
                f"http://[::1]:{site.server.server_address[1]}/a.htm", "http://10.1.2.3/a.htm",
                "http://192.168.0.1/", "http://169.254.169.254/latest/meta-data/",
                "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/"):
        with pytest.raises(OffSite, match="internal"):
            strict.fetch(url)
    assert site.hits == []  # not even robots.txt was asked for
    assert fetcher().fetch(site.url("/a.htm")).text == PAGE  # allowed for fixture sites


def test_the_default_refuses_internal_addresses(monkeypatch):
    monkeypatch.delenv("SCRAPER_ALLOW_PRIVATE_HOSTS", raising=False)
    assert CrawlSettings().allow_private_hosts is False


# --- robots.txt redirects (RFC 9309) ---------------------------------------------------------------

def test_robots_txt_redirects_are_followed(site):
    site.routes["/robots.txt"] = Route(redirect_to="/r1")
    site.routes["/r1"] = Route(redirect_to="/rules.txt")
    site.routes["/rules.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    site.routes["/private/x.htm"] = Route(PAGE.encode())
    site.routes["/a.htm"] = Route(PAGE.encode())
    f = fetcher()
    with pytest.raises(Disallowed):
        f.fetch(site.url("/private/x.htm"))
    assert f.fetch(site.url("/a.htm")).text == PAGE
    assert "/private/x.htm" not in site.paths()


@pytest.mark.parametrize("routes", [
    {"/robots.txt": Route(redirect_to="/h1"), **{f"/h{i}": Route(redirect_to=f"/h{i + 1}")
                                                  for i in range(1, 8)}},  # more than five hops
    {"/robots.txt": Route(redirect_to="/robots.txt")},                     # a loop
    {"/robots.txt": Route(status=302, body=b"Allow: /", content_type="text/plain")},  # no Location
])
def test_unresolved_robots_redirect_means_disallow(site, routes):
    site.routes.update(routes)
    site.routes["/a.htm"] = Route(PAGE.encode())
    with pytest.raises(Disallowed):
        fetcher().fetch(site.url("/a.htm"))
    assert "/a.htm" not in site.paths()


# --- the whole-response deadline ---------------------------------------------------------------

class DripServer:
    """Answers headers at once, then one byte every `interval` seconds."""

    def __init__(self, size: int = 400, interval: float = 0.05):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/robots.txt":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                for _ in range(size):
                    try:
                        self.wfile.write(b"x")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(interval)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        serve_forever_in_thread(self.server)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_a_dripping_server_cannot_stall_a_fetch():
    drip = DripServer(size=400, interval=0.05)  # 20 s in all, a byte every 50 ms
    try:
        started = time.monotonic()
        with pytest.raises(FetchError, match="deadline"):
            fetcher(timeout=3, fetch_deadline=1.0).fetch(drip.url + "/slow.htm")
        assert time.monotonic() - started < 3.0
    finally:
        drip.stop()
