# Shared settings for the emulator scripts (sourced, not run).
# Everything lives under the git-ignored .tools/ folder at the repo root:
#   .tools/bin/<binary> and .tools/bin/<binary>.version  (install.sh)
#   .tools/run/<name>.pid, <name>.log, data folders       (start.sh / stop.sh)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
RUN="$TOOLS/run"

# MinIO publishes no semver tags on the Go module proxy, only pseudo-versions.
# Pin: the newest pseudo-version at the time of writing (2026-02-12); it builds
# with Go >= 1.24 (its go.mod says go 1.24.0) and was tested with go1.26.
# Change the pin here; install.sh notices the stamp differs and rebuilds.
MINIO_MODULE="github.com/minio/minio"
MINIO_VERSION="${FILEXFER_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"

# fake-gcs-server has semver tags: v1.56.1, the newest release at the time of
# writing (the project needs v1.55.1 or newer).
FAKE_GCS_MODULE="github.com/fsouza/fake-gcs-server"
FAKE_GCS_VERSION="${FILEXFER_FAKE_GCS_VERSION:-v1.56.1}"

# Azurite is the root devDependency azurite@3.35.0 (see package.json). Its bin
# shim runs it on the project's pinned Node 24 (node_modules/.bin/node), which
# works for the blob service.
AZURITE_BLOB="$ROOT/node_modules/.bin/azurite-blob"

# Loopback endpoints the tests default to (see /work/shared/ARCHITECTURE.md).
MINIO_ADDRESS="127.0.0.1:9000"
MINIO_CONSOLE_ADDRESS="127.0.0.1:9001"
MINIO_USER="filexfer"
MINIO_PASSWORD="filexfer-secret"
GCS_HOST="127.0.0.1"
GCS_PORT="4443"
AZURITE_HOST="127.0.0.1"
AZURITE_PORT="10000"

ALL_EMULATORS=(minio gcs azurite)

log() { printf '[emulators] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Checks that every name given is one we know; prints them, or all when none.
emulator_names() {
  if [ "$#" -eq 0 ]; then
    printf '%s\n' "${ALL_EMULATORS[@]}"
    return
  fi
  local name
  for name in "$@"; do
    case "$name" in
      minio|gcs|azurite) printf '%s\n' "$name" ;;
      *) die "unknown emulator '$name' (expected: ${ALL_EMULATORS[*]})" ;;
    esac
  done
}
