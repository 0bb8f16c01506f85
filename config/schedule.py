"""Celery beat schedule: periodic jobs (each job is idempotent; running it twice does no harm)."""

from celery.schedules import crontab  # noqa: F401

BEAT_SCHEDULE = {}
