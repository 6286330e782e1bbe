#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, pg_ctl, postgres) are installed: the service and the tests start
# their own local instance from them. Installs Debian's package when they are missing.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
  exit 0
fi

echo "PostgreSQL server binaries not found; installing Debian's postgresql package..." >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Run as root or install sudo, or: apt-get install -y postgresql" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# Debian starts a system cluster on port 5432 on install; the service runs its own instance and does not need it.
$sudo service postgresql stop >/dev/null 2>&1 || true
