"""Gateway hardening (issue 13): bad input, proxies, sender namespaces, feedback, the access log."""
from __future__ import annotations

import json
import socket
import sqlite3
import time
import uuid

import pytest
import requests

from bot.app import create_app
from bot.feedback_store import FeedbackStore, GivenAnswer
from harness.wsgi import serve_in_thread
from helpers import REPO, gateway_settings
from harness.rasa_bot import free_port


@pytest.fixture
def offline_gateway(tmp_path):
    """A gateway whose Rasa is down: validation and limits act before Rasa is asked."""
    def start(**overrides):
        app = create_app(gateway_settings(tmp_path, f"http://127.0.0.1:{free_port()}", **overrides))
        url, server = serve_in_thread(app)
        started.append(server)
        return url
    started = []
    yield start
    for server in started:
        server.shutdown()


def test_non_string_message_or_sender_is_400(offline_gateway):
    url = offline_gateway()
    for body in ({"sender": "x", "message": ["a"]}, {"sender": "x", "message": {"a": 1}},
                 {"sender": "x", "message": 5}, {"sender": "x"}, {"sender": ["x"], "message": "hi"},
                 {"sender": 7, "message": "hi"}, ["x", "hi"]):
        r = requests.post(url + "/api/chat", json=body, timeout=10)
        assert r.status_code == 400, body
        assert r.json()["error"] and "Traceback" not in r.text


