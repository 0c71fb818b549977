"""Serve a WSGI app (or any socketserver server) on a free loopback port in a daemon thread."""
from __future__ import annotations

import threading

# How often a serving loop looks for `shutdown()`: socketserver's default of 0.5 s made every
# stop of a test server wait up to half a second.
SHUTDOWN_POLL = 0.02


def serve_forever_in_thread(server) -> threading.Thread:
    """Runs `server.serve_forever` in a daemon thread; `server.shutdown()` returns promptly."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL},
                              daemon=True)
    thread.start()
    return thread


def serve_in_thread(app):
    """Returns (url, server); `server.shutdown()` stops it."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    serve_forever_in_thread(server)
    return f"http://127.0.0.1:{server.server_port}", server
