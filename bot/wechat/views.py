"""The `/wechat` endpoint: server verification (GET) and messages (POST), plain and safe mode."""
from __future__ import annotations

import logging
import threading
import time
from urllib.parse import parse_qs

import requests
from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from bot.config import GatewaySettings
from shared_state.errors import StoreUnavailable
from bot.rasa_client import RasaClient
from bot.rate_limit import open_rate_limiter
from bot.texts import bilingual
from bot.wechat.answering import Responder
from bot.wechat.choices import ChoiceStore
from bot.wechat.crypto import CryptoError, MessageCrypto
from bot.wechat.customer_service import CustomerServiceClient
from bot.wechat.dedup import DedupStore
from bot.wechat.handler import MessageHandler
from bot.wechat.messages import BadMessage, IncomingMessage
from bot.wechat.outbox import Outbox
from bot.wechat.replay import ReplayGuard
from bot.wechat.replies import Reply, text_reply_xml
from bot.wechat.signature import check_msg_signature, check_signature
from bot.wechat.token_cache import AccessTokenCache
from bot.wechat.token_store import SharedTokenStore
from bot.wechat.xml_safe import MAX_XML_BYTES, XmlRejected, parse_xml_fields

log = logging.getLogger(__name__)

NOT_CONFIGURED = "WeChat channel is not configured: set WECHAT_TOKEN."


