"""Safe mode (encrypt_type=aes): WeChat's AES-256-CBC message encryption.

The key is base64(EncodingAESKey + "="), 32 bytes; the IV is its first 16 bytes. The plaintext
is 16 random bytes + 4-byte big-endian length + message + AppId, PKCS#7-padded to 32 bytes.
"""
from __future__ import annotations

import base64
import binascii
import os
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.wechat.signature import make_signature
from bot.wechat.xml_safe import cdata

BLOCK = 32


class CryptoError(ValueError):
    """The ciphertext could not be decrypted, or was not meant for this account."""


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """EncodingAESKey (43 characters) -> the 32-byte AES key; ValueError when it is malformed."""
    key_text = (encoding_aes_key or "").strip()
    if len(key_text) != 43:
        raise ValueError("WECHAT_AES_KEY must be the 43-character EncodingAESKey")
    try:
        key = base64.b64decode(key_text + "=", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("WECHAT_AES_KEY is not valid base64") from None
    if len(key) != 32:
        raise ValueError("WECHAT_AES_KEY does not decode to 32 bytes")
    return key


def pkcs7_pad(data: bytes, block: int = BLOCK) -> bytes:
    n = block - len(data) % block
    return data + bytes([n]) * n


def pkcs7_unpad(data: bytes, block: int = BLOCK) -> bytes:
    if not data:
        raise CryptoError("empty plaintext")
    n = data[-1]
    if not 1 <= n <= block or n > len(data) or data[-n:] != bytes([n]) * n:
        raise CryptoError("bad padding")
    return data[:-n]


class MessageCrypto:
    def __init__(self, token: str, encoding_aes_key: str, app_id: str):
        if not app_id:
            raise ValueError("WECHAT_APP_ID is needed for safe mode")
        self.token = token
        self.app_id = app_id
        self._key = decode_aes_key(encoding_aes_key)
        self._iv = self._key[:16]

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._iv))

    def decrypt(self, encrypt_b64: str) -> bytes:
        """Base64 ciphertext -> the message XML (bytes); CryptoError on any mismatch."""
        try:
            raw = base64.b64decode((encrypt_b64 or "").strip(), validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("ciphertext is not base64") from None
        if not raw or len(raw) % 16:
            raise CryptoError("ciphertext length is not a multiple of the block size")
        decryptor = self._cipher().decryptor()
        plain = pkcs7_unpad(decryptor.update(raw) + decryptor.finalize())
        if len(plain) < 20:
            raise CryptoError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        body = plain[20:]
        if length > len(body):
            raise CryptoError("bad message length")
        if body[length:] != self.app_id.encode("utf-8"):
            raise CryptoError("message is for another AppId")
        return body[:length]

    def encrypt(self, message: str | bytes, random16: bytes | None = None) -> str:
        data = message.encode("utf-8") if isinstance(message, str) else message
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(data)) + data \
            + self.app_id.encode("utf-8")
        encryptor = self._cipher().encryptor()
        raw = encryptor.update(pkcs7_pad(plain)) + encryptor.finalize()
        return base64.b64encode(raw).decode("ascii")

    def encrypt_reply(self, reply_xml: str, nonce: str, timestamp: str | None = None) -> str:
        """The passive reply in safe mode: an envelope with Encrypt, MsgSignature, TimeStamp, Nonce."""
        timestamp = timestamp or str(int(time.time()))
        encrypt = self.encrypt(reply_xml)
        signature = make_signature(self.token, timestamp, nonce, encrypt)
        return ("<xml>\n"
                f"<Encrypt>{cdata(encrypt)}</Encrypt>\n"
                f"<MsgSignature>{cdata(signature)}</MsgSignature>\n"
                f"<TimeStamp>{int(timestamp)}</TimeStamp>\n"
                f"<Nonce>{cdata(nonce)}</Nonce>\n"
                "</xml>")
