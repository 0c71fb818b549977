"""Shared fixtures: the real model and a real index built once per test session."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge_base.config import get_settings

REPO = Path(__file__).resolve().parents[1]
# The crawler refuses loopback and private addresses; the tests' fixture sites are on 127.0.0.1.
os.environ.setdefault("SCRAPER_ALLOW_PRIVATE_HOSTS", "1")
DEV_SET = REPO / "tests" / "eval" / "dev.jsonl"


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    base = get_settings()
    if not (base.default_model_dir / "config.json").exists():
        pytest.fail("The embedding model is not provisioned: run `make model` first "
                    "(`make test` does it for you).")
    # An empty crawl folder: the tests' index holds the shipped corpus only, whatever was crawled here.
    return dataclasses.replace(base, index_dir=tmp_path_factory.mktemp("kb") / "index",
                               crawled_dir=tmp_path_factory.mktemp("no-crawl"))


@pytest.fixture(scope="session")
def built_index(settings):
    from knowledge_base.build import build_index
    from knowledge_base.embedder import Embedder

    embedder = Embedder(settings)
    report = build_index(settings, embedder)
    return settings, embedder, report


@pytest.fixture(scope="session")
def kb(built_index):
    from knowledge_base.index_store import read_index
    from knowledge_base.search import KnowledgeBase

    settings, embedder, _ = built_index
    return KnowledgeBase(settings, read_index(settings.index_dir), embedder)


@pytest.fixture(scope="session")
def bot(built_index, tmp_path_factory):
    """The real bot (Rasa + action server) on spare loopback ports, shared by the session."""
    from rasa_bot import start_bot

    settings, _, _ = built_index
    running = start_bot(tmp_path_factory.mktemp("bot"), settings.index_dir,
                        KB_CRAWLED_DIR=str(settings.crawled_dir))
    yield running
    running.stop()


def run_cli(*args, env=None, input_text=None, timeout=180):
    """Run `python -m knowledge_base ARGS` as a user would, in a fresh process."""
    full_env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(REPO))
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "knowledge_base", *args], cwd=REPO,
                          env=full_env, input=input_text, capture_output=True, text=True,
                          timeout=timeout)


def serve_in_thread(app):
    """Serve a WSGI app on a free loopback port in a daemon thread; returns (url, server)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def gateway_settings(tmp_path, rasa_url, **overrides):
    from bot.config import GatewaySettings

    return dataclasses.replace(GatewaySettings(), rasa_url=rasa_url,
                               feedback_db=str(tmp_path / "feedback.sqlite"),
                               wechat_dedup_db=str(tmp_path / "wechat-dedup.sqlite"), **overrides)


@pytest.fixture(scope="session")
def gateway(bot, tmp_path_factory):
    """The real gateway, backed by the real bot, on a loopback port."""
    from bot.app import create_app

    settings = gateway_settings(tmp_path_factory.mktemp("gateway"), bot.rasa_url,
                                rate_limit_per_sender=1000, rate_limit_per_address=1000,
                                rasa_auth_token=bot.env["RASA_AUTH_TOKEN"])
    app = create_app(settings)
    url, server = serve_in_thread(app)
    yield url, app
    server.shutdown()


@pytest.fixture(scope="session")
def gateway_url(gateway):
    return gateway[0]


@pytest.fixture(scope="session")
def feedback_rows(gateway):
    return gateway[1].extensions["gateway"]["feedback"].rows


def pytest_collection_modifyitems(session, config, items):
    # The replica tests start two Rasa servers of their own: run them before the session's bot
    # starts, so that no more than two Rasa servers (about 1 GB each) run at once.
    items.sort(key=lambda item: 0 if item.path.name == "test_topology.py" else 1)
