"""The topology's parts on their own: Rasa endpoints from the environment, the supervisor with
real child processes, and the gateway's replica failover over real loopback HTTP servers."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from topology.endpoints import endpoints, write_endpoints
from topology.plan import process_specs
from topology.settings import TopologyError, TopologySettings
from helpers import REPO


def settings(tmp_path, **kw) -> TopologySettings:
    base = dict(tracker_store_url="", redis_url="", run_dir=tmp_path / "run", log_dir=tmp_path / "log",
                rasa_tracker_db=str(tmp_path / "tracker.db"), action_endpoint_url="")
    base.update(kw)
    return TopologySettings(**base)


def test_default_endpoints_are_the_embedded_sqlite_store(tmp_path):
    cfg = endpoints(settings(tmp_path), 0)
    assert cfg["tracker_store"] == {"type": "rasa_extensions.tracker_store.WalSQLiteTrackerStore",
                                    "dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    assert cfg["lock_store"] == {"type": "in_memory"}
    assert cfg["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"


def test_postgres_and_redis_urls_become_rasa_stores(tmp_path):
    s = settings(tmp_path, replicas=2, tracker_store_url="postgresql://rasa:p%40ss@db.internal:6543/conv",
                 redis_url="redis://:secret@cache:6380/3")
    cfg = endpoints(s, 1)
    assert cfg["tracker_store"] == {"type": "rasa_extensions.tracker_store.StrictSQLTrackerStore",
                                    "dialect": "postgresql", "url": "db.internal",
                                    "port": 6543, "db": "conv", "username": "rasa", "password": "p@ss"}
    assert cfg["lock_store"] == {"type": "rasa_extensions.lock_store.ReplicaRedisLockStore", "url": "cache", "port": 6380, "db": 3,
                                 "use_ssl": False, "key_prefix": "policy-assistant", "password": "secret"}
    # Each replica calls its own action server.
    assert cfg["action_endpoint"]["url"] == "http://127.0.0.1:5056/webhook"
    path = write_endpoints(s, 1)
    assert yaml.safe_load(path.read_text()) == cfg
    assert path.stat().st_mode & 0o777 == 0o600  # it holds passwords


@pytest.mark.parametrize("kw, words", [
    ({"replicas": 2}, "TRACKER_STORE_URL"),
    ({"replicas": 2, "tracker_store_url": "postgresql://u@h/db"}, "REDIS_URL"),
    ({"replicas": 0}, "1 or more"),
])
def test_configurations_that_cannot_work_are_refused_readably(tmp_path, kw, words):
    with pytest.raises(TopologyError, match=words):
        settings(tmp_path, **kw).check()


@pytest.mark.parametrize("kw, words", [
    ({"tracker_store_url": "mysql://u@h/db"}, "postgresql://"),
    ({"redis_url": "redis://h:6379/x"}, "numbers"),
])
def test_malformed_store_urls_are_refused(tmp_path, kw, words):
    with pytest.raises(TopologyError, match=words):
        endpoints(settings(tmp_path, **kw), 0)


def test_two_replicas_plan_ports_and_gateway_addresses(tmp_path):
    s = settings(tmp_path, replicas=2, tracker_store_url="postgresql://u:p@127.0.0.1/db",
                 redis_url="redis://127.0.0.1:6379/0", rasa_port=6005, action_port=6055)
    specs = {spec.name: spec for spec in process_specs(s, log_to_files=True)}
    assert set(specs) == {"actions", "rasa", "actions-2", "rasa-2", "gateway"}
    assert specs["rasa-2"].env["RASA_PORT"] == "6006" and specs["actions-2"].env["ACTION_PORT"] == "6056"
    assert specs["gateway"].env["RASA_URLS"] == "http://127.0.0.1:6005,http://127.0.0.1:6006"
    assert specs["rasa-2"].log_path.endswith("rasa-2.log")
    # The gateway stops first, so no request in flight meets a stopped Rasa.
    assert min(specs.values(), key=lambda s: s.stop_order).name == "gateway"


def test_cli_says_what_is_missing_for_two_replicas(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_STORE_URL", "REDIS_URL")}
    proc = subprocess.run([sys.executable, "-m", "topology", "addresses"], cwd=REPO, capture_output=True,
                          text=True, env=dict(env, REPLICAS="2", PYTHONPATH=str(REPO)), timeout=60)
    assert proc.returncode == 2
    assert "TRACKER_STORE_URL" in proc.stderr and "Traceback" not in proc.stderr


# --- the supervisor, with real processes ------------------------------------------------------

SUPERVISE = """
import sys
from pathlib import Path
from topology.supervisor import ProcessSpec, Supervisor
d = Path(sys.argv[1])
sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
# This one ignores SIGTERM for 1 s, to check that stopping waits for it to finish.
slow = [sys.executable, "-c", "import signal, time, sys\\n"
        "def bye(*a):\\n time.sleep(1); open(sys.argv[1], 'w').write('finished'); sys.exit(0)\\n"
        "signal.signal(signal.SIGTERM, bye)\\ntime.sleep(600)", str(d / "slow-finished")]
