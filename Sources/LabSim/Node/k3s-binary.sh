#!/bin/sh
# k3s — the simulated k3s binary the simulated installer lays down (@K3S_VERSION@).
# `k3s --version`; `k3s server` and `k3s agent` are what systemd's ExecStart runs: they check
# config.yaml as k3s would, then "start": a server writes its join token and the admin kubeconfig
# (at write-kubeconfig-mode) and returns, for the simulated systemctl to mark the unit active.
# The kubeconfig is the simulated lab's Kubernetes API's, which the lab hands the node at
# /run/hlsh-sim/k3s.yaml (an empty file when the scripts' unit tests run this without a lab); the
# lab registers the node's kubelet once the unit is active (LabSim's SimulatedKubelets).
# Fault "k3s-token" (a join token the server rejects): an agent logs what k3s logs then and exits
# 75, the simulated systemctl's sign for "runs, retrying, never ready".
# Both keep the node's password in /etc/rancher/node/password, made on the first start (k3s's
# ensureNodePassword: 16 random bytes in hex, 0600). In a lab, an agent then asks its server's
# supervisor (LabSim's SimulatedKubelets+Supervisor) through /var/lib/hlsh-sim/supervisor and
# waits for the answer: refused (403: the server's <node>.node-password.k3s Secret holds another
# password), it logs what k3s logs and exits 75 too; the lab lets it in when it retries later.
R='@K3S_SIM_ROOT@'
# R is the node's tree on the host (the scripts' unit tests), or empty on a simulated node, whose
# tree is / (/run/hlsh-sim/node proves it).
case $R in
/?*) ;;
'') [ -e /run/hlsh-sim/node ] || { echo "simulated k3s: not bound to a simulated node" >&2; exit 99; } ;;
*) echo "simulated k3s: not bound to a simulated node" >&2; exit 99 ;;
esac
printf '%s\n' "k3s $*" >>"$R/var/log/hlsh-sim.log"
{ echo "--- k3s"; env; } >>"$R/var/log/hlsh-sim.env"
config="$R/etc/rancher/k3s/config.yaml"

# setting KEY — a scalar from config.yaml, unquoted.
setting() {
    [ -f "$config" ] || return 0
    sed -n "s/^$1: *//p" "$config" | head -n 1 | sed "s/^'\\(.*\\)'\$/\\1/; s/''/'/g; s/^\"\\(.*\\)\"\$/\\1/"
}

# node_password — k3s's ensureNodePassword: /etc/rancher/node/password, kept once made.
node_password() {
    mkdir -p "$R/etc/rancher/node"
    [ -s "$R/etc/rancher/node/password" ] && return 0
    (umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$R/etc/rancher/node/password" &&
        echo >>"$R/etc/rancher/node/password")
}

# retrieving MESSAGE — k3s's agent log line while it cannot get its configuration (every 5 s).
retrieving() {
    for _ in 1 2 3; do
        echo "level=info msg=\"Waiting to retrieve agent configuration; server is not ready: $1\"" >&2
    done
}

case ${1:-} in
--version | -v | version)
    echo "k3s version @K3S_VERSION@ (a562d090)"
    echo "go version go1.22.9" ;;
server)
    data="$R/var/lib/rancher/k3s/server"
    mkdir -p "$data" "$R/etc/rancher/k3s"
    if [ -n "$(setting server)" ] && [ -z "$(setting token)" ]; then
        echo "level=fatal msg=\"--token is required when joining a cluster\"" >&2
        exit 1
    fi
    if [ ! -f "$data/token" ]; then
        token=$(setting token)
        if [ -z "$token" ]; then
            ca=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
            password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
            token="K10$ca::server:$password"
        fi
        (umask 077 && printf '%s\n' "$token" >"$data/token")
        ln -sf token "$data/node-token"
    fi
    node_password
    mode=$(setting write-kubeconfig-mode)
    # Without a lab (the scripts' unit tests, which check only the file's mode) it is empty.
    if [ -f "$R/run/hlsh-sim/k3s.yaml" ]; then
        cat "$R/run/hlsh-sim/k3s.yaml" >"$R/etc/rancher/k3s/k3s.yaml"
    else
        : >"$R/etc/rancher/k3s/k3s.yaml"
    fi
    chmod "${mode:-0600}" "$R/etc/rancher/k3s/k3s.yaml" ;;
agent)
    if [ -z "$(setting server)" ] || [ -z "$(setting token)" ]; then
        echo "level=fatal msg=\"--server and --token are required for an agent\"" >&2
        exit 1
    fi
    if [ -e "$R/var/lib/hlsh-sim/faults/k3s-token" ]; then
        echo "level=info msg=\"Starting k3s agent @K3S_VERSION@ (a562d090)\"" >&2
        for _ in 1 2 3; do
            echo "level=info msg=\"Waiting to retrieve agent configuration; server is not ready: $(setting server)/v1-k3s/serving-kubelet.crt: 401 Unauthorized\"" >&2
        done
        exit 75
    fi
    node_password
    echo "level=info msg=\"Starting k3s agent @K3S_VERSION@ (a562d090)\"" >&2
    # In a lab (it hands the node k3s.yaml), the server's supervisor answers; without one (the
    # scripts' unit tests) nobody does.
    if [ -z "$R" ] && [ -s /run/hlsh-sim/k3s.yaml ]; then
        sup=/var/lib/hlsh-sim/supervisor
        mkdir -p "$sup"
        rm -f "$sup/reply"
        : >"$sup/request"
        tries=0
        while [ ! -s "$sup/reply" ] && [ "$tries" -lt "$((${HLSH_SIM_START_WAIT:-60} * 100))" ]; do
            sleep 0.01
            tries=$((tries + 1))
        done
        reply=$(cat "$sup/reply" 2>/dev/null)
        rm -f "$sup/reply"
        # The request stays while k3s retries (refused, or no answer yet); the lab answers it again.
        case $reply in
        200) rm -f "$sup/request" ;;
        403)
            retrieving "Node password rejected, duplicate hostname or contents of '/etc/rancher/node/password' may not match server node-passwd entry, try enabling a unique node name with the --with-node-id flag"
            exit 75 ;;
        401)
            retrieving "$(setting server)/v1-k3s/serving-kubelet.crt: 401 Unauthorized"
            exit 75 ;;
        '')
            retrieving "failed to get CA certs: Get \"$(setting server)/cacerts\": dial tcp: connect: connection refused"
            exit 75 ;;
        *)
            retrieving "$(setting server)/v1-k3s/serving-kubelet.crt: $reply"
            exit 75 ;;
        esac
    fi ;;
*) echo "k3s: simulated k3s supports --version, server and agent" >&2; exit 1 ;;
esac
