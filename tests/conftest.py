"""Fixtures shared across tests/' folders: the real model and a real index built once per test
session; the loopback servers modules in several folders start (each module its own): Redis,
PostgreSQL, and the WeChat tests' fake Rasa and fake WeChat API (bot/, e2e/). A fixture that one
folder uses lives in that folder's conftest.py (the fixture web site: scrapers/conftest.py)."""
from __future__ import annotations

import dataclasses
import os

import pytest

from harness.wsgi import serve_in_thread
from helpers import gateway_settings
from knowledge_base.config import get_settings

# The crawler refuses loopback and private addresses; the tests' fixture sites are on 127.0.0.1.
os.environ.setdefault("SCRAPER_ALLOW_PRIVATE_HOSTS", "1")

# Fixtures whose use puts a test in a slow tier: the model (and every index built with it) and the
# real bot. A test that uses them, directly or through another fixture, is marked without saying so.
_TIER_FIXTURES = {"settings": "model", "bot": "rasa"}
_SLOW_MARKERS = {"model", "rasa", "browser"}


def pytest_collection_modifyitems(config, items):
    # The replica tests start two Rasa servers of their own: run them before the session's bot
    # starts, so that no more than two Rasa servers (about 1 GB each) run at once.
    items.sort(key=lambda item: 0 if item.path.name == "test_topology.py" else 1)
    for item in items:
        for fixture, marker in _TIER_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)
        if any(item.get_closest_marker(name) for name in _SLOW_MARKERS):
            item.add_marker("slow")


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
    from harness.rasa_bot import start_bot

    settings, _, _ = built_index
    running = start_bot(tmp_path_factory.mktemp("bot"), settings.index_dir,
                        KB_CRAWLED_DIR=str(settings.crawled_dir))
    yield running
    running.stop()


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


# --- servers each module starts for itself (module scope: one per test module) ---------------

@pytest.fixture(scope="module")
def redis():
    from harness.services import start_redis

    server = start_redis()
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def postgres():
    from harness.services import start_postgres

    server = start_postgres()
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def rasa():
    """A fake Rasa REST webhook (tests/wechat_fakes.py)."""
    from wechat_fakes import FakeRasa

    fake = FakeRasa()
    yield fake
    fake.server.stop()


@pytest.fixture(scope="module")
def api():
    """A fake WeChat API: token and customer-service endpoints (tests/wechat_fakes.py)."""
    from wechat_fakes import FakeWeChatAPI

    fake = FakeWeChatAPI()
    yield fake
    fake.server.stop()
