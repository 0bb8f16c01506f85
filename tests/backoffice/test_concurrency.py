"""Two staff press the same button at the same moment, on PostgreSQL with real connections."""

import threading

import pytest
from django.db import connection
from django.test import Client

from applications.models import Status, TransitionLog

from .conftest import application_in, staff_with_admin

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_staff_accept_together_one_step_happens_the_other_reads_why(require_postgres, bureau, call):
    app = application_in(Status.SUBMITTED, competition=call)
    clients = []
    for _ in range(2):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(staff_with_admin(bureau))
        clients.append(client)
    barrier, responses = threading.Barrier(2), [None, None]

    def press(i):
        try:
            barrier.wait(timeout=30)
            responses[i] = clients[i].post(
                f"/admin/application/transition/{app.pk}/accept_eligible/",
                {"accept_eligible-version": app.version},  # both pages showed the same version
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 302], codes  # one redirect (done), one page with the reason; no 500
    refused = next(r for r in responses if r.status_code == 200).content.decode()
    assert ("Someone else" in refused) or ("This cannot be done while the application is" in refused)
    app.refresh_from_db()
    assert app.status == Status.ELIGIBLE
    assert TransitionLog.objects.filter(application=app).count() == 1
