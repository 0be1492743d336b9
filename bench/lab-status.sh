#!/usr/bin/env bash
# bench/lab-status.sh — how long `hlsh lab status` takes on one simulated lab (`hlsh sim serve`),
# first empty (no VM: every layer above the hosts is missing), then after the runbook's phases 1
# and 2 (VMs running, k3s installed, the kubeconfig merged: eight layers read, two SSH logins,
# the Proxmox and Kubernetes APIs). Each run is a new hlsh process, so every SSH connection and
# API client is made afresh, as a user's `hlsh lab status` makes them. Prints best (median) of N.
# Target: under a second once the cluster exists (the layers are read at once, so the slowest
# layer sets the time, not their sum).
#
#   bench/lab-status.sh [path/to/hlsh] [runs]
# Without a path: .build-release/release/hlsh if present (scripts/test builds it), else .build/debug/hlsh.
# Nothing outside a temp dir is written; the simulator started here is stopped on exit.
set -euo pipefail
# shellcheck source=bench/sim-lib.sh
source "$(dirname "$0")/sim-lib.sh"

lab_env

measure() {  # measure LABEL — $runs runs of lab status: prints the label, best and median ms
  local times=() t0 t1
  for _ in $(seq 1 "$runs"); do
    t0=$(date +%s%N)
    "$hlsh" lab status >"$work/status.out" 2>&1 || { cat "$work/status.out" >&2; exit 1; }
    t1=$(date +%s%N)
    times+=("$(((t1 - t0) / 1000000))")
  done
  read -r best median <<<"$(stats "${times[@]}")"
  printf '  %-28s %6d (%d)   all: %s\n' "$1" "$best" "$median" "${times[*]}"
}

echo "hlsh lab status, best (median) of $runs, ms:"
measure "empty lab"
"$hlsh" -c 'vm apply --all
node wait all --for ssh --accept-new --timeout 60s --every 200ms
node harden all
node k3s all
node kubeconfig
node wait all --for ready --timeout 60s' >"$work/phases.out" 2>&1 || { cat "$work/phases.out" >&2; exit 1; }
measure "after phases 1 and 2"
sed 's/^/    /' "$work/status.out"
