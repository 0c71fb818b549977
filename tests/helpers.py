"""Helpers the test modules share (fixtures live in conftest.py; servers shared with the
benchmarks live in the harness package)."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
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
