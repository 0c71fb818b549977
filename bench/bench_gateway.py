"""Gateway benchmark: the time the gateway adds over Rasa REST, and the WeChat endpoint's p95
with 20 concurrent senders. Everything runs on loopback; the gateway is gunicorn as in production
(workers and threads are printed with the figures).
"""
from __future__ import annotations

import hashlib
import json
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from harness.rasa_bot import start_bot

REPO = Path(__file__).resolve().parents[1]

QUESTIONS = ["外商投资企业投诉以后多久受理？", "How do I file the annual foreign investment information report?",
             "负面清单现在有几条？", "Can reinvested profits defer withholding tax?"]
TOKEN = "benchtoken"


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def fake_wechat_api():
    """A stand-in for WeChat's API on loopback (token + customer-service send)."""
    from flask import Flask, jsonify

    from harness.wsgi import serve_in_thread

    app = Flask("fake-wechat")

    @app.get("/cgi-bin/token")
    def token():
        return jsonify({"access_token": "t", "expires_in": 7200})

    @app.post("/cgi-bin/message/custom/send")
    def send():
        return jsonify({"errcode": 0, "errmsg": "ok"})

    return serve_in_thread(app)


def wechat_post(gateway, i):
    ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    signature = hashlib.sha1("".join(sorted([TOKEN, ts, nonce])).encode()).hexdigest()
    user = f"openid-{i % 20}"
    xml = (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{user}]]>"
           f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           f"<Content><![CDATA[{QUESTIONS[i % len(QUESTIONS)]}]]></Content>"
           f"<MsgId>{uuid.uuid4().int % 10**18}</MsgId></xml>")
    t0 = time.perf_counter()
    r = requests.post(f"{gateway}/wechat", params={"signature": signature, "timestamp": ts, "nonce": nonce},
                      data=xml.encode(), headers={"Content-Type": "text/xml"}, timeout=30)
    elapsed = (time.perf_counter() - t0) * 1000
    assert r.status_code == 200, r.text
    return elapsed


def main() -> int:
    api_url, api_server = fake_wechat_api()
    with tempfile.TemporaryDirectory() as tmp:
        bot = start_bot(Path(tmp), REPO / "var" / "index", WECHAT_TOKEN=TOKEN,
                        WECHAT_APP_ID="wx-bench", WECHAT_APP_SECRET="secret",
                        WECHAT_API_BASE=api_url, RATE_LIMIT_SENDER="100000",
                        RATE_LIMIT_ADDRESS="100000")
        try:
            direct, via = [], []
            for i in range(8):  # warm-up
                bot.say(f"warm-{i}", QUESTIONS[i % 4])
            for i in range(40):
                q = QUESTIONS[i % 4]
                t0 = time.perf_counter()
                bot.say(f"direct-{i}", q)
                direct.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                r = requests.post(f"{bot.gateway_url}/api/chat", json={"sender": f"via-{i}", "message": q},
                                  timeout=30)
                via.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200
            for i in range(10):  # warm-up
                wechat_post(bot.gateway_url, i)
            with ThreadPoolExecutor(max_workers=20) as pool:
                t0 = time.perf_counter()
                wechat = list(pool.map(lambda i: wechat_post(bot.gateway_url, i), range(200)))
                wall = time.perf_counter() - t0
        finally:
            bot.stop()
            api_server.shutdown()
    result = {
        "rasa_rest_median_ms": round(statistics.median(direct), 1),
        "gateway_chat_median_ms": round(statistics.median(via), 1),
        "gateway_added_median_ms": round(statistics.median(via) - statistics.median(direct), 1),
        "wechat_20_senders_p95_ms": round(percentile(wechat, 0.95), 1),
        "wechat_20_senders_median_ms": round(statistics.median(wechat), 1),
        "wechat_messages_per_s": round(len(wechat) / wall, 1),
        "gunicorn": "2 workers x 8 threads",
    }
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"gateway-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(result, indent=2))
    print(f"gateway /api/chat median {result['gateway_chat_median_ms']} ms vs Rasa REST "
          f"{result['rasa_rest_median_ms']} ms: the gateway adds {result['gateway_added_median_ms']} ms "
          f"(gunicorn {result['gunicorn']})")
    print(f"WeChat endpoint, 20 concurrent senders, 200 messages: median "
          f"{result['wechat_20_senders_median_ms']} ms, p95 {result['wechat_20_senders_p95_ms']} ms, "
          f"{result['wechat_messages_per_s']} messages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
