#!/usr/bin/env bash
# Runs the verification tests of the sigstore-conformance suite
# (github.com/sigstore/sigstore-conformance) offline against
# `trailscope sigstore-client`.
#
#   scripts/sigstore-conformance.sh CHECKOUT [pytest args...]
#
# CHECKOUT is a checkout of the upstream repository; it is not modified. The
# script copies its test/ directory under target/, appends to the copy's
# conftest.py an `identity_token` fixture that returns a static fake JWT
# (upstream's downloads a token even for verification tests, and the client
# wrapper only decodes its payload), installs the suite's requirements in a
# venv under target/, builds trailscope in release mode and runs
# `pytest test/test_bundle.py -k test_verify --skip-signing`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
checkout="$(cd "${1:?usage: scripts/sigstore-conformance.sh CHECKOUT [pytest args...]}" && pwd)"
shift
venv="$here/target/sigstore-conformance-venv"
copy="$here/target/sigstore-conformance"

rm -rf "$copy"
mkdir -p "$copy"
cp -a "$checkout/." "$copy/"
# Header {"alg":"none"}, payload {"email":"conformance@example.com",
# "iss":"https://oauth2.sigstore.dev/auth","exp":4102444800}, empty signature.
token="eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImNvbmZvcm1hbmNlQGV4YW1wbGUuY29tIiwiaXNzIjoiaHR0cHM6Ly9vYXV0aDIuc2lnc3RvcmUuZGV2L2F1dGgiLCJleHAiOjQxMDI0NDQ4MDB9."
cat >> "$copy/test/conftest.py" <<PY


# Appended by trailscope's scripts/sigstore-conformance.sh: verification needs
# no identity token, so no network (the last definition of a fixture wins).
@pytest.fixture(scope="session")
def identity_token():
    return "$token"
PY

if [ ! -x "$venv/bin/pytest" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$copy/requirements.txt"
fi
(cd "$here" && cargo build --release --locked --bin trailscope)

cd "$copy"
# Offline: the production trusted root comes from the TUF snapshot embedded in
# trailscope (verified as of its date), never from the network.
export TRAILSCOPE_OFFLINE=1
set +e
"$venv/bin/pytest" -q -p no:cacheprovider test/test_bundle.py -k test_verify --skip-signing \
  --entrypoint "$here/scripts/sigstore-conformance-client" "$@" | tee "$here/target/sigstore-conformance.log"
status=${PIPESTATUS[0]}
set -e
tail -n 1 "$here/target/sigstore-conformance.log"
exit "$status"
