#!/usr/bin/env bash
# bench/kube-list-wait.sh — hlsh's Kubernetes client against kubectl on the same simulated API
# (`hlsh sim serve`), in the same run:
#   seed   5,000 ConfigMaps applied server-side from one multi-document file: `kube apply -f`
#          into namespace bench, `kubectl apply --server-side -f` into bench-kubectl
#   list   `hlsh -c 'kube get configmaps -n bench'` vs `kubectl get configmaps -n bench`, kubectl
#          with a warm --cache-dir and with a fresh one each run (hlsh keeps no discovery cache
#          on disk: every run of it is "cold")
#   wait   `kube wait widget w1 --for condition=Ready` vs `kubectl wait --for=condition=Ready`
#          on a custom resource: the waiter starts, the condition is set to True through the
#          status subresource by curl at a recorded time, and the delay from that moment to the
#          waiter's exit is measured (the curl call's own time included)
# Prints best (and median) of N and the ratios. Targets (issue 13): list ≤ 0.5× kubectl's time;
# a wait returns within 100 ms of the condition turning true.
#
#   bench/kube-list-wait.sh [path/to/hlsh] [runs] [configmaps]
# Without a path: .build-release/release/hlsh if present (scripts/test builds it), else .build/debug/hlsh.
# Nothing outside a temp dir is written; the simulator started here is stopped on exit.
set -euo pipefail
count=${3:-5000}
# shellcheck source=bench/sim-lib.sh
source "$(dirname "$0")/sim-lib.sh"
control_plane
ms() { echo $(($(date +%s%N) / 1000000)); }

# --- seed -------------------------------------------------------------------------------------
manifest() {  # manifest NAMESPACE — a Namespace and $count ConfigMaps in it, one file
  awk -v ns="$1" -v n="$count" 'BEGIN {
    printf "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", ns
    for (i = 0; i < n; i++)
      printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%05d\n  namespace: %s\n  labels:\n    app: bench\ndata:\n  index: \"%d\"\n  value: configmap %d of the benchmark\n", i, ns, i, i
  }'
}
manifest bench >"$work/hlsh.yaml"
manifest bench-kubectl >"$work/kubectl.yaml"
t0=$(ms); "$hlsh" -c "kube apply -f $work/hlsh.yaml" >/dev/null; seed_h=$(($(ms) - t0))
t0=$(ms); k apply --server-side -f "$work/kubectl.yaml" >/dev/null; seed_k=$(($(ms) - t0))
echo "seed: $count ConfigMaps, one file, server-side apply: hlsh $seed_h ms, kubectl $seed_k ms"

# --- list -------------------------------------------------------------------------------------
rows_h=$("$hlsh" -c 'kube get configmaps -n bench' | tail -n +2 | wc -l)
rows_k=$(k get configmaps -n bench --no-headers | wc -l)
if [ "$rows_h" -ne "$count" ] || [ "$rows_k" -ne "$count" ]; then
  echo "expected $count rows, hlsh printed $rows_h, kubectl $rows_k" >&2; exit 1
fi

once() {  # once CMD… — "wall cpu": one run's wall time and the client's own CPU (user+system), in ms
  local t0 wall
  t0=$(ms); /usr/bin/time -f '%U %S' -o "$work/cpu" "$@" >/dev/null; wall=$(($(ms) - t0))
  echo "$wall $(awk '{ printf "%d", ($1 + $2) * 1000 }' "$work/cpu")"
}
# Alternate the three so that load changes hit each alike.
# The client's CPU shows its own share: the rest of the wall time is the simulator's (the same
# server for both) and the wait for a core.
lh=() lw=() lc=() ch=() cw=() cc=()
for _ in $(seq 1 "$runs"); do
  read -r a b <<<"$(once "$hlsh" -c 'kube get configmaps -n bench')"; [ -n "$b" ] || exit 1
  lh+=("$a") ch+=("$b")
  read -r a b <<<"$(once "$kubectl" --cache-dir "$work/kcache" get configmaps -n bench)"; [ -n "$b" ] || exit 1
  lw+=("$a") cw+=("$b")
  cold=$(mktemp -d -p "$work")
  read -r a b <<<"$(once "$kubectl" --cache-dir "$cold" get configmaps -n bench)"; [ -n "$b" ] || exit 1
  lc+=("$a") cc+=("$b")
done
read -r lh_best lh_med <<<"$(stats "${lh[@]}")"
read -r lw_best lw_med <<<"$(stats "${lw[@]}")"
read -r lc_best lc_med <<<"$(stats "${lc[@]}")"
read -r ch_best _ <<<"$(stats "${ch[@]}")"
read -r cw_best _ <<<"$(stats "${cw[@]}")"
read -r cc_best _ <<<"$(stats "${cc[@]}")"

# --- wait -------------------------------------------------------------------------------------
{
  crd bench.hlsh.dev Widget widgets
  cat <<'YAML'
---
apiVersion: bench.hlsh.dev/v1
kind: Widget
metadata: {name: w1, namespace: bench}
spec: {size: 1}
YAML
} >"$work/widget.yaml"
"$hlsh" -c "kube apply -f $work/widget.yaml" >/dev/null
# shellcheck disable=SC2034  # read by wait_once
status_path=/apis/bench.hlsh.dev/v1/namespaces/bench/widgets/w1/status
condition() { printf '{"status":{"conditions":[{"type":"Ready","status":"%s","reason":"Bench"}]}}' "$1"; }

wait_hlsh() { "$hlsh" -c 'kube wait widget w1 -n bench --for condition=Ready --timeout 30s'; }
wait_kubectl() { k wait widget/w1 -n bench --for=condition=Ready --timeout=30s; }
wait_rounds

echo "kube get of $count ConfigMaps, best (median) of $runs, ms; the client's own CPU, best:"
printf '  hlsh                    %6d (%d)   CPU %d\n' "$lh_best" "$lh_med" "$ch_best"
printf '  kubectl, warm cache     %6d (%d)   CPU %d\n' "$lw_best" "$lw_med" "$cw_best"
printf '  kubectl, cold cache     %6d (%d)   CPU %d\n' "$lc_best" "$lc_med" "$cc_best"
echo "wait: condition set to its exit, best (median) of $runs, ms (the status call itself: $p_best ($p_med)):"
printf '  hlsh                    %6d (%d)   all: %s\n' "$wh_best" "$wh_med" "${wh[*]}"
printf '  kubectl                 %6d (%d)   all: %s\n' "$wk_best" "$wk_med" "${wk[*]}"
python3 - "$lh_best" "$lw_best" "$lc_best" "$wh_best" "$wh_med" "$wk_best" "${wh[@]}" <<'PY'
import sys
lh, lw, lc, wh, whm, wk, *all_h = map(int, sys.argv[1:])
print(f"  list: hlsh/kubectl warm = {lh / lw:.2f}, hlsh/kubectl cold = {lh / lc:.2f} (target <= 0.5): "
      + ("met" if lh <= 0.5 * lw else "MISSED"))
print(f"  wait: hlsh {wh} ms best, {whm} ms median, {max(all_h)} ms worst (target <= 100): "
      + ("met" if max(all_h) <= 100 else "MISSED" if wh > 100 else "met at best, not every run")
      + f"; hlsh/kubectl = {wh / max(wk, 1):.2f}")
PY
