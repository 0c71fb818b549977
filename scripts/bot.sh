#!/usr/bin/env bash
# Start, stop and check the bot's processes under a supervisor (topology/supervisor.py) that
# restarts any that dies: per replica an action server (.venv) and Rasa (.venv-rasa), and one
# gateway (.venv, gunicorn) that serves the website, the chat API and the WeChat endpoint.
#   scripts/bot.sh run    foreground; Ctrl-C stops everything
#   scripts/bot.sh up     background; returns once every process answers its health check
#   scripts/bot.sh down   stops exactly what `up` started (the supervisor's PID in var/run/)
# REPLICAS=2 runs two replicas; that needs TRACKER_STORE_URL and REDIS_URL (README, Topology).
set -euo pipefail
cd "$(dirname "$0")/.."

RUN_DIR=${RUN_DIR:-var/run}
LOG_DIR=${LOG_DIR:-var/log}
export RUN_DIR LOG_DIR
export RASA_TRACKER_DB=${RASA_TRACKER_DB:-$PWD/var/rasa-tracker.db}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
# Rasa's HTTP API (tracker, model, /status) needs this token; a random one per start unless set.
# The REST webhook the gateway uses needs none; the gateway's readiness check sends it.
export RASA_AUTH_TOKEN=${RASA_AUTH_TOKEN:-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}
MODEL=${RASA_MODEL:-models/policy-assistant.tar.gz}
PIDFILE=$RUN_DIR/supervisor.pid

mkdir -p "$RUN_DIR" "$LOG_DIR" "$(dirname "$RASA_TRACKER_DB")"

# The supervisor runs these; each replaces the shell so the supervisor's PID is the process's.
exec_actions() {
  exec .venv/bin/python -m actions.server --host "${ACTION_HOST:-127.0.0.1}" --port "${ACTION_PORT:-5055}"
}
exec_rasa() {
  # With the Redis lock store, a replica killed while it held a conversation's lock leaves it
  # behind until it lapses: Rasa's default 60 s would outlast the gateway's 20 s deadline.
  export TICKET_LOCK_LIFETIME=${TICKET_LOCK_LIFETIME:-12}
  exec .venv-rasa/bin/rasa run --enable-api --auth-token "$RASA_AUTH_TOKEN" -i "${RASA_HOST:-127.0.0.1}" \
    -p "${RASA_PORT:-5005}" -m "$MODEL" --endpoints "${RASA_ENDPOINTS:?}" --credentials credentials.yml
}
exec_gateway() {
  # --graceful-timeout: on SIGTERM, requests in flight get this long to finish.
  exec .venv/bin/gunicorn --config python:bot.gunicorn_conf --workers "${GATEWAY_WORKERS:-2}" \
    --threads "${GATEWAY_THREADS:-8}" \
    --bind "${GATEWAY_HOST:-127.0.0.1}:${GATEWAY_PORT:-8000}" --graceful-timeout 25 \
    --access-logfile - bot.wsgi:app
}

is_running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

need_model() { [ -f "$MODEL" ] || { echo "error: no trained model at $MODEL; run make train" >&2; exit 1; }; }

cmd_up() {
  if is_running; then echo "The bot is already running (make down stops it)."; return 0; fi
  need_model
  .venv/bin/python -m topology addresses >/dev/null  # a configuration error stops here, readably
  rm -f "$RUN_DIR/supervisor.json"
  .venv/bin/python -m topology supervise --log-files >>"$LOG_DIR/supervisor.log" 2>&1 &
  echo $! >"$PIDFILE"
  if ! .venv/bin/python -m topology wait; then cmd_down >/dev/null; return 1; fi
  .venv/bin/python -m topology addresses
  echo "Logs in $LOG_DIR/. Chat in a terminal with: make shell      Stop with: make down"
}

cmd_down() {
  [ -f "$PIDFILE" ] || return 0
  local pid; pid=$(cat "$PIDFILE")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    # The supervisor gives each process up to 30 s to finish its requests.
    for _ in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true  # its children get SIGTERM from the kernel then
    echo "stopped the bot (supervisor pid $pid)"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  run) need_model; exec .venv/bin/python -m topology supervise ;;
  exec-actions) exec_actions ;;
  exec-rasa) exec_rasa ;;
  exec-gateway) exec_gateway ;;
  *) echo "usage: $0 up|down|run" >&2; exit 2 ;;
esac
