#!/usr/bin/env bash
# The main job: upload a generated file to the embedded local store through
# TransferManager, download it back by its URL and verify it. No cloud needed.
source "$(dirname "$0")/lib/bootstrap.sh"
pnpm exec turbo run build --filter=@filexfer/local... --output-logs=errors-only >/dev/null
pnpm exec node scripts/demo.mjs "$@"
