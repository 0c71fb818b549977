"""The gateway's chat and feedback API, in front of the real bot, over real HTTP."""
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import requests

from bot.app import create_app
from harness.wsgi import serve_in_thread
from helpers import REPO, gateway_settings


def post(url, path, body, **kw):
    return requests.post(url + path, json=body, timeout=60, **kw)


def test_chat_returns_answer_with_sources(gateway_url):
    r = post(gateway_url, "/api/chat", {"sender": "gw-1", "message": "外商投资企业投诉以后多久受理？"})
    assert r.status_code == 200
    messages = r.json()["messages"]
    answer = next(m for m in messages if m["sources"])
    assert answer["text"].startswith(("根据", "注意", "简要回答")) and answer["type"] == "answer"
    assert answer["answerable"] == "yes"
    assert set(answer["sources"][0]) == {"doc_title", "label", "doc_number", "date", "source_url"}


def test_buttons_come_through(gateway_url, bot):
    r = post(gateway_url, "/api/chat", {"sender": f"gw-2-{uuid.uuid4().hex[:8]}", "message": "你好"})
    through_gateway = [b for m in r.json()["messages"] for b in m["buttons"]]
    # The very buttons Rasa gives a new conversation (titles and payloads), the hand-off among them.
    from_rasa = [b for m in bot.say(f"gw-2-{uuid.uuid4().hex[:8]}", "你好") for b in m.get("buttons", [])]
    assert through_gateway and through_gateway == from_rasa
    assert all(b["title"] and b["payload"] for b in through_gateway)
    assert "/request_human" in [b["payload"] for b in through_gateway]


def test_control_characters_are_stripped(gateway_url, bot, feedback_rows):
    from bot.chat_api import web_sender

    sender = f"gw-3-{uuid.uuid4().hex[:8]}"
    r = post(gateway_url, "/api/chat", {"sender": sender, "message": "负面\x00清单\x07有几条\u200b？\r\n"})
    assert r.status_code == 200 and r.json()["messages"]
    # What reached Rasa: the user turn in its conversation store.
    tracker = requests.get(f"{bot.rasa_url}/conversations/{web_sender(sender)}/tracker", timeout=30,
                           params={"token": bot.env["RASA_AUTH_TOKEN"]})
    assert tracker.status_code == 200
    user_turns = [e["text"] for e in tracker.json()["events"] if e["event"] == "user"]
    assert user_turns == ["负面清单有几条？"]
    # What was stored: the question of a rated answer.
    answer = r.json()["messages"][0]
    assert post(gateway_url, "/api/feedback", {"sender": sender, "rating": "up",
                                               "answer_id": answer["answer_id"]}).status_code == 200
    stored = [row.question for row in feedback_rows() if row.sender == sender]
    assert stored == ["负面清单有几条？"]


def test_bad_messages_are_refused_readably(gateway_url):
    for body in ({"sender": "gw-4", "message": ""}, {"sender": "gw-4", "message": "\x00\x01 "},
                 {"sender": "gw-4", "message": "字" * 1001}, {"sender": "bad sender!", "message": "hi"}):
        r = post(gateway_url, "/api/chat", body)
        assert r.status_code == 400 and r.json()["error"]
    r = requests.post(gateway_url + "/api/chat", data="{not json", timeout=10,
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "Traceback" not in r.text


def test_feedback_is_stored_and_reviewable(bot, tmp_path):
    # An app of its own: the counts below are exact, whatever other tests rate.
    app = create_app(gateway_settings(tmp_path, bot.rasa_url))
    url, server = serve_in_thread(app)
    try:
        for rating in ("down", "down", "up"):
            sender = f"gw-{uuid.uuid4().hex[:8]}"
            reply = post(url, "/api/chat", {"sender": sender, "message": "外商投资企业投诉以后多久受理？"})
            answer = next(m for m in reply.json()["messages"] if m["sources"])
            r = post(url, "/api/feedback", {"sender": sender, "rating": rating,
                                            "answer_id": answer["answer_id"]})
            assert r.status_code == 200 and r.json() == {"ok": True}
        assert post(url, "/api/feedback", {"sender": sender, "rating": "meh",
                                           "answer_id": answer["answer_id"]}).status_code == 400
    finally:
        server.shutdown()
    db = app.extensions["gateway"]["settings"].feedback_db
    proc = subprocess.run([sys.executable, "-m", "bot", "feedback", "--worst", "5", "--json"],
                          cwd=REPO, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, FEEDBACK_DB=db, PYTHONPATH=str(REPO)))
    rows = json.loads(proc.stdout)
    weak = next(r for r in rows if r["answer"] == answer["text"])
    assert weak["down"] == 2 and weak["up"] == 1
    assert weak["question"] == "外商投资企业投诉以后多久受理？"


