"""deploy/: the docker compose file and the systemd units are valid and describe the topology
(PostgreSQL, Redis, replicas of Rasa + action server, the gateway, a reverse proxy)."""
from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from helpers import REPO

DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))  # resolves the <<: merge keys


def _docker_compose_works() -> bool:
    return bool(shutil.which("docker")) and subprocess.run(
        ["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0


def test_compose_file_holds_the_whole_topology():
    services = _compose()["services"]
    rasa = sorted(n for n in services if re.fullmatch(r"rasa-\d+", n))
    assert {"postgres", "redis", "gateway", "nginx"} <= set(services) and len(rasa) >= 2
    for name in rasa:
        env = services[name]["environment"]
        number = name.split("-")[1]
        # Each Rasa has its own action server, and shares conversations and locks.
        assert env["ACTION_ENDPOINT_URL"] == f"http://actions-{number}:5055/webhook"
        assert f"actions-{number}" in services
        assert env["TRACKER_STORE_URL"].startswith("postgresql://") and "@postgres:5432/" in env["TRACKER_STORE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert "topology endpoints" in " ".join(services[name]["command"])
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    urls = services["gateway"]["environment"]["RASA_URLS"].split(",")
    assert urls == [f"http://{n}:5005" for n in rasa]
    for name, svc in services.items():
        assert svc["restart"] == "unless-stopped", name
        assert "healthcheck" in svc or name == "nginx", name
        # Only the reverse proxy is published; everything else stays on the compose network.
        assert ("ports" in svc) == (name == "nginx"), name
    # No password in the file: it comes from the environment, and compose refuses to start without.
    assert "${POSTGRES_PASSWORD:?" in COMPOSE.read_text() and "${RASA_AUTH_TOKEN:?" in COMPOSE.read_text()
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "server gateway:8000" in nginx and "proxy_pass http://gateway" in nginx
    if _docker_compose_works():  # where Docker Compose is installed, its own validation too
        proc = subprocess.run(["docker", "compose", "-f", str(COMPOSE), "config", "-q"], capture_output=True,
                              text=True, timeout=120, env=dict(os.environ, POSTGRES_PASSWORD="x"))
        assert proc.returncode == 0, proc.stderr


def test_compose_commands_and_health_checks_name_what_exists():
    services = _compose()["services"]
    bot_sh = (REPO / "scripts" / "bot.sh").read_text()
    for name, svc in services.items():
        command = " ".join(svc.get("command", []))
        for sub in re.findall(r"bot\.sh (exec-\w+)", command):
            assert f"{sub})" in bot_sh, f"{name}: bot.sh has no {sub}"
        for build in [svc.get("build")] if svc.get("build") else []:
            assert (REPO / build["dockerfile"]).exists()
    from bot.app import create_app
    from helpers import gateway_settings

    routes = {r.rule for r in create_app(gateway_settings(Path("/tmp"), "http://127.0.0.1:9")).url_map.iter_rules()}
    assert "/health/live" in routes and "/health/ready" in routes
    assert "/health/live" in str(services["gateway"]["healthcheck"]["test"])


UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def test_systemd_units_restart_what_dies(tmp_path):
    assert {u.name for u in UNITS} == {"policy-assistant-actions@.service", "policy-assistant-rasa@.service",
                                       "policy-assistant-gateway.service"}
    for unit in UNITS:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read(unit)
        service = parser["Service"]
        assert service["Restart"] == "always" and float(service["RestartSec"]) <= 10, unit.name
        assert service["User"] and service["User"] != "root", unit.name
        assert re.fullmatch(r"/opt/policy-assistant/scripts/bot\.sh exec-\w+", service["ExecStart"])
        assert f"{service['ExecStart'].split()[-1]})" in (REPO / "scripts" / "bot.sh").read_text()
        assert parser["Install"]["WantedBy"] == "policy-assistant.target"
    if shutil.which("systemd-analyze"):
        _systemd_analyze_verify(tmp_path)


def _systemd_analyze_verify(tmp_path):
    # The units name the install folder /opt/policy-assistant; verify them against this checkout
    # (systemd checks that ExecStart exists and is executable).
    names = []
    for unit in [*UNITS, DEPLOY / "systemd" / "policy-assistant.target"]:
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/policy-assistant", str(REPO)))
        names.append(unit.name.replace("@.", "@1."))
    proc = subprocess.run(["systemd-analyze", "verify", *names], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    ours = [line for line in (proc.stdout + proc.stderr).splitlines() if "policy-assistant" in line]
    assert proc.returncode == 0 and not ours, proc.stdout + proc.stderr
