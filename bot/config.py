"""Gateway settings, read once from environment variables (credentials only from there)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class GatewaySettings:
    host: str = field(default_factory=lambda: _env("GATEWAY_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("GATEWAY_PORT", "8000")))
    # Rasa's REST webhook base address (Rasa stays on 127.0.0.1 behind the gateway).
    rasa_url: str = field(default_factory=lambda: _env(
        "RASA_URL", f"http://127.0.0.1:{_env('RASA_PORT', '5005')}").rstrip("/"))
    # Several replicas: a comma-separated list of their addresses (overrides RASA_URL). The
    # gateway balances over them and fails over from one that is down.
    rasa_urls: str = field(default_factory=lambda: _env("RASA_URLS"))
    rasa_timeout: float = field(default_factory=lambda: float(_env("RASA_TIMEOUT", "20")))
    # Seconds a replica that failed is tried only when no other one is left.
    rasa_cooldown: float = field(default_factory=lambda: float(_env("RASA_COOLDOWN", "5")))
    # Rasa's --auth-token, if it runs with one: its /status (readiness) needs it.
    rasa_auth_token: str = field(default_factory=lambda: _env("RASA_AUTH_TOKEN"))
    # Feedback store: a SQLite path or an SQLAlchemy-style sqlite:/// address.
    feedback_db: str = field(default_factory=lambda: _env(
        "FEEDBACK_DB", str(REPO_DIR / "var" / "feedback.sqlite")))
    # Rate limits: requests per window, per sender and per client address.
    rate_limit_per_sender: int = field(default_factory=lambda: int(_env("RATE_LIMIT_SENDER", "20")))
    rate_limit_per_address: int = field(default_factory=lambda: int(_env("RATE_LIMIT_ADDRESS", "60")))
    rate_limit_window: float = field(default_factory=lambda: float(_env("RATE_LIMIT_WINDOW", "60")))
    max_message_chars: int = 1000

    @property
    def replica_urls(self) -> list[str]:
        urls = [u.strip().rstrip("/") for u in self.rasa_urls.split(",") if u.strip()]
        return urls or [self.rasa_url]
    # Origins allowed to call /api/* from a page that embeds the widget ("*" = any; the API uses
    # no cookies). A comma-separated list restricts it.
    cors_origins: str = field(default_factory=lambda: _env("CORS_ORIGINS", "*"))
    # WeChat Official Account (credentials from the environment only).
    wechat_token: str = field(default_factory=lambda: _env("WECHAT_TOKEN"))
    wechat_aes_key: str = field(default_factory=lambda: _env("WECHAT_AES_KEY"))
    wechat_app_id: str = field(default_factory=lambda: _env("WECHAT_APP_ID"))
    wechat_app_secret: str = field(default_factory=lambda: _env("WECHAT_APP_SECRET"))
    # Base address of WeChat's API (tests stand a fake one up on 127.0.0.1).
    wechat_api_base: str = field(default_factory=lambda: _env(
        "WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/"))
    # WeChat drops a request after 5 s: answer passively within this, else asynchronously.
    wechat_reply_deadline: float = field(default_factory=lambda: float(_env("WECHAT_REPLY_DEADLINE", "4.5")))
    wechat_dedup_db: str = field(default_factory=lambda: _env(
        "WECHAT_DEDUP_DB", str(REPO_DIR / "var" / "wechat-dedup.sqlite")))


def get_settings() -> GatewaySettings:
    return GatewaySettings()
