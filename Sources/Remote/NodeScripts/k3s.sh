# shellcheck shell=sh
# k3s.sh — installs and configures k3s at a pinned version, or reads the server's join token.
# A rerun with nothing changed restarts nothing (docs: k8s-k3s-flux-certmanager-longhorn.md §1).
#
# Parameters (preamble):
#   HLSH_K3S_ACTION        install | token
#   HLSH_K3S_ROLE          server | agent
#   HLSH_K3S_VERSION       the pinned version, e.g. v1.31.4+k3s1
#   HLSH_K3S_NODE_IP       this node's address (node-ip)
#   HLSH_K3S_TLS_SANS      extra names and addresses on the API certificate (space-separated)
#   HLSH_K3S_SERVER_URL    https://SERVER:6443 for agents and for servers joining a cluster
#   HLSH_K3S_CLUSTER_INIT  1 on the first of several servers: embedded etcd, so the others can
#                          join; a single server keeps SQLite (docs/adr: single server on SQLite)
#   HLSH_K3S_TOKEN         the join token (secret): only ever written to config.yaml (0600)
#   HLSH_K3S_CLUSTER_CIDR HLSH_K3S_SERVICE_CIDR   the pod and service networks (servers)
#   HLSH_K3S_START_TIMEOUT seconds to wait for the unit to become active (default 300)
# shellcheck disable=SC2154  # the parameters come from the preamble

require HLSH_K3S_ACTION
data_dir=/var/lib/rancher/k3s

# --- token: the server's join token, printed as a secret line ------------------------------------

if [ "$HLSH_K3S_ACTION" = token ]; then
    for f in $data_dir/server/token $data_dir/server/node-token; do
        [ -f "$R$f" ] || continue
        if IFS= read -r token <"$R$f" && [ -n "$token" ]; then
            report secret k3s-token "$token"
            ok k3s.token "read $f"
        else
            failed k3s.token "$f is empty"
        fi
        finish
    done
    # Not an error: the first server has no token before k3s first starts there.
    ok k3s.token "none yet: no $data_dir/server/token (k3s server has not started here)"
    finish
fi
[ "$HLSH_K3S_ACTION" = install ] || usage "HLSH_K3S_ACTION must be install or token, not $HLSH_K3S_ACTION"

# --- parameters --------------------------------------------------------------------------------

require HLSH_K3S_ROLE HLSH_K3S_VERSION HLSH_K3S_NODE_IP
HLSH_K3S_TLS_SANS=${HLSH_K3S_TLS_SANS:-}
HLSH_K3S_SERVER_URL=${HLSH_K3S_SERVER_URL:-}
HLSH_K3S_CLUSTER_INIT=${HLSH_K3S_CLUSTER_INIT:-0}
HLSH_K3S_TOKEN=${HLSH_K3S_TOKEN:-}
HLSH_K3S_CLUSTER_CIDR=${HLSH_K3S_CLUSTER_CIDR:-10.42.0.0/16}
HLSH_K3S_SERVICE_CIDR=${HLSH_K3S_SERVICE_CIDR:-10.43.0.0/16}
HLSH_K3S_START_TIMEOUT=${HLSH_K3S_START_TIMEOUT:-300}
case $HLSH_K3S_START_TIMEOUT in '' | *[!0-9]*) usage "HLSH_K3S_START_TIMEOUT is not a number of seconds" ;; esac

case $HLSH_K3S_ROLE in
server) unit=k3s other=k3s-agent ;;
agent) unit=k3s-agent other=k3s ;;
*) usage "HLSH_K3S_ROLE must be server or agent, not $HLSH_K3S_ROLE" ;;
esac
if [ "$HLSH_K3S_ROLE" = agent ] || [ -n "$HLSH_K3S_SERVER_URL" ]; then
    require HLSH_K3S_SERVER_URL HLSH_K3S_TOKEN
    [ "$HLSH_K3S_CLUSTER_INIT" != 1 ] || usage "cluster-init is for the first server, which joins no server"
fi
case $HLSH_K3S_SERVER_URL in '' | https://*) ;; *) usage "HLSH_K3S_SERVER_URL must be https://…" ;; esac
# Values go into YAML single quotes: refuse the two characters that would need more than that.
nl='
'
for v in "$HLSH_K3S_VERSION" "$HLSH_K3S_NODE_IP" "$HLSH_K3S_TLS_SANS" "$HLSH_K3S_SERVER_URL" \
    "$HLSH_K3S_TOKEN" "$HLSH_K3S_CLUSTER_CIDR" "$HLSH_K3S_SERVICE_CIDR"; do
    case $v in *"'"* | *"$nl"*) usage "a k3s parameter holds a quote or a newline" ;; esac
