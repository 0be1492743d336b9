#!/usr/bin/env bash
# bench/rehearsal.sh — the full rehearsal: `hlsh scripts/bootstrap.hls` (all seven phases) against
# one `hlsh sim serve` with every simulated delay at zero (HLSH_SIM_TIMINGS=zero), so what is left
# is hlsh's own overhead plus the simulator's work. The simulator runs as a process of its own, so
# the client's CPU and peak RSS are apart from the simulator's (its CPU from /proc/PID/stat before
# and after). The client's figures come from its own /proc/PID/stat read once it has exited and
# before it is reaped (its CPU, and apart the CPU of the git and ssh processes it ran and reaped),
# and its rusage (peak RSS): nothing samples it while it runs, so the machine's two cores are the
# rehearsal's alone. The wall time is the client's, from its start to its exit. A fresh lab for
# each run.
# Targets (issue 17): under 3 s wall, under 1 s of hlsh's CPU. Prints the figures of each run,
# then the best wall time and the least client CPU.
#
#   bench/rehearsal.sh [path/to/hlsh] [runs]
# Without a path: .build-release/release/hlsh if present, else .build/debug/hlsh. SIM_HLSH runs the
# simulator from another binary; HLSH_SIM_TIMINGS=test compares with the tests' timings; BENCH_LOG=FILE
# keeps the runbook's --log (a JSON line per event, with times).
# Nothing outside a temp dir is written; every simulator started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/hlsh-bin.sh
. bench/hlsh-bin.sh
pick_hlsh "${1:-}"
runs=${2:-3}
sim_bin=${SIM_HLSH:-$hlsh}  # the binary that runs sim serve (default: the same)
timings=${HLSH_SIM_TIMINGS:-zero}  # another preset to compare with: HLSH_SIM_TIMINGS=test bench/rehearsal.sh
repo=$(pwd)
echo "hlsh: $hlsh (built $(date -r "$hlsh" '+%F %T')); load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

work=$(mktemp -d)
serve=
stop_serve() {
  if [ -n "$serve" ]; then kill "$serve" 2>/dev/null || true; wait "$serve" 2>/dev/null || true; fi
  serve=
}
trap 'stop_serve; rm -rf "$work"' EXIT
ticks=$(getconf CLK_TCK)
cpu_ms() {  # cpu_ms PID — user + system CPU of the process so far, in ms
  awk -v t="$ticks" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / t) }' "/proc/$1/stat"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

one_run() {  # one_run N — a fresh lab and one runbook run: prints "wall_ms hlsh_cpu_ms hlsh_rss_kb sim_cpu_ms
# children_cpu_ms" (hlsh's own CPU; that of the git and ssh processes it ran apart)
  local dir=$work/run$1 s0 s1
  mkdir -p "$dir/home/.ssh"
  ssh-keygen -q -t ed25519 -N '' -C bench@hlsh -f "$dir/home/.ssh/id_ed25519"
  HOME=$dir/home HLSH_SIM_TIMINGS=$timings NO_COLOR=1 "$sim_bin" sim serve --dir "$dir/lab" >"$dir/serve.log" 2>&1 &
  serve=$!
  for _ in $(seq 1 300); do [ -f "$dir/lab/env" ] && break; sleep 0.1; done
  [ -f "$dir/lab/env" ] || { cat "$dir/serve.log" >&2; echo "hlsh sim serve did not start" >&2; exit 1; }
  s0=$(cpu_ms "$serve")
  if ! (
    set -a
    # shellcheck disable=SC1091  # written by sim serve at run time
    . "$dir/lab/env"
    set +a
    export HOME=$dir/home XDG_STATE_HOME=$dir/state NO_COLOR=1 PATH=/usr/bin:/bin
    cd "$repo" || exit 1
    python3 "$repo/bench/run-measured.py" "$dir/measured" "$hlsh" ${BENCH_LOG:+--log "$BENCH_LOG"} \
      scripts/bootstrap.hls >"$dir/out" 2>&1
  ); then
    tail -30 "$dir/out" >&2
    echo "the runbook failed (run $1)" >&2
    exit 1
  fi
  s1=$(cpu_ms "$serve")
  stop_serve
  read -r wall cpu rss kids <"$dir/measured"
  echo "$wall $cpu $rss $((s1 - s0)) $kids"
  cp "$dir/out" "$work/last.out"
}

echo "bootstrap.hls, all seven phases, on sim serve with HLSH_SIM_TIMINGS=$timings; $runs run(s):"
best_wall=999999 best_cpu=999999 best_rss=0
for i in $(seq 1 "$runs"); do
  read -r wall cpu rss sim kids <<<"$(one_run "$i")"
  [ -n "$kids" ] || exit 1
  printf '  run %d: wall %6d ms   hlsh CPU %5d ms (+ %d ms of the git and ssh it ran)   hlsh peak RSS %6.1f MiB   simulator CPU %6d ms\n' \
    "$i" "$wall" "$cpu" "$kids" "$(mib "$rss")" "$sim"
  ((wall < best_wall)) && best_wall=$wall
  ((cpu < best_cpu)) && best_cpu=$cpu
  ((rss > best_rss)) && best_rss=$rss
done
grep -E '^✓ phase' "$work/last.out" | sed 's/^/    /' || true
printf 'rehearsal: wall %d ms (target < 3000), hlsh CPU %d ms (target < 1000), hlsh peak RSS %.1f MiB\n' \
  "$best_wall" "$best_cpu" "$(mib "$best_rss")"
