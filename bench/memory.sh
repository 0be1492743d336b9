#!/usr/bin/env bash
# bench/memory.sh — peak RSS (VmHWM) of an idle interactive hlsh: the REPL started in a real
# terminal (tmux), its prompt shown, a command run (`echo ok`), then left alone for a second.
# Prints the highest of N runs. Target (issue 17): under 20 MiB. The full rehearsal's peak RSS
# (the client process) is bench/rehearsal.sh's.
#
#   bench/memory.sh [path/to/hlsh] [runs]
# Without a path: .build-release/release/hlsh if present, else .build/debug/hlsh.
# Uses its own tmux server (socket in a temp dir) and an empty HOME; both go on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/hlsh-bin.sh
. bench/hlsh-bin.sh
pick_hlsh "${1:-}"
runs=${2:-3}
command -v tmux >/dev/null || { echo "needs tmux" >&2; exit 1; }
echo "hlsh: $hlsh (built $(date -r "$hlsh" '+%F %T')); load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
work=$(mktemp -d)
mkdir -p "$work/home"
t() { tmux -S "$work/tmux" "$@"; }
trap 't kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

peak=0
for i in $(seq 1 "$runs"); do
  t new-session -d -x 120 -y 30 -s "r$i" \
    "env -i HOME=$work/home TERM=xterm-256color PATH=/usr/bin:/bin NO_COLOR=1 $hlsh"
  pid=$(t list-panes -t "r$i" -F '#{pane_pid}')
  for _ in $(seq 1 100); do t capture-pane -p -t "r$i" | grep -q '[>$] *$' && break; sleep 0.05; done
  t send-keys -t "r$i" 'echo ok' Enter
  for _ in $(seq 1 100); do t capture-pane -p -t "r$i" | grep -qx 'ok' && break; sleep 0.05; done
  sleep 1
  # The pane runs env, which execs hlsh: the same pid.
  hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
  printf '  run %d: idle REPL peak RSS %.1f MiB (now %.1f MiB)\n' "$i" "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
  ((hwm > peak)) && peak=$hwm
  t kill-session -t "r$i"
done
awk -v k="$peak" 'BEGIN { printf "memory: idle REPL peak RSS %.1f MiB (target < 20)\n", k / 1024 }'
