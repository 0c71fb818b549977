"""The WeChat Official Account channel, over real HTTP on 127.0.0.1.

The gateway (a Flask app around the blueprint), a fake Rasa REST webhook and a fake WeChat API
(token + customer-service endpoints) each run in a werkzeug server thread on a spare loopback
port. wechatpy plays WeChat's side of the protocol (signatures, safe-mode encryption).
"""
from __future__ import annotations

import dataclasses
import logging
import secrets
import socket
import threading
import time

import pytest
import requests
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature as wechatpy_check_signature

from bot.config import GatewaySettings
from bot.texts import bilingual
from bot.wechat.customer_service import CustomerServiceClient
from bot.wechat.dedup import DedupStore
from bot.wechat.render import render_answer, split_text
from bot.rasa_client import ChatMessage
from bot.wechat.token_cache import AccessTokenCache
from bot.wechat.token_store import SharedTokenStore

from wechat_fakes import (ACCOUNT, AES_KEY, APP_ID, APP_SECRET, SOURCE, TOKEN, _msg_ids,
                          assert_text_reply, make_settings, new_openid, post_plain, reply_fields,
                          sign, signed_params, start_gateway, text_xml)


@pytest.fixture(scope="module")
def gateway(rasa, api, tmp_path_factory):
    """Plain mode: no EncodingAESKey (with one, only encrypted callbacks are accepted)."""
    server, blueprint = start_gateway(make_settings(rasa.url, api.url, tmp_path_factory.mktemp("wechat"),
                                                    wechat_aes_key=""))
    yield server.url + "/wechat"
    blueprint.wechat_channel.shutdown()
    server.stop()


@pytest.fixture(scope="module")
def safe_gateway(rasa, api, tmp_path_factory):
    """Safe mode: EncodingAESKey configured."""
    server, blueprint = start_gateway(make_settings(rasa.url, api.url, tmp_path_factory.mktemp("wechat-aes")))
    yield server.url + "/wechat"
    blueprint.wechat_channel.shutdown()
    server.stop()


@pytest.fixture(autouse=True)
def clean_fakes(request):
    names = request.fixturenames
    if "rasa" in names:
        request.getfixturevalue("rasa").reset()
    if "api" in names:
        request.getfixturevalue("api").reset()


# --- verification (GET) --------------------------------------------------------------------

def test_get_echoes_echostr_for_wechatpy_signature_vector(gateway):
    vector = {"signature": "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff", "timestamp": "1410685589",
              "nonce": "test"}
    wechatpy_check_signature("test", vector["signature"], vector["timestamp"], vector["nonce"])
    for echostr in ("5837397520054913658", "你好 echo-Ω"):
        resp = requests.get(gateway, params={**vector, "echostr": echostr}, timeout=5)
        assert resp.status_code == 200
        assert resp.headers["Content-Type"].startswith("text/plain")
        assert resp.content == echostr.encode("utf-8")


def test_bad_signature_is_refused_and_rasa_not_called(gateway, rasa):
    bad = {"signature": "0" * 40, "timestamp": "1410685589", "nonce": "test", "echostr": "123"}
    with pytest.raises(InvalidSignatureException):
        wechatpy_check_signature(TOKEN, bad["signature"], bad["timestamp"], bad["nonce"])
    assert requests.get(gateway, params=bad, timeout=5).status_code == 403
    assert requests.get(gateway, params={"echostr": "123"}, timeout=5).status_code == 403

    xml = text_xml(new_openid(), "外商投资法是什么？").encode()
    params = signed_params()
    params["signature"] = sign("wrong-token", params["timestamp"], params["nonce"])
    resp = requests.post(gateway, params=params, data=xml, timeout=5)
    assert resp.status_code == 403
    assert requests.post(gateway, data=xml, timeout=5).status_code == 403
    assert "Traceback" not in resp.text
    assert rasa.calls == []


