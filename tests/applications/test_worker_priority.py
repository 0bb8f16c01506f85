"""Worker processes yield the CPU to the web server: each prefork pool process sets its CPU
priority when it starts (config/celery.py, WORKER_CPU_PRIORITY), so on a machine both share a
submit at the deadline is answered before its PDF is drawn."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SCRIPT = (
    "import os, django; django.setup()\n"
    "from celery.signals import worker_process_init\n"
    "before = os.nice(0)\n"
    "worker_process_init.send(sender=None)\n"  # what the prefork pool sends in each new process
    "print(before, os.nice(0), os.sched_getscheduler(0) == os.SCHED_IDLE)\n"
)


def pool_process(**env):
    """(niceness before, niceness after, runs as SCHED_IDLE) in a process started as the pool's are."""
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(BASE_DIR),
             "DJANGO_ENV": "development", **env},
    )
    assert out.returncode == 0, out.stderr
    before, after, idle = out.stdout.split()
    return int(before), int(after), idle == "True"


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_by_default_a_pool_process_runs_only_on_an_idle_cpu():
    _before, _after, idle = pool_process()
    assert idle


def test_low_is_the_lowest_niceness():
    _before, after, idle = pool_process(WORKER_CPU_PRIORITY="low")
    assert (after, idle) == (19, False)


def test_normal_leaves_the_priority_alone():
    before, after, idle = pool_process(WORKER_CPU_PRIORITY="normal")
    assert (after, idle) == (before, False)


def test_a_value_that_is_not_a_priority_stops_the_start():
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=BASE_DIR, capture_output=True, text=True,
        timeout=60, env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(BASE_DIR),
                         "DJANGO_ENV": "development", "WORKER_CPU_PRIORITY": "lowest"},
    )
    assert out.returncode != 0 and "WORKER_CPU_PRIORITY must be idle, low or normal, not 'lowest'" in out.stderr
