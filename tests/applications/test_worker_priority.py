"""Worker processes yield the CPU to the web server: each prefork child lowers its priority by
WORKER_NICENESS when it starts (config/celery.py), so a submit at the deadline is answered before
its PDF is drawn on a machine both share."""

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
    "worker_process_init.send(sender=None)\n"  # what the prefork pool sends in each new child
    "print(before, os.nice(0))\n"
)


def niceness_in_a_worker_child(**env):
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(BASE_DIR),
             "DJANGO_ENV": "development", **env},
    )
    assert out.returncode == 0, out.stderr
    before, after = map(int, out.stdout.split())
    return before, after


@pytest.mark.skipif(os.nice(0) > 12, reason="this process already runs at a niceness near the maximum")
def test_a_worker_child_runs_at_a_lower_priority():
    before, after = niceness_in_a_worker_child(WORKER_NICENESS="7")
    assert after == before + 7


def test_zero_leaves_the_priority_alone():
    before, after = niceness_in_a_worker_child(WORKER_NICENESS="0")
    assert after == before


def test_the_default_is_the_lowest_priority():
    before, after = niceness_in_a_worker_child()
    assert after == 19
