#!/usr/bin/env bash
# TUF scale benchmark: trailscope against python-tuf 7.0.1 (bench/tuf_ref.py)
# on gen-scale PEP 458 repositories (succinct hash bins, consistent snapshots).
#
#   bench/tuf.sh [WORKLOAD...]        default: b10-100k b14-100k b14-1M b10-1M b14-10M
#   RUNS=5 bench/tuf.sh b14-1M        runs per command (median; default 3)
#   HEADER=0 bench/tuf.sh ...         rows only (for bench/compare.sh)
#   ORDER=blocked bench/tuf.sh ...    a discarded warm-up run of each tool, then
#                                     each tool's runs back to back (default:
#                                     alternate, one run of each in turn)
#
# For each workload and each of
#   (a) refresh            trusted root → timestamp → snapshot → targets
#   (b) refresh + lookups  then 1,000 distinct random targets (same list for both)
#   (c) audit              every bin's signatures (trailscope: `tuf verify --all-roles`,
#                          the whole client workflow and a full report)
# the two tools run alternately (or blocked, above), each run a fresh process under /usr/bin/time
# (wall = elapsed, RSS = maximum resident set size; interpreter start-up
# included for python). Prints one markdown table row per workload and mode:
# medians, the max RSS, and python / trailscope.
#
# Workloads are generated under $SCALE_DIR (default target/scale/; never in
# the source tree), e.g. SCALE_DIR=/work/scale to share them between checkouts.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SCALE_DIR=${SCALE_DIR:-target/scale}
HEADER=${HEADER:-1}
# bench/compare.sh passes its run count first
if [[ ${1:-} =~ ^[0-9]+$ ]]; then RUNS=$1; shift; fi
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -eq 0 ] && WORKLOADS=(b10-100k b14-100k b14-1M b10-1M b14-10M)

# The release build with line tables (Cargo.toml `profiling`), for `perf record`.
cargo build --profile profiling --quiet --bin trailscope --example gen-scale
TS=target/profiling/trailscope
VENV=${REFVENV:-target/refvenv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet tuf==7.0.1 in-toto==3.1.0 'securesystemslib[crypto]'
fi
PY="$VENV/bin/python"

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
maxof() { sort -g | tail -1; }
# milliseconds → "0.123 s"
secs() { awk -v ms="$1" 'BEGIN { printf "%.3f s", ms / 1000 }'; }

# run_one OUT_FILE cmd... : appends "wall_ms rss_kb" for one run; fails on a non-zero exit
run_one() {
  local out=$1; shift
  local t start end; t=$(mktemp)
  start=$(date +%s%N)
  if ! /usr/bin/time -f "%M" -o "$t" "$@" > /dev/null 2> "$t.err"; then
    echo "command failed: $*" >&2; cat "$t.err" >&2; rm -f "$t" "$t.err"; exit 1
  fi
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000000 )) $(tail -1 "$t")" >> "$out"
  rm -f "$t" "$t.err"
}

if [ "$HEADER" = 1 ]; then
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), nproc $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg); runs: $RUNS"
  echo
  echo "| workload | metadata | mode | trailscope wall | trailscope RSS | python wall | python RSS | python / trailscope |"
  echo "|---|---|---|---|---|---|---|---|"
fi

for w in "${WORKLOADS[@]}"; do
  bits=${w%%-*}; bits=${bits#b}
  t=${w#*-}; t=${t/k/000}; t=${t/M/000000}
  repo=$SCALE_DIR/tuf-b$bits-t$t
  if [ ! -f "$repo/metadata/timestamp.json" ]; then
    target/profiling/examples/gen-scale tuf "$bits" "$t" "$repo" >&2
  fi
  list=$repo.lookups.txt
  if [ ! -f "$list" ]; then
    python3 -c "
import random
for i in random.Random(7).sample(range($t), 1000):
    print(f'packages/p{i:07}/p{i:07}-1.{i % 10}.tar.gz')" > "$list"
  fi
  mb=$(du -sb "$repo/metadata" | awk '{printf "%.1f MB", $1 / 1e6}')
  base=("$TS" tuf verify --root "$repo/trusted_root.json" --metadata "$repo/metadata" --format json)
  for mode in refresh lookup audit; do
    case $mode in
      refresh) ours=("${base[@]}"); ref=("$PY" bench/tuf_ref.py refresh "$repo"); label="(a) refresh" ;;
      lookup) ours=("${base[@]}" --targets-from "$list" --lookup-only)
              ref=("$PY" bench/tuf_ref.py lookup "$repo" "$list"); label="(b) refresh + 1,000 lookups" ;;
      audit) ours=("${base[@]}" --all-roles); ref=("$PY" bench/tuf_ref.py audit "$repo"); label="(c) audit, every bin" ;;
    esac
    o=$(mktemp); p=$(mktemp)
    if [ "${ORDER:-alternate}" = blocked ]; then
      # One discarded warm-up run of each tool, then each tool's runs back to
      # back: on a guest with free page reporting the host takes freed memory
      # back after a few seconds of idle, and a run that follows a long run
      # of the other tool pays a host fault per fresh page (bench/README,
      # session 8). Alternating charges that to the short-lived process only.
      run_one /dev/null "${ours[@]}"
      for _ in $(seq "$RUNS"); do run_one "$o" "${ours[@]}"; done
      run_one /dev/null "${ref[@]}"
      for _ in $(seq "$RUNS"); do run_one "$p" "${ref[@]}"; done
    else
      for _ in $(seq "$RUNS"); do
        run_one "$o" "${ours[@]}"
        run_one "$p" "${ref[@]}"
      done
    fi
    ow=$(cut -d' ' -f1 "$o" | median); orss=$(cut -d' ' -f2 "$o" | maxof)
    pw=$(cut -d' ' -f1 "$p" | median); prss=$(cut -d' ' -f2 "$p" | maxof)
    ratio=$(awk -v a="$pw" -v b="$ow" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "∞" }')
    printf "| b%s-%s | %s | %s | %s | %d MiB | %s | %d MiB | %s |\n" \
      "$bits" "${w#*-}" "$mb" "$label" "$(secs "$ow")" $((orss / 1024)) "$(secs "$pw")" $((prss / 1024)) "$ratio"
    rm -f "$o" "$p"
  done
done
if [ "$HEADER" = 1 ]; then
  echo
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
