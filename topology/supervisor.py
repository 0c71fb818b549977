"""A small process supervisor: starts the bot's processes, restarts any that dies, stops them all.

Why not Debian's supervisord: it is one more system package and config dialect for `make run`
on a laptop; this keeps the same behaviour in ~150 lines of stdlib. In production, systemd units
(deploy/systemd/) do the same job with Restart=always.

- A child that exits is started again after a back-off of 1, 2, 4, 8 s (never more than 8 s, so a
  crashed process is back within 10 s); the back-off resets once it has run for a minute.
- A child that hangs (deadlocked, stopped with SIGSTOP, its event loop stuck) does not exit: once it
  has been ready, a health check that has not succeeded for `hang_timeout` seconds (HANG_TIMEOUT,
  default 30) gets its process group SIGKILLed, and it is restarted as above. Checks run every 2 s
  and give up after 2 s, so a hung child is killed within hang_timeout + 4 s and back 1 s later
  (tests/topology/test_topology_units.py). The default outlasts the gateway's 20 s wait for Rasa: a gateway
  whose threads all wait on a hung Rasa is slow, not hung, and must not be killed for it. A child
  still starting (Rasa loads its model for minutes) is left to STARTUP_TIMEOUT.
- SIGTERM/SIGINT stop the children in order (gateway first, so no request meets a stopped Rasa),
  each with SIGTERM and up to STOP_TIMEOUT seconds to finish its requests, then SIGKILL.
- Children get PR_SET_PDEATHSIG: if the supervisor itself is killed, they are terminated too
  instead of lingering on their ports.
- The state (pid, restarts, last start, readiness) is written to RUN_DIR/supervisor.json after
  every change, for `python -m topology wait`, `make down` and the tests.
"""
from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import subprocess
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from shared_state.files import atomic_write

logger = logging.getLogger("topology.supervisor")

MAX_BACKOFF = 8.0
STABLE_AFTER = 60.0
STOP_TIMEOUT = 30.0
PROBE_EVERY = 2.0
PROBE_TIMEOUT = 2.0
HANG_TIMEOUT = 30.0


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    health_url: str = ""   # answers 2xx once the process serves
    log_path: str = ""     # empty: inherit the supervisor's stdout/stderr
    stop_order: int = 0    # lower stops first


@dataclass
class ChildState:
    pid: int = 0
    restarts: int = 0
    started_at: float = 0.0
    ready: bool = False
    exit_code: int | None = None
    hangs: int = 0  # times it was killed for not answering its health check


