# bench/sim-lib.sh — sourced by the benchmarks that compare hlsh with kubectl on one simulated API:
# picks the hlsh binary ($1, else .build-release/release/hlsh, else .build/debug/hlsh), starts `hlsh sim
# serve` in a temp dir (stopped and removed on exit), and defines
#   k ARGS…            kubectl with a cache dir of the run
#   api METHOD PATH [BODY]   one merge-patch call with the admin's client certificate (curl)
#   stats TIMES…       "best median" of the times
#   crd GROUP KIND PLURAL [SHORT]   the YAML of a namespaced v1 CustomResourceDefinition with a
#                      status subresource and any fields
#   wait_once CMD…     "ms from the status call to CMD's exit, the call's own ms": CMD is started,
#                      given 1.5 s to list and watch, then $status_path gets `condition True`
#                      (the caller defines status_path and condition)
#   lab_env            an SSH key for the lab's nodes, the lab's environment (lab/env) and
#                      HLSH_LAB=scripts/homelab.yaml, exported for hlsh
#   control_plane      the control-plane VM and its k3s server, by hlsh in lab_env's environment
#                      (the simulated API listens only while a VM runs it: docs/adr/0053)
#   wait_rounds        $runs rounds of wait_once wait_hlsh, then wait_kubectl (alternated, so that
#                      load changes hit both alike; the caller defines both): sets the arrays wh,
#                      wk, patch and wh_best wh_med wk_best wk_med p_best p_med
# Sets hlsh, kubectl, work, runs (from $2, default 5).
# shellcheck shell=bash
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/hlsh-bin.sh
. bench/hlsh-bin.sh
pick_hlsh "${1:-}"
# shellcheck disable=SC2034  # used by the benchmark that sources this
runs=${2:-5}
kubectl=$(command -v kubectl) || { echo "needs kubectl on PATH" >&2; exit 1; }
echo "hlsh: $hlsh ($build, built $(date -r "$hlsh" '+%F %T'))"
echo "kubectl: $kubectl; load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

work=$(mktemp -d)
serve=
cleanup() {
  # `|| true`: under set -e a killed server's status (143) would end the trap before the rm.
  if [ -n "$serve" ]; then
    kill "$serve" 2>/dev/null || true
    wait "$serve" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work" NO_COLOR=1 KUBECONFIG="$work/lab/kubeconfig"
# The simulator's delays (a clone, a boot) at the tests' preset unless told: what the benchmarks
# time comes after them.
HLSH_SIM_TIMINGS=${HLSH_SIM_TIMINGS:-test} "$hlsh" sim serve --dir "$work/lab" >"$work/serve.log" 2>&1 &
serve=$!
for _ in $(seq 1 300); do [ -f "$work/lab/env" ] && break; sleep 0.1; done
[ -f "$work/lab/env" ] || { cat "$work/serve.log" >&2; echo "hlsh sim serve did not start" >&2; exit 1; }
k() { "$kubectl" --cache-dir "$work/kcache" "$@"; }

lab_env() {
  mkdir -p "$work/.ssh"
  [ -f "$work/.ssh/id_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -f "$work/.ssh/id_ed25519"
  set -a
  # shellcheck disable=SC1091  # written by sim serve at run time
  source "$work/lab/env"
  set +a
  export HLSH_LAB="$PWD/scripts/homelab.yaml"
}

control_plane() {  # in a subshell: lab/env's KUBECONFIG is hlsh's, not kubectl's
  (
    lab_env
    "$hlsh" -c 'vm apply k3s-cp-01
node wait k3s-cp-01 --for ssh --accept-new --timeout 60s --every 200ms
node k3s k3s-cp-01'
  ) >"$work/control-plane.out" 2>&1 || {
    cat "$work/control-plane.out" >&2
    echo "the simulated control plane did not start" >&2
    exit 1
  }
}

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

crd() {  # crd GROUP KIND PLURAL [SHORT] — a namespaced v1 CRD, status subresource, any fields
  local singular short=""
  singular=$(printf '%s' "$2" | tr '[:upper:]' '[:lower:]')
  [ -n "${4:-}" ] && short=", shortNames: [$4]"
  cat <<YAML
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: $3.$1
spec:
  group: $1
  names: {kind: $2, listKind: $2List, plural: $3, singular: $singular$short}
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
YAML
}

stats() {  # stats TIMES… — "best median" of the times
  printf '%s\n' "$@" | sort -n | awk '{ t[NR] = $1 } END { printf "%d %d\n", t[1], t[int((NR + 1) / 2)] }'
}

# One wait: start the waiter, give it time to list and watch, set the condition True, and print
# the ms from just before the status call to the waiter's exit, and the status call's own ms.
# shellcheck disable=SC2154  # status_path and condition come from the benchmark
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

# shellcheck disable=SC2034  # the results are the benchmark's to print
wait_rounds() {
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
}
