#!/usr/bin/env bash
# The browser tests need Debian's chromium and chromium-driver: install them when we may.
command -v chromium >/dev/null && command -v chromedriver >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null
  exit $?
fi
echo "The browser tests need Chromium and its driver: sudo apt-get install chromium chromium-driver" >&2
exit 1
