"""Repository hygiene and the data-safe `make clean` (issue 13)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import REPO


# Build artefacts and data that must never be tracked: caches, databases, models, secrets.
_ARTEFACT = re.compile(r"(^|/)(\.rasa|var|models|__pycache__|\.pytest_cache|\.cache)(/|$)"
                       r"|\.(db|sqlite|sqlite3|pyc|tar\.gz)$|(^|/)\.env$|\$\{")


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
    return [p for p in out.stdout.decode("utf-8").split("\0") if p]


def test_no_tracked_file_is_a_build_artefact():
    if not (REPO / ".git").exists():
        pytest.fail("the tests run from a git checkout (CI clones the repository)")
    bad = [p for p in tracked_files() if _ARTEFACT.search(p)]
    assert bad == [], f"build artefacts or data are tracked: {bad[:10]}"


def test_gitignore_keeps_artefacts_and_secrets_out():
    for path in (".rasa/cache/x", "var/feedback.sqlite", "tracker.db", "a/b/c.sqlite", ".env",
                 "models/policy-assistant.tar.gz"):
        proc = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=REPO)
        assert proc.returncode == 0, f"{path} is not ignored"


def test_endpoints_yml_has_no_quoted_variables():
    text = (REPO / "endpoints.yml").read_text(encoding="utf-8")
    # A quoted ${VAR} is taken literally by Rasa: it once created a file named ${RASA_TRACKER_DB}.
    assert not re.search(r"""["']\$\{[^}]*\}["']""", text)
    assert "${RASA_TRACKER_DB}" in text


# --- make clean / make clean-data -------------------------------------------------------------

def _sandbox(tmp_path: Path) -> Path:
    """A copy of the Makefile with a var/ holding both rebuildable files and data."""
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    data = ["var/feedback.sqlite", "var/handoff.sqlite", "var/wechat-dedup.sqlite",
            "var/rasa-tracker.db", "var/crawl/state.sqlite", "var/crawl/documents/doc-1.yaml",
            "var/crawl/snapshots/ab.html", "var/log/gateway.log"]
    rebuildable = ["var/index/manifest.json", "var/index-20261129T000000Z/manifest.json",
                   ".pytest_cache/v/x"]
    for rel in data + rebuildable:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    return tmp_path


def _make(cwd: Path, *args: str, stdin: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KB_", "MAKE"))}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, env=env,
                          input=stdin if stdin is not None else "", capture_output=True,
                          text=True, timeout=60)


def test_make_clean_removes_only_what_can_be_rebuilt(tmp_path):
    box = _sandbox(tmp_path)
    proc = _make(box, "clean")
    assert proc.returncode == 0, proc.stderr
    for rel in ("var/feedback.sqlite", "var/handoff.sqlite", "var/wechat-dedup.sqlite",
                "var/rasa-tracker.db", "var/crawl/state.sqlite", "var/crawl/documents/doc-1.yaml",
                "var/log/gateway.log"):
        assert (box / rel).exists(), f"make clean deleted {rel}"
    assert not (box / "var/index").exists()
    assert not (box / "var/index-20261129T000000Z").exists()
    assert not (box / ".pytest_cache").exists()


def test_make_clean_data_asks_before_deleting(tmp_path):
    box = _sandbox(tmp_path)
    refused = _make(box, "clean-data", stdin="no\n")
    assert refused.returncode != 0
    assert (box / "var/feedback.sqlite").exists() and (box / "var/crawl/state.sqlite").exists()
    assert "feedback" in refused.stdout + refused.stderr  # it says what would be lost
    no_answer = _make(box, "clean-data", stdin="")  # no terminal, no answer: nothing deleted
    assert no_answer.returncode != 0 and (box / "var/feedback.sqlite").exists()
    done = _make(box, "clean-data", stdin="yes\n")
    assert done.returncode == 0, done.stderr
    assert not (box / "var/feedback.sqlite").exists()
    assert not (box / "var/crawl").exists() and not (box / "var/rasa-tracker.db").exists()
