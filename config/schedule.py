"""Celery beat schedule: periodic jobs (each job is idempotent; running it twice does no harm)."""

from celery.schedules import crontab  # noqa: F401

BEAT_SCHEDULE = {}

# 公示 windows end at midnight Beijing time; checking every 10 minutes awards within minutes of
# the end and also catches up after a worker restart (the job is safe to run twice).
BEAT_SCHEDULE["award-due-publicity"] = {
    "task": "applications.publicity_tasks.award_due_publicity",
    "schedule": crontab(minute="*/10"),
}

# Notification mail whose task was lost (queue or mail server down at the time) goes out late
# rather than never; each mail is claimed before sending, so this never sends one twice.
BEAT_SCHEDULE["send-pending-notification-mails"] = {
    "task": "accounts.tasks.send_pending_notification_mails",
    "schedule": crontab(minute="*/10"),
}

# Work whose task was lost (broker down at commit, a worker killed): 申报书 PDFs and award-notice
# files are rendered late rather than never; each task stores its result once, so re-queuing is
# harmless (applications.jobs.requeue_missing_work; the task keeps its first name for queued beats).
BEAT_SCHEDULE["requeue-missing-work"] = {
    "task": "applications.jobs.requeue_missing_application_pdfs",
    "schedule": crontab(minute="*/5"),
}

# Reminders (reports due, review deadlines, drafts before closing) and overdue holds: hourly, so
# a restart loses little; each reminder is keyed by recipient and occasion and sent once.
BEAT_SCHEDULE["post-award-reminders"] = {
    "task": "applications.postaward_tasks.send_reminders",
    "schedule": crontab(minute=5),
}
