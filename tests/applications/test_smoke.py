import pytest

from applications import services
from applications.models import Status
from tests.factories import ApplicationFactory, StaffFactory, member_of

pytestmark = pytest.mark.django_db


def test_submit_then_accept_writes_log_and_mail(mailoutbox, django_capture_on_commit_callbacks):
    app = ApplicationFactory()
    user = member_of(app.organization)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=app, actor=user)
    assert app.status == Status.SUBMITTED
    assert app.reference.startswith("GZ-2026-LF-")
    staff = StaffFactory(bureau=app.competition.bureau)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept_eligible(application=app, actor=staff)
    assert app.status == Status.ELIGIBLE
    assert [e.transition for e in app.log.all()] == ["application.submit", "application.accept_eligible"]
    assert len(mailoutbox) == 2
