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
def _lower_priority(**kwargs):
    """Each worker process yields the CPU to the web server (settings.WORKER_NICENESS)."""
    from django.conf import settings

    if settings.WORKER_NICENESS > 0:
        os.nice(settings.WORKER_NICENESS)