# --- messages (POST), plain mode -------------------------------------------------------------

def test_text_message_plain_mode_goes_to_rasa(gateway, rasa, api):
    openid = new_openid()
    start = time.monotonic()
    resp = post_plain(gateway, text_xml(openid, "外资企业利润再投资能递延纳税吗？"))
    assert time.monotonic() - start < 4.5
    content = assert_text_reply(resp, openid)
    assert content.startswith("答复：外资企业利润再投资能递延纳税吗？")
    assert "— 《外商投资法》第二条 主席令第26号" in content
    assert rasa.calls == [(f"wechat:{openid}", "外资企业利润再投资能递延纳税吗？")]
    time.sleep(0.3)
    assert api.sends == []  # one short answer: nothing through customer service


def test_subscribe_event_gets_bilingual_welcome(gateway, rasa):
    openid = new_openid()
    xml = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
           f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
           "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>")
    content = assert_text_reply(post_plain(gateway, xml), openid)
    assert content == bilingual("welcome", "wechat")
    chinese, english = content.split("\n", 1)
    assert "欢迎" in chinese and "welcome" in english.lower()
    # The same event again (WeChat's retry: same FromUserName + CreateTime): answered once.
    assert post_plain(gateway, xml).text == "success"
    assert rasa.calls == []


@pytest.mark.parametrize("kind, extra", [
    ("voice", "<MediaId><![CDATA[media-1]]></MediaId><Format><![CDATA[amr]]></Format>"),
    ("image", "<PicUrl><![CDATA[http://127.0.0.1/x.jpg]]></PicUrl><MediaId><![CDATA[m]]></MediaId>"),
])
def test_non_text_message_gets_polite_text_only_note(gateway, rasa, kind, extra):
    openid = new_openid()
    xml = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
           f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
           f"<MsgType><![CDATA[{kind}]]></MsgType>{extra}<MsgId>{next(_msg_ids)}</MsgId></xml>")
    content = assert_text_reply(post_plain(gateway, xml), openid)
    assert content == bilingual("text_only", "wechat")
    assert "文字" in content and "text" in content
    assert rasa.calls == []


def test_rasa_down_gets_short_bilingual_apology(gateway, rasa, api, tmp_path):
    rasa.status = 500
    openid = new_openid()
    content = assert_text_reply(post_plain(gateway, text_xml(openid, "你好")), openid)
    assert content == bilingual("unavailable", "wechat")
    assert "抱歉" in content and "Sorry" in content and "Traceback" not in content

    # Nothing listening at all.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    server, blueprint = start_gateway(make_settings(f"http://127.0.0.1:{dead_port}", api.url, tmp_path,
                                                    wechat_aes_key=""))
    try:
        resp = post_plain(server.url + "/wechat", text_xml(openid, "你好"))
        assert assert_text_reply(resp, openid) == bilingual("unavailable", "wechat")
    finally:
        blueprint.wechat_channel.shutdown()
        server.stop()


def test_numbered_choices_stand_for_buttons(gateway, rasa):
    def answer(sender, message):
        if message == "/request_human":
            return [{"recipient_id": sender, "text": "正在为您转人工。"}]
        return [{"recipient_id": sender, "text": "需要为您转人工吗？",
                 "buttons": [{"title": "转人工", "payload": "/request_human"},
                             {"title": "不用了", "payload": "/deny"}]}]

    rasa.answer = answer
    openid = new_openid()
    content = assert_text_reply(post_plain(gateway, text_xml(openid, "我要投诉")), openid)
    assert content.endswith("1. 转人工\n2. 不用了")
    content = assert_text_reply(post_plain(gateway, text_xml(openid, "１")), openid)
    assert content == "正在为您转人工。"
    assert rasa.calls == [(f"wechat:{openid}", "我要投诉"), (f"wechat:{openid}", "/request_human")]


# --- safe mode ---------------------------------------------------------------------------------

