# bench/hlsh-bin.sh — sourced by the benchmarks (from the repository's root): `pick_hlsh [PATH]`
# sets hlsh to PATH, else .build-release/release/hlsh, else .build/debug/hlsh, as an absolute
# path, and build to which it is; exits when there is none.
# shellcheck shell=bash
# shellcheck disable=SC2034  # build: for the sourcing script
pick_hlsh() {
  build=given
  if [ -n "${1:-}" ]; then
    hlsh=$1
  elif [ -x .build-release/release/hlsh ]; then
    hlsh=.build-release/release/hlsh build=release
  else
    hlsh=.build/debug/hlsh build="debug: no release build found"
  fi
  [ -x "$hlsh" ] || { echo "build hlsh first: scripts/build-release" >&2; exit 1; }
  hlsh=$(cd "$(dirname "$hlsh")" && pwd)/$(basename "$hlsh")
}
