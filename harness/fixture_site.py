"""A fixture web site on 127.0.0.1 for the crawler tests: routes with ETag/Last-Modified,
304 answers, failures before success, redirects, and a log of every request it received."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness.wsgi import serve_forever_in_thread


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    etag: str = ""
    last_modified: str = ""
    fail_times: int = 0  # answer 500 this many times first
    redirect_to: str = ""  # answer 301 with this Location
    status: int = 200


@dataclass
class Hit:
    path: str
    at: float
    headers: dict


@dataclass
class FixtureSite:
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"  # start() binds there

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def start(self) -> "FixtureSite":
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                site.hits.append(Hit(self.path, time.monotonic(), dict(self.headers)))
                route = site.routes.get(self.path)
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                if route.fail_times > 0:
                    route.fail_times -= 1
                    return self._send(500, b"server error", "text/plain")
                if route.redirect_to:
                    self.send_response(301)
                    self.send_header("Location", route.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    return self._send(304, b"", route.content_type, route)
                if (route.last_modified and not route.etag
                        and self.headers.get("If-Modified-Since") == route.last_modified):
                    return self._send(304, b"", route.content_type, route)
                return self._send(route.status, route.body, route.content_type, route)

            def _send(self, status, body, content_type, route=None):
                self.send_response(status)
                if status != 304:
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                if route and route.etag:
                    self.send_header("ETag", route.etag)
                if route and route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serve_forever_in_thread(self.server)
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
