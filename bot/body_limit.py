"""Refuse oversized request bodies with a readable 413 instead of a reset connection.

Flask's MAX_CONTENT_LENGTH answers 413 without reading the body; the server then closes a socket
that still holds unread data, and the client sees "connection reset" instead of the answer. This
WSGI wrapper reads and discards a declared body of up to `drain_bytes` first (cheap: it goes
nowhere), then answers 413 in JSON and closes the connection.
"""
from __future__ import annotations

import json

from .texts import bilingual


class BodyLimit:
    def __init__(self, app, max_bytes: int, drain_bytes: int = 16 * 1024 * 1024):
        self.app = app
        self.max_bytes = max_bytes
        self.drain_bytes = drain_bytes

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= self.max_bytes:
            return self.app(environ, start_response)
        if length <= self.drain_bytes:
            stream, left = environ["wsgi.input"], length
            while left > 0:
                chunk = stream.read(min(left, 256 * 1024))
                if not chunk:
                    break
                left -= len(chunk)
        body = json.dumps({"error": bilingual("too_large", "web")}, ensure_ascii=False).encode("utf-8")
        start_response("413 Request Entity Too Large",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                        ("Connection", "close")])
        return [body]
