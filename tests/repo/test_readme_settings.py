"""Every environment variable the product reads has a row in one of the README's tables."""
from __future__ import annotations

import re

from helpers import REPO

PACKAGES = ("knowledge_base", "bot", "actions", "scrapers", "topology", "shared_state", "rasa_extensions")
# os.environ.get("X"), os.environ["X"], os.getenv("X"), the shared readers env_*("X")
# (shared_state/env.py) and topology's _env*("X"), _int("X"); not a WSGI environ (its
# CONTENT_LENGTH is no setting). A reader's name may end a line and the variable start the next.
READ = re.compile(r"""(?:os\.environ\.get|os\.environ\[|os\.getenv|\b_?env_?\w*|\b_int|\b_float|\b_bool)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_setting_read_has_a_readme_row():
    read = {name for package in PACKAGES for path in (REPO / package).rglob("*.py")
            for name in READ.findall(path.read_text(encoding="utf-8"))}
    assert {"KB_MODEL", "KB_PRELOAD", "WECHAT_DEDUP_DB", "REPLICAS", "SCRAPER_CONTACT"} <= read  # the scan works
    rows = [line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    missing = sorted(name for name in read if not any(f"`{name}`" in row for row in rows))
    assert missing == []
