# shellcheck shell=sh
# harden.sh — hardens an Ubuntu 24.04 k3s node, leaving alone what k3s needs
# (docs: /work/shared/reference/node-hardening.md §4). Each control is checked before it writes;
# reloads run once, at the end, and only for what changed.
#
# Parameters (preamble; lists are space-separated):
#   HLSH_ADMIN_CIDRS       networks allowed to SSH (and to reach the API on 6443)
#   HLSH_NODE_ADDRESSES    every k3s node: trusted fully (any port, see the firewall)
#   HLSH_POD_CIDR HLSH_SERVICE_CIDR HLSH_SSH_PORT
# HLSH_SSH_CONNECTION (environment, from NodeScript.remoteCommand): sshd's SSH_CONNECTION for the
# session hlsh runs this over ("CLIENT CLIENT-PORT SERVER SERVER-PORT"); empty when not over SSH.
# shellcheck disable=SC2154  # the parameters come from the preamble

require HLSH_ADMIN_CIDRS HLSH_NODE_ADDRESSES HLSH_POD_CIDR HLSH_SERVICE_CIDR HLSH_SSH_PORT
HLSH_SSH_CONNECTION=${HLSH_SSH_CONNECTION:-}
case $HLSH_SSH_PORT in *[!0-9]*) usage "HLSH_SSH_PORT is not a port number: $HLSH_SSH_PORT" ;; esac

# installed PACKAGE — whether dpkg has PACKAGE installed.
installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null </dev/null)" = "install ok installed" ]
}

# --- packages: Longhorn needs open-iscsi, nfs-common and cryptsetup; the firewall needs nft -----

packages="open-iscsi nfs-common cryptsetup nftables unattended-upgrades"
missing=
for p in $packages; do
    installed "$p" || missing="$missing $p"
done
missing=${missing# }

# apt_update — `apt-get update`, waiting (with backoff, up to 5 minutes) while another apt holds
# /var/lib/apt/lists/lock, as an apt-daily run at first boot does: DPkg::Lock::Timeout covers
# only the dpkg lock, and on the lists lock update fails at once.
apt_update() {
    apt_waited=0 apt_pause=1
    until run apt-get -o DPkg::Lock::Timeout=300 update -q; do
        case $run_output in *"/var/lib/apt/lists/lock"*) ;; *) return 1 ;; esac
        if [ "$apt_waited" -ge 300 ]; then
            run_output="another apt still holds the lists lock after ${apt_waited}s: $run_output"
            return 1
        fi
        sleep "$apt_pause"
        apt_waited=$((apt_waited + apt_pause))
        apt_pause=$((apt_pause * 2))
        [ "$apt_pause" -le 10 ] || apt_pause=10
    done
}

# apt_install — installs $missing (waiting for an apt lock held by cloud-init or a timer).
apt_install() {
    apt_update || {
        run_output="apt-get update: $run_output"
        return 1
    }
    # shellcheck disable=SC2086  # one argument per package
    run env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
        --no-install-recommends $missing
}

if [ -z "$missing" ]; then
    ok packages "$packages"
elif checking; then
    would packages "install $missing"
elif apt_install; then
    changed packages "installed $missing"
else
    failed packages "apt-get install $missing: $run_output"
fi

# --- iscsid: Longhorn attaches volumes over iSCSI ---------------------------------------------

if systemctl is-enabled --quiet iscsid.service </dev/null && systemctl is-active --quiet iscsid.service </dev/null; then
    ok iscsid "enabled and active"
else
    act iscsid "enable and start iscsid.service" "enabled and started iscsid.service" \
        systemctl enable --now iscsid.service
fi

# --- sshd: a drop-in named 00- so its values come first (sshd keeps the first value it reads) --

sshd_dropin=/etc/ssh/sshd_config.d/00-hlsh.conf
cat >"$hlsh_work/sshd.conf" <<EOF
# Written by hlsh (harden): key-only SSH with modern algorithms. Edit the inventory, not this file.
PubkeyAuthentication yes
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
PermitEmptyPasswords no
MaxAuthTries 2
MaxSessions 10
MaxStartups 10:30:60
LoginGraceTime 30s
ClientAliveInterval 300
ClientAliveCountMax 3
X11Forwarding no
AllowAgentForwarding no
AllowTcpForwarding local
PermitTunnel no
GatewayPorts no
PermitUserEnvironment no
UseDNS no
Compression no
StrictModes yes
LogLevel VERBOSE
PrintMotd no
PrintLastLog no
Banner none
KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256@libssh.org,diffie-hellman-group-exchange-sha256
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr
MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-512,hmac-sha2-256
EOF

