"""What each kind of incoming message gets: text -> Rasa, subscribe -> welcome, others -> a note."""
from __future__ import annotations

from bot.rasa_client import clean_message
from bot.texts import bilingual
from bot.wechat.answering import Responder
from bot.wechat.messages import IncomingMessage
from bot.wechat.replies import Reply


class MessageHandler:
    def __init__(self, responder: Responder, max_chars: int = 1000):
        self.responder = responder
        self.max_chars = max_chars

    def handle(self, message: IncomingMessage, started: float) -> Reply:
        if message.msg_type == "text":
            # The same cleaning as the web channel: no control or zero-width characters.
            text = clean_message(message.content)
            if not text:
                return Reply(bilingual("empty", "wechat"))
            if len(text) > self.max_chars:
                return Reply(bilingual("too_long", "wechat", limit=self.max_chars))
            return self.responder.answer(message.dedup_key, message.from_user, text, started)
        if message.msg_type == "event":
            if message.event == "subscribe":
                return Reply(bilingual("welcome", "wechat"))
            # unsubscribe, menu clicks, location reports...: nothing to say.
            return Reply(None)
        # image, voice, video, shortvideo, location, link, file, ...
        return Reply(bilingual("text_only", "wechat"))
