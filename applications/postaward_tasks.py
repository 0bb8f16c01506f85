"""Scheduled post-award jobs (thin: they call services).

Imported by ``config.schedule`` (which the Celery app loads) so that the worker registers them.
"""

from celery import shared_task


@shared_task(name="applications.postaward_tasks.send_reminders")
def send_reminders():
    """Beat job: report, review and draft reminders, and overdue holds (idempotent)."""
    from .reminders import reminders_send_all

    return reminders_send_all()