done

# Whether this machine has its k3s node password (k3s makes it on the first start, the server keeps
# its hash in the Secret <node>.node-password.k3s): a re-created machine has none, and the server
# refuses it while the old machine's Secret is there. Only whether it exists, never its contents.
if [ -s "$R/etc/rancher/node/password" ]; then
    report fact k3s.node-password present
else
    report fact k3s.node-password absent
fi

# --- k3s.config: /etc/rancher/k3s/config.yaml, 0600 because it holds the token ---------------

if [ -f "$R/etc/systemd/system/$other.service" ]; then
    failed k3s.config "this node already runs $other.service; uninstall it (/usr/local/bin/$other-uninstall.sh) first"
    finish
fi
# Written with printf (a builtin), so the token is never in the argv of a process; into a file
# that is 0600 from the start, and removed once ensure_file has compared or copied it.
secret_file "$hlsh_work/config.yaml" || {
    failed k3s.config "cannot create a file in $hlsh_work"
    finish
}
{
    printf '# Written by hlsh (k3s). Edit the inventory, not this file.\n'
    printf "node-ip: '%s'\n" "$HLSH_K3S_NODE_IP"
    if [ "$HLSH_K3S_ROLE" = server ]; then
        if [ -n "$HLSH_K3S_TLS_SANS" ]; then
            printf 'tls-san:\n'
            for san in $HLSH_K3S_TLS_SANS; do printf "  - '%s'\n" "$san"; done
        fi
        # Flux installs Traefik. servicelb stays: it is what gives Traefik's LoadBalancer Service
        # an address and binds 80/443 on the nodes, and nothing else in the seed would.
        printf 'disable:\n  - traefik\n'
        # Root only: hlsh reads it with sudo; 0644 would hand cluster-admin to every local user.
        printf "write-kubeconfig-mode: '0600'\n"
        printf "cluster-cidr: '%s'\n" "$HLSH_K3S_CLUSTER_CIDR"
        printf "service-cidr: '%s'\n" "$HLSH_K3S_SERVICE_CIDR"
        [ "$HLSH_K3S_CLUSTER_INIT" != 1 ] || printf 'cluster-init: true\n'
    fi
    [ -z "$HLSH_K3S_SERVER_URL" ] || printf "server: '%s'\n" "$HLSH_K3S_SERVER_URL"
    [ -z "$HLSH_K3S_TOKEN" ] || printf "token: '%s'\n" "$HLSH_K3S_TOKEN"
} >>"$hlsh_work/config.yaml"

config_changed=0
config_file=/etc/rancher/k3s/config.yaml
ensure_file k3s.config "$config_file" 0600 "$hlsh_work/config.yaml"
config_status=$?
rm -f "$hlsh_work/config.yaml"
case $config_status in 0) config_changed=1 ;; 2) finish ;; esac

# --- k3s.binary: the pinned version, through the official installer -------------------------

k3s_bin=/usr/local/bin/k3s
unit_file=/etc/systemd/system/$unit.service
have=none
if [ -x "$R$k3s_bin" ]; then
    have=$("$R$k3s_bin" --version </dev/null 2>/dev/null | awk 'NR == 1 { print $3 }')
    [ -n "$have" ] || have=unknown
fi

# install_k3s — downloads install.sh of the pinned release (get.k3s.io serves the newest, which
# may not know the pinned one's ways) and runs it without starting k3s (the service control below
# starts or restarts it once). The token is in config.yaml, so the installer's environment and
# its $unit.service.env hold none.
install_k3s() {
    installer=https://raw.githubusercontent.com/k3s-io/k3s/$HLSH_K3S_VERSION/install.sh
    run curl -sfL "$installer" -o "$hlsh_work/k3s-install.sh" || {
        run_output="downloading $installer: $run_output"
        return 1
    }
    run env INSTALL_K3S_VERSION="$HLSH_K3S_VERSION" INSTALL_K3S_SKIP_START=true \
        INSTALL_K3S_EXEC="$HLSH_K3S_ROLE" INSTALL_K3S_BIN_DIR="$R/usr/local/bin" \
        INSTALL_K3S_SYSTEMD_DIR="$R/etc/systemd/system" sh "$hlsh_work/k3s-install.sh" || return 1
    have=$("$R$k3s_bin" --version </dev/null 2>/dev/null | awk 'NR == 1 { print $3 }')
    [ "$have" = "$HLSH_K3S_VERSION" ] || {
        run_output="the installer left k3s ${have:-missing}"
        return 1
    }
}