specs = [ProcessSpec("a", sleeper, log_path=str(d / "a.log")), ProcessSpec("slow", slow, stop_order=1)]
Supervisor(specs, d / "status.json").run()
"""


def _status(path: Path) -> dict:
    for _ in range(50):
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            time.sleep(0.1)
    raise AssertionError("no status file")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


@pytest.fixture
def supervised(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", SUPERVISE, str(tmp_path)], cwd=REPO,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    status = tmp_path / "status.json"
    deadline = time.time() + 20
    while time.time() < deadline and not (status.exists() and _status(status)["processes"]["slow"]["ready"]):
        time.sleep(0.1)
    yield proc, status, tmp_path
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_a_killed_child_is_restarted_within_10_s(supervised):
    _, status, _ = supervised
    first = _status(status)["processes"]["a"]["pid"]
    os.kill(first, signal.SIGKILL)
    killed_at = time.time()
    while time.time() - killed_at < 10:
        state = _status(status)["processes"]["a"]
        if state["pid"] != first and state["pid"] and _alive(state["pid"]):
            break
        time.sleep(0.1)
    else:
        pytest.fail("not restarted within 10 s")
    assert state["restarts"] == 1 and state["exit_code"] is None


def test_sigterm_stops_every_child_and_waits_for_them(supervised):
    proc, status, tmp_path = supervised
    pids = [p["pid"] for p in _status(status)["processes"].values()]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=40) == 0
    assert not any(_alive(pid) for pid in pids)
    assert (tmp_path / "slow-finished").read_text() == "finished"  # given time to finish its work


def test_children_die_with_a_killed_supervisor(supervised):
    proc, status, _ = supervised
    pids = [p["pid"] for p in _status(status)["processes"].values()]
    proc.kill()
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)


HANG = """
import sys
from pathlib import Path
from topology.supervisor import ProcessSpec, Supervisor
d, port = Path(sys.argv[1]), sys.argv[2]
server = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(d), port]
Supervisor([ProcessSpec("web", server, health_url=f"http://127.0.0.1:{port}/")], d / "status.json",
           hang_timeout=float(sys.argv[3])).run()
