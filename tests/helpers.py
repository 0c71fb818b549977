"""Helpers the test modules share (fixtures live in conftest.py; servers shared with the
benchmarks live in the harness package)."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO / "tests" / "eval" / "dev.jsonl"


def run_cli(*args, env=None, input_text=None, timeout=180):
    """Run `python -m knowledge_base ARGS` as a user would, in a fresh process."""
    full_env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(REPO))
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "knowledge_base", *args], cwd=REPO,
                          env=full_env, input=input_text, capture_output=True, text=True,
                          timeout=timeout)


def gateway_settings(tmp_path, rasa_url, **overrides):
    """Gateway settings for a test: the given Rasa, databases in tmp_path."""
    from bot.config import GatewaySettings

    return dataclasses.replace(GatewaySettings(), rasa_url=rasa_url,
                               feedback_db=str(tmp_path / "feedback.sqlite"),
                               wechat_dedup_db=str(tmp_path / "wechat-dedup.sqlite"), **overrides)


def polite_fetcher(**overrides):
    """A PoliteFetcher for tests against fixture sites: no waiting between requests, short timeouts."""
    from scrapers.config import CrawlSettings
    from scrapers.fetcher import PoliteFetcher

    values = dict(contact="mailto:t@example.org", min_interval=0.0, timeout=3, backoff=0.01)
    values.update(overrides)
    return PoliteFetcher(CrawlSettings(**values))


def wait_for(condition, timeout: float, every: float = 0.2):
    """Poll `condition` until it returns something true (returned) or `timeout` seconds pass (None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return None
