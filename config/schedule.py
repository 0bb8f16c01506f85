"""Celery beat schedule: periodic jobs (each job is idempotent; running it twice does no harm)."""

from celery.schedules import crontab  # noqa: F401

BEAT_SCHEDULE = {}

# 公示 windows end at midnight Beijing time; checking every 10 minutes awards within minutes of
# the end and also catches up after a worker restart (the job is safe to run twice).
BEAT_SCHEDULE["award-due-publicity"] = {
    "task": "applications.publicity_tasks.award_due_publicity",
    "schedule": crontab(minute="*/10"),
}
