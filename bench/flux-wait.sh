#!/usr/bin/env bash
# bench/flux-wait.sh — `hlsh flux wait` against `kubectl wait --for=condition=Ready` on the same
# Kustomization of the same simulated API (`hlsh sim serve`), in the same run: the waiter
# starts, the Kustomization's status is set through the status subresource by curl at a
# recorded time (observedGeneration, Ready=True, as kustomize-controller writes it), and the
# delay from that moment to the waiter's exit is measured (the curl call's own time included).
# Prints best (and median) of N, and the ratio hlsh/kubectl. Targets (issue 14): ratio ≤ 1.0,
# and hlsh's wait returns within 100 ms of the condition.
#
#   bench/flux-wait.sh [path/to/hlsh] [runs]
# Without a path: .build-release/release/hlsh if present (scripts/test builds it), else .build/debug/hlsh.
# Nothing outside a temp dir is written; the simulator started here is stopped on exit.
set -euo pipefail
# shellcheck source=bench/sim-lib.sh
source "$(dirname "$0")/sim-lib.sh"
control_plane

# The Kustomization CRD when the lab has none yet (no Flux installed), and one Kustomization
# in a namespace of its own, which no simulated controller reconciles (its source does not exist
# there, and it is suspended nowhere: flux wait refuses suspended objects).
if ! k get crd kustomizations.kustomize.toolkit.fluxcd.io >/dev/null 2>&1; then
  crd kustomize.toolkit.fluxcd.io Kustomization kustomizations ks | k apply --server-side -f - >/dev/null
  k wait --for=condition=Established crd/kustomizations.kustomize.toolkit.fluxcd.io --timeout=30s >/dev/null
fi
k apply --server-side -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Namespace
metadata: {name: bench}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: bench}
spec: {interval: 10m0s, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: bench}}
YAML
# shellcheck disable=SC2034  # read by wait_once
status_path=/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/bench/kustomizations/apps/status
condition() {  # condition True|False — the status kustomize-controller writes
  printf '{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"%s","reason":"Bench","message":"bench","lastTransitionTime":"2026-01-01T00:00:00Z","observedGeneration":1}]}}' "$1"
}

wait_hlsh() { "$hlsh" -c 'flux wait apps -n bench --timeout 30s'; }
wait_kubectl() { k wait kustomization/apps -n bench --for=condition=Ready --timeout=30s; }
wait_rounds
echo "wait for Ready: condition set to the waiter's exit, best (median) of $runs, ms (the status call itself: $p_best ($p_med)):"
printf '  hlsh flux wait          %6d (%d)   all: %s\n' "$wh_best" "$wh_med" "${wh[*]}"
printf '  kubectl wait            %6d (%d)   all: %s\n' "$wk_best" "$wk_med" "${wk[*]}"
python3 - "$wh_best" "$wh_med" "$wk_best" "$wk_med" "${wh[@]}" <<'PY'
import sys
wh, whm, wk, wkm, *all_h = map(int, sys.argv[1:])
ratio = whm / max(wkm, 1)
print(f"  ratio hlsh/kubectl (medians) = {ratio:.2f} (target <= 1.0): " + ("met" if ratio <= 1.0 else "MISSED"))
print(f"  hlsh: {wh} ms best, {max(all_h)} ms worst (target <= 100): "
      + ("met" if max(all_h) <= 100 else "MISSED" if wh > 100 else "met at best, not every run"))
PY