# sshd_accepts CANDIDATE — `sshd -t` on the whole configuration with CANDIDATE read first, as the
# drop-in will be; the Include lines of sshd_config are followed under $R.
sshd_accepts() {
    {
        printf 'Include %s\n' "$1"
        sed "s|^\\([[:space:]]*[Ii][Nn][Cc][Ll][Uu][Dd][Ee][[:space:]]\\{1,\\}\\)/|\\1$R/|" "$R/etc/ssh/sshd_config"
    } >"$hlsh_work/sshd-test.conf" || return 1
    run sshd -t -f "$hlsh_work/sshd-test.conf"
}

if same_file "$hlsh_work/sshd.conf" "$R$sshd_dropin" 0644; then
    ok sshd "$sshd_dropin"
elif ! sshd_accepts "$hlsh_work/sshd.conf"; then
    failed sshd "sshd -t rejects the new settings, kept the old ones: $run_output"
elif checking; then
    would sshd "write $sshd_dropin (sshd -t accepts it) and reload ssh"
elif put_file "$hlsh_work/sshd.conf" "$R$sshd_dropin" 0644; then
    changed sshd "wrote $sshd_dropin"
    notify ssh.reload
else
    failed sshd "cannot write $sshd_dropin"
fi

# --- apport: off, so fs.suid_dumpable stays 0 --------------------------------------------------

# apport.service sets fs.suid_dumpable=2 each time it starts, at every boot after systemd-sysctl,
# so the sysctl below would drift after every reboot. Disabling apport rather than dropping the
# key: a setuid program's core dump can hold secrets, and nobody collects a k3s node's apport
# crash reports (the node is rebuilt, not debugged in place).
if installed apport; then
    sed 's/^enabled=.*/enabled=0/' "$R/etc/default/apport" >"$hlsh_work/apport" 2>/dev/null ||
        : >"$hlsh_work/apport"
    grep -q '^enabled=0$' "$hlsh_work/apport" || printf 'enabled=0\n' >>"$hlsh_work/apport"
    ensure_file apport /etc/default/apport 0644 "$hlsh_work/apport"
    if systemctl is-enabled --quiet apport.service </dev/null ||
        systemctl is-active --quiet apport.service </dev/null; then
        act apport.service "disable and stop apport.service" "disabled and stopped apport.service" \
            systemctl disable --now apport.service
    else
        ok apport.service "disabled and stopped"
    fi
else
    ok apport "not installed"
fi

# --- sysctl: dev-sec's safe defaults, with the forwarding k3s needs written explicitly --------

cat >"$hlsh_work/sysctl.conf" <<'EOF'
# Written by hlsh (harden). k3s needs IP forwarding and bridged traffic seen by iptables, so those
# are 1 here; a rerun of `sysctl --system` must never cut pod networking.
# A leading "-" marks a key the kernel may lack (module not loaded yet): not an error then.
net.ipv4.ip_forward=1
-net.bridge.bridge-nf-call-iptables=1
-net.bridge.bridge-nf-call-ip6tables=1
fs.protected_hardlinks=1
fs.protected_symlinks=1
fs.protected_fifos=1
fs.protected_regular=2
fs.suid_dumpable=0
kernel.kptr_restrict=2
kernel.kexec_load_disabled=1
kernel.sysrq=0
kernel.randomize_va_space=2
-kernel.yama.ptrace_scope=2
net.ipv4.conf.all.rp_filter=1
net.ipv4.conf.default.rp_filter=1
net.ipv4.icmp_echo_ignore_broadcasts=1
net.ipv4.icmp_ignore_bogus_error_responses=1
net.ipv4.tcp_syncookies=1
net.ipv4.tcp_rfc1337=1
net.ipv4.conf.all.accept_source_route=0
net.ipv4.conf.default.accept_source_route=0
net.ipv6.conf.all.accept_source_route=0
net.ipv6.conf.default.accept_source_route=0
net.ipv4.conf.all.send_redirects=0
net.ipv4.conf.default.send_redirects=0
net.ipv4.conf.all.accept_redirects=0
net.ipv4.conf.default.accept_redirects=0
net.ipv4.conf.all.secure_redirects=0
net.ipv4.conf.default.secure_redirects=0
net.ipv6.conf.all.accept_redirects=0
net.ipv6.conf.default.accept_redirects=0
net.ipv4.conf.all.log_martians=1
net.ipv4.conf.default.log_martians=1
vm.mmap_min_addr=65536
vm.mmap_rnd_bits=32
-vm.mmap_rnd_compat_bits=16
EOF

