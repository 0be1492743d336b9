# shellcheck shell=sh
# lib.sh — helpers shared by the node scripts hlsh runs over SSH. NodeScript.swift sends one
# payload on stdin to `sudo -n env HLSH_SSH_CONNECTION="$SSH_CONNECTION" sh -s` (sudo drops SSH_*;
# harden's firewall guard needs the address hlsh connects from): a preamble setting the parameters (HLSH_* shell variables,
# never exported, so secrets such as the k3s token reach no other process), this file, then one
# script body, all inside `{ … } </dev/null` so no command here can read the rest of the payload.
#
# Output, one line per control on stdout (NodeReport.swift parses it):
#   ok CONTROL DETAIL        already as wanted; nothing was done
#   changed CONTROL DETAIL   changed now; in check mode DETAIL starts with "would" and nothing was done
#   failed CONTROL DETAIL    could not be brought to the wanted state; the other controls still run
#   fact KEY VALUE           facts.sh: one fact; a KEY may repeat (one line per disk, per address)
#   secret KEY VALUE         a value the caller must keep out of logs (the k3s join token)
# Exit status: 0 when no control failed, 1 when one did, 2 for a usage error (bad parameters).
#
# HLSH_ROOT (environment, default /) prefixes every path, for the scripts' unit tests only: they
# run the scripts for real under a temporary tree with stub system commands first in PATH. Real
# and simulated nodes leave it unset (a simulated node's tree is its /). HLSH_CHECK=1 is check
# mode: look, report, change nothing. Files are written atomically (temp file in the same
# directory, then mv) and only when their bytes or mode differ; handlers (reloads) run once, at
# the end.

HLSH_ROOT=${HLSH_ROOT:-/}
# The prefix for paths: "" for the real root, so "$R/etc" is "/etc", never "//etc".
R=${HLSH_ROOT%/}
HLSH_CHECK=${HLSH_CHECK:-0}
hlsh_failures=0
hlsh_handlers=
umask 022

# --- The staging directory ---------------------------------------------------------------------
#
# $hlsh_work holds this run's scratch files (k3s.sh's config.yaml carries the join token for the
# moment it takes to compare it): TMPDIR/hlsh.PID.XXXXXX, mode 0700, PID being this shell's. It is
# removed on every way out: exit, HUP/INT/TERM, and PIPE, which is how a run learns that hlsh is
# gone (a Ctrl-C or a cut connection closes the SSH channel, sshd signals nothing to a command
# without a terminal, and the next report line then writes to a closed pipe; an untrapped SIGPIPE
# kills sh without running the EXIT trap). What no trap can catch (SIGKILL, a power cut) is swept
# by the next run.

# sweep_staging — removes staging directories that earlier runs left: hlsh.PID.XXXXXX whose PID no
# longer runs, and hlsh.XXXXXX (hlsh before the PID was in the name) untouched for 10 minutes;
# only directories (not links) under this TMPDIR owned by this user. Another user's, a running
# run's and anything else named hlsh.* stay. Nothing is reported: it is hlsh's own litter, not a
# control, and check mode sweeps too (a leftover may hold a token).
sweep_staging() {
    for hlsh_old in "${TMPDIR:-/tmp}"/hlsh.*; do
        if [ ! -d "$hlsh_old" ] || [ -h "$hlsh_old" ] || [ ! -O "$hlsh_old" ]; then continue; fi
        hlsh_rest=${hlsh_old##*/hlsh.}
        case $hlsh_rest in
        *[!A-Za-z0-9.]*) continue ;;
        [0-9]*.??????)
            hlsh_pid=${hlsh_rest%.*}
            case $hlsh_pid in *[!0-9]*) continue ;; esac
            ! kill -0 "$hlsh_pid" 2>/dev/null || continue
            ;;
        ??????)
            case $hlsh_rest in *.*) continue ;; esac
            [ -n "$(find "$hlsh_old" -maxdepth 0 -mmin +10 2>/dev/null)" ] || continue
            ;;
        *) continue ;;
        esac
        rm -rf "$hlsh_old"
    done
}
sweep_staging
hlsh_work=$(mktemp -d "${TMPDIR:-/tmp}/hlsh.$$.XXXXXX") || {
    echo "failed setup cannot create a work directory"
    exit 1
}
trap 'rm -rf "$hlsh_work"' EXIT
trap 'exit 1' HUP INT TERM PIPE

# secret_file PATH — creates PATH empty, mode 0600 from the start (made under umask 077, not
# chmod-ed after), for a secret to be appended with `>>PATH`. A file that will hold a secret is
# made here, never by a plain redirection under the umask of 022 above. A leftover PATH is
# removed first: its mode would stay.
secret_file() (
    rm -f "$1" && umask 077 && : >"$1"
)

