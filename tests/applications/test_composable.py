"""Services of several steps are all-or-nothing: a failure injected after the workflow transition
leaves nothing written (issue 12, item 3)."""

from decimal import Decimal

import pytest

from applications import postaward, publicity, services
from applications.models import Agreement, Application, Disbursement, Objection, Report, Status, SubmittedDocument, TransitionLog
from review import services as review_services
from review.models import Assignment, ReviewLog
from tests.factories import ApplicationFactory, application_in, application_in_state, member_of
from tests.postaward.conftest import add_plan, pdf_file
from tests.review.conftest import reviewer

pytestmark = pytest.mark.django_db


class Crash(Exception):
    pass


def crash(*args, **kwargs):
    raise Crash("injected")


def test_agreement_confirm_is_all_or_nothing(monkeypatch):
    app = application_in_state(Status.AWARDED)
    add_plan(app.competition)
    postaward.agreement_upload_scan(application=app, actor=app.member, uploaded=pdf_file())
    rows = TransitionLog.objects.filter(application=app).count()
    # The contracted transition and the tranches are written; the report schedule fails.
    monkeypatch.setattr(postaward, "reports_create", crash)
    with pytest.raises(Crash):
        postaward.agreement_confirm(application=app, actor=app.staff)
    assert Application.objects.get(pk=app.pk).status == Status.AWARDED
    assert TransitionLog.objects.filter(application=app).count() == rows
    assert not Disbursement.objects.filter(application=app).exists()
    assert Agreement.objects.get(application=app).confirmed_at is None
    # Nothing half-done stands in the way of trying again.
    monkeypatch.undo()
    postaward.agreement_confirm(application=app, actor=app.staff)
    assert Application.objects.get(pk=app.pk).status == Status.CONTRACTED
    assert Disbursement.objects.filter(application=app).count() == 3 and Report.objects.filter(application=app).count() == 2


def test_objection_decide_is_all_or_nothing(monkeypatch):
    app = application_in_state(Status.PUBLICIZING)
    objection = Objection.objects.create(application=app, objector_name="张三", objector_phone="13800000000", reason="虚报")
    rows = TransitionLog.objects.filter(application=app).count()
    # The cancellation transition ran; telling the applicant fails.
    monkeypatch.setattr(services, "_notify_applicant", crash)
    with pytest.raises(Crash):
        publicity.objection_decide(objection=objection, actor=app.staff, upheld=True, investigation="属实")
    objection.refresh_from_db()
    assert objection.state == Objection.State.OPEN and objection.decided_by is None
    assert Application.objects.get(pk=app.pk).status == Status.PUBLICIZING
    assert TransitionLog.objects.filter(application=app).count() == rows


def test_assignments_generate_is_all_or_nothing(monkeypatch, call, staff, bureau):
    call.reviewers_per_application = 1
    call.save()
    apps = [application_in(Status.ELIGIBLE, competition=call) for _ in range(2)]
    reviewer(bureau)
    # Both reviews were opened and the assignments written; notifying the reviewer fails.
    monkeypatch.setattr(review_services, "_notify_reviewer", crash)
    with pytest.raises(Crash):
        review_services.assignments_generate(competition=call, actor=staff)
    assert not Assignment.objects.filter(application__in=apps).exists()
    assert not ReviewLog.objects.filter(competition=call).exists()
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)) == {Status.ELIGIBLE}


def test_funding_confirm_is_all_or_nothing(monkeypatch, call, staff):
    first, second = (application_in(Status.REVIEWED, competition=call) for _ in range(2))
    real_log = review_services._log
    calls = []

    def log_then_crash(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:  # the second application's step is done, its log fails
            raise Crash("injected")
        return real_log(**kwargs)

    monkeypatch.setattr(review_services, "_log", log_then_crash)
    with pytest.raises(Crash):
        review_services.funding_confirm(
            competition=call, actor=staff, decisions=[(first, Decimal("1000")), (second, None)]
        )
    assert set(Application.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {Status.REVIEWED}
    assert not ReviewLog.objects.filter(competition=call).exists()
    assert not TransitionLog.objects.filter(application__in=[first, second], transition__in=["application.recommend", "application.decline"]).exists()


def test_the_submit_service_keeps_the_submitted_pdf_on_commit(django_capture_on_commit_callbacks):
    app = ApplicationFactory()
    member = member_of(app.organization)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=app, actor=member)
    entry = app.log.get()
    assert SubmittedDocument.objects.filter(application=app, log_entry=entry).count() == 1


def test_a_refused_submit_enqueues_nothing(django_capture_on_commit_callbacks):
    app = ApplicationFactory(title="")
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(services.ApplicationError):
        services.application_submit(application=app, actor=member_of(app.organization))
    assert callbacks == []


def test_services_cannot_be_nested_by_accident():
    """The outermost services are durable: calling one inside a transaction is a programming error."""
    from django.db import transaction

    app = application_in_state(Status.SUBMITTED)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.application_accept_eligible(application=app, actor=app.staff)
