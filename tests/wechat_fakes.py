"""The loopback stand-ins the WeChat tests share (test_wechat, test_hardening_wechat,
test_shared_gateways): a fake Rasa REST webhook and a fake WeChat API in werkzeug server threads,
the gateway around the blueprint, and WeChat's side of the protocol (signatures, message XML).
conftest.py gives each test module its own `rasa` and `api` fakes from here."""
from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
import xml.etree.ElementTree as ET

import flask
import requests

from bot.config import GatewaySettings
from bot.rasa_client import RasaClient
from bot.wechat import create_wechat_blueprint
from harness.wsgi import serve_in_thread

TOKEN = "test"  # wechatpy's own test vector uses this token
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx0123456789abcdef"
APP_SECRET = "s3cr3t-app-secret"
ACCOUNT = "gh_0123456789ab"
SOURCE = {"doc_title": "外商投资法", "label": "第二条", "doc_number": "主席令第26号",
          "date": "2019-03-15", "source_url": ""}


# --- servers --------------------------------------------------------------------------------

class ServerThread:
    def __init__(self, app):
        self.url, self.server = serve_in_thread(app)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class FakeRasa:
    """Rasa's REST webhook: counts calls, waits `delay`, answers with `answer(sender, message)`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()
        app = flask.Flask("fake_rasa")

        @app.post("/webhooks/rest/webhook")
        def webhook():
            body = flask.request.get_json()
            with self.lock:
                self.calls.append((body["sender"], body["message"]))
                delay, answer, status = self.delay, self.answer, self.status
            time.sleep(delay)
            if status != 200:
                return flask.Response("boom", status=status)
            return flask.jsonify(answer(body["sender"], body["message"]))

        self.server = ServerThread(app)
        self.url = self.server.url

    @staticmethod
    def default_answer(sender, message):
        return [{"recipient_id": sender, "text": f"答复：{message}"},
                {"recipient_id": sender, "custom": {"type": "answer", "sources": [SOURCE]}}]

    def reset(self):
        with self.lock:
            self.calls, self.delay, self.status = [], 0.0, 200
            self.answer = self.default_answer


class FakeWeChatAPI:
    """The token endpoint and the customer-service endpoint, recording every call."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()
        app = flask.Flask("fake_wechat_api")

        @app.get("/cgi-bin/token")
        def token():
            args = flask.request.args
            with self.lock:
                self.token_calls.append(dict(args))
                if (args.get("grant_type") != "client_credential" or args.get("appid") != APP_ID
                        or args.get("secret") != APP_SECRET):
                    return flask.jsonify({"errcode": 40013, "errmsg": "invalid appid"})
                self.issued.append(f"TOKEN-{len(self.issued) + 1}")
                return flask.jsonify({"access_token": self.issued[-1], "expires_in": self.expires_in})

        @app.post("/cgi-bin/message/custom/send")
        def custom_send():
            raw = flask.request.get_data()
            with self.lock:
                access_token = flask.request.args.get("access_token")
                call = {"access_token": access_token, "raw": raw, "body": json.loads(raw)}
                self.send_attempts.append(call)
                if access_token not in self.issued:
                    return flask.jsonify({"errcode": 40001, "errmsg": "invalid credential"})
                errcode = self.errcodes.pop(0) if self.errcodes else 0
                if errcode == 0:
                    self.sends.append(call)
                return flask.jsonify({"errcode": errcode, "errmsg": "ok" if errcode == 0 else "error"})

        self.server = ServerThread(app)
        self.url = self.server.url

    def reset(self):
        with self.lock:
            self.token_calls, self.issued, self.send_attempts, self.sends = [], [], [], []
            self.errcodes, self.expires_in = [], 7200

    def wait_for_sends(self, count, timeout=12.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if len(self.sends) >= count:
                    return list(self.sends)
            time.sleep(0.05)
        with self.lock:
            return list(self.sends)


def make_settings(rasa_url, api_url, tmp_path, **overrides):
    values = dict(wechat_token=TOKEN, wechat_aes_key=AES_KEY, wechat_app_id=APP_ID,
                  wechat_app_secret=APP_SECRET, wechat_api_base=api_url,
                  wechat_reply_deadline=4.5, wechat_dedup_db=str(tmp_path / "wechat-dedup.sqlite"),
                  rasa_url=rasa_url, rasa_timeout=20.0)
    values.update(overrides)
    return GatewaySettings(**values)


def start_gateway(settings):
    app = flask.Flask(__name__)
    blueprint = create_wechat_blueprint(settings, RasaClient(settings.rasa_url, settings.rasa_timeout),
                                        followup_delay=0.1)
    app.register_blueprint(blueprint)
    return ServerThread(app), blueprint


# --- WeChat's side of the protocol ------------------------------------------------------------

def sign(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signed_params(**extra):
    timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
    return {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
            "openid": "ignored", **extra}


_msg_ids = iter(range(6_000_000_000_000_000_000, 7_000_000_000_000_000_000, 7919))


def new_openid():
    return "o" + secrets.token_hex(13)


def text_xml(openid, content, msg_id=None):
    msg_id = msg_id or next(_msg_ids)
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def post_plain(url, xml, **kw):
    return requests.post(url, params=signed_params(), data=xml.encode("utf-8"),
                         headers={"Content-Type": "text/xml"}, timeout=15, **kw)


def reply_fields(xml_text):
    root = ET.fromstring(xml_text)
    assert root.tag == "xml"
    return {child.tag: child.text or "" for child in root}


def assert_text_reply(resp, openid):
    assert resp.status_code == 200, resp.text
    fields = reply_fields(resp.text)
    assert fields["ToUserName"] == openid
    assert fields["FromUserName"] == ACCOUNT
    assert fields["MsgType"] == "text"
    assert abs(int(fields["CreateTime"]) - time.time()) < 60
    return fields["Content"]
