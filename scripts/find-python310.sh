#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.8-3.10), or say how to get one.
set -u
for candidate in "${PYTHON310:-}" python3.10; do
  [ -n "$candidate" ] || continue
  if path=$(command -v "$candidate" 2>/dev/null) && "$path" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -rV); do
    path="$(pyenv prefix "$version" 2>/dev/null)/bin/python3.10"
    if [ -x "$path" ]; then echo "$path"; exit 0; fi
  done
fi
cat >&2 <<'MSG'
Python 3.10 was not found (Rasa 3.6 runs only on Python 3.8-3.10).
Install it, then run the command again, in one of these ways:
  - pyenv:   pyenv install 3.10.13
  - Debian/Ubuntu with a 3.10 package: apt-get install python3.10 python3.10-venv
  - or point PYTHON310 at an existing interpreter: make setup PYTHON310=/path/to/python3.10
MSG
exit 1
