"""Faults at the deadline: a worker killed with ``kill -9``, the broker down, database connections
cut. Each scenario ends with every submitted application holding exactly one 申报书 PDF and one
mail, no orphan file, and no request answered with a 500 (PostgreSQL + Redis + real Celery
workers; skipped locally without them, required under CI=true).

Each scenario prints its figures (recovery time, jobs re-queued) for the operator's notes.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts.mail import notifications_mail_pending
from accounts.models import Notification
from applications.jobs import requeue_missing_work
from applications.models import Status, SubmittedDocument
from tests.applications.test_celery_worker import BASE_DIR, database_url, stop, tasks_sent_to
from tests.factories import ApplicationFactory, CompetitionFactory, OrganizationFactory, member_of
from tests.portal.conftest import verified

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

APPLICANTS = 6
VISIBILITY_SECONDS = 6  # a killed worker's task goes back to the queue after this
SETTLE_SECONDS = 120
SEPARATOR = "\n" + "-" * 79


@pytest.fixture
def rig(require_postgres, redis_url, settings, tmp_path):
    from config.celery import app

    redis.Redis.from_url(redis_url).delete("celery", "unacked", "unacked_index")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = app.conf.broker_transport_options
    app.conf.broker_transport_options = {**saved, "visibility_timeout": VISIBILITY_SECONDS}
    rig = Rig(redis_url, tmp_path)
    try:
        with tasks_sent_to(redis_url):
            yield rig
    finally:
        rig.stop_all()
        app.conf.broker_transport_options = saved


class Rig:
    def __init__(self, broker, tmp_path):
        self.broker, self.tmp_path = broker, tmp_path
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.workers = []

    def start_worker(self):
        log = self.tmp_path / f"worker-{len(self.workers)}.log"
        env = {**os.environ, "DJANGO_ENV": "development", "DATABASE_URL": database_url(),
               "CELERY_BROKER_URL": self.broker, "EMAIL_URL": f"file://{self.mail_dir}",
               "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS), "CELERY_TASK_TIME_LIMIT": "60",
               "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT)}
        with open(log, "w") as out:
            proc = subprocess.Popen(
                [str(BASE_DIR / ".venv" / "bin" / "celery"), "-A", "config", "worker", "--pool=solo", "--loglevel=info",
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--hostname", f"fault-{os.getpid()}-{len(self.workers)}@%h"],
                cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        self.workers.append((proc, log))
        return proc

    def stop_all(self):
        for proc, _log in self.workers:
            stop(proc)

    def logs(self):
        return "\n".join(log.read_text()[-2000:] for _proc, log in self.workers)

    def mails(self):
        return sum(path.read_text().count(SEPARATOR) for path in self.mail_dir.iterdir()) + len(mail.outbox)


def drafts():
    call = CompetitionFactory()
    people = []
    for _ in range(APPLICANTS):
        organization = OrganizationFactory()
        member = verified(member_of(organization, user__language="en"))
        people.append((ApplicationFactory(organization=organization, competition=call), member))
    return people


def submit_all(client, people):
    codes = []
    for application, member in people:
        client.force_login(member)
        response = client.post(reverse("applications:submit", args=[application.pk]), {"version": application.version, "confirmed": "1"})
        codes.append(response.status_code)
    return codes


def documents():
    return SubmittedDocument.objects.count()


def settled(rig, people):
    ids = [a.pk for a, _m in people]
    return (
        SubmittedDocument.objects.filter(application__in=ids).count() == len(ids)
        and Notification.objects.filter(user__in=[m for _a, m in people], mailed_at__isnull=True).count() == 0
        and rig.mails() >= len(ids)
    )


def wait_until(predicate, what, rig, seconds=SETTLE_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.2)
    pytest.fail(f"no {what} within {seconds} s; workers' logs:\n{rig.logs()}")


def assert_exactly_one_of_each(rig, people, *, repeats=0):
    """``repeats``: mails that may go out twice, for a worker killed in the instant between the
    mail server's acceptance and the row's update (a repeated mail rather than a lost one)."""
    for application, member in people:
        application.refresh_from_db()
        assert application.status == Status.SUBMITTED
        assert SubmittedDocument.objects.filter(application=application).count() == 1, application.reference
    assert len(people) <= rig.mails() <= len(people) + repeats  # one mail each, none lost
    on_disk = [p for p in (Path(settings.PRIVATE_MEDIA_ROOT) / "documents").rglob("*") if p.is_file()]
    assert len(on_disk) == len(people), "an orphan 申报书 file was left behind"


def test_a_worker_killed_mid_queue_loses_nothing(rig, client):
    people = drafts()
    first = rig.start_worker()
    assert submit_all(client, people) == [302] * APPLICANTS
    wait_until(lambda: documents() >= 1, "first 申报书", rig)
    os.kill(first.pid, signal.SIGKILL)  # mid-queue: its current task is unacknowledged
    first.wait(timeout=10)
    killed_at = time.monotonic()
    done_before = documents()
    rig.start_worker()
    requeued = {"application_pdfs": 0, "award_notices": 0, "annual_reports": 0, "orphan_files": 0}
    try:
        done = wait_until(lambda: settled(rig, people), "recovery after the kill", rig,
                          seconds=VISIBILITY_SECONDS + 30)
    except pytest.fail.Exception:
        requeued = requeue_missing_work(older_than_minutes=0)  # the beat job, as the backstop
        done = wait_until(lambda: settled(rig, people), "recovery after the re-queue", rig)
    print(f"\nworker kill -9 after {done_before}/{APPLICANTS} PDFs: every PDF and mail present "
          f"{done - killed_at:.1f} s after the kill; re-queued by the backstop job: {requeued}")
    assert_exactly_one_of_each(rig, people, repeats=1)


def test_the_broker_down_at_the_deadline_loses_nothing_and_shows_no_error(rig, client):
    people = drafts()
    rig.start_worker()
    with tasks_sent_to("redis://127.0.0.1:1/0"):  # nothing listens there: every enqueue fails
        codes = submit_all(client, people)
    assert codes == [302] * APPLICANTS  # each applicant reached the receipt
    assert documents() == 0
    back_at = time.monotonic()
    requeued = requeue_missing_work(older_than_minutes=0)
    mailed = notifications_mail_pending(older_than=__import__("datetime").timedelta(0))
    done = wait_until(lambda: settled(rig, people), "recovery after the broker came back", rig)
    print(f"\nbroker down for {APPLICANTS} submits: all kept and answered 302; after it came back "
          f"{requeued['application_pdfs']} PDFs re-queued and {mailed} pending mails sent; "
          f"every PDF and mail present {done - back_at:.1f} s later")
    assert requeued["application_pdfs"] == APPLICANTS
    assert_exactly_one_of_each(rig, people)


def test_database_connections_cut_mid_queue_lose_nothing(rig, client):
    people = drafts()
    rig.start_worker()
    assert submit_all(client, people) == [302] * APPLICANTS
    wait_until(lambda: documents() >= 1, "first 申报书", rig)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        (cut,) = cursor.fetchone()
    cut_at = time.monotonic()
    done = wait_until(lambda: settled(rig, people), "recovery after the connections were cut", rig)
    print(f"\n{cut} database connection(s) of the worker cut mid-queue: every PDF and mail present "
          f"{done - cut_at:.1f} s later (tasks retried with backoff)")
    assert_exactly_one_of_each(rig, people)
