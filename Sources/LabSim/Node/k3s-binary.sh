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
    fi ;;
*) echo "k3s: simulated k3s supports --version, server and agent" >&2; exit 1 ;;
esac
