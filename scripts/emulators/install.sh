#!/usr/bin/env bash
# Installs the storage emulators the integration tests run against.
#   bash scripts/emulators/install.sh [minio|gcs|azurite ...]   (default: all)
# Idempotent: a binary whose stamp (.tools/bin/<binary>.version) names the
# pinned module@version is reused; a pin change rebuilds it. Pins: lib.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
emulator_names "$@" >/dev/null # fails here on an unknown name

# go_install <binary> <module> <version>
go_install() {
  local binary="$1" module="$2" version="$3"
  local want="$module@$version"
  local stamp="$BIN/$binary.version"
  if [ -x "$BIN/$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    log "$binary: $want already installed"
    return
  fi
  command -v go >/dev/null 2>&1 || die "$binary needs Go >= 1.24 to build (https://go.dev/dl/); 'go' is not on PATH"
  local slow=""
  [ "$binary" = minio ] && slow=" (MinIO takes a few minutes; cached afterwards)"
  log "$binary: building $want with $(go version | awk '{print $3}')$slow"
  # Build into a staging folder so a failed build never leaves a binary whose
  # stamp lies; then move it into place and write the stamp last.
  local stage="$TOOLS/build/$binary"
  rm -rf "$stage"
  mkdir -p "$stage" "$BIN"
  # CGO_ENABLED=0: a static binary that needs no C toolchain on the machine.
  if ! CGO_ENABLED=0 GOBIN="$stage" go install "$want"; then
    die "$binary: 'go install $want' failed (see the errors above)"
  fi
  local built
  built="$(find "$stage" -maxdepth 1 -type f -perm -u+x | head -n 1)"
  [ -n "$built" ] || die "$binary: go install produced no binary in $stage"
  mv -f "$built" "$BIN/$binary"
  rm -rf "$stage"
  printf '%s\n' "$want" >"$stamp"
  log "$binary: installed $want in $BIN"
}

install_azurite() {
  if [ -x "$AZURITE_BLOB" ]; then
    log "azurite: $(node_version_note)"
    return
  fi
  log "azurite: not in node_modules; running 'pnpm install --frozen-lockfile' at the repo root"
  command -v pnpm >/dev/null 2>&1 || die "azurite is a root devDependency: install pnpm 10 and run 'pnpm install'"
  (cd "$ROOT" && pnpm install --frozen-lockfile)
  [ -x "$AZURITE_BLOB" ] || die "azurite: $AZURITE_BLOB still missing after pnpm install"
}

node_version_note() {
  local version
  version="$(cd "$ROOT" && node_modules/.bin/node --version 2>/dev/null || echo unknown)"
  echo "azurite-blob from node_modules (runs on node $version)"
}

for name in $(emulator_names "$@"); do
  case "$name" in
    minio) go_install minio "$MINIO_MODULE" "$MINIO_VERSION" ;;
    gcs) go_install fake-gcs-server "$FAKE_GCS_MODULE" "$FAKE_GCS_VERSION" ;;
    azurite) install_azurite ;;
  esac
done