# dots_to_slashes KEY — sets $dts_path to a sysctl key's /proc/sys path (net.ipv4.ip_forward →
# net/ipv4/ip_forward), in the shell: a `tr` per key was a process per key.
dots_to_slashes() {
    dts_rest=$1 dts_path=
    while :; do
        case $dts_rest in
        *.*)
            dts_path="$dts_path${dts_rest%%.*}/"
            dts_rest=${dts_rest#*.}
            ;;
        *) break ;;
        esac
    done
    dts_path=$dts_path$dts_rest
}

# sysctl_drift — the first key whose live value (/proc/sys) differs from the file; false if none.
sysctl_drift() {
    while IFS='=' read -r key want; do
        case $key in '' | '#'*) continue ;; esac
        optional=
        case $key in -*) optional=1 key=${key#-} ;; esac
        dots_to_slashes "$key"
        proc="$R/proc/sys/$dts_path"
        if [ ! -f "$proc" ]; then
            [ -n "$optional" ] && continue
            drift="$key (missing)"
            return 0
        fi
        read -r have <"$proc" || have=
        if [ "$have" != "$want" ]; then
            drift="$key is $have"
            return 0
        fi
    done <"$hlsh_work/sysctl.conf"
    return 1
}

sysctl_file=/etc/sysctl.d/90-hlsh.conf
if same_file "$hlsh_work/sysctl.conf" "$R$sysctl_file" 0644; then
    if sysctl_drift; then
        if checking; then
            would sysctl "apply $sysctl_file ($drift)"
        else
            changed sysctl "$sysctl_file unchanged, applying it ($drift)"
            notify sysctl.apply
        fi
    else
        ok sysctl "$sysctl_file"
    fi
elif ensure_file sysctl "$sysctl_file" 0644 "$hlsh_work/sysctl.conf"; then
    notify sysctl.apply
fi

# --- modules: loaded at boot (modules-load.d, before systemd-sysctl) and now -------------------

