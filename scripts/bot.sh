#!/usr/bin/env bash
# Start, stop and check the bot's processes: the action server (.venv), Rasa (.venv-rasa) and the
# gateway (.venv, gunicorn) that serves the website, the chat API and the WeChat endpoint.
#   scripts/bot.sh run    foreground; Ctrl-C stops both
#   scripts/bot.sh up     background; returns once both answer their health checks
#   scripts/bot.sh down   stops exactly the processes `up` started (PIDs in var/run/)
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_HOST=${RASA_HOST:-127.0.0.1}
RASA_PORT=${RASA_PORT:-5005}
ACTION_HOST=${ACTION_HOST:-127.0.0.1}
ACTION_PORT=${ACTION_PORT:-5055}
GATEWAY_HOST=${GATEWAY_HOST:-127.0.0.1}
GATEWAY_PORT=${GATEWAY_PORT:-8000}
GATEWAY_WORKERS=${GATEWAY_WORKERS:-2}
GATEWAY_THREADS=${GATEWAY_THREADS:-8}
export RASA_URL=${RASA_URL:-http://$RASA_HOST:$RASA_PORT}
# Rasa's HTTP API (tracker, model, /status) needs this token; a random one per start unless set.
export RASA_AUTH_TOKEN=${RASA_AUTH_TOKEN:-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}
RUN_DIR=${RUN_DIR:-var/run}
LOG_DIR=${LOG_DIR:-var/log}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
export ACTION_HOST ACTION_PORT
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://$ACTION_HOST:$ACTION_PORT/webhook}
export RASA_TRACKER_DB=${RASA_TRACKER_DB:-$PWD/var/rasa-tracker.db}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
MODEL=${RASA_MODEL:-models/policy-assistant.tar.gz}

mkdir -p "$RUN_DIR" "$LOG_DIR" "$(dirname "$RASA_TRACKER_DB")"

start_actions() { exec .venv/bin/python -m actions.server --host "$ACTION_HOST" --port "$ACTION_PORT"; }
start_rasa() {
  exec .venv-rasa/bin/rasa run --enable-api --auth-token "$RASA_AUTH_TOKEN" -i "$RASA_HOST" -p "$RASA_PORT" -m "$MODEL" \
    --endpoints endpoints.yml --credentials credentials.yml
}

start_gateway() {
  exec .venv/bin/gunicorn --config python:bot.gunicorn_conf --workers "$GATEWAY_WORKERS" --threads "$GATEWAY_THREADS" \
    --bind "$GATEWAY_HOST:$GATEWAY_PORT" --access-logfile - bot.wsgi:app
}

print_addresses() {
  echo "Demo page:     http://$GATEWAY_HOST:$GATEWAY_PORT/   (chat API /api/chat, WeChat /wechat)"
  echo "Rasa:          http://$RASA_HOST:$RASA_PORT  (REST webhook /webhooks/rest/webhook)"
  echo "Action server: http://$ACTION_HOST:$ACTION_PORT"
}

wait_healthy() {  # url name pid
  local deadline=$((SECONDS + STARTUP_TIMEOUT))
  until curl -fs "$1" >/dev/null 2>&1; do
    if ! kill -0 "$3" 2>/dev/null; then
      echo "error: the $2 stopped while starting; see $LOG_DIR/$2.log" >&2; return 1
    fi
    if (( SECONDS > deadline )); then
      echo "error: the $2 did not answer $1 within ${STARTUP_TIMEOUT}s; see $LOG_DIR/$2.log" >&2; return 1
    fi
    sleep 1
  done
}

is_running() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

cmd_up() {
  if is_running rasa || is_running actions || is_running gateway; then
    echo "The bot is already running (make down stops it)."; return 0
  fi
  [ -f "$MODEL" ] || { echo "error: no trained model at $MODEL; run make train" >&2; return 1; }
  (start_actions) >"$LOG_DIR/actions.log" 2>&1 &
  echo $! >"$RUN_DIR/actions.pid"
  (start_rasa) >"$LOG_DIR/rasa.log" 2>&1 &
  echo $! >"$RUN_DIR/rasa.pid"
  (start_gateway) >"$LOG_DIR/gateway.log" 2>&1 &
  echo $! >"$RUN_DIR/gateway.pid"
  if ! wait_healthy "http://$ACTION_HOST:$ACTION_PORT/health" actions "$(cat "$RUN_DIR/actions.pid")" \
     || ! wait_healthy "http://$RASA_HOST:$RASA_PORT/status?token=$RASA_AUTH_TOKEN" rasa "$(cat "$RUN_DIR/rasa.pid")" \
     || ! wait_healthy "http://$GATEWAY_HOST:$GATEWAY_PORT/health" gateway "$(cat "$RUN_DIR/gateway.pid")"; then
    cmd_down >/dev/null; return 1
  fi
  print_addresses
  echo "Chat in a terminal with: make shell      Stop with: make down"
}

cmd_down() {
  local name pid
  for name in gateway rasa actions; do
    if [ -f "$RUN_DIR/$name.pid" ]; then
      pid=$(cat "$RUN_DIR/$name.pid")
      if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
        echo "stopped $name (pid $pid)"
      fi
      rm -f "$RUN_DIR/$name.pid"
    fi
  done
}

cmd_run() {
  [ -f "$MODEL" ] || { echo "error: no trained model at $MODEL; run make train" >&2; return 1; }
  (start_actions) &
  local actions_pid=$!
  (start_rasa) &
  local rasa_pid=$!
  (start_gateway) &
  local gateway_pid=$!
  trap 'kill $actions_pid $rasa_pid $gateway_pid 2>/dev/null; wait 2>/dev/null; exit 0' INT TERM
  wait_healthy "http://$ACTION_HOST:$ACTION_PORT/health" actions "$actions_pid"
  wait_healthy "http://$RASA_HOST:$RASA_PORT/status?token=$RASA_AUTH_TOKEN" rasa "$rasa_pid"
  wait_healthy "http://$GATEWAY_HOST:$GATEWAY_PORT/health" gateway "$gateway_pid"
  echo
  print_addresses
  echo "Open the demo page in a browser, or chat from another terminal: make shell.   Ctrl-C stops all."
  wait -n $actions_pid $rasa_pid $gateway_pid || true
  kill $actions_pid $rasa_pid $gateway_pid 2>/dev/null || true
  wait 2>/dev/null || true
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  run) cmd_run ;;
  *) echo "usage: $0 up|down|run" >&2; exit 2 ;;
esac
