"""A killed or failing worker loses nothing and leaves nothing behind: settings from the
environment, retries on database and storage errors, and no 申报书 file without its row."""

import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError

from applications.models import Status, SubmittedDocument, TransitionLog
from applications.tasks import generate_application_pdf, sweep_orphan_documents
from tests.factories import application_in_state

pytestmark = pytest.mark.django_db


def _conf(**env):
    code = ("import django; django.setup(); from config.celery import app; c = app.conf; "
            "print(c.task_acks_late, c.task_reject_on_worker_lost, c.broker_transport_options['visibility_timeout'], "
            "c.task_time_limit, c.worker_max_tasks_per_child, c.worker_max_memory_per_child)")
    done = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_worker_settings_come_from_the_environment_with_safe_defaults():
    assert _conf() == ["True", "True", "300", "240", "200", "1000000"]
    assert _conf(CELERY_VISIBILITY_TIMEOUT="120", CELERY_WORKER_MAX_TASKS_PER_CHILD="50",
                 CELERY_WORKER_MAX_MEMORY_PER_CHILD="150000") == ["True", "True", "120", "60", "50", "150000"]


def _submit_entry():
    app = application_in_state(Status.SUBMITTED)
    SubmittedDocument.objects.filter(application=app).delete()
    return TransitionLog.objects.get(application=app, transition="application.submit")


def _files():
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_database_error_after_the_file_is_written_leaves_no_file_and_the_retry_stores_one():
    entry = _submit_entry()
    for path in _files():
        path.unlink()
    real_save = SubmittedDocument.save
    calls = []

    def flaky_save(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            assert len(_files()) == 1  # the file was written before the row...
            raise OperationalError("server closed the connection unexpectedly")
        return real_save(self, *args, **kwargs)

    with mock.patch.object(SubmittedDocument, "save", flaky_save):
        # throw=False: an eager task retries in place, as a worker would after its backoff.
        result = generate_application_pdf.apply(args=[entry.pk], throw=False)
    assert result.successful()
    assert len(calls) == 2  # ...taken away with the failed row, then retried
    assert SubmittedDocument.objects.filter(log_entry=entry).count() == 1
    assert len(_files()) == 1
    assert generate_application_pdf.apply(args=[entry.pk]).result is None  # a second run changes nothing
    assert len(_files()) == 1


def test_the_sweep_deletes_only_old_files_that_no_row_points_at():
    entry = _submit_entry()
    generate_application_pdf.apply(args=[entry.pk])
    (kept,) = _files()
    orphan = kept.parent / "GZ-orphan-1.pdf"
    orphan.write_bytes(b"%PDF-1.4 left by a killed worker")
    young = kept.parent / "GZ-young-1.pdf"
    young.write_bytes(b"%PDF-1.4 a task still running")
    # Times from the (possibly shifted) test clock, as the sweep reads it.
    now = time.time()
    for path, at in ((kept, now - 3600), (orphan, now - 3600), (young, now - 60)):
        os.utime(path, (at, at))

    deleted = sweep_orphan_documents(older_than_minutes=30)
    assert [Path(name).name for name in deleted] == ["GZ-orphan-1.pdf"]
    assert sorted(p.name for p in _files()) == sorted([kept.name, young.name])
    assert sweep_orphan_documents(older_than_minutes=30) == []
