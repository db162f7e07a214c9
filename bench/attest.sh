#!/usr/bin/env bash
# The attestation benchmark of #15, in one run: trailscope (one `attest
# verify` invocation per workload, over a JSON-lines file, both cores) against
# sigstore-python 4.5.1 verifying the same bundles in one process
# (bench/attest_ref.py), and the floor — just the signature checks those
# bundles need, with aws-lc (the verifier trailscope ships) on one core
# (examples/attest-floor.rs).
#
# Workloads (under $WORK, default target/bench-attest):
#   gen     N bundles from examples/gen-bundles (private P-256 instance, DSSE + SLSA v1)
#   p384    the sigstore-conformance happy path (v0.3, production: leaf signed by
#           Fulcio's P-384 intermediate, message signature) replicated P384_N times
#   corpus  every bundle of fixtures/sigstore/sigstore-conformance that is
#           verified against the production root (pass and fail cases), any
#           identity (trailscope `--certificate-identity-regexp '.*'`,
#           sigstore-python `UnsafeNoOp`), artifact a.txt
#
# usage: bench/attest.sh [N=10000] [P384_N=2000] [RUNS=3]
# env:   SIGVENV (default /work/sigvenv, with sigstore==4.5.1), WORK
# Prints one line per run and workload: ms per bundle in wall time (trailscope:
# the whole process, start-up and JSON output included; sigstore-python: its
# verification loop) and in CPU time, the verified count, the ratios; then the
# floor. Builds --profile profiling. On a shared machine the CPU figures are
# the comparable ones; the wall figures depend on the load, which is printed.
set -euo pipefail
N=${1:-10000}
P384_N=${2:-2000}
RUNS=${3:-3}
cd "$(dirname "$0")/.."
WORK=${WORK:-target/bench-attest}
PY=${SIGVENV:-/work/sigvenv}/bin/python
export CARGO_INCREMENTAL=0
cargo build --locked --profile profiling --bin trailscope --example gen-bundles --example attest-floor
BIN=target/profiling/trailscope
EX=target/profiling/examples
BEACON='https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main'
GHA='https://token.actions.githubusercontent.com'
CONF=fixtures/sigstore/sigstore-conformance/bundle-verify
PROD_ROOT=fixtures/sigstore/root-signing/targets/trusted_root.json
mkdir -p "$WORK"

if [ ! -f "$WORK/gen/bundles.jsonl" ] || [ "$(wc -l < "$WORK/gen/bundles.jsonl")" != "$N" ]; then
    rm -rf "$WORK/gen"
    "$EX/gen-bundles" "$N" "$WORK/gen"
    rm -rf "$WORK/gen/bundles"   # the JSON-lines file is the workload
fi

python3 - "$WORK" "$P384_N" "$CONF" "$PROD_ROOT" "$BEACON" "$GHA" <<'PY'
import json, pathlib, shutil, sys
work, n, conf, root, beacon, gha = pathlib.Path(sys.argv[1]), int(sys.argv[2]), pathlib.Path(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
def workload(name, lines, policy):
    d = work / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "bundles.jsonl").write_text("".join(l + "\n" for l in lines))
    shutil.copy(root, d / "trusted_root.json")
    shutil.copy(conf / "a.txt", d / "artifact.txt")
    (d / "policy.json").write_text(json.dumps(policy))
happy = json.dumps(json.loads((conf / "happy-path-v0.3/bundle.sigstore.json").read_text()), separators=(",", ":"))
workload("p384", [happy] * n, {"certificate_identity": beacon, "certificate_oidc_issuer": gha})
corpus = []
for case in sorted(conf.iterdir()):
    b = case / "bundle.sigstore.json"
    # The production-root cases with the suite's defaults (no own root, key, identity or artifact).
    if b.is_file() and not any((case / f).exists() for f in ("trusted_root.json", "key.pub", "identity", "issuer", "artifact")):
        try:
            corpus.append(json.dumps(json.loads(b.read_text()), separators=(",", ":")))
        except ValueError:
            pass  # the malformed-JSON case cannot be a line of a JSON-lines file
workload("corpus", corpus, {"any_identity": True})
PY

load() { cut -d' ' -f1-3 /proc/loadavg; }
# A ratio, 0 when the divisor is (time(1) counts CPU in 10 ms steps: a small workload can read 0).
ratio() { if [ "$(echo "$2 > 0" | bc -l)" = 1 ]; then echo "$1 / $2" | bc -l; else echo 0; fi; }

trailscope_run() { # DIR: prints wall seconds, CPU seconds, verified, total
    local dir=$1 policy
    if grep -q any_identity "$dir/policy.json"; then
        policy=(--certificate-identity-regexp '.*' --certificate-oidc-issuer-regexp '.*')
    else
        policy=(--certificate-identity "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['certificate_identity'])" "$dir/policy.json")"
                --certificate-oidc-issuer "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['certificate_oidc_issuer'])" "$dir/policy.json")")
    fi
    local start end
    # The previous workload's report (135 MB after gen) is deleted before the
    # clock starts: truncating it through the redirection is not this run's work.
    rm -f "$WORK/out.json"
    start=$(date +%s.%N)
    /usr/bin/time -o "$WORK/cpu" -f "%U %S" "$BIN" attest verify --bundle "$dir/bundles.jsonl" \
        --trusted-root "$dir/trusted_root.json" "${policy[@]}" "$dir/artifact.txt" --format json > "$WORK/out.json" || true
    end=$(date +%s.%N)
    local verified cpu
    verified=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d=d if isinstance(d,list) else [d]; print(sum(x['verdict']=='pass' for x in d), len(d))" "$WORK/out.json")
    # time(1) puts "Command exited with non-zero status 1" first when a bundle fails.
    cpu=$(tail -n 1 "$WORK/cpu" | awk '{print $1 + $2}')
    echo "$(echo "$end - $start" | bc -l) $cpu $verified"
}

echo "# load before: $(load)   $(date -u +%FT%TZ)"
for run in $(seq 1 "$RUNS"); do
    for w in gen p384 corpus; do
        dir="$WORK/$w"
        n=$(wc -l < "$dir/bundles.jsonl")
        read -r ts_wall ts_cpu ts_ok _ <<< "$(trailscope_run "$dir")"
        read -r py_ok _ py_loop py_ms py_cpu <<< "$("$PY" bench/attest_ref.py "$dir" 2>/dev/null)"
        ts_ms=$(echo "1000 * $ts_wall / $n" | bc -l)
        ts_cpu_ms=$(echo "1000 * $ts_cpu / $n" | bc -l)
        printf 'run %d %-6s %5d bundles | trailscope %6.3f ms/bundle wall, %6.3f CPU (%d verified) | sigstore-python %6.3f wall, %6.3f CPU (%d verified) | ratio wall %4.1fx CPU %4.1fx | load %s\n' \
            "$run" "$w" "$n" "$ts_ms" "$ts_cpu_ms" "$ts_ok" "$py_ms" "$py_cpu" "$py_ok" \
            "$(echo "$py_ms / $ts_ms" | bc -l)" "$(ratio "$py_cpu" "$ts_cpu_ms")" "$(load)"
    done
done
for w in gen p384; do
    printf 'floor %-7s ' "$w"
    "$EX/attest-floor" "$WORK/$w" 5
done
rm -f "$WORK/out.json" "$WORK/cpu"
