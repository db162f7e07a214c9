#!/usr/bin/env bash
# Side-by-side timings of trailscope and the python reference implementations
# on the scale workloads (DESIGN §8), printed as a markdown table.
#
#   bench/compare.sh [RUNS] [SIZES...]      default: 5 runs; in-toto N = 1000 10000 100000
#   TUF=0 bench/compare.sh 1 1000000        in-toto only (the 1M reference run
#                                           takes about a minute and 4 GB)
#   TUF_WORKLOADS="b14-1M b14-10M" bench/compare.sh 3 100000
#                                           the TUF workloads bench/tuf.sh runs
#                                           (default: all of them, b14-10M is
#                                           16,384 bins × 10,000,000 targets)
#   ORDER=blocked bench/compare.sh 3 100000  a warm-up run of each tool, then each
#                                           tool's runs back to back (default:
#                                           alternate; see bench/README, session 8)
#
# Builds the `profiling` profile (release with line tables), creates a venv
# under target/ with in-toto 3.1.0 / tuf 7.0.1,
# generates the workloads under $SCALE_DIR (default target/scale/;
# deterministic, see examples/gen-scale.rs), then runs trailscope and the reference in alternation
# and reports the median wall time and median peak RSS (GNU time) of each.
# The TUF side is bench/tuf.sh when present.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
runs="${1:-5}"
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)

venv="${REFVENV:-$here/target/refvenv}"
scale="${SCALE_DIR:-$here/target/scale}"
export SCALE_DIR="$scale" REFVENV="$venv"
if [ ! -x "$venv/bin/in-toto-verify" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q in-toto==3.1.0 tuf==7.0.1 'securesystemslib[crypto]'
fi
cargo build --profile profiling --locked --bin trailscope --example gen-scale >/dev/null 2>&1
bin="$here/target/profiling/trailscope"
gen="$here/target/profiling/examples/gen-scale"

# measure CMD... -> prints "wall_seconds max_rss_kb" of one run (GNU time for
# the RSS; wall from date, since GNU time rounds to 10 ms)
measure() {
  local log start end
  log=$(mktemp)
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$log" "$@" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  echo "$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }') $(tail -n 1 "$log")"
  rm -f "$log"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "| workload | trailscope wall (s) | reference wall (s) | speed-up | trailscope RSS (MB) | reference RSS (MB) | RSS ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  dir="$scale/intoto-$n"
  [ -f "$dir/root.layout" ] || "$gen" intoto "$n" "$dir"
  ours_t=(); ours_m=(); ref_t=(); ref_m=()
  ours=("$bin" verify --layout root.layout -k keys/owner.pub.pem --link-dir links)
  ref=("$venv/bin/in-toto-verify" --layout root.layout --verification-keys keys/owner.pub.pem --link-dir links)
  if [ "${ORDER:-alternate}" = blocked ]; then
    # As bench/tuf.sh's ORDER=blocked: a warm-up run each, then each tool's runs back to back.
    (cd "$dir" && measure "${ours[@]}" > /dev/null)
    for _ in $(seq "$runs"); do
      read -r t m < <(cd "$dir" && measure "${ours[@]}"); ours_t+=("$t"); ours_m+=("$m")
    done
    (cd "$dir" && measure "${ref[@]}" > /dev/null)
    for _ in $(seq "$runs"); do
      read -r t m < <(cd "$dir" && measure "${ref[@]}"); ref_t+=("$t"); ref_m+=("$m")
    done
  else
    for _ in $(seq "$runs"); do
      read -r t m < <(cd "$dir" && measure "${ours[@]}")
      ours_t+=("$t"); ours_m+=("$m")
      read -r t m < <(cd "$dir" && measure "${ref[@]}")
      ref_t+=("$t"); ref_m+=("$m")
    done
  fi
  ot=$(printf '%s\n' "${ours_t[@]}" | median); rt=$(printf '%s\n' "${ref_t[@]}" | median)
  om=$(printf '%s\n' "${ours_m[@]}" | median); rm=$(printf '%s\n' "${ref_m[@]}" | median)
  awk -v n="$n" -v ot="$ot" -v rt="$rt" -v om="$om" -v rm="$rm" 'BEGIN {
    printf "| in-toto 3-step chain, %d artifacts/link | %.3f | %.2f | %.1fx | %.0f | %.0f | %.2f |\n",
      n, ot, rt, (ot > 0 ? rt / ot : 0), om / 1000, rm / 1000, (rm > 0 ? om / rm : 0) }'
done
if [ "${TUF:-1}" != 0 ] && [ -x "$here/bench/tuf.sh" ]; then
  # shellcheck disable=SC2086
  HEADER=1 "$here/bench/tuf.sh" "$runs" ${TUF_WORKLOADS:-}
fi
echo
echo "runs per cell: $runs (median); load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
