"""Start the real bot (action server + Rasa) on spare loopback ports for end-to-end tests."""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "policy-assistant.tar.gz"


def free_port(count: int = 1) -> int:
    """A free loopback port; with count > 1, the first of that many consecutive free ports."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + count <= 65535 and all(_free(first + i) for i in range(1, count)):
            return first


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


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
                       capture_output=True, timeout=180)

    def status(self) -> dict:
        """The supervisor's view: name -> pid, restarts, ready."""
        return json.loads((self.workdir / "run" / "supervisor.json").read_text())["processes"]

    def start(self) -> None:
        """`scripts/bot.sh up` again with the same settings (after stop)."""
        _up(self.env, self.workdir)


def start_bot(workdir: Path, index_dir: Path, **extra_env) -> Bot:
    if not MODEL.exists():
        raise RuntimeError("no trained Rasa model: run `make train` (make test does it)")
    replicas = int(extra_env.get("REPLICAS", "1"))
    rasa_port, action_port, gateway_port = free_port(replicas), free_port(replicas), free_port()
    # The action server loads the knowledge base at start (KB_PRELOAD=1), whatever the caller's
    # environment says.
    env = dict(os.environ, KB_PRELOAD="1")
    env.update(RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port),
               GATEWAY_PORT=str(gateway_port), FEEDBACK_DB=str(workdir / "feedback.sqlite"),
               WECHAT_DEDUP_DB=str(workdir / "wechat-dedup.sqlite"),
               RUN_DIR=str(workdir / "run"), LOG_DIR=str(workdir / "log"),
               RASA_TRACKER_DB=str(workdir / "tracker.db"), HANDOFF_DB=str(workdir / "handoff.db"),
               KB_INDEX_DIR=str(index_dir), STARTUP_TIMEOUT="240",
               RASA_AUTH_TOKEN=secrets.token_hex(16))
    env.update(extra_env)
    bot = Bot(f"http://127.0.0.1:{rasa_port}", env, workdir, f"http://127.0.0.1:{gateway_port}")
    try:
        _up(env, workdir)
    except RuntimeError:
        bot.stop()
        raise
    return bot


def _up(env: dict, workdir: Path) -> None:
    timeout = float(env["STARTUP_TIMEOUT"]) + 60
    proc = subprocess.run([str(REPO / "scripts" / "bot.sh"), "up"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        logs = "".join(f"--- {f.name}\n" + f.read_text(errors="replace")[-3000:]
                       for f in sorted((workdir / "log").glob("*.log")))
        raise RuntimeError(f"bot did not start: {proc.stderr}\n{logs}")


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def customs(messages: list[dict], kind: str | None = None) -> list[dict]:
    return [m["custom"] for m in messages if "custom" in m and (kind is None or m["custom"].get("type") == kind)]


def button_payloads(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons", [])]