"""
HANG_TIMEOUT = 3.0
# The supervisor's bound: the hang timeout, one probe period and one probe timeout to notice it,
# then the first restart back-off (topology/supervisor.py).
HANG_BOUND = HANG_TIMEOUT + 2.0 + 2.0 + 1.0


@pytest.mark.slow  # waits out the supervisor's real hang and probe periods (7 to 13 s)
def test_a_hung_child_is_killed_and_restarted_within_the_bound(tmp_path):
    from harness.rasa_bot import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", HANG, str(tmp_path), str(port), str(HANG_TIMEOUT)],
                            cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)))
    status = tmp_path / "status.json"
    try:
        deadline = time.time() + 20
        while time.time() < deadline and not (status.exists() and _status(status)["processes"]["web"]["ready"]):
            time.sleep(0.1)
        first = _status(status)["processes"]["web"]
        assert first["ready"]
        os.kill(first["pid"], signal.SIGSTOP)  # alive, but answers nothing
        stopped_at = time.time()
        while time.time() - stopped_at < HANG_BOUND + 1:
            state = _status(status)["processes"]["web"]
            if state["pid"] != first["pid"] and state["pid"] and _alive(state["pid"]):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"a hung child was not restarted within {HANG_BOUND + 1:.0f} s")
        took = time.time() - stopped_at
        # Not long before the timeout (its last answer may precede SIGSTOP by one probe period, the
        # restart follows 1 s after the kill), and not long after.
        assert HANG_TIMEOUT - 1.0 <= took <= HANG_BOUND + 1, took
        assert state["hangs"] == 1 and state["restarts"] == 1
        assert not _alive(first["pid"])
        # The new one serves, and is left alone while it does.
        assert wait_ready(status, "web", 10)
        time.sleep(HANG_TIMEOUT + 2)
        assert _status(status)["processes"]["web"]["pid"] == state["pid"]
    finally:
        proc.terminate()
        proc.wait(40)


@pytest.mark.slow  # waits out the supervisor's real hang and probe periods (7 to 13 s)
def test_a_child_still_starting_is_not_taken_for_hung(tmp_path):
    from harness.rasa_bot import free_port

    # Nothing ever listens on this port: the child never becomes ready, like a Rasa loading its
    # model, and must not be killed for it (STARTUP_TIMEOUT is what judges a start).
    script = HANG.replace('f"http://127.0.0.1:{port}/"', f'"http://127.0.0.1:{free_port()}/"')
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(free_port()), "1"],
                            cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)))
    try:
        time.sleep(0.5)
        first = _status(tmp_path / "status.json")["processes"]["web"]["pid"]
        time.sleep(6)
        state = _status(tmp_path / "status.json")["processes"]["web"]
        assert state["pid"] == first and state["hangs"] == 0 and not state["ready"]
    finally:
        proc.terminate()
        proc.wait(40)


def wait_ready(status: Path, name: str, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if _status(status)["processes"][name]["ready"]:
            return True
        time.sleep(0.1)
    return False


# --- the gateway's replica failover -----------------------------------------------------------
# Loopback HTTP servers in the failure states a real Rasa shows only under a fault (a 500, or the
# empty list Rasa answers when its tracker store, lock store or action server failed); the real
# replicas are killed under load in test_topology.py.

def _replica(kind: str, hits: list):
    from flask import Flask, jsonify

    app = Flask(kind)

    @app.post("/webhooks/rest/webhook")
    def webhook():
        hits.append(kind)
        if kind == "error":
            return "boom", 500
        if kind == "empty":
            return jsonify([])
        return jsonify([{"recipient_id": "x", "text": f"answer from {kind}"}])

    @app.get("/status")
    def status():
        return jsonify({"model_file": "policy-assistant.tar.gz"} if kind == "good" else {})

    return app


def test_client_fails_over_and_keeps_failed_replicas_last(tmp_path):
    from bot.rasa_client import RasaClient, RasaUnavailable
    from harness.wsgi import serve_in_thread
    from harness.rasa_bot import free_port

    hits: list[str] = []
    servers = [serve_in_thread(_replica(kind, hits)) for kind in ("error", "empty", "good")]
    dead = f"http://127.0.0.1:{free_port()}"
    try:
        urls = [dead] + [url for url, _ in servers]
        client = RasaClient(urls, timeout=10, cooldown=30)
        for _ in range(6):
            assert client.send("s", "hi")[0].text == "answer from good"
        # Each failing replica was tried once, then kept last while it cools down.
        assert hits.count("error") == 1 and hits.count("empty") == 1 and hits.count("good") == 6
        assert not client.replica_status(dead).ready
        assert client.replica_status(servers[2][0]).ready
        assert not client.replica_status(servers[1][0]).ready  # answers, but no model loaded
        with pytest.raises(RasaUnavailable):
            RasaClient([dead, servers[0][0]], timeout=5).send("s", "hi")
    finally:
        for _, server in servers:
            server.shutdown()


def test_readiness_says_which_replica_is_down(tmp_path):
    from bot.app import create_app
    from harness.wsgi import serve_in_thread
    from helpers import gateway_settings
    from harness.rasa_bot import free_port

    hits: list[str] = []
    good_url, good = serve_in_thread(_replica("good", hits))
    dead = f"http://127.0.0.1:{free_port()}"
    try:
        both = create_app(gateway_settings(tmp_path, dead, rasa_urls=f"{dead},{good_url}")).test_client()
        r = both.get("/health/ready")
        assert r.status_code == 200
        assert [x["ready"] for x in r.get_json()["replicas"]] == [False, True]
        none = create_app(gateway_settings(tmp_path, dead, rasa_urls=dead)).test_client()
        r = none.get("/health/ready")
        assert r.status_code == 503 and r.get_json()["rasa"] == "down"
        assert "unreachable" in r.get_json()["replicas"][0]["detail"]
        assert none.get("/health/live").status_code == 200  # the gateway itself is alive
    finally:
        good.shutdown()


# --- inside Rasa's environment (.venv-rasa): the Redis lock store, rasa_extensions' patches ----

def run_in_rasa_env(script: str, *args: str) -> subprocess.CompletedProcess:
    """`script` run by .venv-rasa's Python (Rasa's own code and rasa_extensions importable)."""
    return subprocess.run([str(REPO / ".venv-rasa" / "bin" / "python"), "-c", script, *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(REPO)))


LOCK_AFTER_DEAD_REPLICA = """
import asyncio, sys, time
from rasa.utils.endpoints import EndpointConfig
from rasa_extensions.lock_store import ReplicaRedisLockStore
store = ReplicaRedisLockStore(EndpointConfig.from_dict(
    {"url": "127.0.0.1", "port": int(sys.argv[1]), "db": 0, "key_prefix": "unit"}))