def _die_with_parent() -> None:
    """Run in the child before exec: SIGTERM it when the supervisor dies (Linux only)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def probe(url: str, timeout: float = PROBE_TIMEOUT) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return 200 <= resp.status < 300
    except (OSError, ValueError):
        return False


class Supervisor:
    def __init__(self, specs: list[ProcessSpec], status_path: Path, on_all_ready=None,
                 hang_timeout: float = HANG_TIMEOUT):
        self.specs = {s.name: s for s in specs}
        self.hang_timeout = hang_timeout
        # Per child: when its health check last succeeded (monotonic); absent until it first does.
        self.last_ok: dict[str, float] = {}
        self.status_path = status_path
        self.procs: dict[str, subprocess.Popen] = {}
        self.state = {s.name: ChildState() for s in specs}
        self.backoff = {s.name: 1.0 for s in specs}
        self.restart_at: dict[str, float] = {}
        self.stopping = False
        self.on_all_ready = on_all_ready
        self._announced = False
        self._dirty = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------
    def _start(self, name: str) -> None:
        spec = self.specs[name]
        out = None
        if spec.log_path:
            Path(spec.log_path).parent.mkdir(parents=True, exist_ok=True)
            out = open(spec.log_path, "ab", buffering=0)
        try:
            proc = subprocess.Popen(spec.argv, env={**os.environ, **spec.env}, stdout=out,
                                    stderr=subprocess.STDOUT if out else None,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    preexec_fn=_die_with_parent)
        finally:
            if out:
                out.close()
        self.procs[name] = proc
        state = self.state[name]
        state.pid, state.started_at, state.ready, state.exit_code = proc.pid, time.time(), False, None
        self.last_ok.pop(name, None)
        logger.info("started %s (pid %d)", name, proc.pid)

    def _reap(self, now: float) -> bool:
        changed = False
        for name, proc in list(self.procs.items()):
            code = proc.poll()
            if code is None:
                continue
            changed = True
            del self.procs[name]
            state = self.state[name]
            state.exit_code, state.ready = code, False
            if self.stopping:
                continue
            ran = time.time() - state.started_at
            if ran >= STABLE_AFTER:
                self.backoff[name] = 1.0
            delay = self.backoff[name]
            self.backoff[name] = min(delay * 2, MAX_BACKOFF)
            self.restart_at[name] = now + delay
            logger.warning("%s (pid %d) exited with %s after %.0f s; restarting in %.0f s",
                           name, state.pid, code, ran, delay)
        for name, when in list(self.restart_at.items()):
            if now >= when and not self.stopping:
                del self.restart_at[name]
                self.state[name].restarts += 1
                self._start(name)
                changed = True
        return changed

    def _probe_forever(self) -> None:
        """In a thread, so that a slow health check never delays a restart."""
        while not self.stopping:
            for name in list(self.procs):
                spec, state = self.specs[name], self.state[name]
                pid = state.pid
                ready = probe(spec.health_url) if spec.health_url else True
                if state.pid != pid or name not in self.procs:
                    continue  # it exited or was restarted while being probed
                if ready:
                    self.last_ok[name] = time.monotonic()
                elif not self.stopping and self._hung(name):
                    self._kill_hung(name, pid)
                if ready != state.ready:
                    state.ready = ready
                    self._dirty.set()
                    logger.info("%s is %s", name, "ready" if ready else "not ready")
            if not self._announced and all(s.ready for s in self.state.values()):
                self._announced = True
                if self.on_all_ready:
                    self.on_all_ready()
            time.sleep(PROBE_EVERY)

    def _hung(self, name: str) -> bool:
        last = self.last_ok.get(name)
        return last is not None and time.monotonic() - last > self.hang_timeout

    def _kill_hung(self, name: str, pid: int) -> None:
        """SIGKILL the child's process group (gunicorn's workers too); the reaper restarts it."""
        logger.error("%s (pid %d) has not answered its health check for %.0f s: killing it",
                     name, pid, time.monotonic() - self.last_ok[name])
        self.last_ok.pop(name, None)
        self.state[name].hangs += 1
        try:
            os.killpg(pid, signal.SIGKILL)  # its own session (start_new_session): pgid == pid
        except ProcessLookupError:
            pass

    def write_status(self) -> None:
        data = {"supervisor_pid": os.getpid(), "stopping": self.stopping,
                "processes": {name: asdict(state) for name, state in self.state.items()}}
        atomic_write(self.status_path, json.dumps(data, indent=2))

    def stop(self, *_args) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        for spec in sorted(self.specs.values(), key=lambda s: s.stop_order):
            proc = self.procs.get(spec.name)
            if proc is None or proc.poll() is not None:
                continue
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop within %.0f s: killing it", spec.name, STOP_TIMEOUT)
                proc.kill()
                proc.wait()
            logger.info("stopped %s (pid %d)", spec.name, proc.pid)
        self.procs.clear()

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        for name in self.specs:
            self._start(name)
        self.write_status()
        threading.Thread(target=self._probe_forever, name="probe", daemon=True).start()
        try:
            while not self.stopping:
                changed = self._reap(time.monotonic())
                if changed or self._dirty.is_set():
                    self._dirty.clear()
                    self.write_status()
                time.sleep(0.2)
        finally:
            self.stopping = True
            self.write_status()
            self._stop_all()
            for state in self.state.values():
                state.pid, state.ready = 0, False
            self.write_status()
        return 0
