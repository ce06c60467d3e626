#!/usr/bin/env bash
# Stops the emulators start.sh started (by their pid files in .tools/run/).
#   bash scripts/emulators/stop.sh [minio|gcs|azurite ...]   (default: all)
# Quiet and successful when nothing runs. Never touches a process it did not start.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
emulator_names "$@" >/dev/null # fails here on an unknown name

for name in $(emulator_names "$@"); do
  pidfile="$RUN/$name.pid"
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pidfile"
    continue
  fi
  # start.sh ran each emulator under setsid, so its pid leads a process group:
  # signal the group to end any child it spawned too.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running 10s after SIGTERM; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  log "$name: stopped"
done
