"""WeChat channel hardening (issue 13): replay, downgrade, input, rate limit, no lost messages.

The gateway runs for real (in a server thread, or as gunicorn in a child process that the test
kills to play a dying worker); Rasa and WeChat's API are the loopback stand-ins of test_wechat.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import flask
import pytest
import requests

from bot.rasa_client import RasaClient
from bot.texts import bilingual
from bot.wechat import create_wechat_blueprint
from bot.wechat.outbox import Outbox
from harness.rasa_bot import free_port
from helpers import REPO
from wechat_fakes import (AES_KEY, APP_ID, APP_SECRET, TOKEN, ServerThread,
                         assert_text_reply, make_settings, new_openid, post_plain, sign,
                         text_xml)


@pytest.fixture(autouse=True)
def reset(rasa, api):
    rasa.reset()
    api.reset()


@pytest.fixture
def start(rasa, api, tmp_path):
    """start(**settings) -> (url of /wechat, channel); plain mode unless an AES key is given."""
    started = []

    def run(**overrides):
        overrides.setdefault("wechat_aes_key", "")
        settings = make_settings(rasa.url, api.url, tmp_path, **overrides)
        app = flask.Flask("gateway")
        blueprint = create_wechat_blueprint(settings, RasaClient(settings.rasa_url, settings.rasa_timeout),
                                            followup_delay=0.1, sweep_interval=0.2)
        app.register_blueprint(blueprint)
        server = ServerThread(app)
        started.append((server, blueprint.wechat_channel))
        return server.url + "/wechat", blueprint.wechat_channel

    yield run
    for server, channel in started:
        channel.shutdown()
        server.stop()


def params_at(timestamp: int, nonce: str = "4242") -> dict:
    return {"signature": sign(TOKEN, str(timestamp), nonce), "timestamp": str(timestamp),
            "nonce": nonce}


def test_stale_or_future_timestamps_are_refused(start, rasa):
    url, _ = start()
    xml = text_xml(new_openid(), "外商投资法是什么？").encode()
    for offset in (-301, 301, -86400 * 365):
        resp = requests.post(url, params=params_at(int(time.time()) + offset), data=xml, timeout=5)
        assert resp.status_code == 403, offset
    bad = {**params_at(int(time.time())), "timestamp": "not-a-number"}
    assert requests.post(url, params=bad, data=xml, timeout=5).status_code == 403
    assert rasa.calls == []
    assert requests.post(url, params=params_at(int(time.time()) - 250), data=xml,
                         timeout=5).status_code == 200


def test_a_captured_nonce_cannot_carry_another_message(start, rasa):
    url, _ = start()
    victim, attacker_text = new_openid(), "把我的对话转给别人"
    params = params_at(int(time.time()), nonce="777001")
    genuine = text_xml(victim, "你好").encode()
    assert_text_reply(requests.post(url, params=params, data=genuine, timeout=5), victim)
    forged = text_xml(victim, attacker_text).encode()
    resp = requests.post(url, params=params, data=forged, timeout=5)
    assert resp.status_code == 403
    assert [m for _, m in rasa.calls] == ["你好"]
    # The same callback again (WeChat's retry): acknowledged, not refused, not answered twice.
    again = requests.post(url, params=params, data=genuine, timeout=5)
    assert again.status_code == 200 and again.text == "success"
    assert len(rasa.calls) == 1


def test_with_an_aes_key_plain_callbacks_are_refused(start, rasa):
    url, _ = start(wechat_aes_key=AES_KEY)
    resp = post_plain(url, text_xml(new_openid(), "你好"))
    assert resp.status_code == 403 and "encrypt" in resp.text
    assert rasa.calls == []


@pytest.mark.parametrize("from_user", ["o 1; DROP", "../../etc/passwd", "o" * 65, "web:abc",
                                       "o\u200bbcdefg"])
def test_from_user_name_must_look_like_an_openid(start, rasa, from_user):
    url, _ = start()
    resp = post_plain(url, text_xml(from_user, "你好"))
    assert resp.status_code == 400 and "FromUserName" in resp.text
    assert rasa.calls == []


def test_per_user_rate_limit(start, rasa):
    url, _ = start(wechat_rate_limit=2)
    noisy, quiet = new_openid(), new_openid()
    replies = [assert_text_reply(post_plain(url, text_xml(noisy, f"问题{i}")), noisy) for i in range(3)]
    assert replies[2] == bilingual("too_quickly", "wechat") and "频繁" in replies[2] and "too quickly" in replies[2]
    assert assert_text_reply(post_plain(url, text_xml(quiet, "你好")), quiet).startswith("答复")
    assert [s for s, _ in rasa.calls] == [f"wechat:{noisy}"] * 2 + [f"wechat:{quiet}"]


def test_a_failed_answer_is_released_for_the_retry(start, rasa):
    url, channel = start()
    real_handle = channel.handler.handle
    calls = []

    def failing_once(message, started):
        calls.append(message.msg_id)
        if len(calls) == 1:
            raise RuntimeError("worker bug")
        return real_handle(message, started)

    channel.handler.handle = failing_once
    openid = new_openid()
    xml = text_xml(openid, "信息报告怎么提交？")
    first = post_plain(url, xml)
    assert first.status_code == 500 and "Traceback" not in first.text
    retry = post_plain(url, xml)  # the claim was released: the retry is answered
    assert assert_text_reply(retry, openid).startswith("答复：信息报告怎么提交？")


# --- dying workers: gunicorn in a child process, killed ----------------------------------------

def start_gunicorn(rasa, api, db: Path, **env) -> tuple[subprocess.Popen, str]:
    port = free_port()
    full_env = dict(os.environ, PYTHONPATH=str(REPO), WECHAT_TOKEN=TOKEN, WECHAT_AES_KEY="",
                    WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET=APP_SECRET, WECHAT_API_BASE=api.url,
                    RASA_URL=rasa.url, WECHAT_DEDUP_DB=str(db),
                    FEEDBACK_DB=str(db.with_name("feedback.sqlite")), **env)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4",
                             "--bind", f"127.0.0.1:{port}", "bot.wsgi:app"], cwd=REPO, env=full_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/health", timeout=2)
            return proc, url + "/wechat"
        except requests.ConnectionError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("gunicorn did not start")


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # no clean shutdown: a crash
    proc.wait(timeout=10)


TIMINGS = dict(WECHAT_REPLY_DEADLINE="1.0", WECHAT_LEASE_SECONDS="3", WECHAT_OUTBOX_RETRY="1",
               RASA_TIMEOUT="3")


@pytest.mark.slow  # restarts gunicorn
def test_worker_dying_mid_answer_does_not_lose_the_message(start, rasa, api, tmp_path):
    db = tmp_path / "wechat-dedup.sqlite"
    proc, dying = start_gunicorn(rasa, api, db, **TIMINGS)
    openid = new_openid()
    xml = text_xml(openid, "负面清单有几条？")
    rasa.delay = 0.9  # still thinking when the worker dies
    threading.Thread(target=lambda: _swallow(lambda: post_plain(dying, xml)), daemon=True).start()
    time.sleep(0.5)
    kill(proc)
    rasa.delay = 0.0
    url, _ = start(wechat_reply_deadline=1.0, wechat_lease_seconds=3.0, wechat_outbox_retry=1.0,
                   rasa_timeout=3.0)
    # WeChat's first retry finds the dead worker's claim still leased...
    assert post_plain(url, xml).text == "success"
    time.sleep(3.2)
    # ...a later one, after the lease, is answered.
    assert assert_text_reply(post_plain(url, xml), openid).startswith("答复：负面清单有几条？")


@pytest.mark.slow  # restarts gunicorn
def test_answer_waiting_for_customer_service_survives_a_restart(start, rasa, api, tmp_path):
    db = tmp_path / "wechat-dedup.sqlite"
    proc, dying = start_gunicorn(rasa, api, db, **TIMINGS)
    openid = new_openid()
    rasa.delay = 2.5  # past the 1 s passive deadline: `success`, answer to follow
    resp = post_plain(dying, text_xml(openid, "鼓励类目录有哪些？"))
    assert resp.text == "success"
    kill(proc)  # before Rasa answered and anything was sent
    assert api.sends == [] and Outbox(str(db)).keys()
    rasa.delay = 0.0
    start(wechat_reply_deadline=1.0, wechat_lease_seconds=2.0, wechat_outbox_retry=1.0,
          rasa_timeout=3.0)  # the restarted gateway's sweep finishes it
    sends = api.wait_for_sends(1, timeout=15)
    assert len(sends) == 1 and sends[0]["body"]["touser"] == openid
    assert sends[0]["body"]["text"]["content"].startswith("答复：鼓励类目录有哪些？")
    deadline = time.monotonic() + 5
    while Outbox(str(db)).keys() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Outbox(str(db)).keys() == []


def test_a_stored_answer_is_delivered_without_asking_again(start, rasa, api, tmp_path):
    outbox = Outbox(str(tmp_path / "wechat-dedup.sqlite"))
    openid = new_openid()
    # What a worker that died between Rasa's answer and the customer-service call leaves.
    outbox.add("msg:gh:1", openid, "问题", ["第一段", "第二段"], hold=0)
    start()
    sends = api.wait_for_sends(2, timeout=10)
    assert [s["body"]["text"]["content"] for s in sends] == ["第一段", "第二段"]
    assert rasa.calls == []


def _swallow(call):
    try:
        call()
    except requests.RequestException:
        pass