def post_safe(url, inner_xml, crypto=None, tamper=False):
    crypto = crypto or WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
    envelope = crypto.encrypt_message(inner_xml, nonce, timestamp)
    fields = reply_fields(envelope)
    msg_signature = fields["MsgSignature"]
    if tamper:
        msg_signature = sign(TOKEN, timestamp, nonce, "something else")
    params = {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
              "openid": "ignored", "encrypt_type": "aes", "msg_signature": msg_signature}
    # WeChat posts ToUserName + Encrypt.
    body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>")
    return requests.post(url, params=params, data=body.encode(), timeout=15), nonce


def decrypt_reply(resp, nonce):
    assert resp.status_code == 200, resp.text
    envelope = reply_fields(resp.text)
    assert envelope["Nonce"] == nonce
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    return crypto.decrypt_message(resp.text, envelope["MsgSignature"], envelope["TimeStamp"], nonce)


def test_safe_mode_round_trip_with_wechatpy(safe_gateway, rasa):
    openid = new_openid()
    resp, nonce = post_safe(safe_gateway, text_xml(openid, "负面清单包括哪些行业？"))
    assert "负面清单" not in resp.text  # the reply is encrypted
    inner = decrypt_reply(resp, nonce)
    fields = reply_fields(inner)
    assert fields["ToUserName"] == openid and fields["FromUserName"] == ACCOUNT
    assert fields["Content"].startswith("答复：负面清单包括哪些行业？")
    assert rasa.calls == [(f"wechat:{openid}", "负面清单包括哪些行业？")]


def test_safe_mode_rejects_bad_signature_and_foreign_ciphertext(safe_gateway, rasa):
    resp, _ = post_safe(safe_gateway, text_xml(new_openid(), "你好"), tamper=True)
    assert resp.status_code == 403
    other_app = WeChatCrypto(TOKEN, AES_KEY, "wxffffffffffffffff")
    resp, _ = post_safe(safe_gateway, text_xml(new_openid(), "你好"), crypto=other_app)
    assert resp.status_code == 400
    resp, _ = post_safe(safe_gateway, XXE_PAYLOAD)
    assert resp.status_code == 400
    assert rasa.calls == []


# --- de-duplication and the 5-second deadline --------------------------------------------------

def test_retried_msgid_reaches_rasa_once_and_is_answered_once(gateway, rasa, api):
    rasa.delay = 1.0
    openid = new_openid()
    xml = text_xml(openid, "信息报告怎么提交？")
    results = []

    def post():
        results.append(post_plain(gateway, xml))

    threads = []
    for _ in range(3):  # the retries arrive while the first is still being processed
        threads.append(threading.Thread(target=post))
        threads[-1].start()
        time.sleep(0.15)
    for t in threads:
        t.join()
    bodies = sorted(r.text for r in results)
    assert all(r.status_code == 200 for r in results)
    assert bodies.count("success") == 2
    answered = [r for r in results if r.text != "success"]
    assert "答复：信息报告怎么提交？" in assert_text_reply(answered[0], openid)
    # A late retry, once the first has been answered: still not processed again.
    assert post_plain(gateway, xml).text == "success"
    assert rasa.calls == [(f"wechat:{openid}", "信息报告怎么提交？")]
    time.sleep(0.3)
    assert api.sends == []


