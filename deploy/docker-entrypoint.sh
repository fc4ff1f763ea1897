#!/bin/sh
# Entry point of the exec-notify image: runs one app by its name, in the
# foreground, as PID 1's child under `init` (compose) or as PID 1 itself; the
# apps handle SIGTERM themselves (graceful stop within 10 s, exit 0).
#   docker run IMAGE api | ws | poller | worker | migrate
set -eu
cd "$(dirname "$0")/.."
app="${1:-}"
[ "$#" -gt 0 ] && shift
case "$app" in
  api|ws|poller|worker)
    exec node --enable-source-maps "apps/$app/dist/main.js" "$@" ;;
  migrate)
    exec node --enable-source-maps scripts/dist/migrate/main.js "$@" ;;
  *)
    echo "usage: docker run <image> api|ws|poller|worker|migrate (got: \"$app\")" >&2
    exit 64 ;;
esac
