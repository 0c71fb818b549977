"""Passive reply XML: To and From swapped (to the user's openid, from the account)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.wechat.messages import IncomingMessage
from bot.wechat.xml_safe import cdata


def text_reply_xml(message: IncomingMessage, content: str, create_time: int | None = None) -> str:
    created = int(time.time()) if create_time is None else int(create_time)
    return ("<xml>\n"
            f"<ToUserName>{cdata(message.from_user)}</ToUserName>\n"
            f"<FromUserName>{cdata(message.to_user)}</FromUserName>\n"
            f"<CreateTime>{created}</CreateTime>\n"
            "<MsgType><![CDATA[text]]></MsgType>\n"
            f"<Content>{cdata(content)}</Content>\n"
            "</xml>")


@dataclass(frozen=True)
class Reply:
    """What to answer a message: `content` passively (None: the body `success`), then
    `followups` through the customer-service API."""
    content: str | None
    followups: list[str] = field(default_factory=list)
