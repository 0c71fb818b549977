"""WeChat request signatures: sha1 of the sorted token, timestamp, nonce (and ciphertext)."""
from __future__ import annotations

import hashlib
import hmac


def make_signature(*parts: str) -> str:
    """sha1 hex digest of the parts sorted as strings and concatenated (WeChat's scheme)."""
    joined = "".join(sorted(str(p) for p in parts))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def _matches(expected: str, given: str | None) -> bool:
    if not given:
        return False
    return hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("utf-8"))


def check_signature(token: str, signature: str | None, timestamp: str | None,
                    nonce: str | None) -> bool:
    """The `signature` query parameter of every callback (plain and safe mode)."""
    if not token or timestamp is None or nonce is None:
        return False
    return _matches(make_signature(token, timestamp, nonce), signature)


def check_msg_signature(token: str, msg_signature: str | None, timestamp: str | None,
                        nonce: str | None, encrypt: str) -> bool:
    """The `msg_signature` of safe mode: it also covers the ciphertext."""
    if not token or timestamp is None or nonce is None:
        return False
    return _matches(make_signature(token, timestamp, nonce, encrypt), msg_signature)
