#!/bin/sh
# git-gate REPO MODE — what the simulated git host runs for a deploy key (authorized_keys
# `restrict,command=`), as a git host does: the key may fetch REPO (owner/name) and, when MODE is
# rw, push to it; the git commands then run as git-shell runs them, on /srv/git/REPO.git. REPO
# OWNER/* is an account key's: every repository of OWNER.
# Messages are GitHub's.
repo=$1
mode=$2
command=${SSH_ORIGINAL_COMMAND:-}
case $command in
'')
    echo "Hi $repo! You've successfully authenticated, but GitHub does not provide shell access." >&2
    exit 1 ;;
"git-upload-pack "* | "git-receive-pack "* | "git-upload-archive "*) ;;
*)
    echo "Invalid command: $command" >&2
    exit 1 ;;
esac
verb=${command%% *}
# 'owner/name.git', '/owner/name.git' or owner/name: the repository it names.
asked=$(printf '%s' "${command#* }" | sed "s/^'//; s/'\$//; s#^/##; s#\\.git\$##")
# An account key (REPO is OWNER/*) reaches every repository of its owner.
case $repo in
*/\*) [ "${asked%%/*}/*" = "$repo" ] && [ "${asked#*/}" = "${asked##*/}" ] && repo=$asked ;;
esac
if [ "$asked" != "$repo" ] || [ ! -d "/srv/git/$repo.git" ]; then
    echo "ERROR: Repository not found." >&2
    exit 1
fi
if [ "$verb" = git-receive-pack ] && [ "$mode" != rw ]; then
    echo "ERROR: The key you are authenticating with has been marked as read only." >&2
    exit 1
fi
exec git-shell -c "$verb '/srv/git/$repo.git'"