unloaded=
# modules CONTROL FILE WHY MODULE… — FILE lists the MODULEs (saying WHY), and each is loaded now:
# those that are not are added to $unloaded, for the modules.load handler.
modules() {
    mod_control=$1 mod_file=$2
    printf '# Written by hlsh (harden): %s\n' "$3" >"$hlsh_work/$mod_control.conf"
    shift 3
    printf '%s\n' "$@" >>"$hlsh_work/$mod_control.conf"
    mod_unloaded=
    for m in "$@"; do
        [ -d "$R/sys/module/$m" ] || mod_unloaded="$mod_unloaded $m"
    done
    mod_unloaded=${mod_unloaded# }
    unloaded="${unloaded:+$unloaded }$mod_unloaded"
    if same_file "$hlsh_work/$mod_control.conf" "$R$mod_file" 0644; then
        if [ -z "$mod_unloaded" ]; then
            ok "$mod_control" "$mod_file; $* loaded"
        elif checking; then
            would "$mod_control" "load $mod_unloaded"
        else
            changed "$mod_control" "$mod_file unchanged, loading $mod_unloaded"
            notify modules.load
        fi
    else
        ensure_file "$mod_control" "$mod_file" 0644 "$hlsh_work/$mod_control.conf"
        [ -z "$mod_unloaded" ] || notify modules.load
    fi
}

modules modules /etc/modules-load.d/k3s.conf "k3s needs these before its bridge sysctls exist." \
    overlay br_netfilter
# Longhorn's environment check reports a missing iscsi_tcp as an error (volumes cannot attach);
# dm_crypt is for its encrypted volumes.
modules modules.longhorn /etc/modules-load.d/longhorn.conf "Longhorn attaches volumes over iSCSI and encrypts them." \
    iscsi_tcp dm_crypt

# --- multipath: multipathd must not claim Longhorn's iSCSI devices ------------------------------

# multipathd (running on Ubuntu's server cloud images) takes Longhorn's /dev/sdX volumes, whose
# mounts then fail "already mounted or mount point busy" (Longhorn KB "troubleshooting-volume-
# with-multipath"). The KB's blacklist rather than disabling multipathd: it keeps the image's
# service and any real multipath storage as they are. A drop-in in /etc/multipath/conf.d
# (multipath.conf(5) config_dir: read as if it were in /etc/multipath.conf) leaves the image's
# own /etc/multipath.conf alone.
if installed multipath-tools; then
    cat >"$hlsh_work/multipath.conf" <<'END'
# Written by hlsh (harden): Longhorn's iSCSI volumes are /dev/sdX; multipathd must not claim them.
blacklist {
    devnode "^sd[a-z0-9]+"
}
END
    if ensure_file multipath /etc/multipath/conf.d/hlsh-longhorn.conf 0644 "$hlsh_work/multipath.conf"; then
        notify multipathd.restart
    fi
else
    ok multipath "multipath-tools not installed"
fi

# --- swap: off now and out of fstab (the kubelet wants no swap) -------------------------------

fstab="$R/etc/fstab"
swap_entries=
[ -f "$fstab" ] && swap_entries=$(awk '$1 !~ /^#/ && $3 == "swap" { print $1 }' "$fstab")
swap_active=
[ -f "$R/proc/swaps" ] && swap_active=$(awk 'NR > 1 { print $1 }' "$R/proc/swaps")
if [ -z "$swap_entries$swap_active" ]; then
    ok swap "off, not in /etc/fstab"
elif checking; then
    swap_all=$(printf '%s\n%s\n' "$swap_entries" "$swap_active" | sed '/^$/d' | sort -u | tr '\n' ' ')
    would swap "turn off swap (${swap_all% }) and comment it out of /etc/fstab"
else
    swap_done=
    if [ -n "$swap_entries" ]; then
        awk '$1 !~ /^#/ && $3 == "swap" { print "# swap off (hlsh harden): " $0; next } { print }' "$fstab" \
            >"$hlsh_work/fstab"
        if put_file "$hlsh_work/fstab" "$fstab" "$(stat -c %a "$fstab")"; then
            swap_done="commented out $(echo "$swap_entries" | tr '\n' ' ')in /etc/fstab"
        else
            failed swap "cannot write /etc/fstab"
        fi
    fi
    if ! run swapoff -a; then
        failed swap "swapoff -a: $run_output"
    else
        for f in $swap_entries; do
            case $f in /dev/* | *=*) continue ;; esac
            [ -f "$R$f" ] && rm -f "$R$f" && swap_done="$swap_done, removed $f"
        done
        changed swap "turned off swap${swap_done:+; $swap_done}"
    fi
fi

# --- unattended upgrades: security origins only, never an automatic reboot ---------------------

cat >"$hlsh_work/20auto-upgrades" <<'EOF'
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
EOF
ensure_file auto-upgrades /etc/apt/apt.conf.d/20auto-upgrades 0644 "$hlsh_work/20auto-upgrades"

cat >"$hlsh_work/52hlsh-unattended-upgrades" <<'EOF'
// Written by hlsh (harden): security updates only. Reboots are hlsh's job, one node at a time,
// after cordon and drain, so never an automatic one. Later than 50unattended-upgrades, so it wins.
#clear Unattended-Upgrade::Allowed-Origins;
#clear Unattended-Upgrade::Origins-Pattern;
Unattended-Upgrade::Allowed-Origins {
        "${distro_id}:${distro_codename}-security";
        "${distro_id}ESMApps:${distro_codename}-apps-security";
        "${distro_id}ESM:${distro_codename}-infra-security";
};
Unattended-Upgrade::Automatic-Reboot "false";
EOF
ensure_file upgrade-origins /etc/apt/apt.conf.d/52hlsh-unattended-upgrades 0644 \
    "$hlsh_work/52hlsh-unattended-upgrades"

# --- firewall: our own nftables table; never `flush ruleset` (k3s's tables live beside it) ----

# The other nodes are trusted fully, not by port: flannel masquerades pod traffic leaving for a
# node address with the sending node's own address, so a pod reaching a host-network port on
# another node (Prometheus scraping node-exporter's 9100, Longhorn's instance managers, the
# kubelet) arrives from that node. `node ports` checks the loaded rules against that list.

# elements LIST — "a, b, c" for an nft set; empty for an empty list.
elements() { echo "$*" | sed 's/^ *//; s/ *$//; s/  */, /g'; }
# set_decl NAME LIST — a named IPv4 set (prefixes allowed), with its elements when there are any.
set_decl() {
    name=$1
    shift
    list=$(elements "$@")
    if [ -n "$list" ]; then
        printf '\tset %s { type ipv4_addr; flags interval; elements = { %s } }\n' "$name" "$list"
    else
        printf '\tset %s { type ipv4_addr; flags interval; }\n' "$name"
    fi
}

{
    cat <<'EOF'
#!/usr/sbin/nft -f
# Written by hlsh (harden): the host firewall in its own table. Declaring, deleting and redeclaring
# the table makes a reload atomic and leaves every other table (k3s, kube-proxy, flannel) alone.
table inet hlsh
delete table inet hlsh
table inet hlsh {
EOF
    set_decl admin "$HLSH_ADMIN_CIDRS"
    set_decl nodes "$HLSH_NODE_ADDRESSES"
    set_decl cluster "$HLSH_POD_CIDR $HLSH_SERVICE_CIDR"
    cat <<EOF
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		ct state invalid drop
		iif "lo" accept
		meta l4proto { icmp, ipv6-icmp } accept
		udp sport 67 udp dport 68 accept
		ip saddr @admin tcp dport { $HLSH_SSH_PORT, 6443 } accept
		ip saddr @nodes accept
		tcp dport { 80, 443 } accept
		ip saddr @cluster accept
		iifname { "cni0", "flannel.1" } accept
	}
}
EOF
} >"$hlsh_work/firewall.nft"