binary_changed=0
if [ "$have" = "$HLSH_K3S_VERSION" ] && [ -f "$R$unit_file" ]; then
    ok k3s.binary "$HLSH_K3S_VERSION"
elif checking; then
    binary_changed=1
    would k3s.binary "install $HLSH_K3S_VERSION (have $have)"
elif was=$have && install_k3s; then
    binary_changed=1
    changed k3s.binary "installed $HLSH_K3S_VERSION (was $was)"
else
    failed k3s.binary "installing $HLSH_K3S_VERSION: $run_output"
    finish
fi

# --- k3s.service: started when stopped, restarted only when the binary or config changed --------

# refused — whether the unit's journal says the server refused this node's password (k3s logs
# "Node password rejected" and retries for ever): no wait makes that better.
refused() {
    journalctl -u "$unit.service" -n 5 --no-pager </dev/null 2>/dev/null | grep -q 'Node password rejected'
}

# start_unit VERB — `systemctl VERB --no-block` the unit, then wait up to HLSH_K3S_START_TIMEOUT
# seconds for it to be active, or until its journal says the server refused the node's password. Never a blocking start: the unit is Type=notify with
# TimeoutStartSec=0, so a k3s that never reports ready (an agent whose token the server rejects)
# would hold `systemctl start` until hlsh gives up. On failure $run_output says how far the unit
# got and ends with its last journal lines; all 20 go to stderr. The first second is looked at
# every 20 ms (a unit restarted for a config change is often active within it, and a check costs
# one `systemctl is-active`: a longer pause only sleeps past the moment), then every second.
start_unit() {
    run systemctl "$1" --no-block "$unit.service" || return 1
    waited=0 quick=50
    until systemctl is-active --quiet "$unit.service" </dev/null; do
        if [ "$quick" -eq 0 ] && refused; then
            run_output="the k3s server refused this node's password after ${waited}s (k3s: Node password rejected, duplicate hostname or contents of '/etc/rancher/node/password' may not match server node-passwd entry)"
            return 1
        fi
        if [ "$waited" -ge "$HLSH_K3S_START_TIMEOUT" ]; then
            state=$(systemctl is-active "$unit.service" </dev/null 2>/dev/null)
            journalctl -u "$unit.service" -n 20 --no-pager </dev/null >"$hlsh_work/journal" 2>&1
            sed "s/^/$unit.service: /" "$hlsh_work/journal" >&2
            run_output="$unit.service is ${state:-not active} after ${waited}s; its journal ends: $(tail -n 3 "$hlsh_work/journal" | tr '\n' ' ' | sed 's/ *$//')"
            return 1
        fi
        if [ "$quick" -gt 0 ]; then
            sleep 0.02
            quick=$((quick - 1))
            [ "$quick" -gt 0 ] || waited=$((waited + 1))
        else
            sleep 1
            waited=$((waited + 1))
        fi
    done
}

# service CONTROL WOULD DONE ENABLE VERB — like act, for a start or restart through start_unit
# (after `systemctl enable` when ENABLE is 1).
service() {
    if checking; then
        would "$1" "$2"
    elif { [ "$4" != 1 ] || run systemctl enable "$unit.service"; } && start_unit "$5"; then
        changed "$1" "$3"
    else
        failed "$1" "$2: $run_output"
    fi
}

reason=
[ "$binary_changed" = 0 ] || reason="binary"
[ "$config_changed" = 0 ] || reason="${reason:+$reason and }config"
if ! systemctl is-active --quiet "$unit.service" </dev/null; then
    service k3s.service "enable and start $unit.service" "enabled and started $unit.service" 1 start
elif [ -n "$reason" ]; then
    service k3s.service "restart $unit.service ($reason changed)" "restarted $unit.service ($reason changed)" 0 restart
elif ! systemctl is-enabled --quiet "$unit.service" </dev/null; then
    act k3s.service "enable $unit.service" "enabled $unit.service" systemctl enable "$unit.service"
else
    ok k3s.service "$unit.service active"
fi

finish
