"""Serve a WSGI app on a free loopback port in a daemon thread."""
from __future__ import annotations

import threading


def serve_in_thread(app):
    """Returns (url, server); `server.shutdown()` stops it."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server
