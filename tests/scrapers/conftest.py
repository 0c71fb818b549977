"""Fixtures of the scrapers' tests."""
import pytest


@pytest.fixture
def site():
    """An empty fixture web site on 127.0.0.1; a test adds its routes (test_crawl overrides it)."""
    from harness.fixture_site import FixtureSite

    server = FixtureSite().start()
    yield server
    server.stop()
