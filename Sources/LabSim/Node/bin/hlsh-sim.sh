# shellcheck shell=sh
# hlsh-sim.sh — sourced by every stub command of a simulated node (LabSim's SimulatedNodeRoot).
#
# A simulated node is a directory tree that looks like a fresh Ubuntu 24.04 cloud image; its stub
# commands live in ROOT/usr/lib/hlsh-sim/bin and are put first in PATH. Each stub finds ROOT from
# its own path (never from the environment, so a stub can never touch the real /), logs its argv
# to ROOT/var/log/hlsh-sim.log and its environment to ROOT/var/log/hlsh-sim.env, and keeps the
# machine's state as files under ROOT: /proc/sys, /proc/swaps, /sys/module like the kernel, the
# rest under ROOT/var/lib/hlsh-sim (systemd units, packages, nftables tables, injected faults).

sim_self=${0##*/}
case $0 in
*/usr/lib/hlsh-sim/bin/*) R=${0%/usr/lib/hlsh-sim/bin/*} ;;
*) R= ;;
esac
if [ -z "$R" ] || [ ! -d "$R/usr/lib/hlsh-sim" ]; then
    echo "hlsh-sim: $0 is not inside a simulated node root; refusing to run" >&2
    exit 99
fi
S="$R/var/lib/hlsh-sim"
mkdir -p "$R/var/log" "$S"
printf '%s\n' "$sim_self $*" >>"$R/var/log/hlsh-sim.log"
{
    echo "--- $sim_self"
    env
} >>"$R/var/log/hlsh-sim.env"

# sim_fault NAME — whether a test asked this machine to fail NAME (ROOT/var/lib/hlsh-sim/faults/NAME).
sim_fault() { [ -e "$S/faults/$1" ]; }
