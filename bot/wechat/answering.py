"""Ask Rasa within WeChat's 5-second limit.

Rasa runs in a worker thread. If it answers before the deadline (counted from the request's
arrival), the first chunk is the passive reply and the others follow through the
customer-service API once the response is out. If not, the request answers `success` at once
and the whole answer goes through the customer-service API when Rasa is done.
"""
from __future__ import annotations

import logging
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout

from bot.rasa_client import RasaClient, RasaUnavailable
from bot.wechat import texts
from bot.wechat.choices import ChoiceStore
from bot.wechat.customer_service import CustomerServiceClient
from bot.wechat.render import render_answer, split_text
from bot.wechat.replies import Reply

log = logging.getLogger(__name__)


class Responder:
    def __init__(self, rasa: RasaClient, customer_service: CustomerServiceClient,
                 choices: ChoiceStore, *, deadline: float = 4.5,
                 followup_delay: float = 0.5, workers: int = 16):
        self.rasa = rasa
        self.customer_service = customer_service
        self.choices = choices
        self.deadline = deadline
        self.followup_delay = followup_delay
        self._rasa_pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wechat-rasa")
        self._send_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wechat-send")

    def answer(self, openid: str, text: str, started: float) -> Reply:
        """`started`: time.monotonic() when the request arrived."""
        message = self._resolve_choice(openid, text)
        future = self._rasa_pool.submit(self._ask, openid, message)
        remaining = self.deadline - (time.monotonic() - started)
        try:
            chunks = future.result(timeout=max(0.0, remaining))
        except FutureTimeout:
            log.info("Rasa is past the WeChat deadline: the answer will follow asynchronously")
            future.add_done_callback(
                lambda done: self._send_pool.submit(self._deliver, openid, done.result(), 0.0))
            return Reply(None)
        return Reply(chunks[0], chunks[1:])

    def send_later(self, openid: str, chunks: list[str]) -> None:
        """Send chunks through the customer-service API, after the passive reply has gone out."""
        if chunks:
            self._send_pool.submit(self._deliver, openid, chunks, self.followup_delay)

    def shutdown(self) -> None:
        self._rasa_pool.shutdown(wait=False, cancel_futures=True)
        self._send_pool.shutdown(wait=False, cancel_futures=True)

    def _resolve_choice(self, openid: str, text: str) -> str:
        try:
            return self.choices.resolve(openid, text) or text
        except sqlite3.Error:
            log.exception("numbered-choice store failed")
            return text

    def _ask(self, openid: str, text: str) -> list[str]:
        """Rasa's answer as text chunks; never raises (an apology stands in for an answer)."""
        try:
            messages = self.rasa.send(openid, text)
        except RasaUnavailable as exc:
            log.warning("Rasa unavailable for a WeChat message: %s", exc)
            return [texts.APOLOGY]
        except Exception:  # noqa: BLE001 - the user gets an apology, the log the details
            log.exception("asking Rasa failed")
            return [texts.APOLOGY]
        try:
            rendered = render_answer(messages)
            try:
                self.choices.remember(openid, rendered.choices)
            except sqlite3.Error:
                log.exception("numbered-choice store failed")
            return split_text(rendered.text) or [texts.APOLOGY]
        except Exception:  # noqa: BLE001
            log.exception("rendering Rasa's answer failed")
            return [texts.APOLOGY]

    def _deliver(self, openid: str, chunks: list[str], delay: float) -> None:
        if delay > 0:
            time.sleep(delay)
        if not self.customer_service.tokens.configured:
            log.error("%d WeChat message(s) not delivered: WECHAT_APP_ID and WECHAT_APP_SECRET "
                      "are needed for the customer-service API", len(chunks))
            return
        try:
            results = self.customer_service.send_texts(openid, chunks)
        except Exception:  # noqa: BLE001
            log.exception("customer-service delivery failed")
            return
        sent = sum(1 for r in results if r.sent)
        if sent < len(chunks):
            log.warning("WeChat answer only partly delivered: %d of %d message(s) sent", sent, len(chunks))