def _plain(body: str | bytes, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def _success() -> Response:
    """WeChat's 'received, no passive reply' answer."""
    return _plain("success")


class WeChatChannel:
    def __init__(self, settings: GatewaySettings, rasa_client: RasaClient, *,
                 session: requests.Session | None = None, followup_delay: float = 0.5,
                 sweep_interval: float = 5.0):
        self.token = settings.wechat_token
        # With an EncodingAESKey configured only encrypted callbacks are accepted: a plain body
        # would bypass the signature over the ciphertext (a downgrade).
        self.require_encryption = bool(settings.wechat_aes_key)
        self.crypto: MessageCrypto | None = None
        self.crypto_problem = ""
        if settings.wechat_aes_key:
            try:
                self.crypto = MessageCrypto(settings.wechat_token, settings.wechat_aes_key,
                                            settings.wechat_app_id)
            except ValueError as exc:
                self.crypto_problem = str(exc)
                log.error("WeChat safe mode unavailable: %s", exc)
        else:
            self.crypto_problem = "WECHAT_AES_KEY is not set"
        session = session or requests.Session()
        self.tokens = AccessTokenCache(settings.wechat_api_base, settings.wechat_app_id,
                                       settings.wechat_app_secret, session=session,
                                       shared=SharedTokenStore(settings.wechat_keys_address))
        self.customer_service = CustomerServiceClient(settings.wechat_api_base, self.tokens,
                                                      session=session)
        self.dedup = DedupStore(settings.wechat_keys_address,
                                lease=max(settings.wechat_lease_seconds,
                                          settings.wechat_reply_deadline + 1.0))
        self.replay = ReplayGuard(settings.wechat_keys_address, settings.wechat_replay_window)
        self.per_user = open_rate_limiter(settings.rate_limit_address, "wechat", settings.wechat_rate_limit,
                                          settings.rate_limit_window)
        self.outbox = Outbox(settings.wechat_outbox_address, lease=settings.wechat_outbox_retry)
        self.choices = ChoiceStore(settings.wechat_keys_address)
        self.responder = Responder(rasa_client, self.customer_service, self.choices, self.dedup,
                                   self.outbox, deadline=settings.wechat_reply_deadline,
                                   followup_delay=followup_delay)
        self.handler = MessageHandler(self.responder, settings.max_message_chars)
        self._stop = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep, args=(sweep_interval,),
                                         name="wechat-outbox", daemon=True)
        self._sweeper.start()

    def _sweep(self, interval: float) -> None:
        """Deliver answers another (dead) worker left in the outbox; first at start-up."""
        while True:
            try:
                self.responder.recover()
            except Exception:  # noqa: BLE001 - the sweep must outlive any surprise
                log.exception("WeChat outbox sweep failed")
            if self._stop.wait(interval):
                return

    # GET: WeChat checks the server by asking it to echo `echostr` back.
    def verify(self) -> Response:
        args = request.args
        if not check_signature(self.token, args.get("signature"), args.get("timestamp"),
                               args.get("nonce")):
            return _plain("invalid signature", 403)
        return _plain(self._raw_echostr())

    @staticmethod
    def _raw_echostr() -> bytes:
        """echostr byte for byte: percent-decoded from the raw query, without any re-encoding."""
        query = request.query_string.decode("latin-1")
        values = parse_qs(query, keep_blank_values=True, encoding="latin-1").get("echostr")
        return values[0].encode("latin-1") if values else b""

    # POST: a message or event.
    def receive(self) -> Response:
        started = time.monotonic()
        try:
            return self._receive(started)
        except HTTPException as exc:  # e.g. 413 from the app's MAX_CONTENT_LENGTH
            return _plain(exc.name, exc.code or 400)
        except Exception:  # noqa: BLE001 - never a stack trace in a reply
            log.exception("WeChat message handling failed")
            return _plain("internal error", 500)

    def _receive(self, started: float) -> Response:
        args = request.args
        timestamp, nonce = args.get("timestamp"), args.get("nonce")
        safe = (args.get("encrypt_type") or "raw").lower() == "aes"
        if not self.replay.fresh_timestamp(timestamp):
            return _plain("stale or missing timestamp", 403)
        # Plain mode is signed by `signature`; safe mode by `msg_signature` (WeChat sends both).
        if not safe or "signature" in args:
            if not check_signature(self.token, args.get("signature"), timestamp, nonce):
                return _plain("invalid signature", 403)
        if self.require_encryption and not safe:
            return _plain("encrypted mode (encrypt_type=aes) is required", 403)
        if safe and self.crypto is None:
            log.error("encrypted WeChat message, but safe mode is unavailable: %s", self.crypto_problem)
            return _plain(f"WeChat safe mode is not configured: {self.crypto_problem}.", 503)

        body = self._read_body()
        if body is None:
            return _plain("request body too large", 413)
        raw = body
        try:
            if safe:
                envelope = parse_xml_fields(body)
                encrypt = (envelope.get("Encrypt") or "").strip()
                if not encrypt:
                    return _plain("bad request: no Encrypt element", 400)
                if not check_msg_signature(self.token, args.get("msg_signature"), timestamp,
                                           nonce, encrypt):
                    return _plain("invalid signature", 403)
                body = self.crypto.decrypt(encrypt)
            message = IncomingMessage.from_fields(parse_xml_fields(body))
        except XmlRejected as exc:
            log.warning("WeChat body rejected: %s", exc)
            return _plain("bad request: malformed or unsafe XML", 400)
        except CryptoError as exc:
            log.warning("WeChat ciphertext rejected: %s", exc)
            return _plain("bad request: cannot decrypt", 400)
        except BadMessage as exc:
            return _plain(f"bad request: {exc}", 400)

        # Only now, with every signature checked: nobody without the token can spend a nonce.
        if not self._first_use(timestamp, nonce, raw):
            log.warning("WeChat callback refused: its nonce came before with another body")
            return _plain("replayed nonce", 403)
        key = message.dedup_key
        if not self._claim(key):
            return _success()
        try:
            if self._allowed(message.from_user):
                reply = self.handler.handle(message, started)
            else:
                reply = Reply(bilingual("too_quickly", "wechat"))
            if reply.content is None:
                self._done(key)
                return _success()
            xml = text_reply_xml(message, reply.content)
            if safe:
                xml = self.crypto.encrypt_reply(xml, nonce or "")
        except BaseException:
            self._release(key)  # WeChat's next retry gets another chance
            raise
        response = Response(xml, mimetype="application/xml")
        openid, followups = message.from_user, list(reply.followups)

        def delivered() -> None:
            # The passive reply is out: a retry from now on is just acknowledged.
            self._done(key)
            self.responder.send_later(key, openid, followups)

        response.call_on_close(delivered)
        return response

    def _first_use(self, timestamp: str, nonce: str, raw: bytes) -> bool:
        try:
            return self.replay.first_use(timestamp, nonce, raw)
        except StoreUnavailable:
            # The signature and the timestamp window were checked: while the nonce store is out
            # of reach, answering beats leaving every user unanswered.
            log.exception("WeChat nonce store failed; accepting the signed, fresh callback")
            return True

    def _allowed(self, openid: str) -> bool:
        try:
            return self.per_user.allow(openid)
        except StoreUnavailable:
            log.exception("WeChat rate-limit store failed; answering the message")
            return True

    def _claim(self, key: str) -> bool:
        try:
            return self.dedup.claim(key)
        except StoreUnavailable:
            # Better a possible duplicate answer than none.
            log.exception("WeChat de-duplication store failed; handling the message anyway")
            return True

    def _done(self, key: str) -> None:
        try:
            self.dedup.done(key)
        except StoreUnavailable:
            log.exception("WeChat de-duplication store failed")

    def _release(self, key: str) -> None:
        try:
            self.dedup.release(key)
        except StoreUnavailable:
            log.exception("WeChat de-duplication store failed")

    @staticmethod
    def _read_body() -> bytes | None:
        if request.content_length is not None and request.content_length > MAX_XML_BYTES:
            return None
        data = request.stream.read(MAX_XML_BYTES + 1)
        return None if len(data) > MAX_XML_BYTES else data

    def shutdown(self) -> None:
        self._stop.set()
        self.responder.shutdown()


def create_wechat_blueprint(settings: GatewaySettings, rasa_client: RasaClient, *,
                            session: requests.Session | None = None,
                            followup_delay: float = 0.5, sweep_interval: float = 5.0) -> Blueprint:
    """The WeChat channel as a blueprint serving `/wechat`; register it on the gateway app.

    Credentials come from `settings` (the environment). Without WECHAT_TOKEN the endpoint
    answers 503. `blueprint.wechat_channel` is the channel object (None when not configured).
    """
    blueprint = Blueprint("wechat", __name__)
    if not settings.wechat_token:
        log.warning(NOT_CONFIGURED)

        def not_configured() -> Response:
            return _plain(NOT_CONFIGURED, 503)

        blueprint.add_url_rule("/wechat", "not_configured", not_configured, methods=["GET", "POST"])
        blueprint.wechat_channel = None
        return blueprint

    channel = WeChatChannel(settings, rasa_client, session=session, followup_delay=followup_delay,
                            sweep_interval=sweep_interval)
    blueprint.add_url_rule("/wechat", "verify", channel.verify, methods=["GET"])
    blueprint.add_url_rule("/wechat", "receive", channel.receive, methods=["POST"])
    blueprint.wechat_channel = channel
    return blueprint
