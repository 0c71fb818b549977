"""Gateway settings, read once from environment variables (credentials only from there)."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

from shared_state.env import REPO_DIR, SettingError, env_float, env_int, env_port
from shared_state.env import env_str as _env
from shared_state.settings import StateSettings


@dataclass(frozen=True)
class GatewaySettings:
    host: str = field(default_factory=lambda: _env("GATEWAY_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: env_port("GATEWAY_PORT", 8000))
    # Rasa's REST webhook base address (Rasa stays on 127.0.0.1 behind the gateway).
    rasa_url: str = field(default_factory=lambda: _env(
        "RASA_URL", f"http://127.0.0.1:{env_port('RASA_PORT', 5005)}").rstrip("/"))
    # Several replicas: a comma-separated list of their addresses (overrides RASA_URL). The
    # gateway balances over them and fails over from one that is down.
    rasa_urls: str = field(default_factory=lambda: _env("RASA_URLS"))
    rasa_timeout: float = field(default_factory=lambda: env_float("RASA_TIMEOUT", 20.0, minimum=0))
    # Seconds a replica that failed is tried only when no other one is left.
    rasa_cooldown: float = field(default_factory=lambda: env_float("RASA_COOLDOWN", 5.0, minimum=0))
    # Feedback store: a SQLite path or an SQLAlchemy-style sqlite:/// address.
    feedback_db: str = field(default_factory=lambda: _env(
        "FEEDBACK_DB", str(REPO_DIR / "var" / "feedback.sqlite")))
    # Rate limits: requests per window, per sender and per client address.
    rate_limit_per_sender: int = field(default_factory=lambda: env_int("RATE_LIMIT_SENDER", 20, minimum=0))
    rate_limit_per_address: int = field(default_factory=lambda: env_int("RATE_LIMIT_ADDRESS", 60, minimum=0))
    rate_limit_window: float = field(default_factory=lambda: env_float("RATE_LIMIT_WINDOW", 60.0, minimum=0))
    max_message_chars: int = 1000
    # Largest request body accepted (bytes); a bigger one gets a readable 413.
    max_body_bytes: int = field(default_factory=lambda: env_int("GATEWAY_MAX_BODY_BYTES", 65536, minimum=0))
    # Reverse proxies in front of the gateway whose X-Forwarded-For entries are trusted (0: none,
    # the peer address is the client). Set to the number of proxies, e.g. 1 behind one nginx.
    trusted_proxy_hops: int = field(default_factory=lambda: env_int("TRUSTED_PROXY_HOPS", 0, minimum=0))
    # Ratings are kept this many days (0: for ever); answers can be rated this many days.
    feedback_retention_days: float = field(default_factory=lambda: env_float("FEEDBACK_RETENTION_DAYS", 365.0, minimum=0))
    feedback_answer_days: float = field(default_factory=lambda: env_float("FEEDBACK_ANSWER_DAYS", 7.0, minimum=0))
    # Token of Rasa's HTTP API (`rasa run --auth-token`); the gateway's health check sends it.
    rasa_auth_token: str = field(default_factory=lambda: _env("RASA_AUTH_TOKEN"))

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
    wechat_reply_deadline: float = field(default_factory=lambda: env_float("WECHAT_REPLY_DEADLINE", 4.5, minimum=0))
    wechat_dedup_db: str = field(default_factory=lambda: _env(
        "WECHAT_DEDUP_DB", str(REPO_DIR / "var" / "wechat-dedup.sqlite")))
    # Replay defence: a callback whose timestamp is further than this from now is refused, and
    # each nonce is remembered for this long (seconds).
    wechat_replay_window: float = field(default_factory=lambda: env_float("WECHAT_REPLAY_WINDOW", 300.0, minimum=0))
    # Messages per user and rate-limit window (RATE_LIMIT_WINDOW) on the WeChat channel.
    wechat_rate_limit: int = field(default_factory=lambda: env_int("WECHAT_RATE_LIMIT", 20, minimum=0))
    # A message being answered is claimed for this long (at least the reply deadline + 1 s);
    # WeChat retries after 5, 10 and 15 s, so a retry after a dead worker's lease is answered.
    wechat_lease_seconds: float = field(default_factory=lambda: env_float("WECHAT_LEASE_SECONDS", 8.0, minimum=0))
    # Answers waiting for the customer-service API: how long a worker holds one before another
    # may take it over, and the retry step after a failed delivery (seconds).
    wechat_outbox_retry: float = field(default_factory=lambda: env_float("WECHAT_OUTBOX_RETRY", 30.0, minimum=0))
    # Shared state (shared_state/settings.py): with REDIS_URL the rate limits and WeChat's
    # short-lived keys (claims, nonces, choices, access token) are in Redis; with
    # STATE_DATABASE_URL (default TRACKER_STORE_URL) ratings and the WeChat outbox are in
    # PostgreSQL. Unset: this machine's memory and the SQLite files above.
    redis_url: str = field(default_factory=lambda: StateSettings().redis_url)
    state_database_url: str = field(default_factory=lambda: StateSettings().database_url)

    @property
    def _state(self) -> StateSettings:
        return StateSettings(redis_url=self.redis_url, database_url=self.state_database_url)

    @property
    def feedback_address(self) -> str:
        return self._state.records(self.feedback_db)

    @property
    def wechat_outbox_address(self) -> str:
        return self._state.records(self.wechat_dedup_db)

    @property
    def wechat_keys_address(self) -> str:
        return self._state.expiring(self.wechat_dedup_db)

    @property
    def rate_limit_address(self) -> str:
        """Empty: each gateway process counts in its own memory."""
        return self.redis_url


def get_settings() -> GatewaySettings:
    return GatewaySettings()


def settings_or_exit() -> GatewaySettings:
    """The settings, or one line naming the bad variable and gunicorn's exit status for "the
    application failed to load", whichever process reads them (gunicorn's master through
    bot.gunicorn_conf or with --preload, a worker through bot.wsgi): gunicorn's master then stops
    instead of starting the worker again and again, and nobody reads a traceback for a typo."""
    try:
        return get_settings()
    except SettingError as exc:
        from gunicorn.arbiter import Arbiter

        print(f"gateway not started: {exc}", file=sys.stderr)
        sys.exit(Arbiter.APP_LOAD_ERROR)
