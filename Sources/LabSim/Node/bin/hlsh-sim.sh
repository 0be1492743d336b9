# shellcheck shell=sh
# hlsh-sim.sh — sourced by every stub command of a simulated node (LabSim's SimulatedNodeRoot).
#
# A simulated node is a directory tree that looks like a fresh Ubuntu 24.04 cloud image; its stub
# commands live in ROOT/usr/lib/hlsh-sim/bin and are put first in PATH. Each stub finds ROOT from
# its own path (never from the environment, so a stub can never touch the real /), logs its argv
# to ROOT/var/log/hlsh-sim.log and its environment (`export -p`) to ROOT/var/log/hlsh-sim.env,
# and keeps the machine's state as files under ROOT: /proc/sys, /proc/swaps, /sys/module like the
# kernel, the rest under ROOT/var/lib/hlsh-sim (systemd units, packages, nftables tables, injected
# faults).
#
# On a simulated node the tree is / (the node runs in namespaces of its own) and ROOT is empty;
# /run/hlsh-sim/node, which the simulator hands every node, proves it. The scripts' unit tests
# run the stubs on the host instead, from a tree somewhere else: ROOT is then that tree.

sim_self=${0##*/}
case $0 in
/usr/lib/hlsh-sim/bin/*) R='' sim_proof=/run/hlsh-sim/node ;;
*/usr/lib/hlsh-sim/bin/*) R=${0%/usr/lib/hlsh-sim/bin/*} sim_proof=$R/usr/lib/hlsh-sim ;;
*) R='' sim_proof='' ;;
esac
if [ -z "$sim_proof" ] || [ ! -e "$sim_proof" ]; then
    echo "hlsh-sim: $0 is not inside a simulated node root; refusing to run" >&2
    exit 99
fi
S="$R/var/lib/hlsh-sim"
# Builtins only from here on (each stub runs this; a node script runs hundreds of stubs).
[ -d "$S" ] || mkdir -p "$R/var/log" "$S"
printf '%s\n' "$sim_self $*" >>"$R/var/log/hlsh-sim.log"
{
    echo "--- $sim_self"
    export -p
} >>"$R/var/log/hlsh-sim.env"

# sim_fault NAME — whether a test asked this machine to fail NAME (ROOT/var/lib/hlsh-sim/faults/NAME).
sim_fault() { [ -e "$S/faults/$1" ]; }

# sim_own PATH — whether PATH (as the machine names it) is the machine's own file: in its tree, not
# one of the host's programs a simulated node sees read-only (listed in /run/hlsh-sim/host-paths).
sim_own() {
    [ -e "$R$1" ] || return 1
    [ -z "$R" ] || return 0
    sim_path=$(readlink -f "$1")
    while IFS= read -r sim_host; do
        case $sim_path in "$sim_host" | "$sim_host"/*) return 1 ;; esac
    done </run/hlsh-sim/host-paths
}