# in_networks ADDRESS CIDR… — whether the IPv4 ADDRESS is in one of the networks.
in_networks() {
    printf '%s\n' "$@" | awk '
        function n(a, p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
        NR == 1 { ip = n($0); next }
        {
            split($0, c, "/")
            size = 2 ^ (32 - (c[2] == "" ? 32 : c[2]))
            if (int(ip / size) == int(n(c[1]) / size)) found = 1
        }
        END { exit !found }'
}

# firewall_refusal — why loading the rules would cut hlsh off (in $refusal), or false. They drop
# every new connection but SSH from the admin networks to HLSH_SSH_PORT (and loopback's).
firewall_refusal() {
    # shellcheck disable=SC2086  # SSH_CONNECTION's four fields
    set -- $HLSH_SSH_CONNECTION
    client=${1:-} server_port=${4:-}
    case $client in ::ffff:*.*) client=${client#::ffff:} ;; esac
    case $client in
    '' | 127.* | ::1) ;; # not over SSH, or over loopback, which the rules accept
    *:*)
        refusal="hlsh connects from $client (IPv6), and the rules admit SSH from IPv4 networks only ($HLSH_ADMIN_CIDRS)"
        return 0
        ;;
    *)
        # shellcheck disable=SC2086  # one argument per network
        if ! in_networks "$client" $HLSH_ADMIN_CIDRS; then
            refusal="hlsh connects from $client, outside the admin networks ($HLSH_ADMIN_CIDRS): the rules would drop its next connection; give its network with --admin"
            return 0
        fi
        if [ -n "$server_port" ] && [ "$server_port" != "$HLSH_SSH_PORT" ]; then
            refusal="hlsh reached sshd on port $server_port, but the rules open SSH on port $HLSH_SSH_PORT only (the inventory's SSH port)"
            return 0
        fi
        ;;
    esac
    if ! run ss -Hltn; then
        refusal="cannot tell that sshd listens on port $HLSH_SSH_PORT: ss -Hltn: $run_output"
        return 0
    fi
    listening=$(awk '{ n = split($4, a, ":"); print a[n] }' "$hlsh_work/run.out" | sort -nu | tr '\n' ' ')
    case " $listening" in *" $HLSH_SSH_PORT "*) return 1 ;; esac
    refusal="sshd does not listen on port $HLSH_SSH_PORT, the only SSH port the rules open (listening: ${listening% }); on Ubuntu 24.04 ssh.socket holds the port: set ListenStream in a drop-in for ssh.socket and restart it first"
    return 0
}

