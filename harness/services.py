"""Real PostgreSQL and Redis for the tests, each a private server on 127.0.0.1 and a free port with
its data in a temporary folder (never the system's cluster). PostgreSQL refuses to run as root:
as root the server runs as the unprivileged `postgres` user of Debian's package."""
from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

from harness.rasa_bot import free_port

INSTALL_HINT = ("PostgreSQL and Redis servers are needed: apt-get install postgresql redis-server "
                "(`.ci/run` and `make test` as root install them)")


def _pg_bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if not found:
        raise RuntimeError(INSTALL_HINT)
    return found[-1].parent


@dataclass
class Postgres:
    base: Path
    port: int
    password: str
    bindir: Path
    user: pwd.struct_passwd | None
    database: str = "rasa"

    @property
    def url(self) -> str:
        return f"postgresql://rasa:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *argv: str, as_server_user: bool = False, timeout: float = 120) -> str:
        kw: dict[str, Any] = {}
        if as_server_user and self.user:
            kw = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=self.base,
                              env=dict(os.environ, PGPASSWORD=self.password), **kw)
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {proc.stderr.strip() or proc.stdout.strip()}")
        return proc.stdout

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.base}"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-l",
                  str(self.base / "server.log"), "-o", options, "-w", "-t", "60", "start",
                  as_server_user=True)

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast", "-w",
                  "stop", as_server_user=True)

    def sql(self, query: str) -> list[list[str]]:
        out = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "rasa", "-d",
                        self.database, "-X", "-A", "-t", "-F", "\t", "-c", query)
        return [line.split("\t") for line in out.splitlines() if line]

    def destroy(self) -> None:
        try:
            self.stop()
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.base, ignore_errors=True)


def start_postgres() -> Postgres:
    bindir = _pg_bindir()
    user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="test-postgres-"))
    pg = Postgres(base, free_port(), secrets.token_hex(12), bindir, user)
    (base / "pw").write_text(pg.password)
    if user:
        for path in (base, base / "pw"):
            os.chown(path, user.pw_uid, user.pw_gid)
    pg._run(str(bindir / "initdb"), "-D", str(base / "data"), "-U", "rasa", "--pwfile", str(base / "pw"),
            "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale",
            as_server_user=True)
    pg.start()
    pg._run("createdb", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "rasa", pg.database)
    return pg


@dataclass
class Redis:
    base: Path
    port: int
    proc: subprocess.Popen | None = field(default=None)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        server = shutil.which("redis-server")
        if not server:
            raise RuntimeError(INSTALL_HINT)
        self.proc = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.base),
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=open(self.base / "server.log", "ab"), stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while not self.ping():
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("redis-server did not start: "
                                   + (self.base / "server.log").read_text(errors="replace")[-2000:])
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def start_redis() -> Redis:
    redis = Redis(Path(tempfile.mkdtemp(prefix="test-redis-")), free_port())
    redis.start()
    return redis