store.issue_ticket("conv", 2)  # a replica dies holding the conversation's ticket
async def resend():
    start = time.time()
    async with store.lock("conv", lock_lifetime=2, wait_time_in_seconds=0.2):
        return time.time() - start
print(round(asyncio.run(asyncio.wait_for(resend(), 8)), 1))
"""


@pytest.mark.rasa  # Rasa's own code, in .venv-rasa
def test_a_message_resent_after_a_replica_died_gets_the_lock_when_the_dead_ticket_lapses():
    from harness.services import start_redis

    redis = start_redis()
    try:
        proc = run_in_rasa_env(LOCK_AFTER_DEAD_REPLICA, str(redis.port))
    finally:
        redis.destroy()
    # Rasa's own RedisLockStore waits for ever here (the re-sent ticket lapses with the dead one).
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 1.5 <= float(proc.stdout.strip().splitlines()[-1]) <= 4


VALIDATION = """
from jsonschema import ValidationError, validators
import rasa_extensions  # noqa: F401 - patches Rasa's action-response validation
from rasa.core.actions.action import RemoteAction
checks = []
cls = validators.validator_for(RemoteAction.action_response_format_spec())
original = cls.check_schema
cls.check_schema = classmethod(lambda c, s: (checks.append(1), original.__func__(c, s)))
action = RemoteAction("action_answer_policy", None)
good = {"events": [{"event": "slot", "name": "topic", "value": "x"}], "responses": [{"text": "hi"}]}
assert all(action._validate_action_result(good) for _ in range(5))
try:
    action._validate_action_result({"events": "not a list", "responses": []})
except ValidationError as exc:
    assert "Failed to validate Action server response" in exc.message
else:
    raise SystemExit("an invalid response passed")
