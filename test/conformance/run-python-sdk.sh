#!/usr/bin/env bash
# The Python SDK conformance suite: Alibaba's official Python SDKs (pinned in requirements.txt) in a virtualenv under
# .data/, an emulator on a free port, and python_sdk.py against it. Needs python3 with venv, network access to PyPI on
# the first run, and the npm dependencies. Not part of `npm test`, which needs only Node, npm and Go.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=.data/python-sdk-venv
requirements=test/conformance/requirements.txt
if ! cmp -s "$requirements" "$venv/installed-requirements.txt"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/installed-requirements.txt"
fi

log=$(mktemp)
node --import tsx emulator/main.ts --port 0 --quiet --task-delay 50 >"$log" 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true; rm -f "$log"' EXIT

url=""
for _ in $(seq 1 150); do
  url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$log")
  if [ -n "$url" ] || ! kill -0 "$emulator" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "the emulator did not start:" >&2
  cat "$log" >&2
  exit 1
fi

EMULATOR_URL="$url" EMULATOR_FIXTURE=emulator/fixtures/demo.json "$venv/bin/python" test/conformance/python_sdk.py
