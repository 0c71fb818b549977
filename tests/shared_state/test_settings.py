"""One settings layer: every process kind refuses a bad value at start, naming the variable."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from actions.config import ActionSettings
from bot.config import GatewaySettings
from knowledge_base.config import Settings
from scrapers.config import CrawlSettings
from shared_state.env import SettingError
from helpers import REPO


@pytest.mark.parametrize("kind,name,value", [
    (Settings, "KB_TORCH_THREADS", "four"),
    (Settings, "KB_FAISS_INDEX", "ivf"),
    (Settings, "KB_EMBED_PRECISION", "fp8"),
    (Settings, "KB_RELEVANCE_MARGIN", "low"),
    (ActionSettings, "KB_ACTION_THREADS", "0"),
    (ActionSettings, "KB_ACTION_TIMEOUT", "0"),
    (ActionSettings, "KB_PRELOAD", "maybe"),
    (ActionSettings, "ACTION_PORT", "70000"),
    (GatewaySettings, "GATEWAY_PORT", "http"),
    (GatewaySettings, "RATE_LIMIT_WINDOW", "-1"),
    (CrawlSettings, "SCRAPER_RETRIES", "-1"),
    (CrawlSettings, "SCRAPER_ALLOW_PRIVATE_HOSTS", "sometimes"),
])
def test_bad_value_is_refused_naming_the_variable(monkeypatch, kind, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError, match=f"^{name}=") as caught:
        kind()
    assert caught.value.name == name


def test_unset_and_empty_values_take_the_defaults(monkeypatch):
    monkeypatch.setenv("KB_ACTION_THREADS", "")
    monkeypatch.delenv("KB_ACTION_TIMEOUT", raising=False)
    monkeypatch.setenv("KB_PRELOAD", "0")
    monkeypatch.setenv("SCRAPER_ALLOW_PRIVATE_HOSTS", "yes")
    settings = ActionSettings()
    assert (settings.threads, settings.timeout, settings.preload) == (2, 4.0, False)
    assert CrawlSettings().allow_private_hosts is True


@pytest.mark.parametrize("command,name,value", [
    (["knowledge_base", "search", "负面清单"], "KB_FAISS_INDEX", "ivf"),
    (["actions.server"], "KB_ACTION_THREADS", "two"),
    (["scrapers", "crawl"], "SCRAPER_TIMEOUT", "soon"),
    (["bot", "feedback"], "GATEWAY_PORT", "eighty"),
])
def test_each_process_stops_at_start_with_one_line(command, name, value):
    env = dict(os.environ, PYTHONPATH=str(REPO), **{name: value})
    proc = subprocess.run([sys.executable, "-m", *command], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert f"{name}={value!r} is not valid" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("config", [["--config", "python:bot.gunicorn_conf"], []],
                         ids=["with-gunicorn-conf", "bare-gunicorn"])
def test_gunicorn_stops_at_a_bad_gateway_setting_with_one_line(config):
    """Through bot.gunicorn_conf the master refuses it before binding (the only line printed);
    without it the worker importing bot.wsgi does, and the master stops instead of respawning it."""
    name, value = "RATE_LIMIT_WINDOW", "soon"
    env = dict(os.environ, PYTHONPATH=str(REPO), **{name: value})
    proc = subprocess.run([sys.executable, "-m", "gunicorn", *config, "--workers", "1", "--bind", "127.0.0.1:0",
                           "bot.wsgi:app"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    line = f"gateway not started: {name}={value!r} is not valid: expected a number"
    assert proc.returncode == 4  # gunicorn's "application failed to load": it halts
    assert [x for x in proc.stderr.splitlines() if name in x] == [line]
    assert "Traceback" not in proc.stderr + proc.stdout
    if config:
        assert proc.stderr.strip() == line


def test_the_checkout_is_located_once():
    packages = ("actions", "bot", "knowledge_base", "scrapers", "shared_state", "topology", "harness")
    defined = [str(p.relative_to(REPO)) for package in packages for p in (REPO / package).rglob("*.py")
               if re.search(r"^REPO_DIR\s*=", p.read_text(encoding="utf-8"), re.M)]
    assert defined == ["shared_state/env.py"]
