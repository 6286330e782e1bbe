#!/usr/bin/env bash
# Runs the service (silo + front-end) on http://127.0.0.1:5080. With no ViaSocket__Database__ConnectionString it
# starts an embedded local PostgreSQL in the data directory (ViaSocket__DataDirectory, by default the user's state folder)
# and keeps its data between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
exec dotnet run --project src/ViaSocket.Server -c Release -- "$@"
