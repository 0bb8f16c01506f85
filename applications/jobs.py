"""Scheduled jobs of applications (thin: they call services). Celery's autodiscovery finds this
module (``config.celery`` looks for ``jobs`` as well as ``tasks``); the beat schedule is in
``config.schedule``. The task names are kept from the modules they came from, so queued and
scheduled jobs keep working.
"""

from celery import shared_task


@shared_task(name="applications.publicity_tasks.award_due_publicity")
def award_due_publicity():
    """Beat job: award every application whose 公示 ended with no open or upheld objection."""
    from .publicity import publicity_award_due

    return publicity_award_due()


@shared_task(name="applications.postaward_tasks.send_reminders")
def send_reminders():
    """Beat job: report, review and draft reminders, and overdue holds (idempotent)."""
    from .reminders import reminders_send_all

    return reminders_send_all()


@shared_task
def requeue_missing_application_pdfs(older_than_minutes=2):
    """Beat job: every submit whose 申报书 PDF is missing (queue or broker down at the time) is
    queued again; the task stores one document per submit, so a second run changes nothing."""
    from .tasks import generate_application_pdf, missing_application_pdfs, sweep_orphan_documents

    entries = missing_application_pdfs(older_than_minutes=older_than_minutes)
    for entry_id in entries:
        generate_application_pdf.delay(entry_id)
    sweep_orphan_documents()
    return len(entries)
