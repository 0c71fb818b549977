"""Polite HTTP: robots.txt, one request per second per host, retries with backoff, conditional
GET, size and content-type checks, and decoding of GBK/GB2312 as well as UTF-8 pages.

Safe HTTP too: a redirect may only lead to the source's own hosts (`on_site`), no request goes
to a loopback, private or otherwise internal address (unless SCRAPER_ALLOW_PRIVATE_HOSTS, for
tests), and every response must arrive whole within `fetch_deadline` seconds: the timeout is per
socket read, so a server dripping a byte at a time would otherwise stall a crawl for ever.
"""
from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading
import time
from typing import Callable
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlparse
from urllib.robotparser import RobotFileParser

import requests

from .config import CrawlSettings
from .types import FetchResult

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")
# Some list pages are JSON feeds that the site's own page renders (gov.cn, MOFCOM).
JSON_TYPES = ("application/json", "text/json", "application/javascript", "text/javascript")
# Servers often send attachments as a generic binary type; the address then decides.
GENERIC_BINARY = ("application/octet-stream", "binary/octet-stream", "application/force-download")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)
# GB18030 decodes everything GBK and GB2312 do, and the characters they lack.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                    "utf8": "utf-8"}


class FetchError(Exception):
    """A page that could not be fetched; `reason` is logged and the crawl goes on."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class Disallowed(FetchError):
    """robots.txt forbids the address: never requested."""


class OffSite(FetchError):
    """The address (or a redirect's target) is outside the source's hosts, or internal."""


_ROBOTS_REDIRECTS = 5  # RFC 9309 2.3.1.2: follow at least five consecutive redirects


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _socket_of(resp: requests.Response):
    """The response's socket (to cut a dripping transfer at the deadline), or None."""
    try:
        return resp.raw._fp.fp.raw._sock
    except AttributeError:
        return None


def _charset_name(name: str) -> str:
    name = name.strip().strip("\"'").lower()
    return _CHARSET_ALIASES.get(name, name)


def decode_html(content: bytes, header_charset: str = "") -> tuple[str, str]:
    """Text and encoding of an HTML page: the HTTP charset, else the page's <meta> charset,
    else UTF-8 when it decodes cleanly, else GB18030."""
    candidates = []
    if header_charset:
        candidates.append(_charset_name(header_charset))
    match = _META_CHARSET.search(content[:4096])
    if match:
        candidates.append(_charset_name(match.group(1).decode("ascii", "ignore")))
    if content.startswith(b"\xef\xbb\xbf"):
        candidates.insert(0, "utf-8-sig")
    for encoding in candidates:
        try:
            return content.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return content.decode("gb18030", errors="replace"), "gb18030"


def _content_kind(content_type: str, url: str) -> str:
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in HTML_TYPES:
        return "html"
    if mime in PDF_TYPES:
        return "pdf"
    if mime in JSON_TYPES:
        return "json"
    if mime in GENERIC_BINARY or not mime:
        path = urlparse(url).path.lower()
        if path.endswith(".pdf"):
            return "pdf"
        if not mime and path.endswith((".htm", ".html", "/")):
            return "html"
        if path.endswith(".json"):
            return "json"
    return mime or "unknown"


def _charset_of(content_type: str) -> str:
    match = re.search(r"charset\s*=\s*([\w-]+)", content_type, re.I)
    return match.group(1) if match else ""


class PoliteFetcher:
    """One fetcher per crawl; not shared between threads (the crawl is sequential by design)."""

    def __init__(self, settings: CrawlSettings, session: requests.Session | None = None,
                 sleep=time.sleep, clock=time.monotonic):
        self.settings = settings
        self.session = session or requests.Session()
        self.session.headers.update({
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
        })
        self._sleep = sleep
        self._clock = clock
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self._crawl_delay: dict[str, float] = {}
        self._internal: dict[str, bool] = {}

    # -- politeness -------------------------------------------------------------------------
    @staticmethod
    def _origin(url: str) -> str:
        parts = urlparse(url)
        return f"{parts.scheme}://{parts.netloc}"

    def _wait_turn(self, url: str) -> None:
        host = urlparse(url).netloc.lower()
        interval = max(self.settings.min_interval, self._crawl_delay.get(host, 0.0))
        last = self._last_request.get(host)
        if last is not None:
            wait = last + interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = self._clock()

    def _robots_for(self, url: str) -> RobotFileParser | None:
        """The site's robots rules (None = everything allowed), fetched once per run."""
        origin = self._origin(url)
        if origin in self._robots:
            return self._robots[origin]
        robots_url = origin + "/robots.txt"
        parser = RobotFileParser(robots_url)
        try:
            resp = self._robots_response(robots_url)
        except FetchError as exc:
            # RFC 9309: an unreachable robots.txt means the whole site is disallowed, and so does
            # a redirect chain that does not end within five hops.
            logger.warning("robots.txt of %s unreachable (%s): not crawling it this run", origin, exc.reason)
            parser.disallow_all = True
            self._robots[origin] = parser
            return parser
        with resp:
            if resp.status_code >= 500:
                parser.disallow_all = True
            elif resp.status_code >= 400:
                parser = None  # no robots.txt: allowed
            elif resp.status_code != 200:
                parser.disallow_all = True  # no rules could be read: nothing is assumed allowed
            else:
                try:
                    body = self._body(robots_url, resp, 512 * 1024, truncate=True)
                except FetchError as exc:
                    logger.warning("robots.txt of %s unreadable (%s): not crawling it this run",
                                   origin, exc.reason)
                    parser.disallow_all = True
                    self._robots[origin] = parser
                    return parser
                text, _ = decode_html(body, _charset_of(resp.headers.get("Content-Type", "")))
                parser.parse(text.splitlines())
                delay = parser.crawl_delay(self.settings.user_agent.split("/", 1)[0]) \
                    or parser.crawl_delay("*")
                if delay:
                    self._crawl_delay[urlparse(url).netloc.lower()] = float(delay)
        self._robots[origin] = parser
        return parser

    def _robots_response(self, robots_url: str) -> requests.Response:
        """robots.txt's response after following up to five redirects (any host, but never an
        internal address); FetchError when the chain does not end in time."""
        current = robots_url
        for _hop in range(_ROBOTS_REDIRECTS + 1):
            resp = self._request(current, {}, allow_retry=True)
            if resp.status_code not in (301, 302, 303, 307, 308):
                return resp
            location = resp.headers.get("Location")
            resp.close()
            target = urljoin(current, location) if location else ""
            if urlparse(target).scheme not in ("http", "https"):
                raise FetchError(current, f"robots.txt redirect to {target or 'nowhere'!r}")
            current = target
        raise FetchError(robots_url, f"robots.txt redirected more than {_ROBOTS_REDIRECTS} times")

    def _check_address(self, url: str) -> None:
        """Refuse hosts that resolve to loopback, private, link-local or reserved addresses."""
        if self.settings.allow_private_hosts:
            return
        parts = urlparse(url)
        host = (parts.hostname or "").lower()
        if host not in self._internal:
            try:
                infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                           proto=socket.IPPROTO_TCP)
                self._internal[host] = any(_is_internal(info[4][0]) for info in infos)
            except (socket.gaierror, UnicodeError, ValueError):
                raise FetchError(url, f"host {host!r} does not resolve") from None
        if self._internal[host]:
            raise OffSite(url, f"host {host!r} is a loopback, private or internal address")

    def allowed(self, url: str) -> bool:
        parser = self._robots_for(url)
        return parser is None or parser.can_fetch(self.settings.user_agent, url)

    # -- requests ---------------------------------------------------------------------------
    def _backoff(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after:
            try:
                return min(float(retry_after), self.settings.max_backoff)
            except ValueError:
                try:
                    seconds = parsedate_to_datetime(retry_after).timestamp() - time.time()
                    return min(max(seconds, 0.0), self.settings.max_backoff)
                except (TypeError, ValueError):
                    pass
        return min(self.settings.backoff * (2 ** attempt), self.settings.max_backoff)

    def _request(self, url: str, headers: dict, allow_retry: bool = True) -> requests.Response:
        """One GET (no redirects followed), retried on timeouts, connection errors, 429 and 5xx."""
        attempts = 1 + (self.settings.retries if allow_retry else 0)
        last_reason = ""
        self._check_address(url)
        for attempt in range(attempts):
            self._wait_turn(url)
            try:
                sent_at = time.monotonic()
                resp = self.session.get(url, headers=headers, timeout=self.settings.timeout,
                                        allow_redirects=False, stream=True)
                resp.sent_at = sent_at  # the fetch deadline counts from the request
            except (requests.Timeout, requests.ConnectionError) as exc:
                last_reason = f"{type(exc).__name__}"
                retry_after = None
            else:
                if resp.status_code < 500 and resp.status_code != 429:
                    return resp
                last_reason = f"HTTP {resp.status_code}"
                retry_after = resp.headers.get("Retry-After")
                resp.close()
            if attempt + 1 < attempts:
                delay = self._backoff(attempt, retry_after)
                logger.info("%s: %s, retrying in %.1f s", url, last_reason, delay)
                self._sleep(delay)
        raise FetchError(url, f"{last_reason} after {attempts} attempt(s)")

    def fetch(self, url: str, *, etag: str = "", last_modified: str = "",
              expect: tuple[str, ...] = ("html",),
              on_site: Callable[[str], bool] | None = None) -> FetchResult:
        """GET `url` politely. Returns status 304 when the validators still match. With
        `on_site`, a redirect to an address it refuses is not followed (OffSite)."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            self._check_address(current)  # before robots.txt: not even that is asked for
            if not self.allowed(current):
                raise Disallowed(current, "disallowed by robots.txt")
            resp = self._request(current, headers)
            if resp.is_redirect or resp.status_code in (301, 302, 303, 307, 308):
                location = resp.headers.get("Location")
                resp.close()
                if not location:
                    raise FetchError(current, f"HTTP {resp.status_code} without a Location")
                target = urljoin(current, location)
                if urlparse(target).scheme not in ("http", "https"):
                    raise FetchError(current, f"redirect to a non-web address {target!r}")
                if on_site is not None and not on_site(target):
                    raise OffSite(current, f"redirect to {urlparse(target).hostname!r}, outside "
                                           f"the source's hosts")
                current = target
                continue
            with resp:
                return self._read(url, current, resp, expect)
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    def _read(self, url: str, final_url: str, resp: requests.Response,
              expect: tuple[str, ...]) -> FetchResult:
        etag = resp.headers.get("ETag", "")
        last_modified = resp.headers.get("Last-Modified", "")
        if resp.status_code == 304:
            return FetchResult(url, final_url, 304, etag=etag, last_modified=last_modified)
        if resp.status_code != 200:
            raise FetchError(final_url, f"HTTP {resp.status_code}")
        content_type = resp.headers.get("Content-Type", "")
        kind = _content_kind(content_type, final_url)
        if kind not in expect:
            raise FetchError(final_url, f"unexpected content type {content_type or 'none'!r} "
                                        f"(expected {' or '.join(expect)})")
        cap = self.settings.max_bytes
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError(final_url, f"page of {int(declared)} bytes is over the {cap}-byte cap")
        content = self._body(final_url, resp, cap)
        text = decode_html(content, _charset_of(content_type))[0] if kind in ("html", "json") else ""
        return FetchResult(url, final_url, 200, content=content, text=text,
                           content_type=content_type, etag=etag,
                           last_modified=last_modified)

    def _body(self, url: str, resp: requests.Response, cap: int, truncate: bool = False) -> bytes:
        """The body, at most `cap` bytes (more: FetchError, or cut when `truncate`), whole within
        the fetch deadline: a watchdog shuts the socket when it passes, so a dripping server
        cannot hold the crawl however slowly it sends."""
        deadline = self.settings.fetch_deadline
        expired = threading.Event()

        def cut() -> None:
            expired.set()
            sock = _socket_of(resp)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(max(0.0, deadline - (time.monotonic() - getattr(resp, "sent_at", time.monotonic()))), cut)
        watchdog.daemon = True
        watchdog.start()
        chunks, size = [], 0
        try:
            for chunk in resp.iter_content(16 * 1024):
                size += len(chunk)
                if size > cap:
                    if truncate:
                        chunks.append(chunk[:cap - size + len(chunk)])
                        break
                    raise FetchError(url, f"page is over the {cap}-byte cap")
                chunks.append(chunk)
                if expired.is_set():
                    break
        except (requests.RequestException, OSError) as exc:
            if not expired.is_set():
                raise FetchError(url, f"transfer failed ({type(exc).__name__})") from None
        finally:
            watchdog.cancel()
        if expired.is_set():
            raise FetchError(url, f"not received within the {deadline:g}-second fetch deadline")
        return b"".join(chunks)
