"""Documents of applications rendered by the worker: the 申报书 kept at each submit and the
立项通知书. Tasks take ids and are safe to run twice; the beat jobs that call services live in
``applications.jobs``."""

import datetime as dt
import hashlib

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction

from .models import SubmittedDocument, TransitionLog
from .pdf import render_application_pdf

SUBMIT_TRANSITIONS = ("application.submit", "application.resubmit")
# A database that went away or a storage that failed is retried with growing pauses (with jitter,
# so a recovering database is not hit by every worker at once); the beat job is the backstop.
RETRYABLE = (OperationalError, InterfaceError, OSError)
RETRY = {"autoretry_for": RETRYABLE, "retry_backoff": 2, "retry_backoff_max": 300, "retry_jitter": True, "max_retries": 8}


@shared_task(**RETRY)
def generate_application_pdf(log_entry_id):
    """Keep the 申报书 of one submit (or resubmit): once per log entry, never replaced.

    Runs on commit after the submit, so the data it reads is the data submitted; running it again
    for the same entry finds the stored document and does nothing.
    """
    if SubmittedDocument.objects.filter(log_entry_id=log_entry_id).exists():
        return None
    entry = TransitionLog.objects.select_related(
        "application__organization", "application__competition"
    ).get(pk=log_entry_id, transition__in=SUBMIT_TRANSITIONS)
    application = entry.application
    data = render_application_pdf(application, submitted_at=entry.at)
    document = SubmittedDocument(
        application=application, log_entry=entry, sha256=hashlib.sha256(data).hexdigest()
    )
    name = f"{application.reference or application.pk}-{entry.seq}.pdf"
    document.file.save(name, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Another worker stored it first; theirs is the record.
        document.file.delete(save=False)
        return None
    except BaseException:
        # The row did not commit (database gone, time limit): take the file away with it, so a
        # retry starts clean and no file is left that no row points at.
        document.file.delete(save=False)
        raise
    return document.pk


@shared_task(name="applications.publicity_tasks.render_award_notice", **RETRY)
def render_award_notice(notice_id):
    """Render and store the 立项通知书 of one notice (idempotent: an equal file replaces the last)."""
    from .pdf import notice_render

    notice_render(notice_id=notice_id)


@shared_task(**RETRY)
def render_annual_report(report_id):
    """Render and keep one 年度社区社会组织培育发展情况报告 (idempotent: a stored file is kept)."""
    from .pdf import annual_report_render

    annual_report_render(report_id=report_id)


def request_annual_report(*, bureau, year, actor):
    """A new annual report row for ``bureau`` and ``year``, rendered by the worker after commit.

    Robust: with the broker down the request still succeeds; the beat job
    (``applications.jobs.requeue_missing_work``) renders it later."""
    from django.utils.translation import gettext as _

    from .errors import ApplicationError
    from .models import AnnualReport

    if not 2000 <= int(year) <= 2100:
        raise ApplicationError(_("Choose a year between 2000 and 2100."))
    with transaction.atomic():
        report = AnnualReport.objects.create(bureau=bureau, year=year, requested_by=actor)
        transaction.on_commit(lambda: render_annual_report.delay(report.pk), robust=True)
    return report


def missing_application_pdfs(older_than_minutes=2):
    """Submit log entries older than a few minutes that have no 申报书 stored yet."""
    from django.utils import timezone

    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    return list(
        TransitionLog.objects.filter(transition__in=SUBMIT_TRANSITIONS, at__lte=cutoff, document__isnull=True)
        .order_by("pk").values_list("pk", flat=True)
    )


def sweep_orphan_documents(older_than_minutes=30):
    """Delete 申报书 files that no SubmittedDocument row points at (a worker killed between writing
    the file and committing its row). Files younger than ``older_than_minutes`` may belong to a
    task still running and are left alone. Returns the names deleted."""
    import os

    from django.utils import timezone

    storage = SubmittedDocument._meta.get_field("file").storage
    root = os.path.join(storage.location, "documents")
    cutoff = timezone.now().timestamp() - older_than_minutes * 60
    on_disk = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if os.path.getmtime(path) < cutoff:
                on_disk.append(os.path.relpath(path, storage.location).replace(os.sep, "/"))
    if not on_disk:
        return []
    kept = set(SubmittedDocument.objects.filter(file__in=on_disk).values_list("file", flat=True))
    orphans = [name for name in on_disk if name not in kept]
    for name in orphans:
        storage.delete(name)
    return orphans