def test_dedup_store_is_thread_safe_and_expires(tmp_path):
    store = DedupStore(str(tmp_path / "d.sqlite"), ttl=0.5, lease=0.5)
    wins = []
    threads = [threading.Thread(target=lambda: wins.append(store.claim("msg:1"))) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1
    assert store.claim("msg:2") is True
    time.sleep(0.6)
    assert store.claim("msg:1") is True  # never finished and the lease ran out: claimed again
    store.done("msg:1")
    assert store.claim("msg:1") is False  # done: a retry is only acknowledged
    time.sleep(0.6)
    assert store.claim("msg:1") is True  # forgotten after ttl
    store.close()


@pytest.mark.slow  # waits out WeChat's 5 s reply window on purpose
def test_slow_rasa_answers_success_then_customer_service(gateway, rasa, api):
    rasa.delay = 6.0
    openid = new_openid()
    start = time.monotonic()
    resp = post_plain(gateway, text_xml(openid, "鼓励外商投资产业目录有哪些？"))
    elapsed = time.monotonic() - start
    assert resp.status_code == 200 and resp.text == "success"
    assert elapsed < 5.0
    sends = api.wait_for_sends(1, timeout=10)
    time.sleep(0.3)
    assert len(api.sends) == 1
    body = sends[0]["body"]
    assert body["touser"] == openid and body["msgtype"] == "text"
    assert body["text"]["content"].startswith("答复：鼓励外商投资产业目录有哪些？")
    assert "《外商投资法》" in body["text"]["content"]
    assert rasa.calls == [(f"wechat:{openid}", "鼓励外商投资产业目录有哪些？")]


def test_long_answer_is_split_and_the_rest_sent_by_customer_service(gateway, rasa, api):
    long_text = "".join("外商投资政策"[i % 6] for i in range(5000))
    rasa.answer = lambda sender, message: [{"recipient_id": sender, "text": long_text}]
    openid = new_openid()
    first = assert_text_reply(post_plain(gateway, text_xml(openid, "详细说说")), openid)
    total = len(long_text.encode("utf-8"))
    expected_chunks = -(-total // 2047)
    sends = api.wait_for_sends(expected_chunks - 1)
    time.sleep(0.3)
    assert len(api.sends) == expected_chunks - 1
    chunks = [first] + [s["body"]["text"]["content"] for s in sends]
    assert all(len(c.encode("utf-8")) <= 2047 for c in chunks)
    assert "".join(chunks) == long_text
    assert all(s["body"]["touser"] == openid for s in sends)
    # Raw UTF-8 JSON (WeChat shows \\u escapes literally).
    assert "外商".encode("utf-8") in sends[0]["raw"] and b"\\u" not in sends[0]["raw"]
    # The access token was fetched once and reused for every send.
    assert len(api.token_calls) == 1
    assert {s["access_token"] for s in sends} == {"TOKEN-1"}


def test_split_prefers_line_breaks_and_keeps_characters_whole():
    text = "\n".join(["第一行" * 100, "🙂" * 400, "short", "英" * 1000])
    chunks = split_text(text)
    assert all(len(c.encode("utf-8")) <= 2047 for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")
    assert chunks[0].endswith("第一行")  # cut at a line break, not in the middle of a line
    rendered = render_answer([ChatMessage("答案", [SOURCE, SOURCE, {"doc_title": "《公告》",
                                                                   "label": "", "doc_number": ""}])])
    assert rendered.text == "答案\n— 《外商投资法》第二条 主席令第26号\n— 《公告》"


# --- customer service and the access token ------------------------------------------------------

def test_45015_is_logged_and_not_reported_as_sent(api, caplog):
    api.errcodes = [45015]
    client = CustomerServiceClient(api.url, AccessTokenCache(api.url, APP_ID, APP_SECRET))
    with caplog.at_level(logging.WARNING, logger="bot.wechat"):
        result = client.send_text("o_user_outside_window", "稍后回复")
    assert result.sent is False and result.errcode == 45015
    assert any("45015" in r.getMessage() for r in caplog.records)
    assert api.sends == []
    assert client.send_text("o_user_outside_window", "again").sent is True


def test_token_cached_refreshed_when_expired_and_after_40001(api):
    api.expires_in = 2  # refreshed at half its life at the latest: after 1 s
    tokens = AccessTokenCache(api.url, APP_ID, APP_SECRET)
    client = CustomerServiceClient(api.url, tokens)
    assert client.send_text("o1", "一").sent and client.send_text("o1", "二").sent
    assert len(api.token_calls) == 1
    time.sleep(1.1)
    assert client.send_text("o1", "三").sent
    assert len(api.token_calls) == 2
    assert [s["access_token"] for s in api.sends] == ["TOKEN-1", "TOKEN-1", "TOKEN-2"]

    api.expires_in = 7200
    for code in (40001, 42001):
        api.errcodes = [code]  # WeChat says the token is stale: renewed once, sent again
        before = len(api.token_calls)
        result = client.send_text("o1", "四")
        assert result.sent is True
        assert len(api.token_calls) == before + 1

    wrong = AccessTokenCache(api.url, APP_ID, "wrong-secret")
    result = CustomerServiceClient(api.url, wrong).send_text("o1", "五")
    assert result.sent is False and result.errcode == 40013


def test_gateway_workers_share_one_access_token(api, tmp_path):
    """Two worker processes' caches over one SQLite file: one fetch, and a worker whose token
    was superseded takes the other's instead of fetching again."""
    db = str(tmp_path / "shared.sqlite")
    first = AccessTokenCache(api.url, APP_ID, APP_SECRET, shared=SharedTokenStore(db))
    second = AccessTokenCache(api.url, APP_ID, APP_SECRET, shared=SharedTokenStore(db))
    assert first.get() == second.get() == "TOKEN-1"
    assert len(api.token_calls) == 1
    assert first.refresh(rejected="TOKEN-1") == "TOKEN-2"
    assert second.refresh(rejected="TOKEN-1") == "TOKEN-2"
    assert len(api.token_calls) == 2


# --- hostile XML ------------------------------------------------------------------------------

XXE_PAYLOAD = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
               f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>oAttacker</FromUserName>"
               "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content>"
               "<MsgId>1</MsgId></xml>")

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + f"]><xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>oAttacker</FromUserName>"
                  "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content>"
                  "<MsgId>2</MsgId></xml>")


@pytest.mark.parametrize("payload", [XXE_PAYLOAD, BILLION_LAUGHS,
                                     "<xml><ToUserName>x</ToUserName>",
                                     "<xml><Content>&undefined;</Content></xml>",
                                     "<other><a>1</a></other>"])
def test_hostile_or_malformed_xml_is_rejected(gateway, rasa, payload):
    resp = post_plain(gateway, payload)
    assert resp.status_code == 400
    assert "root:" not in resp.text and "Traceback" not in resp.text
    assert rasa.calls == []


def test_oversized_body_is_refused(gateway, rasa):
    resp = post_plain(gateway, text_xml(new_openid(), "政" * 30_000))
    assert resp.status_code == 413
    assert rasa.calls == []


# --- configuration ------------------------------------------------------------------------------

def test_without_token_the_channel_answers_503(rasa, api, tmp_path):
    server, blueprint = start_gateway(make_settings(rasa.url, api.url, tmp_path, wechat_token=""))
    try:
        for resp in (requests.get(server.url + "/wechat", params={"echostr": "1"}, timeout=5),
                     requests.post(server.url + "/wechat", data=text_xml("o1", "hi").encode(), timeout=5)):
            assert resp.status_code == 503
            assert "WECHAT_TOKEN" in resp.text
    finally:
        server.stop()
    assert blueprint.wechat_channel is None
    assert rasa.calls == []


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WECHAT_TOKEN", "tok")
    monkeypatch.setenv("WECHAT_AES_KEY", AES_KEY)
    monkeypatch.setenv("WECHAT_APP_ID", APP_ID)
    monkeypatch.setenv("WECHAT_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("WECHAT_API_BASE", "http://127.0.0.1:9/")
    settings = GatewaySettings()
    assert (settings.wechat_token, settings.wechat_app_id, settings.wechat_api_base) == \
        ("tok", APP_ID, "http://127.0.0.1:9")
    assert dataclasses.replace(settings, wechat_token="").wechat_token == ""
