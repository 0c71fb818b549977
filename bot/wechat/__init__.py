"""WeChat Official Account channel of the gateway.

`create_wechat_blueprint(settings, rasa_client)` returns a Flask blueprint serving `/wechat`
(server verification on GET, messages on POST, plain and safe mode). The other modules each do
one job: signatures, AES message crypto, safe XML parsing, de-duplication, the access-token
cache, the customer-service API, rendering answers as text, and answering within WeChat's
5-second limit.
"""
from __future__ import annotations

from bot.wechat.views import create_wechat_blueprint

__all__ = ["create_wechat_blueprint"]
