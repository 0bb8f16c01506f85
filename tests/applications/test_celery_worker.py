"""A real Celery worker on Redis sends the notification mail, once (PostgreSQL + Redis).

The worker is a separate process started with the settings an operator would give it; it reads
the test database (so the data must be committed: a transactional test) and writes mail to
files. Locally the test skips without PostgreSQL or Redis; under CI=true it must run.
"""

import os
import subprocess
import time
from contextlib import contextmanager
from email import message_from_string
from pathlib import Path

import pytest
import redis
from django.db import connection

from accounts.models import Notification
from accounts.tasks import send_notification_mails
from applications import services
from tests.factories import ApplicationFactory, MembershipFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


def database_url():
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(predicate, what, proc, log):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"the worker exited ({proc.returncode}) before {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.25)
    pytest.fail(f"no {what} within {WAIT_SECONDS} s; worker log:\n{log.read_text()[-3000:]}")


@contextmanager
def tasks_sent_to(broker_url):
    """Send tasks to ``broker_url`` instead of running them in-process; put everything back afterwards."""
    from config.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def forget_pools():
        # Forget the cached pools so the next send builds them from the broker URL now set.
        # They are not closed: kombu keeps pools per URL process-wide and would hand a closed
        # one to the next test that sends (eager sends acquire a producer too).
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(broker_url=broker_url, task_always_eager=False)
    forget_pools()
    try:
        yield app
    finally:
        app.conf.update(**saved)
        forget_pools()


@pytest.fixture
def tasks_to_broker(redis_url, settings):
    # Start from an empty queue: no leftover task from an earlier run may be taken for ours.
    redis.Redis.from_url(redis_url).delete("celery", "unacked", "unacked_index")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with tasks_sent_to(redis_url):
        yield redis_url


@pytest.fixture
def worker(require_postgres, tasks_to_broker, tmp_path):
    """A worker process like production's, writing mail as files into ``tmp_path / 'mail'``."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": tasks_to_broker,
        "EMAIL_URL": f"file://{mail_dir}",
    }
    celery = str(BASE_DIR / ".venv" / "bin" / "celery")
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [celery, "-A", "config", "worker", "--pool=solo", "--loglevel=info",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", f"h1-test-{os.getpid()}@%h"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        yield proc, mail_dir, log
    finally:
        stop(proc)


def stop(proc):
    """Stop a worker process: politely, then for good."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_the_worker_sends_the_mail_once(worker):
    proc, mail_dir, log = worker
    app = ApplicationFactory()
    member = MembershipFactory(organization=app.organization, user__language="en").user

    services.application_submit(application=app, actor=member)  # commits; the task goes to Redis

    mails = lambda: sorted(mail_dir.iterdir())  # noqa: E731
    # Django's file backend creates the file, then writes the message and a line of dashes: a
    # file that exists may still be empty, so wait for the line that ends the message.
    ended = "\n" + "-" * 79
    wait_for(lambda: mails() and ended in mails()[0].read_text(), "mail file from the worker", proc, log)
    message = message_from_string(mails()[0].read_text().split(ended)[0])
    assert message["Subject"] == "Your application GZ-2026-LF-0001 has been submitted"
    assert message["To"] == member.email
    notification = Notification.objects.get(user=member)
    wait_for(lambda: Notification.objects.get(pk=notification.pk).mailed_at is not None,
             "mailed_at on the notification", proc, log)

    # The same task again, through the worker: it runs, and sends nothing.
    send_notification_mails.delay([notification.pk])
    wait_for(lambda: log.read_text().count("succeeded in") >= 2, "second task run", proc, log)
    assert len(mails()) == 1
    assert "send_notification_mails" in log.read_text()
