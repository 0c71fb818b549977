"""`python -m topology supervise|wait|addresses` (scripts/bot.sh calls these for make run/up/down).

  supervise [--log-files]   run every process under the supervisor until SIGTERM/SIGINT
  wait                      return 0 once every supervised process is ready (STARTUP_TIMEOUT)
  addresses                 print where the processes listen
  endpoints [--replica N] [--out FILE]
                            write replica N's Rasa endpoints file (systemd and containers, where
                            each Rasa is started on its own) and print its path
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

from .endpoints import write_endpoints
from .plan import addresses, process_specs
from .settings import TopologyError, TopologySettings
from .supervisor import Supervisor


def _status_path(settings: TopologySettings):
    return settings.run_dir / "supervisor.json"


def supervise(settings: TopologySettings, log_files: bool) -> int:
    specs = process_specs(settings, log_files)
    settings.run_dir.mkdir(parents=True, exist_ok=True)

    def ready():
        print("\n" + addresses(settings), flush=True)
        print("All processes are ready.", flush=True)

    return Supervisor(specs, _status_path(settings), on_all_ready=ready,
                      hang_timeout=settings.hang_timeout).run()


def wait(settings: TopologySettings) -> int:
    """Wait until all processes answer their health checks, or say which one did not."""
    path = _status_path(settings)
    deadline = time.monotonic() + settings.startup_timeout
    pending: list[str] = []
    while time.monotonic() < deadline:
        try:
            status = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            status = None
        if status:
            try:
                os.kill(status["supervisor_pid"], 0)
            except OSError:
                print(f"error: the supervisor stopped; see {settings.log_dir}/supervisor.log",
                      file=sys.stderr)
                return 1
            procs = status["processes"]
            pending = [name for name, p in procs.items() if not p["ready"]]
            if not pending:
                return 0
            crashed = [name for name in pending if procs[name]["restarts"] >= 2]
            if crashed:
                print(f"error: {', '.join(crashed)} keeps stopping while starting; see "
                      + ", ".join(f"{settings.log_dir}/{n}.log" for n in crashed), file=sys.stderr)
                return 1
        time.sleep(1)
    print(f"error: {', '.join(pending) or 'the supervisor'} not ready within "
          f"{settings.startup_timeout:.0f} s; see {settings.log_dir}/", file=sys.stderr)
    return 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m topology", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sup = sub.add_parser("supervise")
    sup.add_argument("--log-files", action="store_true", help="each process logs to LOG_DIR/NAME.log")
    sub.add_parser("wait")
    sub.add_parser("addresses")
    ep = sub.add_parser("endpoints")
    ep.add_argument("--replica", type=int, default=0, help="replica number from 0 (ports + N)")
    ep.add_argument("--out", help="file to write (default RUN_DIR/endpoints-N.yml)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        settings = TopologySettings()
        settings.check()
        if args.command == "supervise":
            return supervise(settings, args.log_files)
        if args.command == "wait":
            return wait(settings)
        if args.command == "endpoints":
            print(write_endpoints(settings, args.replica, args.out))
            return 0
        print(addresses(settings))
        return 0
    except TopologyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
