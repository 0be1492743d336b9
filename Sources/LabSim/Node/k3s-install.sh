#!/bin/sh
# k3s-install.sh — what the simulated https://get.k3s.io serves: the real installer's interface
# (INSTALL_K3S_VERSION, _EXEC, _SKIP_START, _SKIP_ENABLE, _BIN_DIR, _SYSTEMD_DIR; K3S_* variables
# copied into the unit's .env file), acting only inside the simulated root it was served from.
set -e
R='@HLSH_SIM_ROOT@'
# R is the node's tree on the host (the scripts' unit tests), or empty on a simulated node, whose
# tree is / (/run/hlsh-sim/node proves it).
case $R in
/?*) ;;
'') [ -e /run/hlsh-sim/node ] || { echo "simulated installer: not served by a simulated node" >&2; exit 99; } ;;
*) echo "simulated installer: not served by a simulated node" >&2; exit 99 ;;
esac
info() { echo "[INFO]  $*"; }
fatal() { echo "[ERROR]  $*" >&2; exit 1; }
printf '%s\n' "k3s-install.sh $*" >>"$R/var/log/hlsh-sim.log"
{ echo "--- k3s-install.sh"; env; } >>"$R/var/log/hlsh-sim.env"

version=${INSTALL_K3S_VERSION:?the simulated installer needs INSTALL_K3S_VERSION}
bin_dir=${INSTALL_K3S_BIN_DIR:-/usr/local/bin}
systemd_dir=${INSTALL_K3S_SYSTEMD_DIR:-/etc/systemd/system}
case $bin_dir/ in "$R"/*) ;; *) fatal "simulated installer: $bin_dir is outside the simulated node $R" ;; esac
case $systemd_dir/ in "$R"/*) ;; *) fatal "simulated installer: $systemd_dir is outside the simulated node $R" ;; esac
# shellcheck disable=SC2086  # command then flags
set -- ${INSTALL_K3S_EXEC:-} "$@"
case ${1:-} in
server | agent) cmd=$1; shift ;;
*) if [ -n "${K3S_URL:-}" ]; then cmd=agent; else cmd=server; fi ;;
esac
if [ -n "${K3S_URL:-}" ] && [ -z "${K3S_TOKEN:-}${K3S_TOKEN_FILE:-}" ]; then
    fatal "Defaulted k3s exec command to 'agent' because K3S_URL is defined, but K3S_TOKEN or K3S_TOKEN_FILE is not defined."
fi
if [ "$cmd" = server ]; then name=k3s; else name=k3s-$cmd; fi

info "Using $version as release"
info "Installing k3s to $bin_dir/k3s"
mkdir -p "$bin_dir" "$systemd_dir"
sed "s|@K3S_SIM_ROOT@|$R|g; s|@K3S_VERSION@|$version|g" "$R/usr/lib/hlsh-sim/k3s-binary.sh" >"$bin_dir/k3s.new"
chmod 0755 "$bin_dir/k3s.new"
mv -f "$bin_dir/k3s.new" "$bin_dir/k3s"
for link in kubectl crictl ctr; do ln -sf k3s "$bin_dir/$link"; done
printf '#!/bin/sh\necho "simulated k3s-killall"\n' >"$bin_dir/k3s-killall.sh"
printf '#!/bin/sh\necho "simulated %s-uninstall"\n' "$name" >"$bin_dir/$name-uninstall.sh"
chmod 0755 "$bin_dir/k3s-killall.sh" "$bin_dir/$name-uninstall.sh"

info "env: Creating environment file $systemd_dir/$name.service.env"
env | grep -E '^(K3S|CONTAINERD)_|^(NO|HTTP|HTTPS)_PROXY=' >"$systemd_dir/$name.service.env" || true
chmod 0600 "$systemd_dir/$name.service.env"
info "systemd: Creating service file $systemd_dir/$name.service"
cat >"$systemd_dir/$name.service" <<UNIT
[Unit]
Description=Lightweight Kubernetes
Documentation=https://k3s.io
Wants=network-online.target
After=network-online.target

[Install]
WantedBy=multi-user.target

[Service]
Type=notify
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/sysconfig/%N
EnvironmentFile=-$systemd_dir/$name.service.env
KillMode=process
Delegate=yes
LimitNOFILE=1048576
TimeoutStartSec=0
Restart=always
RestartSec=5s
ExecStart=/usr/local/bin/k3s $cmd $*
UNIT
systemctl daemon-reload
if [ "${INSTALL_K3S_SKIP_ENABLE:-}" != true ]; then
    info "systemd: Enabling $name unit"
    systemctl enable "$name.service"
fi
if [ "${INSTALL_K3S_SKIP_START:-}" != true ]; then
    info "systemd: Starting $name"
    systemctl restart "$name.service"
fi
