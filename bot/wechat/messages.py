"""An incoming WeChat message or event, from the parsed XML fields."""
from __future__ import annotations

import re
from dataclasses import dataclass

# An openid is 28 characters of [A-Za-z0-9_-]; anything else is not from WeChat.
_OPENID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


class BadMessage(ValueError):
    """The XML lacks the fields every WeChat message carries."""


@dataclass(frozen=True)
class IncomingMessage:
    to_user: str        # the Official Account (its original id, gh_...)
    from_user: str      # the user's openid
    create_time: str
    msg_type: str       # text | image | voice | video | shortvideo | location | link | event | ...
    msg_id: str = ""
    content: str = ""
    event: str = ""     # for msg_type == "event": subscribe, unsubscribe, CLICK, ...

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> "IncomingMessage":
        def field(name: str) -> str:
            return (fields.get(name) or "").strip()

        to_user, from_user, msg_type = field("ToUserName"), field("FromUserName"), field("MsgType")
        if not (to_user and from_user and msg_type):
            raise BadMessage("ToUserName, FromUserName and MsgType are required")
        if not _OPENID.match(from_user):
            raise BadMessage("FromUserName is not an openid")
        return cls(to_user=to_user, from_user=from_user, create_time=field("CreateTime"),
                   msg_type=msg_type.lower(), msg_id=field("MsgId"),
                   content=fields.get("Content") or "", event=field("Event").lower())

    @property
    def dedup_key(self) -> str:
        """MsgId for messages; FromUserName + CreateTime (+ event) for events, which have none."""
        if self.msg_id:
            return f"msg:{self.to_user}:{self.msg_id}"
        return f"evt:{self.to_user}:{self.from_user}:{self.create_time}:{self.event}"
