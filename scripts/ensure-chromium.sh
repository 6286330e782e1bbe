#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium: the UI tests drive it headless through Playwright (which is
# never allowed to download browsers of its own). Installs the package when it is missing.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

echo "Chromium not found; installing Debian's chromium package..." >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Run as root or install sudo, or: apt-get install -y chromium" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
