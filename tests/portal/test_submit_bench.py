"""Deadline rush: the submit endpoint against a bare one-INSERT view, in process.

Prints figures; asserts only that nothing is lost or doubled. The design target (≥ 20% of the
bare view with gunicorn + PostgreSQL and 16 clients, p99 < 500 ms) is about a real server; this
gives the ratio in process, which moves the same way. The PDF is left to the queue, as in
production (a worker renders it), so the request does not include it.
`pytest -m benchmark -s tests/portal/test_submit_bench.py` (BENCH_SUBMITS=n, default 100).
"""

import os
import statistics
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from applications.models import Application, TransitionLog
from tests.factories import ApplicationFactory, CompetitionFactory, member_of
from tests.portal.conftest import verified

pytestmark = [pytest.mark.benchmark, pytest.mark.urls("tests.portal.bench_urls")]

N = int(os.environ.get("BENCH_SUBMITS", "100"))


class _Queue:
    """Stands in for the Celery queue: records what would be rendered."""

    def __init__(self):
        self.ids = []

    def delay(self, log_entry_id):  # the view queues it on commit
        self.ids.append(log_entry_id)


def _setup(n):
    call = CompetitionFactory(rubric=False)
    clients = []
    for app in ApplicationFactory.create_batch(n, competition=call):
        # A server error is counted, as a real client would see it, instead of stopping the run.
        client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
        client.force_login(verified(member_of(app.organization)))
        clients.append((client, app))
    return call, clients


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _bare(client, n):
    client.post("/__bench__/insert/")  # warm up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        assert client.post("/__bench__/insert/").status_code == 200
        times.append(time.perf_counter() - start)
    return times


def _report(label, times, wall, bare_rate=None):
    rate = len(times) / wall
    line = (f"{label:<34}{rate:8.0f} req/s   p50 {statistics.median(times) * 1000:6.1f} ms"
            f"   p99 {_percentile(times, 0.99) * 1000:6.1f} ms")
    if bare_rate:
        line += f"   {rate / bare_rate:6.1%} of bare"
    print(line)
    return rate


@pytest.mark.django_db
def test_sequential_submits_against_a_bare_insert(monkeypatch, django_capture_on_commit_callbacks):
    queue = _Queue()
    monkeypatch.setattr("applications.tasks.generate_application_pdf", queue)
    _call, clients = _setup(N)
    start = time.perf_counter()
    bare_times = _bare(clients[0][0], N)
    bare_rate = _report("bare one-INSERT view", bare_times, time.perf_counter() - start)
    times = []
    start = time.perf_counter()
    for client, app in clients:
        t = time.perf_counter()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/portal/applications/{app.pk}/submit/", {"version": app.version, "confirmed": "1"})
        times.append(time.perf_counter() - t)
        assert response.status_code == 302
    print(f"\n{connection.vendor}, {N} submits, one client at a time")
    _report("submit", times, time.perf_counter() - start, bare_rate)
    assert Application.objects.filter(status="submitted").count() == N
    assert len(queue.ids) == N


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_clients_at_the_deadline(require_postgres, monkeypatch):
    queue = _Queue()
    monkeypatch.setattr("applications.tasks.generate_application_pdf", queue)
    _call, clients = _setup(N)
    times, errors, lock = [], [], threading.Lock()
    work = list(clients) + list(clients[: N // 4])  # a quarter are double taps
    chunks = [work[i::16] for i in range(16)]

    def run(chunk):
        try:
            for client, app in chunk:
                t = time.perf_counter()
                response = client.post(f"/portal/applications/{app.pk}/submit/", {"version": app.version, "confirmed": "1"})
                with lock:
                    times.append(time.perf_counter() - t)
                    if response.status_code != 302 or "/receipt/" not in response["Location"]:
                        errors.append((app.pk, response.status_code))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    print(f"\n{connection.vendor}, {len(work)} submit requests ({N} applications, {N // 4} double taps), 16 threads")
    _report("submit, 16 clients", times, wall)
    print(f"errors: {len(errors)} {errors[:5]}")
    # Nothing doubled: one submission, one log row and one reference per application, whatever
    # the responses were.
    assert Application.objects.filter(status="submitted").count() == N
    assert TransitionLog.objects.filter(transition="application.submit").count() == N
    assert len(set(Application.objects.values_list("reference", flat=True))) == N
    assert len(queue.ids) == len(set(queue.ids))
    # Known: a 500 can come from applications.services calling refresh_from_db() (django-fsm's is
    # not thread-safe); it happens after the commit, so nothing is lost. Reported to its owner.
    assert not errors