def test_rate_limit_per_sender_gives_429(bot, tmp_path):
    app = create_app(gateway_settings(tmp_path, bot.rasa_url, rate_limit_per_sender=2,
                                       rate_limit_per_address=100))
    url, server = serve_in_thread(app)
    try:
        codes = [post(url, "/api/chat", {"sender": "gw-rl", "message": "你好"}).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        r = post(url, "/api/chat", {"sender": "gw-rl", "message": "你好"})
        assert "Too many" in r.json()["error"] and "频繁" in r.json()["error"]
        assert post(url, "/api/chat", {"sender": "gw-other", "message": "你好"}).status_code == 200
    finally:
        server.shutdown()


def test_rasa_down_gives_503_bilingual_apology(tmp_path):
    from harness.rasa_bot import free_port

    app = create_app(gateway_settings(tmp_path, f"http://127.0.0.1:{free_port()}"))
    url, server = serve_in_thread(app)
    try:
        r = post(url, "/api/chat", {"sender": "gw-down", "message": "你好"})
        assert r.status_code == 503
        assert "抱歉" in r.json()["error"] and "Sorry" in r.json()["error"]
    finally:
        server.shutdown()


def test_the_gateways_texts_are_in_one_module_in_both_languages():
    """bot/texts.py holds every text the gateway sends itself; no other bot module writes one."""
    import ast
    import re

    from bot.texts import JOINS, TEXTS, bilingual
    from knowledge_base.text import CJK_IDEOGRAPHS

    ideograph = re.compile(f"[{CJK_IDEOGRAPHS}]")
    for key, both in TEXTS.items():
        assert set(both) == {"zh", "en"}, key
        assert ideograph.search(both["zh"]) and not ideograph.search(both["en"]), key
    assert bilingual("too_large", "web") == "请求过大。 Request too large."
    assert bilingual("too_long", "wechat", limit=600) == ("抱歉，消息太长了，请控制在 600 字以内。\n"
                                                          "Sorry, that message is too long: please keep it under 600 characters.")
    assert set(JOINS) == {"web", "wechat", "label"}
    elsewhere = []
    for path in (REPO / "bot").rglob("*.py"):
        if path.name == "texts.py" and path.parent.name == "bot":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        elsewhere += [f"{path.relative_to(REPO)}:{node.lineno}" for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)
                      and ideograph.search(node.value) and id(node) not in docstrings]
    assert elsewhere == []


def test_demo_page_and_widget_are_served(gateway_url):
    page = requests.get(gateway_url + "/", timeout=10)
    assert page.status_code == 200 and "widget.js" in page.text
    js = requests.get(gateway_url + "/widget.js", timeout=10)
    assert js.status_code == 200 and "javascript" in js.headers["Content-Type"]
    assert requests.get(gateway_url + "/widget.css", timeout=10).status_code == 200


def test_cors_lets_other_sites_embed_the_widget(gateway_url):
    pre = requests.options(gateway_url + "/api/chat", timeout=10, headers={
        "Origin": "https://invest.example.gov.cn", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in pre.headers["Access-Control-Allow-Headers"]


def test_cors_list_restricts_origins(tmp_path):
    app = create_app(gateway_settings(tmp_path, "http://127.0.0.1:9", cors_origins="https://a.example"))
    client = app.test_client()
    ok = client.options("/api/chat", headers={"Origin": "https://a.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://a.example"
    other = client.options("/api/chat", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_rate_limiter_forgets_idle_keys():
    from bot.rate_limit import RateLimiter

    limiter = RateLimiter(limit=2, window_seconds=60)
    start = time.monotonic()
    for i in range(1000):
        assert limiter.allow(f"web-{i}", now=start + 1)
    assert limiter.allow("x", now=start + 2) and limiter.allow("x", now=start + 3)
    assert not limiter.allow("x", now=start + 4)
    # A window later every key is idle and is dropped; "x" starts afresh.
    assert limiter.allow("x", now=start + 70)
    assert len(limiter) == 1


@pytest.mark.parametrize("message, tier", [
    ("深圳市对跨国公司地区总部的落户奖励最高给多少钱？", "partial"),
    ("What is the loan prime rate this month?", "no"),
])
def test_answerability_comes_through_the_gateway(gateway_url, message, tier):
    r = post(gateway_url, "/api/chat", {"sender": f"gw-tier-{tier}", "message": message})
    assert r.status_code == 200
    tiers = [m.get("answerable") for m in r.json()["messages"] if m.get("answerable")]
    assert tiers == [tier]
