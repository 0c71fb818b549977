"""Crawler settings, read once from environment variables; every default works on a fresh clone."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge_base.config import get_settings
from shared_state.env import REPO_DIR, env_bool, env_float, env_int, env_path, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
AGENT_NAME = "PolicyAssistantBot/1.0"
# A crawler must say who runs it; deployments set SCRAPER_CONTACT to their own address.
DEFAULT_CONTACT = "set SCRAPER_CONTACT to your contact address"


@dataclass(frozen=True)
class CrawlSettings:
    sources_file: Path = field(default_factory=lambda: env_path(
        "SCRAPER_SOURCES", PACKAGE_DIR / "sources.yaml"))
    # Crawl state (SQLite) and raw snapshots.
    data_dir: Path = field(default_factory=lambda: env_path("SCRAPER_DATA_DIR", REPO_DIR / "var" / "crawl"))
    # Parsed documents, in the knowledge base's corpus format; `python -m knowledge_base build` reads them.
    documents_dir: Path = field(default_factory=lambda: get_settings().crawled_dir)
    contact: str = field(default_factory=lambda: env_str("SCRAPER_CONTACT", DEFAULT_CONTACT))
    # Seconds between two requests to the same host (robots.txt Crawl-delay may ask for more).
    min_interval: float = field(default_factory=lambda: env_float("SCRAPER_MIN_INTERVAL", 1.0, minimum=0))
    timeout: float = field(default_factory=lambda: env_float("SCRAPER_TIMEOUT", 20.0, above=0))
    retries: int = field(default_factory=lambda: env_int("SCRAPER_RETRIES", 3, minimum=0))
    backoff: float = field(default_factory=lambda: env_float("SCRAPER_BACKOFF", 2.0, minimum=0))
    max_backoff: float = 60.0
    # Requests per source and run; a capped run is resumed by the next one.
    max_pages: int = field(default_factory=lambda: env_int("SCRAPER_MAX_PAGES", 300, minimum=1))
    max_bytes: int = field(default_factory=lambda: env_int("SCRAPER_MAX_BYTES", 15 * 1024 * 1024,
                                                          minimum=1))
    max_redirects: int = 5
    # Whole seconds a response may take to arrive, however it trickles (SCRAPER_TIMEOUT is per read).
    fetch_deadline: float = field(default_factory=lambda: env_float("SCRAPER_FETCH_DEADLINE", 120.0,
                                                                  above=0))
    # Tests crawl fixture sites on 127.0.0.1; a real crawl never requests internal addresses.
    allow_private_hosts: bool = field(default_factory=lambda: env_bool(
        "SCRAPER_ALLOW_PRIVATE_HOSTS", False))

    @property
    def user_agent(self) -> str:
        return f"{AGENT_NAME} (+{self.contact})"

    @property
    def state_db(self) -> Path:
        return self.data_dir / "state.sqlite"

    @property
    def snapshots_dir(self) -> Path:
        return self.data_dir / "snapshots"


def get_crawl_settings() -> CrawlSettings:
    return CrawlSettings()
