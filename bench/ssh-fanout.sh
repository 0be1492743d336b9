#!/usr/bin/env bash
# bench/ssh-fanout.sh — `true` on N local OpenSSH servers, three ways in the same run, for each N
# (default: 16, then 64):
#   hlsh        node run TARGETS "true" --limit N    (libssh2, one thread per host)
#   ansible     ansible all -m command -a true -f N  (ansible-core from PyPI, in a venv)
#   ssh floor   N OpenSSH `ssh` processes in parallel
#   libssh2     bench/ssh-floor.c: the fastest libssh2 client (a thread per host, blocking calls,
#               no config or known_hosts; built here when `cc` and libssh2's headers exist)
# hlsh, libssh2 and ssh take turns run by run (the load on a shared machine drifts). Prints the
# best of runs for each and the ratios, then how hlsh's time grows from the first N to the last. Targets (issue 17): at 64 hosts hlsh ≤ 0.02× ansible, and 64 hosts take at most 3× the
# time of 16.
#
#   bench/ssh-fanout.sh [path/to/hlsh] [runs] [hosts …]
# ANSIBLE_RUNS (default: runs) sets how often ansible runs, its best taken (it takes seconds).
# The venv goes to .build/bench-venv (made on first use; needs PyPI). Nothing outside a temp dir
# and that venv is written; every sshd started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/hlsh-bin.sh
. bench/hlsh-bin.sh
pick_hlsh "${1:-}"
runs=${2:-5}
shift 2 2>/dev/null || shift $#
counts=("$@")
((${#counts[@]})) || counts=(16 64)
ansible_runs=${ANSIBLE_RUNS:-$runs}
hosts=0
for n in "${counts[@]}"; do ((n > hosts)) && hosts=$n; done
[ -x /usr/sbin/sshd ] || { echo "needs openssh-server (/usr/sbin/sshd)" >&2; exit 1; }
echo "hlsh: $hlsh (built $(date -r "$hlsh" '+%F %T')); load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

venv="$root/.build/bench-venv"
if [ ! -x "$venv/bin/ansible" ]; then
  echo "installing ansible-core into $venv …" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q ansible-core >&2
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/home/.ssh" /run/sshd 2>/dev/null || mkdir -p "$work/home/.ssh"
user=$(id -un)
ssh-keygen -q -t ed25519 -N '' -f "$work/home/.ssh/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
cp "$work/home/.ssh/id_ed25519.pub" "$work/authorized_keys"
hostkey=$(cut -d' ' -f1-2 "$work/hostkey.pub")

floor=
if command -v cc >/dev/null && pkg-config --exists libssh2 2>/dev/null; then
  read -ra libssh2_flags <<<"$(pkg-config --cflags --libs libssh2)"
  cc -O2 -o "$work/ssh-floor" bench/ssh-floor.c "${libssh2_flags[@]}" -lpthread && floor="$work/ssh-floor"
fi
[ -n "$floor" ] || echo "no cc or libssh2 headers (libssh2-1-dev): the libssh2 floor is left out" >&2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=()
for i in $(seq 1 "$hosts"); do
  port=$(free_port)
  cat >"$work/sshd_$i.conf" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $work/hostkey
PidFile $work/sshd_$i.pid
AuthorizedKeysFile $work/authorized_keys
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UseDNS no
PrintMotd no
MaxStartups 100
SetEnv HOME=$work/home
CONF
  /usr/sbin/sshd -D -e -f "$work/sshd_$i.conf" 2>"$work/sshd_$i.log" &
  pids+=($!)
  ports+=("$port")
  echo "[127.0.0.1]:$port $hostkey" >>"$work/home/.ssh/known_hosts"
done
for i in $(seq 1 "$hosts"); do
  for _ in $(seq 1 100); do grep -q "Server listening" "$work/sshd_$i.log" && break; sleep 0.05; done
done

{
  echo "[all]"
  for i in "${!ports[@]}"; do
    echo "h$i ansible_host=127.0.0.1 ansible_port=${ports[$i]} ansible_user=$user"
  done
} >"$work/inventory.ini"
export HOME="$work/home"
export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_PYTHON_INTERPRETER=auto_silent ANSIBLE_LOCAL_TEMP="$work/ansible-tmp" \
  ANSIBLE_SSH_ARGS="-o ControlMaster=no -o UserKnownHostsFile=$work/home/.ssh/known_hosts -o IdentityFile=$work/home/.ssh/id_ed25519 -o IdentitiesOnly=yes" \
  ANSIBLE_GATHERING=explicit

# The helpers below never name a local `n`: bash scopes dynamically, so a local `n` would be the
# host count that run_hlsh, run_floor, run_ssh and run_ansible read (--limit, the port slice).
best() {  # best RUNS CMD… — best wall time in ms of running CMD RUNS times
  local times=$1 best=999999 t0 t1
  shift
  for _ in $(seq 1 "$times"); do
    t0=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }; t1=$(date +%s%N)
    local t=$(((t1 - t0) / 1000000)); ((t < best)) && best=$t
  done
  echo "$best"
}
alternating() {  # alternating RUNS CMD… — runs each CMD once per round, RUNS rounds; the best ms of each
  local rounds=$1 i t
  shift
  local all=("$@") bests=()
  for i in "${!all[@]}"; do bests[i]=999999; done
  for _ in $(seq 1 "$rounds"); do
    for i in "${!all[@]}"; do
      t=$(best 1 "${all[$i]}") || return 1
      ((t < bests[i])) && bests[i]=$t
    done
  done
  echo "${bests[*]}"
}
n=0 targets=
run_hlsh() { "$hlsh" -c "node run \"$targets\" \"true\" --limit $n"; }
run_ansible() { "$venv/bin/ansible" "all[0:$((n - 1))]" -i "$work/inventory.ini" -m command -a true -f "$n"; }
run_ssh() {  # fails unless every ssh succeeded (a bare `wait` would return 0 regardless)
  local port sp=() p failed=0
  for port in "${ports[@]:0:$n}"; do
    ssh -o BatchMode=yes -o UserKnownHostsFile="$work/home/.ssh/known_hosts" -o IdentitiesOnly=yes \
      -i "$work/home/.ssh/id_ed25519" -p "$port" "$user@127.0.0.1" true &
    sp+=($!)
  done
  for p in "${sp[@]}"; do wait "$p" || failed=$((failed + 1)); done
  ((failed == 0))
}
run_floor() { "$floor" "$user" "$work/home/.ssh/id_ed25519.pub" "$work/home/.ssh/id_ed25519" "${ports[@]:0:$n}"; }
ticks=$(getconf CLK_TCK)
sshd_cpu() {  # CPU (ms) of the sshd connections served so far: their reaped children's, summed
  local pid total=0
  for pid in "${pids[@]}"; do
    total=$((total + $(awk '{ sub(/^.*\) /, ""); print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo $((total * 1000 / ticks))
}
cpu_split() {  # CPU of one hlsh run: "client_ms sshd_ms"
  local s0 s1
  s0=$(sshd_cpu)
  /usr/bin/time -f '%U %S' -o "$work/time" "$hlsh" -c "node run \"$targets\" \"true\" --limit $n" >/dev/null 2>&1
  s1=$(sshd_cpu)
  awk -v s=$((s1 - s0)) '{ printf "%d %d\n", ($1 + $2) * 1000, s }' "$work/time"
}
first=
for n in "${counts[@]}"; do
  targets=$(printf "$user@127.0.0.1:%s," "${ports[@]:0:$n}"); targets=${targets%,}
  run_hlsh >/dev/null || { echo "hlsh could not run the command on every host" >&2; exit 1; }
  [ -z "$floor" ] || run_floor || { echo "the libssh2 floor could not run the command on every host" >&2; exit 1; }
  # ansible exits 0 when a pattern matches no host: check that it ran on all n.
  ran=$(run_ansible 2>&1 | grep -c ' | CHANGED ' || true)
  ((ran == n)) || { echo "ansible ran the command on $ran of $n hosts" >&2; exit 1; }
  if [ -n "$floor" ]; then
    read -r h f s <<<"$(alternating "$runs" run_hlsh run_floor run_ssh)"
  else
    read -r h s <<<"$(alternating "$runs" run_hlsh run_ssh)"
  fi
  [ -n "${s:-}" ] || { echo "a run failed" >&2; exit 1; }
  a=$(best "$ansible_runs" run_ansible)
  echo "true on $n local sshd hosts, best of $runs (ansible: of $ansible_runs); load $(cut -d' ' -f1 /proc/loadavg):"
  read -r hc sc <<<"$(cpu_split)"
  printf '  hlsh       %6d ms   (one run: hlsh CPU %d ms, the sshds'"'"' CPU %d ms)\n' "$h" "$hc" "$sc"
  [ -z "$floor" ] || printf '  libssh2    %6d ms   (bench/ssh-floor.c)\n' "$f"
  printf '  ansible    %6d ms\n  ssh floor  %6d ms\n' "$a" "$s"
  awk -v n="$n" -v h="$h" -v a="$a" -v s="$s" -v f="${f:-0}" 'BEGIN {
    printf "ssh-fanout %d hosts: hlsh/ansible = %.3f (target at 64: <= 0.02), hlsh/ssh = %.2f", n, h / a, h / s
    if (f > 0) printf ", hlsh/libssh2 = %.2f", h / f
    printf "\n" }'
  if [ -z "$first" ]; then first=$n first_h=$h; else
    awk -v n="$n" -v f="$first" -v h="$h" -v fh="$first_h" 'BEGIN {
      printf "ssh-fanout %d vs %d hosts: hlsh %.2fx the time (target <= 3)\n", n, f, h / fh }'
  fi
done
