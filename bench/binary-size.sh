#!/usr/bin/env bash
# bench/binary-size.sh — the stripped size of release hlsh binaries, their biggest sections, and
# start-up (`hlsh --version`, `hlsh -c 'echo ok'`) as the best of N wall-clock runs, the binaries
# alternating in the same run. With a linker map (build with `-Xlinker -Map=FILE`), also what
# each library and module adds, and the first binary's size against kubectl's. Target (issues 11
# and 17): at most 30 MB stripped, start-up no slower.
#
#   bench/binary-size.sh [--map FILE] [runs] [hlsh ...]
set -euo pipefail
cd "$(dirname "$0")/.."
map=
if [ "${1:-}" = --map ]; then map=$2; shift 2; fi
runs=${1:-20}
shift || true
bins=("$@")
((${#bins[@]})) || bins=("$(scripts/build-release --show-bin-path)")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

stripped=()
for i in "${!bins[@]}"; do
  [ -x "${bins[$i]}" ] || { echo "no binary ${bins[$i]}; build it: scripts/build-release" >&2; exit 1; }
  strip -o "$work/hlsh-$i" "${bins[$i]}"
  stripped+=("$work/hlsh-$i")
  printf '%s: %s bytes stripped (%s unstripped)\n' "${bins[$i]}" "$(stat -c %s "$work/hlsh-$i")" "$(stat -c %s "${bins[$i]}")"
  size -A "$work/hlsh-$i" | sort -k2 -nr | sed -n '2,7p' | awk '{ printf "    %-16s %6.2f MB\n", $1, $2 / 1e6 }'
done
# kubectl as shipped (already stripped), for scale.
kubectl=$(readlink -f "${KUBECTL:-$(command -v kubectl || echo /usr/bin/kubectl)}")
if [ -x "$kubectl" ]; then
  awk -v h="$(stat -c %s "$work/hlsh-0")" -v k="$(stat -c %s "$kubectl")" -v p="$kubectl" 'BEGIN {
    printf "binary-size: hlsh %.2f MB stripped (target <= 30 MB), kubectl %.2f MB (%s): %.2fx kubectl\n",
      h / 1e6, k / 1e6, p, h / k }'
fi

python3 - "$runs" "${stripped[@]}" <<'PY'
import subprocess, sys, time
runs, bins = int(sys.argv[1]), sys.argv[2:]
for args in (["--version"], ["-c", "echo ok"]):
    times = {b: [] for b in bins}
    for _ in range(runs):
        for b in bins:
            start = time.perf_counter()
            subprocess.run([b] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[b].append(time.perf_counter() - start)
    for i, b in enumerate(bins):
        t = sorted(times[b])
        print(f"binary {i}: hlsh {' '.join(args):12s} best {t[0] * 1e3:6.2f} ms, median {t[len(t) // 2] * 1e3:6.2f} ms")
PY

[ -z "$map" ] && exit 0
# Allocated bytes per library (archive) or SwiftPM module (`X.build`), from a GNU gold/ld map.
python3 - "$map" <<'PY'
import collections, re, sys
lines = open(sys.argv[1]).read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("Memory map"))
total, by_section = collections.Counter(), collections.defaultdict(collections.Counter)
out_section = pending = None
full = re.compile(r"^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
cont = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
for l in lines[start + 1:]:
    if l and not l.startswith(" "):
        out_section, pending = l.split()[0], None
        continue
    m = full.match(l)
    if m and not l.startswith(" **"):
        size, f = int(m.group(3), 16), m.group(4)
    else:
        alone = re.match(r"^ (\S+)$", l)
        if alone and not l.startswith(" **"):
            pending = alone.group(1)
            continue
        m = cont.match(l)
        if not (m and pending):
            pending = None
            continue
        size, f, pending = int(m.group(2), 16), m.group(3), None
    if out_section.startswith(".debug") or out_section in (".comment", ".symtab", ".strtab", ".shstrtab"):
        continue
    module = re.search(r"/([^/]+)\.build/", f)
    archive = re.search(r"([^/]+\.a)\(", f)
    part = "module " + module.group(1) if module else archive.group(1) if archive else f.strip().split("/")[-1]
    total[part] += size
    by_section[part][out_section] += size
for part, size in total.most_common(30):
    top = ", ".join(f"{s} {n / 1e6:.2f}" for s, n in by_section[part].most_common(3))
    print(f"{size / 1e6:8.2f} MB  {part:36s} {top}")
PY
