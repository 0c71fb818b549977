"""Two gateways (gunicorn, two workers each) and two action servers as real processes, sharing one
Redis and one PostgreSQL on 127.0.0.1, as replicas on two machines would. Rasa and WeChat's API are
the loopback stand-ins of test_wechat: what is checked is the gateways' and action servers' state.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from helpers import REPO, wait_for
from harness.rasa_bot import free_port
from wechat_fakes import (APP_ID, APP_SECRET, TOKEN, assert_text_reply,
                         new_openid, post_plain, text_xml)

pytestmark = pytest.mark.slow  # gunicorn and action-server processes, PostgreSQL
SENDER_LIMIT = 6


def _wait_until_up(proc: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


def _env(redis, postgres, workdir: Path, **extra) -> dict:
    # Each process has files of its own: were anything still kept in them, nothing would be shared.
    workdir.mkdir(parents=True, exist_ok=True)
    return dict(os.environ, PYTHONPATH=str(REPO), REDIS_URL=redis.url, STATE_DATABASE_URL=postgres.url,
                FEEDBACK_DB=str(workdir / "feedback.sqlite"), WECHAT_DEDUP_DB=str(workdir / "wechat.sqlite"),
                HANDOFF_DB=str(workdir / "handoff.sqlite"), KB_PRELOAD="0", **extra)


@pytest.fixture(scope="module")
def gateways(redis, postgres, rasa, api, tmp_path_factory):
    procs, urls = [], []
    for name in ("a", "b"):
        port = free_port()
        env = _env(redis, postgres, tmp_path_factory.mktemp(f"gateway-{name}"), RASA_URL=rasa.url,
                   RATE_LIMIT_SENDER=str(SENDER_LIMIT), RATE_LIMIT_ADDRESS="100000",
                   WECHAT_TOKEN=TOKEN, WECHAT_AES_KEY="", WECHAT_APP_ID=APP_ID,
                   WECHAT_APP_SECRET=APP_SECRET, WECHAT_API_BASE=api.url, RASA_TIMEOUT="3")
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
                                 "--bind", f"127.0.0.1:{port}", "bot.wsgi:app"], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        procs.append(proc)
        urls.append(f"http://127.0.0.1:{port}")
        _wait_until_up(proc, urls[-1] + "/health/live")
    yield urls
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


@pytest.fixture(scope="module")
def action_servers(redis, postgres, tmp_path_factory):
    procs, urls = [], []
    for name in ("a", "b"):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "actions.server", "--port", str(port)], cwd=REPO,
                                env=_env(redis, postgres, tmp_path_factory.mktemp(f"actions-{name}")),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        procs.append(proc)
        urls.append(f"http://127.0.0.1:{port}")
        _wait_until_up(proc, urls[-1] + "/health")
    yield urls
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def chat(url: str, sender: str, message: str) -> requests.Response:
    return requests.post(url + "/api/chat", json={"sender": sender, "message": message}, timeout=30)


def handoff(url: str, sender: str) -> dict:
    """action_handoff run by an action server, as Rasa would call it."""
    events = [{"event": "user", "text": "我要投诉", "parse_data": {"intent": {"name": "ask_policy"}}}]
    tracker = {"sender_id": sender, "slots": {"lang": "zh", "topic": "complaints"},
               "latest_message": {"text": "/request_human", "intent": {"name": "request_human"}},
               "events": events, "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen"}
    r = requests.post(url + "/webhook", json={"next_action": "action_handoff", "sender_id": sender,
                                              "tracker": tracker, "domain": {}, "version": "3.6.21"},
                      timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["responses"][0]


def test_two_gateways_enforce_one_rate_limit_together(gateways, rasa):
    sender = f"rl-{uuid.uuid4().hex[:8]}"
    # Alternating between the gateways (and so between their workers): with limits per process
    # each would let SENDER_LIMIT through, 2 x SENDER_LIMIT in all.
    codes = [chat(gateways[i % 2], sender, f"问题{i}").status_code for i in range(2 * SENDER_LIMIT)]
    assert codes == [200] * SENDER_LIMIT + [429] * SENDER_LIMIT
    assert chat(gateways[1], f"other-{sender}", "你好").status_code == 200


def test_a_wechat_message_delivered_to_two_gateways_is_answered_once(gateways, rasa):
    openid = new_openid()
    question = f"负面清单有几条？{uuid.uuid4().hex[:6]}"
    xml = text_xml(openid, question)
    rasa.delay = 0.5  # both deliveries are in flight together
    try:
        with ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(lambda url: post_plain(url + "/wechat", xml), gateways))
    finally:
        rasa.delay = 0.0
    answers = [r for r in replies if r.text != "success"]
    assert len(answers) == 1 and sum(r.text == "success" for r in replies) == 1, [r.text for r in replies]
    assert assert_text_reply(answers[0], openid).startswith("答复：负面清单有几条？")
    assert [c for c in rasa.calls if c[0] == f"wechat:{openid}"] == [(f"wechat:{openid}", question)]
    # WeChat's retry, to either gateway, is acknowledged without asking Rasa again.
    for url in gateways:
        assert post_plain(url + "/wechat", xml).text == "success"
    assert len([c for c in rasa.calls if c[0] == f"wechat:{openid}"]) == 1


def test_feedback_given_through_one_gateway_is_seen_by_the_other(gateways, postgres):
    sender = f"fb-{uuid.uuid4().hex[:8]}"
    reply = chat(gateways[0], sender, "外商投资企业投诉以后多久受理？").json()
    answer = reply["messages"][0]
    assert answer["answer_id"]
    rate = lambda url, rating: requests.post(url + "/api/feedback", timeout=30,  # noqa: E731
                                             json={"sender": sender, "rating": rating,
                                                   "answer_id": answer["answer_id"]})
    assert rate(gateways[1], "down").status_code == 200  # the answer was given by the other one
    assert rate(gateways[0], "up").status_code == 404  # rated once, whichever gateway is asked
    out = subprocess.run([sys.executable, "-m", "bot", "feedback", "--worst", "50", "--json"], cwd=REPO,
                         capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, PYTHONPATH=str(REPO), STATE_DATABASE_URL=postgres.url))
    weak = [w for w in json.loads(out.stdout) if w["answer"] == answer["text"]]
    assert [(w["down"], w["up"], w["question"]) for w in weak] == [(1, 0, "外商投资企业投诉以后多久受理？")]


def test_handoffs_recorded_by_two_action_servers_share_one_list(action_servers, postgres):
    from actions.handoff_store import HandoffStore

    first = handoff(action_servers[0], f"web:h-{uuid.uuid4().hex[:6]}")
    second = handoff(action_servers[1], f"web:h-{uuid.uuid4().hex[:6]}")
    refs = [first["custom"]["reference"], second["custom"]["reference"]]
    assert all(r.startswith("H") for r in refs) and int(refs[1][1:]) > int(refs[0][1:])
    # What staff read, from yet another process: both, under the references the users were given.
    listed = {f"H{h.id:06d}" for h in HandoffStore(postgres.url).open_requests(1000)}
    assert set(refs) <= listed


def test_redis_down_gives_the_bilingual_apology_and_service_returns(gateways, redis):
    sender = f"down-{uuid.uuid4().hex[:6]}"
    assert chat(gateways[0], sender, "你好").status_code == 200
    redis.stop()
    try:
        for url in gateways:
            r = chat(url, sender, "你好")
            assert r.status_code == 503, r.text
            error = r.json()["error"]
            assert "抱歉" in error and "Sorry" in error and "Traceback" not in r.text
    finally:
        redis.start()
    assert wait_for(lambda: all(chat(url, sender, "你好").status_code == 200 for url in gateways), 30, every=0.5)


def test_postgres_down_keeps_answers_apologises_for_ratings_and_returns(gateways, action_servers,
                                                                        postgres):
    sender = f"pgdown-{uuid.uuid4().hex[:6]}"
    postgres.stop()
    try:
        r = chat(gateways[0], sender, "外商投资企业投诉以后多久受理？")
        # The answer still goes out; only its rating cannot be kept.
        assert r.status_code == 200 and r.json()["messages"][0]["answer_id"] == ""
        rated = requests.post(gateways[1] + "/api/feedback", timeout=30,
                              json={"sender": sender, "rating": "up", "answer_id": "0" * 24})
        assert rated.status_code == 503
        assert "抱歉" in rated.json()["error"] and "Sorry" in rated.json()["error"]
        # A handoff still names the human channel (the request is in the action server's log).
        message = handoff(action_servers[0], f"web:{sender}")
        assert message["custom"]["reference"] == "" and "投诉中心" in message["text"]
    finally:
        postgres.start()

    def recovered():
        reply = chat(gateways[0], sender, "外商投资企业投诉以后多久受理？").json()["messages"][0]
        return reply["answer_id"] and requests.post(
            gateways[1] + "/api/feedback", timeout=30,
            json={"sender": sender, "rating": "up", "answer_id": reply["answer_id"]}).status_code == 200

    assert wait_for(recovered, 30, every=0.5)
    assert handoff(action_servers[1], f"web:{sender}")["custom"]["reference"].startswith("H")
