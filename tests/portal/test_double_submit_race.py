"""Two submit requests at the same moment (a double tap on a slow phone): one submission, one receipt."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from applications.models import SubmittedDocument, TransitionLog
from tests.factories import ApplicationFactory, member_of
from tests.portal.conftest import verified

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_submits_make_one_submission(require_postgres):
    app = ApplicationFactory()
    user = verified(member_of(app.organization))
    url = reverse("applications:submit", args=[app.pk])
    barrier = threading.Barrier(2)
    results = []

    def tap():
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        barrier.wait()
        try:
            response = client.post(url, {"version": app.version, "confirmed": "1"})
            results.append((response.status_code, response["Location"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    receipt = reverse("applications:receipt", args=[app.pk])
    assert results == [(302, receipt), (302, receipt)]
    assert TransitionLog.objects.filter(application=app, transition="application.submit").count() == 1
    assert SubmittedDocument.objects.filter(application=app).count() == 1
