#!/usr/bin/env bash
# The TUI on the TUF scale workloads, in a real terminal (tmux): the time
# from `trailscope open --all-roles` to the refresh verdict on screen, to the
# end of the audit (the whole result on screen), and the peak RSS.
#
#   bench/tui_pty.sh [WORKLOAD...]      default: b14-1M b14-10M
#   RUNS=3 bench/tui_pty.sh b14-1M      runs per workload (median; default 3)
#
# The screen is read every 20 ms (`tmux capture-pane`): the refresh verdict
# is on screen once the Overview's `Verdict` line shows PASS or FAIL; the
# audit has ended once the header no longer says `verifying…`. Then `q`
# quits and GNU time gives the peak RSS. Workloads as in bench/tuf.sh
# (generated under $SCALE_DIR, default target/scale/); the binary is the `profiling` build.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SCALE_DIR=${SCALE_DIR:-target/scale}
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -eq 0 ] && WORKLOADS=(b14-1M b14-10M)
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 2; }
cargo build --profile profiling --quiet --bin trailscope --example gen-scale
TS=$PWD/target/profiling/trailscope

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); runs: $RUNS"
echo
echo "| workload | refresh verdict on screen | audit done (whole result on screen) | peak RSS |"
echo "|---|---:|---:|---:|"
for w in "${WORKLOADS[@]}"; do
  bits=${w%%-*}; bits=${bits#b}
  t=${w#*-}; t=${t/k/000}; t=${t/M/000000}
  repo=$SCALE_DIR/tuf-b$bits-t$t
  if [ ! -f "$repo/metadata/timestamp.json" ]; then
    target/profiling/examples/gen-scale tuf "$bits" "$t" "$repo" >&2
  fi
  refresh=(); audit=(); rss=()
  for _ in $(seq "$RUNS"); do
    session="trailscope-bench-$$"
    log=$(mktemp)
    start=$(now_ms)
    tmux new-session -d -s "$session" -x 120 -y 40 \
      "/usr/bin/time -f %M -o $log $TS open --root $repo/trusted_root.json --metadata $repo/metadata --all-roles"
    r=""; a=""
    while [ -z "$a" ]; do
      screen=$(tmux capture-pane -p -t "$session" 2>/dev/null || true)
      t_now=$(now_ms)
      if [ -z "$r" ] && grep -qE '^.Verdict +. (PASS|FAIL)' <<<"$screen"; then r=$((t_now - start)); fi
      if [ -n "$r" ] && ! head -1 <<<"$screen" | grep -q 'verifying'; then a=$((t_now - start)); fi
      if [ $((t_now - start)) -gt 600000 ]; then echo "timed out on $w" >&2; exit 1; fi
      sleep 0.02
    done
    tmux send-keys -t "$session" q
    while tmux has-session -t "$session" 2>/dev/null; do sleep 0.05; done
    refresh+=("$r"); audit+=("$a"); rss+=("$(tail -1 "$log")")
    rm -f "$log"
  done
  rm=$(printf '%s\n' "${refresh[@]}" | median); am=$(printf '%s\n' "${audit[@]}" | median)
  km=$(printf '%s\n' "${rss[@]}" | median)
  printf "| %s | %.3f s | %.3f s | %d MiB |\n" "$w" "$(awk -v x="$rm" 'BEGIN{print x/1000}')" \
    "$(awk -v x="$am" 'BEGIN{print x/1000}')" $((km / 1024))
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
