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


@shared_task(name="applications.jobs.requeue_missing_application_pdfs")
def requeue_missing_work(older_than_minutes=2):
    """Beat job (every 5 minutes) and ``manage.py requeue_missing``: the worker's backstop.

    The need for each piece of work is a row written in the same transaction as the state change
    (the submit's log entry, the award notice, the notification), so nothing is lost when the
    broker is down at commit or a worker dies; this job finds every row whose result is missing
    (a 申报书 PDF, an award notice's file) and queues it again, and sweeps files a killed worker
    left. Each task stores its result once, so a second run changes nothing. Mail has its own
    sweep (``accounts.tasks.send_pending_notification_mails``). Returns the counts.
    """
    from .tasks import (
        generate_application_pdf,
        missing_application_pdfs,
        render_annual_report,
        render_award_notice,
        sweep_orphan_documents,
    )

    entries = missing_application_pdfs(older_than_minutes=older_than_minutes)
    for entry_id in entries:
        generate_application_pdf.delay(entry_id)
    notices = missing_notice_files(older_than_minutes=older_than_minutes)
    for notice_id in notices:
        render_award_notice.delay(notice_id)
    reports = missing_annual_reports(older_than_minutes=older_than_minutes)
    for report_id in reports:
        render_annual_report.delay(report_id)
    orphans = sweep_orphan_documents()
    return {"application_pdfs": len(entries), "award_notices": len(notices), "annual_reports": len(reports),
            "orphan_files": len(orphans)}


def missing_annual_reports(older_than_minutes=2):
    """Annual reports requested a few minutes ago or more whose PDF was never stored."""
    import datetime as dt

    from django.utils import timezone

    from .models import AnnualReport

    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    return list(AnnualReport.objects.filter(file="", requested_at__lte=cutoff).order_by("pk").values_list("pk", flat=True))


def missing_notice_files(older_than_minutes=2):
    """Award notices issued a few minutes ago or more whose PDF was never stored."""
    import datetime as dt

    from django.utils import timezone

    from .models import AwardNotice

    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    return list(AwardNotice.objects.filter(file="", issued_at__lte=cutoff).order_by("pk").values_list("pk", flat=True))
