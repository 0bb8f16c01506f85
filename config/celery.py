"""The Celery app. Without CELERY_BROKER_URL tasks run eagerly (see settings)."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("commonweal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # <app>.tasks: background work taken on request
app.autodiscover_tasks(related_name="jobs")  # <app>.jobs: the beat jobs of config.schedule


def _load_schedule():
    from .schedule import BEAT_SCHEDULE

    app.conf.beat_schedule = BEAT_SCHEDULE


_load_schedule()


@worker_process_init.connect
def _yield_the_cpu(**kwargs):
    """Each pool process gives the CPU to the web server first (settings.WORKER_CPU_PRIORITY)."""
    from django.conf import settings

    priority = settings.WORKER_CPU_PRIORITY
    if priority == "idle" and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    elif priority in ("idle", "low"):  # (no SCHED_IDLE outside Linux)
        os.nice(19 - os.nice(0))
