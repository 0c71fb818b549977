"""Start the real bot (action server + Rasa) on spare loopback ports for end-to-end tests."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "policy-assistant.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Bot:
    rasa_url: str
    env: dict
    workdir: Path
    gateway_url: str = ""  # the gunicorn gateway that `scripts/bot.sh up` starts too

    def say(self, sender: str, message: str, timeout: float = 60) -> list[dict]:
        resp = requests.post(f"{self.rasa_url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": message}, timeout=timeout)
        resp.raise_for_status()
        return resp.json()

    def stop(self) -> None:
        subprocess.run([str(REPO / "scripts" / "bot.sh"), "down"], cwd=REPO, env=self.env,
                       capture_output=True, timeout=60)


def start_bot(workdir: Path, index_dir: Path, **extra_env) -> Bot:
    if not MODEL.exists():
        raise RuntimeError("no trained Rasa model: run `make train` (make test does it)")
    rasa_port, action_port, gateway_port = free_port(), free_port(), free_port()
    # The action server loads the knowledge base at start (KB_PRELOAD=1), whatever the caller's
    # process chose for itself.
    env = dict(os.environ, KB_PRELOAD="1")
    env.update(RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port),
               GATEWAY_PORT=str(gateway_port), FEEDBACK_DB=str(workdir / "feedback.sqlite"),
               WECHAT_DEDUP_DB=str(workdir / "wechat-dedup.sqlite"),
               RUN_DIR=str(workdir / "run"), LOG_DIR=str(workdir / "log"),
               RASA_TRACKER_DB=str(workdir / "tracker.db"), HANDOFF_DB=str(workdir / "handoff.db"),
               KB_INDEX_DIR=str(index_dir), STARTUP_TIMEOUT="240",
               RASA_AUTH_TOKEN=secrets.token_hex(16), **extra_env)
    proc = subprocess.run([str(REPO / "scripts" / "bot.sh"), "up"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    bot = Bot(f"http://127.0.0.1:{rasa_port}", env, workdir, f"http://127.0.0.1:{gateway_port}")
    if proc.returncode != 0:
        logs = "".join((workdir / "log" / f).read_text(errors="replace")[-3000:]
                       for f in ("actions.log", "rasa.log", "gateway.log")
                       if (workdir / "log" / f).exists())
        bot.stop()
        raise RuntimeError(f"bot did not start: {proc.stderr}\n{logs}")
    return bot


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def customs(messages: list[dict], kind: str | None = None) -> list[dict]:
    return [m["custom"] for m in messages if "custom" in m and (kind is None or m["custom"].get("type") == kind)]


def button_payloads(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons", [])]
