"""Ask Rasa within WeChat's 5-second limit, and deliver what does not fit without losing it.

Rasa runs in a worker thread. If it answers before the deadline (counted from the request's
arrival), the first chunk is the passive reply and the others follow through the
customer-service API once the response is out. If not, the request answers `success` at once
and the whole answer goes through the customer-service API when Rasa is done. Whatever goes
through the customer-service API is first written to the outbox, so a worker that dies half-way
leaves it for another worker's sweep (`recover`).
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout

from bot.rasa_client import RasaClient, RasaUnavailable
from bot.texts import bilingual
from shared_state.errors import StoreUnavailable
from bot.wechat.choices import ChoiceStore
from bot.wechat.customer_service import OUTSIDE_WINDOW, CustomerServiceClient
from bot.wechat.dedup import DedupStore
from bot.wechat.outbox import Outbox
from bot.wechat.render import render_answer, split_text
from bot.wechat.replies import Reply

log = logging.getLogger(__name__)

SENDER_PREFIX = "wechat:"


def rasa_sender(openid: str) -> str:
    """The id Rasa knows a WeChat user by: namespaced, so a web client cannot join it."""
    return SENDER_PREFIX + openid


class Responder:
    def __init__(self, rasa: RasaClient, customer_service: CustomerServiceClient,
                 choices: ChoiceStore, dedup: DedupStore, outbox: Outbox, *,
                 deadline: float = 4.5, followup_delay: float = 0.5, workers: int = 16):
        self.rasa = rasa
        self.customer_service = customer_service
        self.choices = choices
        self.dedup = dedup
        self.outbox = outbox
        self.deadline = deadline
        self.followup_delay = followup_delay
        self._rasa_pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wechat-rasa")
        self._send_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wechat-send")
        self._recovering = threading.Lock()

    def answer(self, key: str, openid: str, text: str, started: float) -> Reply:
        """`key`: the message's de-duplication key; `started`: time.monotonic() at arrival."""
        message = self._resolve_choice(openid, text)
        future = self._rasa_pool.submit(self._ask, openid, message)
        remaining = self.deadline - (time.monotonic() - started)
        try:
            chunks = future.result(timeout=max(0.0, remaining))
        except FutureTimeout:
            log.info("Rasa is past the WeChat deadline: the answer will follow asynchronously")
            # Kept before `success` goes out; held while Rasa may still answer here.
            self.outbox.add(key, openid, message, hold=self.rasa.timeout + self.outbox.lease)
            self.dedup.done(key)
            future.add_done_callback(
                lambda done: self._send_pool.submit(self._finish, key, openid, done.result()))
            return Reply(None)
        if len(chunks) > 1:
            self.outbox.add(key, openid, message, chunks[1:],
                            hold=self.followup_delay + self.outbox.lease)
        return Reply(chunks[0], chunks[1:])

    def send_later(self, key: str, openid: str, chunks: list[str]) -> None:
        """Send chunks through the customer-service API, after the passive reply has gone out."""
        if chunks:
            self._send_pool.submit(self._deliver_kept, key, openid, chunks, self.followup_delay)

    def recover(self) -> int:
        """Finish outbox entries whose worker died or whose delivery failed; returns how many
        were delivered. Safe to call from every worker: an entry is taken under a lease."""
        if not self._recovering.acquire(blocking=False):
            return 0
        try:
            take, drop = self.outbox.take_due()
            for item in drop:
                log.error("WeChat answer to %s given up after %d attempt(s)", _short(item.openid),
                          item.attempts - 1)
            delivered = 0
            for item in take:
                chunks = item.chunks
                if chunks is None:  # the worker died before Rasa answered: ask again
                    chunks = self._ask(item.openid, item.question)
                    self.outbox.set_chunks(item.key, chunks)
                delivered += self._deliver_kept(item.key, item.openid, chunks, 0.0)
            return delivered
        finally:
            self._recovering.release()

    def shutdown(self) -> None:
        self._rasa_pool.shutdown(wait=False, cancel_futures=True)
        self._send_pool.shutdown(wait=False, cancel_futures=True)

    def _resolve_choice(self, openid: str, text: str) -> str:
        try:
            return self.choices.resolve(openid, text) or text
        except StoreUnavailable:
            log.exception("numbered-choice store failed")
            return text

    def _ask(self, openid: str, text: str) -> list[str]:
        """Rasa's answer as text chunks; never raises (an apology stands in for an answer)."""
        try:
            messages = self.rasa.send(rasa_sender(openid), text)
        except RasaUnavailable as exc:
            log.warning("Rasa unavailable for a WeChat message: %s", exc)
            return [bilingual("unavailable", "wechat")]
        except Exception:  # noqa: BLE001 - the user gets an apology, the log the details
            log.exception("asking Rasa failed")
            return [bilingual("unavailable", "wechat")]
        try:
            rendered = render_answer(messages)
            try:
                self.choices.remember(openid, rendered.choices)
            except StoreUnavailable:
                log.exception("numbered-choice store failed")
            return split_text(rendered.text) or [bilingual("unavailable", "wechat")]
        except Exception:  # noqa: BLE001
            log.exception("rendering Rasa's answer failed")
            return [bilingual("unavailable", "wechat")]

    def _finish(self, key: str, openid: str, chunks: list[str]) -> None:
        try:
            self.outbox.set_chunks(key, chunks)
        except StoreUnavailable:
            log.exception("WeChat outbox unwritable; delivering from memory")
        self._deliver_kept(key, openid, chunks, 0.0)

    def _deliver_kept(self, key: str, openid: str, chunks: list[str], delay: float) -> int:
        """Deliver an outbox entry; it leaves the outbox once sent (or undeliverable for good),
        else keeps the unsent rest for a later sweep. Returns 1 when delivered."""
        try:
            sent, final = self._deliver(openid, chunks, delay)
            if sent == len(chunks) or final:
                self.outbox.remove(key)
                return int(sent == len(chunks))
            self.outbox.set_chunks(key, chunks[sent:])
        except Exception:  # noqa: BLE001 - a daemon thread: log, the sweep retries
            log.exception("WeChat delivery bookkeeping failed")
        return 0

    def _deliver(self, openid: str, chunks: list[str], delay: float) -> tuple[int, bool]:
        """(chunks sent, whether retrying is pointless)."""
        if delay > 0:
            time.sleep(delay)
        if not self.customer_service.tokens.configured:
            log.error("%d WeChat message(s) not delivered: WECHAT_APP_ID and WECHAT_APP_SECRET "
                      "are needed for the customer-service API", len(chunks))
            return 0, True
        try:
            results = self.customer_service.send_texts(openid, chunks)
        except Exception:  # noqa: BLE001
            log.exception("customer-service delivery failed")
            return 0, False
        sent = sum(1 for r in results if r.sent)
        if sent < len(chunks):
            log.warning("WeChat answer only partly delivered: %d of %d message(s) sent", sent, len(chunks))
        # Outside the 48-hour window nothing more can be sent until the user writes again.
        return sent, any(r.errcode == OUTSIDE_WINDOW for r in results)


def _short(openid: str) -> str:
    return openid[:6] + "…" if len(openid) > 8 else openid
