#!/usr/bin/env bash
# bench/startup.sh — start-up: `hlsh --version` and `hlsh -c 'echo ok'` against
# `kubectl version --client`, the three alternating in the same run. Prints the best and median
# wall time of N runs of each, and the best CPU (user + system, from the child's rusage: steadier
# than wall time on a busy machine), and the ratios to kubectl. Target (issue 17): ≤ 0.1× kubectl.
#
#   bench/startup.sh [path/to/hlsh] [runs]
# Without a path: .build-release/release/hlsh if present, else .build/debug/hlsh. KUBECTL picks
# another kubectl (default: kubectl on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/hlsh-bin.sh
. bench/hlsh-bin.sh
pick_hlsh "${1:-}"
runs=${2:-20}
kubectl=${KUBECTL:-$(command -v kubectl)} || { echo "needs kubectl on PATH (or KUBECTL)" >&2; exit 1; }
echo "hlsh: $hlsh (built $(date -r "$hlsh" '+%F %T')); kubectl: $kubectl ($("$kubectl" version --client 2>/dev/null | head -1))"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; best of $runs, alternating"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT

# An empty HOME, so neither reads a user's history, kubeconfig or cache.
HOME=$home python3 - "$runs" "$hlsh" "$kubectl" <<'PY'
import os, resource, subprocess, sys, time
runs, hlsh, kubectl = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cases = [("hlsh --version", [hlsh, "--version"]), ("hlsh -c 'echo ok'", [hlsh, "-c", "echo ok"]),
         ("kubectl version --client", [kubectl, "version", "--client"])]
wall = {name: [] for name, _ in cases}
cpu = {name: [] for name, _ in cases}
for _ in range(runs):
    for name, argv in cases:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall[name].append((t1 - t0) * 1e3)
        cpu[name].append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1e3)
def best(xs): return min(xs)
def median(xs): return sorted(xs)[len(xs) // 2]
k = "kubectl version --client"
for name, _ in cases:
    w, c = wall[name], cpu[name]
    print(f"  {name:26s} best {best(w):7.2f} ms  median {median(w):7.2f} ms  CPU best {best(c):6.2f} ms")
for name, _ in cases[:2]:
    print(f"startup: {name} / kubectl = {best(wall[name]) / best(wall[k]):.3f} best, "
          f"{median(wall[name]) / median(wall[k]):.3f} median, "
          f"{best(cpu[name]) / max(best(cpu[k]), 0.01):.3f} CPU (target <= 0.1)")
PY
