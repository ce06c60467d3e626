#!/usr/bin/env bash
# Speed and memory, as ratios against peers measured in the same run:
# every package's bench (local store, MinIO, fake-gcs-server, Azurite), one
# at a time so they do not compete for the 2 cores. Results: bench/results/*.json
source "$(dirname "$0")/lib/bootstrap.sh"
pnpm exec turbo run build --output-logs=errors-only >/dev/null
bash scripts/emulators/start.sh
trap 'bash scripts/emulators/stop.sh' EXIT
for pkg in local s3 gcs azure; do
  echo "» bench: $pkg"
  # pnpm run puts the pinned Node 24 first on PATH for the bench scripts.
  pnpm --filter "@filexfer/$pkg" run bench
done
