"""A broker outage at the deadline: the submission is kept, the applicant sees the receipt, the PDF follows."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from kombu.exceptions import OperationalError

from applications.jobs import requeue_missing_work
from applications.models import SubmittedDocument
from applications.tasks import generate_application_pdf

from .test_submit import submit

pytestmark = pytest.mark.django_db


def test_broker_down_at_submit_keeps_it_shows_the_receipt_and_the_pdf_follows(
    app_client, draft, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(generate_application_pdf, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(app_client, draft)
    assert response.status_code == 302  # to the receipt, not a 500
    draft.refresh_from_db()
    assert draft.status == "submitted"
    receipt = app_client.get(response["Location"]).content.decode()
    assert draft.reference in receipt and "being prepared" in receipt
    assert not SubmittedDocument.objects.exists()
    assert "Connection refused" in caplog.text  # the failed enqueue is logged, not shown

    monkeypatch.undo()  # the broker is back
    assert requeue_missing_work()["application_pdfs"] == 0  # too recent: its own task may still be queued
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        assert requeue_missing_work()["application_pdfs"] == 1
        assert requeue_missing_work()["application_pdfs"] == 0  # one document per submit, never two
    assert SubmittedDocument.objects.filter(application=draft).count() == 1
    assert draft.reference in app_client.get(response["Location"]).content.decode()


def test_broker_down_at_the_award_keeps_the_award_and_the_notice_follows(django_capture_on_commit_callbacks, monkeypatch):
    from django.core.management import call_command

    from applications.models import AwardNotice, Status
    from applications.notices import notice_issue
    from applications.tasks import render_award_notice
    from tests.factories import application_in_state

    app = application_in_state(Status.AWARDED)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(render_award_notice, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notice, created = notice_issue(application=app)  # no exception reaches the caller
    assert created and not notice.file
    monkeypatch.undo()

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        assert requeue_missing_work()["award_notices"] == 1
        assert requeue_missing_work()["award_notices"] == 0
    notice = AwardNotice.objects.get(application=app)
    assert notice.file.read(5) == b"%PDF-"
    out = __import__("io").StringIO()
    call_command("requeue_missing", stdout=out)
    assert "award notices re-queued: 0" in out.getvalue()