def paced_post(url: str, size: int) -> tuple[str, bytes]:
    """POST a JSON body of about `size` bytes in 64 KiB pieces, a little at a time, as a client
    on a real network sends it (on loopback a whole body would sit in the socket buffers and hide
    the problem). Returns (status line, body) or ("error: ...", b"")."""
    host, port = url.split("//", 1)[1].split(":")
    body = b'{"sender": "x", "message": "' + b"a" * size + b'"}'
    head = (f"POST /api/chat HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        try:
            sock.sendall(head)
            for i in range(0, len(body), 64 * 1024):
                sock.sendall(body[i:i + 64 * 1024])
                time.sleep(0.002)
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        except OSError as exc:  # the reset (or a hang) the issue measured
            return f"error: {type(exc).__name__}", b""
    status, _, rest = data.partition(b"\r\n")
    return status.decode(), rest.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize("size", [5 * 1024 * 1024, 200 * 1024])
def test_large_body_gets_a_readable_413(offline_gateway, size):
    url = offline_gateway()
    status, body = paced_post(url, size)
    assert status.startswith("HTTP/1.1 413"), status
    error = json.loads(body)["error"]
    assert "Request too large" in error and "请求过大" in error


def test_large_body_gets_413_from_gunicorn(bot):
    """The production server (gunicorn, started by scripts/bot.sh) answers too, no reset."""
    status, body = paced_post(bot.gateway_url, 5 * 1024 * 1024)
    assert status.startswith("HTTP/1.1 413"), status
    assert "Request too large" in json.loads(body)["error"]


def test_forwarded_for_is_ignored_unless_proxy_hops_are_trusted(offline_gateway):
    def codes(url, forwarded):
        return [requests.post(url + "/api/chat", json={"message": "hi"}, timeout=10,
                              headers={"X-Forwarded-For": f}).status_code for f in forwarded]

    # Default: X-Forwarded-For is a client's claim, so forging it cannot dodge the limit.
    direct = offline_gateway(rate_limit_per_address=2)
    assert codes(direct, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) == [503, 503, 429]
    # Behind one trusted proxy every client has its own limit; the proxy's hop is believed,
    # anything a client put in front of it is not.
    proxied = offline_gateway(rate_limit_per_address=2, trusted_proxy_hops=1)
    assert codes(proxied, ["203.0.113.1", "203.0.113.1", "203.0.113.1"]) == [503, 503, 429]
    assert codes(proxied, ["203.0.113.2", "203.0.113.2"]) == [503, 503]
    assert codes(proxied, ["203.0.113.2, 203.0.113.3"]) == [503]
    assert codes(proxied, ["203.0.113.9, 203.0.113.2"]) == [429]


def _tracker_senders(bot) -> set[str]:
    db = sqlite3.connect(bot.env["RASA_TRACKER_DB"])
    try:
        return {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    finally:
        db.close()


def test_web_sender_ids_are_namespaced_on_the_server(gateway_url, bot):
    openid = "o" + uuid.uuid4().hex[:27]  # what a WeChat openid looks like
    r = requests.post(gateway_url + "/api/chat", json={"sender": openid, "message": "你好"}, timeout=60)
    assert r.status_code == 200 and r.json()["sender"] == openid
    senders = _tracker_senders(bot)
    assert f"web:{openid}" in senders and openid not in senders


def test_feedback_must_name_an_answer_the_server_gave(gateway, bot):
    url, app = gateway
    store = app.extensions["gateway"]["feedback"]
    sender = f"fb-{uuid.uuid4().hex[:8]}"
    reply = requests.post(url + "/api/chat", json={"sender": sender,
                                                   "message": "外商投资\x1b[31m企业投诉以后多久受理？"},
                          timeout=60).json()
    answer = next(m for m in reply["messages"] if m["sources"])
    before = len(store.rows())
    # No id, a made-up id, someone else's answer: refused, nothing stored.
    forged = {"sender": sender, "rating": "down", "question": "\x1b]0;pwned\x07",
              "answer": "invented answer", "sources": [{"doc_title": "x"}]}
    assert requests.post(url + "/api/feedback", json=forged, timeout=10).status_code == 400
    assert requests.post(url + "/api/feedback", json={**forged, "answer_id": "0" * 24},
                         timeout=10).status_code == 404
    assert requests.post(url + "/api/feedback", json={**forged, "answer_id": answer["answer_id"],
                                                      "sender": "someone-else"},
                         timeout=10).status_code == 404
    assert requests.post(url + "/api/feedback", json={**forged, "answer_id": ["x"]},
                         timeout=10).status_code == 400
    assert len(store.rows()) == before
    # The real id: stored with the server's own question, answer and sources, once.
    ok = requests.post(url + "/api/feedback", json={**forged, "answer_id": answer["answer_id"]},
                       timeout=10)
    assert ok.status_code == 200
    again = requests.post(url + "/api/feedback", json={**forged, "answer_id": answer["answer_id"]},
                          timeout=10)
    assert again.status_code == 404
    rows = store.rows()[before:]
    assert len(rows) == 1
    row = rows[0]
    assert row.answer == answer["text"] and row.answer != "invented answer"
    assert row.question == "外商投资[31m企业投诉以后多久受理？"  # no escape character left
    sources = json.dumps(row.sources, ensure_ascii=False)
    assert not any(ch in (row.question + row.answer + sources) for ch in "\x1b\x07\x00")
    assert "invented" not in sources and answer["sources"][0]["doc_title"] in sources


def test_feedback_store_retention(tmp_path):
    now = [1_800_000_000.0]
    store = FeedbackStore(str(tmp_path / "fb.sqlite"), retention_days=30, answer_days=7,
                          clock=lambda: now[0])
    old_id, = store.remember_answers([GivenAnswer("s", "q", "old answer", [])])
    assert store.rate(old_id, "s", "down")
    stale_id, = store.remember_answers([GivenAnswer("s", "q", "never rated", [])])
    now[0] += 8 * 86400
    store.purge()
    assert not store.rate(stale_id, "s", "up")  # answers can be rated for 7 days only
    assert len(store.rows()) == 1
    now[0] += 23 * 86400
    store.purge()
    assert store.rows() == []  # ratings kept 30 days


def test_access_log_has_no_query_string(bot):
    """gunicorn's access log (var/log/gateway.log under scripts/bot.sh) never holds the query."""
    secret = "SIGNATURE" + uuid.uuid4().hex
    requests.get(bot.gateway_url + "/wechat", timeout=10,
                 params={"signature": secret, "nonce": "NONCE" + secret, "openid": "OPENID" + secret,
                         "timestamp": "1", "echostr": "1"})
    requests.get(bot.gateway_url + "/health", params={"probe": secret}, timeout=10)
    log = bot.workdir / "log" / "gateway.log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "/health" not in log.read_text(errors="replace"):
        time.sleep(0.2)
    text = log.read_text(errors="replace")
    assert "/wechat" in text and "/health" in text  # the requests were logged...
    assert secret not in text  # ...without their query strings


def test_rasa_http_api_needs_the_token(bot, gateway_url):
    token = bot.env["RASA_AUTH_TOKEN"]
    for path in ("/status", "/conversations/web:someone/tracker", "/domain"):
        assert requests.get(bot.rasa_url + path, timeout=10).status_code == 401, path
        assert requests.get(bot.rasa_url + path, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(bot.rasa_url + "/status", params={"token": token}, timeout=10).status_code == 200
    # The gateways (gunicorn under scripts/bot.sh, and one built from settings) send it.
    for url in (bot.gateway_url, gateway_url):
        assert requests.get(url + "/health", timeout=10).json() == {"gateway": "ok", "rasa": "ok"}
    # The REST webhook the channels use stays open to the gateway on 127.0.0.1.
    assert bot.say("web:token-test", "你好")


def test_feedback_cli_prints_no_escape_codes(tmp_path):
    import os
    import subprocess
    import sys

    from bot.feedback_store import Feedback

    db = str(tmp_path / "old.sqlite")
    # A row as an older gateway stored it, straight from a client.
    FeedbackStore(db).add(Feedback("s", "down", "\x1b]0;owned\x07question\x1b[2J", "answer\x1b[31m", []))
    out = subprocess.run([sys.executable, "-m", "bot", "feedback", "--worst", "5"], cwd=REPO,
                         capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, FEEDBACK_DB=db, PYTHONPATH=str(REPO))).stdout
    assert "question" in out and "answer" in out
    assert "\x1b" not in out and "\x07" not in out


def test_stored_answer_fields_are_bounded():
    from bot.chat_api import bounded_sources

    sources = [{"doc_title": "《法》\x1b[31m" + "长" * 900, "label": "第一条", "nested": {"x": 1},
                "flag": True}] * 15 + ["not a dict"]
    kept = bounded_sources(sources)
    assert len(kept) == 10
    assert set(kept[0]) == {"doc_title", "label"}
    assert len(kept[0]["doc_title"]) == 500 and "\x1b" not in kept[0]["doc_title"]
