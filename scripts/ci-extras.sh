#!/usr/bin/env bash
# System packages the test suite needs beyond npm, run by .ci/run before the
# tests: Debian's chromium for the trader page's browser test (driven by
# playwright-core, which downloads no browser of its own). Idempotent and quiet.
set -euo pipefail

if [ ! -x /usr/bin/chromium ]; then
  SUDO=''
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO='sudo'; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version >/dev/null 2>&1 || { echo "ci-extras: /usr/bin/chromium does not run" >&2; exit 1; }

# Debian's docker-compose (1.29, Python; no Docker engine needed) for the test
# that validates docker-compose.yml with `docker-compose config` (issue 6).
if ! command -v docker-compose >/dev/null 2>&1; then
  SUDO=''
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO='sudo'; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq docker-compose >/dev/null
fi
docker-compose version >/dev/null 2>&1 || { echo "ci-extras: docker-compose does not run" >&2; exit 1; }