# --- Reporting ---------------------------------------------------------------------------------

report() { printf '%s %s %s\n' "$1" "$2" "$3"; }
ok() { report ok "$1" "$2"; }
changed() { report changed "$1" "$2"; }
failed() {
    report failed "$1" "$2"
    hlsh_failures=$((hlsh_failures + 1))
}
# would CONTROL DETAIL — in check mode, what a run would change.
would() { report changed "$1" "would $2"; }
checking() { [ "$HLSH_CHECK" = 1 ]; }

# finish — the exit status: 1 when any control failed.
finish() {
    [ "$hlsh_failures" -eq 0 ] || exit 1
    exit 0
}

# usage MESSAGE — a bad parameter from the caller: exit 2 before touching anything.
usage() {
    printf 'usage error: %s\n' "$1" >&2
    exit 2
}

# require NAME… — every named parameter must be set and non-empty.
require() {
    for hlsh_name in "$@"; do
        eval "hlsh_value=\${$hlsh_name:-}"
        [ -n "$hlsh_value" ] || usage "parameter $hlsh_name is not set"
    done
}

# --- Commands ----------------------------------------------------------------------------------

# run COMMAND… — runs a system command with stdin closed and its output captured in run.out;
# $run_status is its exit status, and on failure $run_output holds its first lines on one line,
# for a failed control's DETAIL (empty after a success, which costs no process but the command).
run() {
    run_output='' run_status=0
    "$@" </dev/null >"$hlsh_work/run.out" 2>&1 && return 0
    run_status=$?
    # shellcheck disable=SC2034  # read by the script bodies
    run_output=$(head -n 3 "$hlsh_work/run.out" | tr '\n' ' ' | sed 's/ *$//')
    return "$run_status"
}

# act CONTROL WOULD DONE COMMAND… — one change made by a command: in check mode report
# "would WOULD"; else run COMMAND and report DONE, or its failure with the command's output.
# COMMAND must hold no secret (it is in the report and in the process list).
act() {
    act_control=$1 act_would=$2 act_done=$3
    shift 3
    if checking; then
        would "$act_control" "$act_would"
    elif run "$@"; then
        changed "$act_control" "$act_done"
    else
        failed "$act_control" "$*: $run_output"
        return 1
    fi
}

# --- Files -------------------------------------------------------------------------------------

# same_file WANT PATH MODE — PATH exists with WANT's bytes and MODE (octal, e.g. 0644).
same_file() {
    [ -f "$2" ] && cmp -s "$1" "$2" && [ "$(stat -c %a "$2")" = "${3#0}" ]
}

# put_file WANT PATH MODE — replaces PATH with WANT's bytes atomically: a temp file in the same
# directory, then renamed over PATH. The temp file is created under a umask that leaves nothing
# MODE does not grant (0600 for a token: never readable by others, not even for an instant), and
# never reuses a leftover, whose mode cp would keep. On failure PATH is left as it was.
put_file() (
    dir=${2%/*}
    tmp="$dir/.${2##*/}.hlsh-new"
    mkdir -p "$dir" && rm -f "$tmp" || exit 1
    umask "$(printf '%03o' $((0777 & ~0$3)))"
    if cp "$1" "$tmp" && chmod "$3" "$tmp" && mv -f "$tmp" "$2"; then exit 0; fi
    rm -f "$tmp"
    exit 1
)

# ensure_file CONTROL PATH MODE WANT — the common control for a whole file: ok when PATH (a path
# on the node, under $R) already matches; else write it, or in check mode say it would.
# Returns 0 when it changed (or would), 1 when it was ok, 2 when it failed.
ensure_file() {
    if same_file "$4" "$R$2" "$3"; then
        ok "$1" "$2"
        return 1
    fi
    if checking; then
        would "$1" "write $2"
        return 0
    fi
    if put_file "$4" "$R$2" "$3"; then
        changed "$1" "wrote $2"
        return 0
    fi
    failed "$1" "cannot write $2"
    return 2
}

# --- Handlers ----------------------------------------------------------------------------------

# notify HANDLER — asks for HANDLER to run once at the end (the script decides the order).
notify() {
    case " $hlsh_handlers " in
    *" $1 "*) ;;
    *) hlsh_handlers="$hlsh_handlers $1" ;;
    esac
}

# notified HANDLER — whether some control asked for HANDLER (never true in check mode).
notified() {
    checking && return 1
    case " $hlsh_handlers " in
    *" $1 "*) return 0 ;;
    esac
    return 1
}
