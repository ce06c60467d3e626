#!/usr/bin/env bash
# Starts the storage emulators in the background on 127.0.0.1 and waits until
# each answers.   bash scripts/emulators/start.sh [minio|gcs|azurite ...]
#   MinIO            http://127.0.0.1:9000   user filexfer / filexfer-secret (console :9001)
#   fake-gcs-server  http://127.0.0.1:4443   (in-memory)
#   Azurite blob     http://127.0.0.1:10000/devstoreaccount1
# Installs what is missing first. Logs: .tools/run/<name>.log; pid: <name>.pid.
# An emulator already running and healthy is left alone. Exits non-zero with
# the log tail when one does not come up within FILEXFER_EMULATOR_TIMEOUT s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
emulator_names "$@" >/dev/null # fails here on an unknown name

TIMEOUT="${FILEXFER_EMULATOR_TIMEOUT:-90}"
command -v curl >/dev/null 2>&1 || die "start.sh needs curl to check that the emulators are ready"

mapfile -t NAMES < <(emulator_names "$@")
bash "$ROOT/scripts/emulators/install.sh" "${NAMES[@]}"
mkdir -p "$RUN"

# healthy <name>: true when the emulator answers its readiness check.
healthy() {
  case "$1" in
    # https://min.io/docs/minio/linux/operations/monitoring/healthcheck-probe.html
    minio) curl -fs -o /dev/null --max-time 2 "http://$MINIO_ADDRESS/minio/health/live" 2>/dev/null ;;
    gcs) curl -fs -o /dev/null --max-time 2 "http://$GCS_HOST:$GCS_PORT/storage/v1/b" 2>/dev/null ;;
    # Azurite has no health endpoint: any HTTP reply (even 400/403) means it listens.
    azurite)
      local code
      code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 "http://$AZURITE_HOST:$AZURITE_PORT/" 2>/dev/null || true)"
      [ -n "$code" ] && [ "$code" != "000" ]
      ;;
  esac
}

pid_alive() {
  local pidfile="$RUN/$1.pid"
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

launch() {
  local name="$1" logfile="$RUN/$1.log"
  : >"$logfile"
  # setsid: its own session and process group, so the emulator outlives this
  # script and stop.sh can end it (and any child) with one group signal.
  case "$name" in
    minio)
      # Fresh data on every start: tests create their own buckets.
      rm -rf "$RUN/minio-data"
      mkdir -p "$RUN/minio-data"
      # MINIO_DOMAIN: also answer virtual-host style (Host: <bucket>.localhost:9000).
      # MINIO_CI_CD: skip the checks meant for production disks.
      MINIO_ROOT_USER="$MINIO_USER" MINIO_ROOT_PASSWORD="$MINIO_PASSWORD" \
        MINIO_DOMAIN=localhost MINIO_CI_CD=on MINIO_UPDATE=off \
        setsid "$BIN/minio" server "$RUN/minio-data" \
        --address "$MINIO_ADDRESS" --console-address "$MINIO_CONSOLE_ADDRESS" \
        </dev/null >>"$logfile" 2>&1 &
      ;;
    gcs)
      setsid "$BIN/fake-gcs-server" -scheme http -host "$GCS_HOST" -port "$GCS_PORT" \
        -public-host "$GCS_HOST:$GCS_PORT" -external-url "http://$GCS_HOST:$GCS_PORT" \
        -backend memory \
        </dev/null >>"$logfile" 2>&1 &
      ;;
    azurite)
      rm -rf "$RUN/azurite"
      mkdir -p "$RUN/azurite"
      setsid "$AZURITE_BLOB" --blobHost "$AZURITE_HOST" --blobPort "$AZURITE_PORT" \
        --location "$RUN/azurite" \
        --skipApiVersionCheck --disableTelemetry --loose \
        </dev/null >>"$logfile" 2>&1 &
      ;;
  esac
  echo $! >"$RUN/$name.pid"
}

failed=0
for name in "${NAMES[@]}"; do
  if healthy "$name"; then
    if pid_alive "$name"; then
      log "$name: already running (pid $(cat "$RUN/$name.pid"))"
    else
      log "$name: something already answers on its port (not started by this script); using it"
    fi
    continue
  fi
  if pid_alive "$name"; then
    log "$name: pid $(cat "$RUN/$name.pid") runs but does not answer yet; waiting for it"
  else
    log "$name: starting (log: .tools/run/$name.log)"
    launch "$name"
  fi
  deadline=$((SECONDS + TIMEOUT))
  until healthy "$name"; do
    if ! pid_alive "$name"; then
      log "$name: exited before it was ready; last lines of .tools/run/$name.log:"
      tail -n 30 "$RUN/$name.log" >&2 || true
      rm -f "$RUN/$name.pid"
      failed=1
      continue 2
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$name: not ready after ${TIMEOUT}s; last lines of .tools/run/$name.log:"
      tail -n 30 "$RUN/$name.log" >&2 || true
      failed=1
      continue 2
    fi
    sleep 0.3
  done
  log "$name: ready (pid $(cat "$RUN/$name.pid"))"
done
exit "$failed"
