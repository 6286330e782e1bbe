#!/usr/bin/env bash
# Runs every test. Tests that need PostgreSQL start their own throwaway instance; nothing has to run beforehand.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
scripts/ensure-chromium.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test ViaSocketOrleans.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line with the totals over every test assembly.
awk '/^(Passed|Failed)! / { for (i = 1; i < NF; i++) { if ($i == "Passed:") p += $(i + 1); if ($i == "Failed:") f += $(i + 1); if ($i == "Skipped:") s += $(i + 1) } }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