print(len(checks))
"""


@pytest.mark.rasa  # Rasa's own code, in .venv-rasa
def test_action_responses_are_validated_without_checking_the_schema_each_time():
    proc = run_in_rasa_env(VALIDATION)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # The schema was checked once for the five valid responses and once more by the invalid
    # one's fall-back to Rasa's own method (which words the error); Rasa alone would count 6.
    assert int(proc.stdout.strip().splitlines()[-1]) == 2


KEEP_ALIVE = r"""
import asyncio
import rasa_extensions  # noqa: F401 - patches Rasa's endpoint sessions
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

async def main():
    peers = []
    async def hook(request):
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"ok": len(peers)})
    app = web.Application()
    app.router.add_post("/webhook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    answers = [await endpoint.request(json={"n": i}) for i in range(5)]
    assert answers == [{"ok": i + 1} for i in range(5)], answers
    # Two at once need two connections; after them the pool serves again.
    await asyncio.gather(endpoint.request(json={}), endpoint.request(json={}))
    # A session closed (by anyone) is replaced at the next call.
    async with endpoint.session() as session:
        await session.close()
    assert (await endpoint.request(json={}))["ok"] == 8
    await runner.cleanup()
    print(len(set(peers[:5])), len(set(peers)))

asyncio.run(main())
"""


@pytest.mark.rasa  # Rasa's own code, in .venv-rasa
def test_rasa_reaches_an_endpoint_over_kept_alive_connections():
    proc = run_in_rasa_env(KEEP_ALIVE)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sequential, total = map(int, proc.stdout.strip().splitlines()[-1].split())
    # Rasa alone opens a connection per call: 5 sequential calls would come from 5 ports.
    assert sequential == 1
    assert total <= 3  # one kept, one more for the concurrent pair, one after the close


EVENT_TABLE = r"""
import rasa_extensions  # noqa: F401 - patches Event.resolve_by_type
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

names = {cls.type_name for cls in all_subclasses(Event)}
for name in names:
    rasa_pick = next(cls for cls in all_subclasses(Event) if cls.type_name == name)
    assert Event.resolve_by_type(name) is rasa_pick, name
assert Event.resolve_by_type("topic") is None  # Rasa's legacy name
assert Event.resolve_by_type("nonsense", default=Event) is Event
try:
    Event.resolve_by_type("nonsense")
except ValueError:
    pass
else:
    raise SystemExit("an unknown event name resolved")
print(len(names))
"""


@pytest.mark.rasa  # Rasa's own code, in .venv-rasa
def test_event_classes_resolve_from_the_table_as_rasa_would():
    proc = run_in_rasa_env(EVENT_TABLE)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout.strip().splitlines()[-1]) > 20


RECENT_EVENTS = r"""
import json
import rasa_extensions  # noqa: F401 - patches RemoteAction's request
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_extensions.action_request import RECENT_USER_TURNS

events = [SlotSet("lang", "en")]
for turn in range(30):
    events += [UserUttered(f"question {turn}", {"name": "ask_policy", "confidence": 1.0}),
               ActionExecuted("action_answer_policy"), BotUttered(f"answer {turn}" + " x" * 500)]
tracker = DialogueStateTracker.from_events("someone", events, slots=Domain.from_yaml(
    "version: '3.1'\nslots:\n  lang:\n    type: text\n    mappings: []").slots)
request = RemoteAction("action_answer_policy", None)._action_call_format(tracker, Domain.empty())
sent = request["tracker"]
users = [e["text"] for e in sent["events"] if e["event"] == "user"]
assert users == [f"question {t}" for t in range(30 - RECENT_USER_TURNS, 30)], users
assert sent["events"][0]["event"] == "user"
assert sent["slots"]["lang"] == "en" and sent["latest_message"]["text"] == "question 29"
full = json.dumps(tracker.current_state(EventVerbosity.ALL))
print(len(json.dumps(sent)), len(full))
"""


@pytest.mark.rasa  # Rasa's own code, in .venv-rasa
def test_the_action_server_gets_the_recent_turns_and_the_whole_state():
    proc = run_in_rasa_env(RECENT_EVENTS)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sent, full = map(int, proc.stdout.strip().splitlines()[-1].split())
    # Rasa alone sends every event since the conversation began: 30 turns here.
    assert sent < full / 3
