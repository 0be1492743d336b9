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
# Without a path: .build/release/hlsh if present (scripts/test builds it), else .build/debug/hlsh.
# Nothing outside a temp dir is written; the simulator started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
build=given
if [ -n "${1:-}" ]; then
  hlsh=$1
elif [ -x .build/release/hlsh ]; then
  hlsh=.build/release/hlsh build=release
else
  hlsh=.build/debug/hlsh build="debug: no release build found"
fi
runs=${2:-5}
count=${3:-5000}
[ -x "$hlsh" ] || { echo "build hlsh first: scripts/build-release" >&2; exit 1; }
kubectl=$(command -v kubectl) || { echo "needs kubectl on PATH" >&2; exit 1; }
hlsh=$(cd "$(dirname "$hlsh")" && pwd)/$(basename "$hlsh")
echo "hlsh: $hlsh ($build, built $(date -r "$hlsh" '+%F %T'))"
echo "kubectl: $kubectl; load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

work=$(mktemp -d)
serve=
cleanup() {
  [ -n "$serve" ] && kill "$serve" 2>/dev/null && wait "$serve" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work" NO_COLOR=1 KUBECONFIG="$work/lab/kubeconfig"
"$hlsh" sim serve --dir "$work/lab" >"$work/serve.log" 2>&1 &
serve=$!
for _ in $(seq 1 300); do [ -f "$work/lab/env" ] && break; sleep 0.1; done
[ -f "$work/lab/env" ] || { cat "$work/serve.log" >&2; echo "hlsh sim serve did not start" >&2; exit 1; }
k() { "$kubectl" --cache-dir "$work/kcache" "$@"; }
ms() { echo $(($(date +%s%N) / 1000000)); }

# The kubeconfig's server and credentials, for curl.
field() { sed -n "s/^ *$1: //p" "$KUBECONFIG" | head -1; }
server=$(field server)
field certificate-authority-data | base64 -d >"$work/ca.pem"
field client-certificate-data | base64 -d >"$work/client.pem"
field client-key-data | base64 -d >"$work/client-key.pem"
api() {  # api METHOD PATH [BODY] — one call with the admin's client certificate
  curl -sf --cacert "$work/ca.pem" --cert "$work/client.pem" --key "$work/client-key.pem" -X "$1" \
    -H 'Content-Type: application/merge-patch+json' "$server$2" ${3:+-d "$3"} >/dev/null
}

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

stats() {  # stats TIMES… — "best median" of the times
  printf '%s\n' "$@" | sort -n | awk '{ t[NR] = $1 } END { printf "%d %d\n", t[1], t[int((NR + 1) / 2)] }'
}
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
cat >"$work/widget.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.bench.hlsh.dev
spec:
  group: bench.hlsh.dev
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
---
apiVersion: bench.hlsh.dev/v1
kind: Widget
metadata: {name: w1, namespace: bench}
spec: {size: 1}
YAML
"$hlsh" -c "kube apply -f $work/widget.yaml" >/dev/null
status_path=/apis/bench.hlsh.dev/v1/namespaces/bench/widgets/w1/status
condition() { printf '{"status":{"conditions":[{"type":"Ready","status":"%s","reason":"Bench"}]}}' "$1"; }

# One wait: start the waiter, give it time to list and watch, set Ready=True, and print the ms
# from just before the status call to the waiter's exit, and the status call's own ms.
wait_once() {
  api PATCH "$status_path" "$(condition False)"
  "$@" >"$work/wait.out" 2>&1 &
  local waiter=$! t0 t1 t2
  sleep 1.5
  kill -0 "$waiter" 2>/dev/null || { cat "$work/wait.out" >&2; echo "the wait ended before the condition was set: $*" >&2; exit 1; }
  t0=$(date +%s%N)
  api PATCH "$status_path" "$(condition True)"
  t1=$(date +%s%N)
  wait "$waiter" || { cat "$work/wait.out" >&2; echo "the wait failed: $*" >&2; exit 1; }
  t2=$(date +%s%N)
  echo "$(((t2 - t0) / 1000000)) $(((t1 - t0) / 1000000))"
}
wait_hlsh() { "$hlsh" -c 'kube wait widget w1 -n bench --for condition=Ready --timeout 30s'; }
wait_kubectl() { k wait widget/w1 -n bench --for=condition=Ready --timeout=30s; }
wh=() wk=() patch=()
for _ in $(seq 1 "$runs"); do
  read -r a b <<<"$(wait_once wait_hlsh)"; [ -n "$b" ] || exit 1
  wh+=("$a") patch+=("$b")
  read -r a b <<<"$(wait_once wait_kubectl)"; [ -n "$b" ] || exit 1
  wk+=("$a") patch+=("$b")
done
read -r wh_best wh_med <<<"$(stats "${wh[@]}")"
read -r wk_best wk_med <<<"$(stats "${wk[@]}")"
read -r p_best p_med <<<"$(stats "${patch[@]}")"

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
