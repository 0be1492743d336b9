# shellcheck shell=sh
# facts.sh — what a node is: `fact KEY VALUE` lines, read-only (check mode makes no difference).
# Keys, in this order (disk and address repeat, one line each; sizes in bytes):
#   os os.id os.version kernel arch hostname cpu.count cpu.model memory swap swap.active
#   uptime disk address k3s.version k3s.service
# Most facts come from files under /proc, /sys and /etc, so HLSH_ROOT can stand in for a node.

fact() { report fact "$1" "$2"; }

# os_release KEY — a value from /etc/os-release, unquoted.
os_release() {
    sed -n "s/^$1=//p" "$R/etc/os-release" 2>/dev/null | head -n 1 | sed 's/^"\(.*\)"$/\1/'
}

# meminfo KEY — a /proc/meminfo value in bytes (the file says kB).
meminfo() {
    awk -v key="$1:" '$1 == key { printf "%.0f\n", $2 * 1024; exit }' "$R/proc/meminfo" 2>/dev/null
}

# first_line FILE — its first line, or "unknown".
first_line() {
    value=
    [ -r "$1" ] && IFS= read -r value <"$1"
    echo "${value:-unknown}"
}

fact os "$(os_release PRETTY_NAME)"
fact os.id "$(os_release ID)"
fact os.version "$(os_release VERSION_ID)"
fact kernel "$(first_line "$R/proc/sys/kernel/osrelease")"
fact arch "$(uname -m)"
fact hostname "$(first_line "$R/proc/sys/kernel/hostname")"
fact cpu.count "$(grep -c '^processor' "$R/proc/cpuinfo" 2>/dev/null || echo 0)"
fact cpu.model "$(sed -n 's/^model name[[:space:]]*: //p' "$R/proc/cpuinfo" 2>/dev/null | head -n 1)"
fact memory "$(meminfo MemTotal)"
fact swap "$(meminfo SwapTotal)"
fact swap.active "$(awk 'NR > 1' "$R/proc/swaps" 2>/dev/null | wc -l | tr -d ' ')"
fact uptime "$(awk '{ printf "%d\n", $1 }' "$R/proc/uptime" 2>/dev/null)"

# Whole disks: /sys/block minus loop, ram and zram devices; size is in 512-byte sectors.
for d in "$R"/sys/block/*; do
    [ -f "$d/size" ] || continue
    name=${d##*/}
    case $name in loop* | ram* | zram*) continue ;; esac
    read -r sectors <"$d/size" || continue
    fact disk "$name $((sectors * 512))"
done

# Global IPv4 addresses: `ip -o -4 addr show scope global` prints "N: IFACE inet ADDR/LEN …".
ip -o -4 addr show scope global </dev/null 2>/dev/null | awk '{ print $2, $4 }' | while read -r iface address; do
    fact address "$iface $address"
done

k3s_version=none
if [ -x "$R/usr/local/bin/k3s" ]; then
    k3s_version=$("$R/usr/local/bin/k3s" --version </dev/null 2>/dev/null | awk 'NR == 1 { print $3 }')
fi
fact k3s.version "${k3s_version:-unknown}"
k3s_service=none
for unit in k3s k3s-agent; do
    if systemctl is-active --quiet "$unit.service" </dev/null 2>/dev/null; then k3s_service=$unit; fi
done
fact k3s.service "$k3s_service"

finish
