"""CPU seconds used by each kind of process on this machine (from /proc), to say where a run's CPU
went: the web server, the database, the broker, the worker, the load generator. Linux only."""

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
KINDS = {"gunicorn": "web (gunicorn)", "postgres": "PostgreSQL", "redis-server": "Redis",
         "celery": "Celery worker", "locust": "load generator (locust)"}


def snapshot():
    """{kind: CPU seconds so far} summed over the processes of each kind, plus the machine's total."""
    used = dict.fromkeys((kind for name, kind in KINDS.items() if name != "celery"), 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        kind = KINDS.get(name)
        if kind is not None:
            fields = text[text.rindex(")") + 2:].split()
            if name == "celery":  # the main process and the pool processes (at a lower priority) apart
                policy, nice = int(fields[38]), int(fields[16])  # /proc/<pid>/stat fields 41 and 19
                kind = f"{kind} ({'SCHED_IDLE' if policy == 5 else f'nice {nice}'})"
            used[kind] = used.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
    line = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    used["machine, all processes"] = (sum(map(int, line)) - int(line[3]) - int(line[4])) / TICKS  # minus idle, iowait
    return used


def spent(before, after):
    """{kind: CPU seconds between two snapshots} (a process that ended meanwhile counts as zero)."""
    return {kind: max(0.0, after[kind] - before.get(kind, 0.0)) for kind in after}
