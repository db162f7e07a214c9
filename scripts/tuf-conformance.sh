#!/usr/bin/env bash
# Runs the tuf-conformance suite (github.com/theupdateframework/tuf-conformance,
# not on PyPI) against `trailscope tuf-client`.
#
#   scripts/tuf-conformance.sh CHECKOUT [pytest args...]
#
# CHECKOUT is a checkout of the upstream repository. Creates a venv under
# target/, installs the suite with its pinned dependencies from PyPI, installs
# faketime from Debian if missing, builds trailscope in release mode (dynamically
# linked against glibc, so libfaketime can fake its clock) and prints the pass count.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
checkout="$(cd "${1:?usage: scripts/tuf-conformance.sh CHECKOUT [pytest args...]}" && pwd)"
shift
venv="$here/target/tuf-conformance-venv"

if ! command -v faketime >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
  else
    sudo apt-get install -y faketime
  fi
fi
if [ ! -x "$venv/bin/pytest" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -e "$checkout"
fi
(cd "$here" && cargo build --release --locked --bin trailscope)

cd "$checkout"
set +e
"$venv/bin/pytest" -q -p no:cacheprovider tuf_conformance \
  --entrypoint "$here/scripts/tuf-conformance-client" "$@" | tee "$here/target/tuf-conformance.log"
status=${PIPESTATUS[0]}
set -e
tail -n 1 "$here/target/tuf-conformance.log"
exit "$status"
