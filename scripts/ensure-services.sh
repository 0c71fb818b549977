#!/usr/bin/env bash
# The topology tests start their own PostgreSQL and Redis servers (Debian's postgresql and
# redis-server packages): install them when we may.
have_pg() { compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; }
command -v redis-server >/dev/null && have_pg && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null
  exit $?
fi
echo "The topology tests need PostgreSQL and Redis: sudo apt-get install postgresql redis-server" >&2
exit 1