firewall_file=/etc/hlsh/firewall.nft
if same_file "$hlsh_work/firewall.nft" "$R$firewall_file" 0644 && run nft list table inet hlsh; then
    ok firewall "$firewall_file, table inet hlsh loaded"
elif firewall_refusal; then
    failed firewall "not loading rules that would cut hlsh off: $refusal"
elif same_file "$hlsh_work/firewall.nft" "$R$firewall_file" 0644; then
    if checking; then
        would firewall "load $firewall_file"
    else
        changed firewall "$firewall_file unchanged, loading it"
        notify firewall.load
    fi
elif ! run nft -c -f "$hlsh_work/firewall.nft"; then
    failed firewall "nft -c rejects the rules, kept the old ones: $run_output"
elif ensure_file firewall "$firewall_file" 0644 "$hlsh_work/firewall.nft"; then
    notify firewall.load
fi

# The table is loaded at boot by its own unit rather than from /etc/nftables.conf, whose stock
# first line is `flush ruleset`.
cat >"$hlsh_work/hlsh-firewall.service" <<'EOF'
# Written by hlsh (harden): loads the host firewall table (inet hlsh) early at boot.
[Unit]
Description=hlsh host firewall (nftables table inet hlsh)
Wants=network-pre.target
Before=network-pre.target shutdown.target
Conflicts=shutdown.target
DefaultDependencies=no

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f /etc/hlsh/firewall.nft
ExecReload=/usr/sbin/nft -f /etc/hlsh/firewall.nft

[Install]
WantedBy=sysinit.target
EOF
unit_file=/etc/systemd/system/hlsh-firewall.service
if same_file "$hlsh_work/hlsh-firewall.service" "$R$unit_file" 0644; then
    if systemctl is-enabled --quiet hlsh-firewall.service </dev/null; then
        ok firewall.unit "$unit_file, enabled"
    elif checking; then
        would firewall.unit "enable hlsh-firewall.service"
    else
        changed firewall.unit "enabling hlsh-firewall.service"
        notify firewall.enable
    fi
elif ensure_file firewall.unit "$unit_file" 0644 "$hlsh_work/hlsh-firewall.service"; then
    notify firewall.enable
fi

# --- Handlers, once each, in dependency order ---------------------------------------------------

if notified modules.load; then
    loaded=
    for m in $unloaded; do
        if run modprobe "$m"; then
            loaded="$loaded $m"
        else
            failed modules.load "modprobe $m: $run_output"
        fi
    done
    [ -z "$loaded" ] || changed modules.load "loaded${loaded}"
fi

if notified sysctl.apply; then
    if ! run sysctl --system; then
        failed sysctl.apply "sysctl --system: $run_output"
    elif sysctl_drift; then
        failed sysctl.apply "after sysctl --system $drift: another sysctl.d file overrides $sysctl_file"
    else
        changed sysctl.apply "sysctl --system"
    fi
fi

if notified multipathd.restart; then
    if ! systemctl is-active --quiet multipathd.service </dev/null; then
        changed multipathd.restart "multipathd.service is not running; it reads the blacklist when it starts"
    elif run systemctl restart multipathd.service; then
        changed multipathd.restart "restarted multipathd.service"
    else
        failed multipathd.restart "systemctl restart multipathd.service: $run_output"
    fi
fi

if notified firewall.load; then
    if run nft -f "$R$firewall_file"; then
        changed firewall.load "loaded table inet hlsh"
    else
        failed firewall.load "nft -f $firewall_file: $run_output"
    fi
fi

if notified firewall.enable; then
    if run systemctl daemon-reload && run systemctl enable hlsh-firewall.service; then
        changed firewall.enable "enabled hlsh-firewall.service"
    else
        failed firewall.enable "$run_output"
    fi
fi

if notified ssh.reload; then
    if ! systemctl is-active --quiet ssh.service </dev/null; then
        changed ssh.reload "ssh.service is not running; sshd reads the new settings when it starts"
    elif run systemctl reload ssh.service; then
        changed ssh.reload "reloaded ssh.service"
    else
        failed ssh.reload "systemctl reload ssh.service: $run_output"
    fi
fi

finish
