"""Which processes make up the bot: N replicas (Rasa + its action server) and one gateway."""
from __future__ import annotations

from .endpoints import write_endpoints
from .settings import REPO_DIR, TopologySettings
from .supervisor import ProcessSpec

BOT_SH = str(REPO_DIR / "scripts" / "bot.sh")


def replica_name(kind: str, replica: int) -> str:
    # Replica 1 keeps the historical names (rasa, actions, and their .log files).
    return kind if replica == 0 else f"{kind}-{replica + 1}"


def rasa_urls(settings: TopologySettings) -> list[str]:
    return [settings.rasa_url(i) for i in range(settings.replicas)]


def process_specs(settings: TopologySettings, log_to_files: bool) -> list[ProcessSpec]:
    """The processes to supervise; writes each replica's Rasa endpoints file on the way."""
    settings.check()
    logs = settings.log_dir

    def log(name: str) -> str:
        return str(logs / f"{name}.log") if log_to_files else ""

    specs: list[ProcessSpec] = []
    for i in range(settings.replicas):
        actions, rasa = replica_name("actions", i), replica_name("rasa", i)
        specs.append(ProcessSpec(
            actions, [BOT_SH, "exec-actions"],
            {"ACTION_HOST": settings.action_host, "ACTION_PORT": str(settings.action_port + i)},
            health_url=f"{settings.action_url(i)}/health", log_path=log(actions), stop_order=2))
        endpoints = write_endpoints(settings, i)
        specs.append(ProcessSpec(
            rasa, [BOT_SH, "exec-rasa"],
            {"RASA_HOST": settings.rasa_host, "RASA_PORT": str(settings.rasa_port + i),
             "RASA_ENDPOINTS": str(endpoints.resolve())},
            # The REST channel's own health route: served once the model is loaded.
            health_url=f"{settings.rasa_url(i)}/webhooks/rest/", log_path=log(rasa), stop_order=1))
    specs.append(ProcessSpec(
        "gateway", [BOT_SH, "exec-gateway"],
        {"RASA_URLS": ",".join(rasa_urls(settings))},
        health_url=f"http://{settings.gateway_host}:{settings.gateway_port}/health/live",
        log_path=log("gateway"), stop_order=0))
    return specs


def addresses(settings: TopologySettings) -> str:
    g = f"http://{settings.gateway_host}:{settings.gateway_port}"
    lines = [f"Demo page:     {g}/   (chat API /api/chat, WeChat /wechat, readiness /health/ready)"]
    for i in range(settings.replicas):
        label = f"replica {i + 1}" if settings.replicas > 1 else "Rasa"
        lines.append(f"{label + ':':<15}{settings.rasa_url(i)}  (REST webhook /webhooks/rest/webhook),"
                     f" action server {settings.action_url(i)}")
    state = ("PostgreSQL tracker store, Redis lock store" if settings.shared_state
             else f"SQLite tracker store {settings.rasa_tracker_db}, in-memory lock store")
    lines.append(f"Conversations: {state}")
    return "\n".join(lines)
