#!/usr/bin/env bash
# bench/ssh-fanout.sh — `true` on 16 local OpenSSH servers, three ways in the same run:
#   hlsh        node run TARGETS "true" --limit 16   (libssh2, one thread per host)
#   ansible     ansible all -m command -a true -f 16 (ansible-core from PyPI, in a venv)
#   ssh floor   16 OpenSSH `ssh` processes in parallel
# Prints the best of N runs for each and the ratios. Targets (issue 6): hlsh ≤ 0.1× ansible and
# ≤ 1.2× the parallel-ssh floor.
#
#   bench/ssh-fanout.sh [path/to/hlsh] [runs] [hosts]
# The venv goes to .build/bench-venv (made on first use; needs PyPI). Nothing outside a temp dir
# and that venv is written; every sshd started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
hlsh=${1:-$(swift build -c release --show-bin-path)/hlsh}
runs=${2:-5}
hosts=${3:-16}
[ -x "$hlsh" ] || { echo "build hlsh first: swift build -c release" >&2; exit 1; }
[ -x /usr/sbin/sshd ] || { echo "needs openssh-server (/usr/sbin/sshd)" >&2; exit 1; }

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

targets=$(printf "$user@127.0.0.1:%s," "${ports[@]}"); targets=${targets%,}
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

best() {  # best wall time in ms of running "$@" $runs times
  local best=999999 t0 t1
  for _ in $(seq 1 "$runs"); do
    t0=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }; t1=$(date +%s%N)
    local t=$(((t1 - t0) / 1000000)); ((t < best)) && best=$t
  done
  echo "$best"
}
run_hlsh() { "$hlsh" -c "node run \"$targets\" \"true\" --limit $hosts"; }
run_ansible() { "$venv/bin/ansible" all -i "$work/inventory.ini" -m command -a true -f "$hosts"; }
run_ssh() {
  for port in "${ports[@]}"; do
    ssh -o BatchMode=yes -o UserKnownHostsFile="$work/home/.ssh/known_hosts" -o IdentitiesOnly=yes \
      -i "$work/home/.ssh/id_ed25519" -p "$port" "$user@127.0.0.1" true &
  done
  wait
}
run_hlsh >/dev/null || { echo "hlsh could not run the command on every host" >&2; exit 1; }
h=$(best run_hlsh); a=$(best run_ansible); s=$(best run_ssh)
echo "true on $hosts local sshd hosts, best of $runs:"
printf '  hlsh       %6d ms\n  ansible    %6d ms\n  ssh floor  %6d ms\n' "$h" "$a" "$s"
python3 -c "h,a,s=$h,$a,$s; print(f'  hlsh/ansible = {h/a:.3f} (target <= 0.1)   hlsh/ssh = {h/s:.2f} (target <= 1.2)')"
