"""The polite fetcher on its own, against a fixture site on 127.0.0.1."""
from __future__ import annotations

import pytest

from helpers import polite_fetcher
from harness.fixture_site import Route
from scrapers.fetcher import Disallowed, FetchError, PoliteFetcher, decode_html

PAGE = "<html><head><title>外商投资</title></head><body><p>外商投资企业</p></body></html>"


def fetcher(**kw) -> PoliteFetcher:
    return polite_fetcher(**{"retries": 2, "max_bytes": 10_000, **kw})


def test_decoding_gbk_utf8_and_declared_charsets():
    gbk = f'<meta charset="gb2312">{PAGE}'.encode("gbk")
    assert decode_html(gbk) == (f'<meta charset="gb2312">{PAGE}', "gb18030")
    assert decode_html(PAGE.encode("gbk"))[0] == PAGE  # no declaration, not UTF-8: GB18030
    assert decode_html(PAGE.encode("utf-8")) == (PAGE, "utf-8")
    assert decode_html(PAGE.encode("gbk"), "GBK")[0] == PAGE
    # A wrong <meta> charset loses to the HTTP header.
    assert decode_html(f'<meta charset="utf-8">{PAGE}'.encode("gbk"), "gbk")[0].endswith(PAGE)


def test_content_type_is_checked(site):
    site.routes["/robots.txt"] = Route(b"", "text/plain", status=404)
    site.routes["/logo.png"] = Route(b"\x89PNG....", "image/png")
    site.routes["/file.pdf"] = Route(b"%PDF-1.4 ...", "application/octet-stream")
    f = fetcher()
    with pytest.raises(FetchError, match="unexpected content type 'image/png'"):
        f.fetch(site.url("/logo.png"))
    # A PDF sent as a generic binary type is recognised by its address.
    assert f.fetch(site.url("/file.pdf"), expect=("pdf",)).content.startswith(b"%PDF")
    with pytest.raises(FetchError, match="unexpected content type"):
        f.fetch(site.url("/file.pdf"))  # not when HTML is expected


def test_robots_unreachable_means_nothing_is_fetched(site):
    site.routes["/robots.txt"] = Route(b"down", "text/plain", status=503)
    site.routes["/a.htm"] = Route(PAGE.encode())
    with pytest.raises(Disallowed):
        fetcher(retries=0).fetch(site.url("/a.htm"))
    assert "/a.htm" not in site.paths()


def test_robots_crawl_delay_and_agent_rules(site):
    site.routes["/robots.txt"] = Route(
        b"User-agent: PolicyAssistantBot\nDisallow: /drafts/\nCrawl-delay: 1\n\n"
        b"User-agent: *\nDisallow: /\n", "text/plain")
    site.routes["/a.htm"] = Route(PAGE.encode())
    site.routes["/b.htm"] = Route(PAGE.encode())
    f = fetcher()
    f.fetch(site.url("/a.htm"))
    f.fetch(site.url("/b.htm"))
    with pytest.raises(Disallowed):
        f.fetch(site.url("/drafts/x.htm"))
    hits = [h for h in site.hits if h.path in ("/a.htm", "/b.htm")]
    assert hits[1].at - hits[0].at >= 0.9  # Crawl-delay (whole seconds) beats our own spacing


def test_retries_with_backoff_then_gives_up(site):
    site.routes["/robots.txt"] = Route(b"", "text/plain", status=404)
    site.routes["/flaky.htm"] = Route(PAGE.encode(), fail_times=2)
    site.routes["/down.htm"] = Route(PAGE.encode(), fail_times=99)
    f = fetcher(retries=2)
    assert f.fetch(site.url("/flaky.htm")).text == PAGE
    with pytest.raises(FetchError, match="HTTP 500 after 3 attempt"):
        f.fetch(site.url("/down.htm"))
    assert site.paths().count("/down.htm") == 3


def test_redirect_loop_and_size_cap(site):
    site.routes["/robots.txt"] = Route(b"", "text/plain", status=404)
    site.routes["/loop1"] = Route(redirect_to="/loop2")
    site.routes["/loop2"] = Route(redirect_to="/loop1")
    site.routes["/big.htm"] = Route(b"<html>" + b"x" * 20_000)
    f = fetcher()
    with pytest.raises(FetchError, match="redirects"):
        f.fetch(site.url("/loop1"))
    with pytest.raises(FetchError, match="cap"):
        f.fetch(site.url("/big.htm"))


def test_conditional_get_answers_304(site):
    site.routes["/robots.txt"] = Route(b"", "text/plain", status=404)
    site.routes["/a.htm"] = Route(PAGE.encode(), etag='"v1"', last_modified="Tue, 31 Dec 2019 08:00:00 GMT")
    f = fetcher()
    first = f.fetch(site.url("/a.htm"))
    again = f.fetch(site.url("/a.htm"), etag=first.etag, last_modified=first.last_modified)
    assert (first.status, again.status, again.content) == (200, 304, b"")
    assert site.hits[-1].headers["If-None-Match"] == '"v1"'
