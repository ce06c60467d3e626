# Sourced by the entry scripts: makes sure pnpm 10 and the workspace's
# dependencies are installed, from nothing but Node and npm.
# corepack is not used: it fails on registry signatures on some machines.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT
cd "$ROOT"

# turbo tries to phone home otherwise; the network here is closed.
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

PNPM_VERSION=10
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != ${PNPM_VERSION}.* ]]; then
  if [ ! -x "$ROOT/.tools/pnpm/bin/pnpm" ]; then
    echo "» installing pnpm@${PNPM_VERSION} into .tools/pnpm"
    npm install --global --prefix "$ROOT/.tools/pnpm" "pnpm@${PNPM_VERSION}" --no-fund --no-audit --loglevel=error
  fi
  export PATH="$ROOT/.tools/pnpm/bin:$PATH"
fi

# Fast when nothing changed; installs the pinned Node 24 the scripts run on.
pnpm install --frozen-lockfile --reporter=silent
