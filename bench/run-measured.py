#!/usr/bin/env python3
"""run-measured.py OUT PROGRAM [ARG...] — runs PROGRAM (its output as this process's) and writes
"wall_ms own_cpu_ms peak_rss_kb children_cpu_ms" to OUT: the wall time from its start to its exit,
its own CPU and that of the processes it ran and reaped (read from /proc/PID/stat once it has
exited, before it is reaped: nothing samples it while it runs), and its peak RSS (its rusage, as
`/usr/bin/time -v` reports it). Exits with PROGRAM's status. For bench/rehearsal.sh."""
import os
import sys
import time

out, argv = sys.argv[1], sys.argv[2:]
ticks = os.sysconf("SC_CLK_TCK")
start = time.monotonic()
pid = os.posix_spawn(argv[0], argv, os.environ)
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
wall = time.monotonic() - start
with open(f"/proc/{pid}/stat") as stat:
    # Fields after the command's closing parenthesis: state is field 3, utime 14 … cstime 17.
    fields = stat.read().rsplit(")", 1)[1].split()
utime, stime, cutime, cstime = (int(field) for field in fields[11:15])
_, status, usage = os.wait4(pid, 0)
with open(out, "w") as result:
    result.write(
        f"{int(wall * 1000)} {(utime + stime) * 1000 // ticks} {usage.ru_maxrss} {(cutime + cstime) * 1000 // ticks}\n"
    )
sys.exit(os.waitstatus_to_exitcode(status))
