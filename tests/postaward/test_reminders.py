"""Time-travel tests of every reminder and of the overdue hold (time-machine)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Notification
from applications import postaward
from applications.models import Disbursement, Status
from applications.reminders import reminders_send_all
from tests.factories import ApplicationFactory, AssignmentFactory, CompetitionFactory, member_of

from .conftest import contracted

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


def at(day, hour=9):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BEIJING)


def keys(user):
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


def _reminders(user):
    return [k for k in keys(user) if k.startswith("reminder:")]


@pytest.fixture
def project(db):
    app = contracted()
    app.midterm = app.reports.get(kind="midterm")
    return app


@pytest.mark.parametrize(
    ("days_before_due", "occasion"),
    [(8, None), (7, "before"), (3, "before"), (0, "due"), (-1, "overdue")],
)
def test_report_reminder_occasions(project, days_before_due, occasion, django_capture_on_commit_callbacks, mailoutbox):
    day = project.midterm.due_date - dt.timedelta(days=days_before_due)
    with time_machine.travel(at(day), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send_all()
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send_all()  # the job runs twice: still one notification and one mail
    found = [k for k in _reminders(project.member) if k.startswith(f"reminder:report:{project.midterm.pk}:")]
    if occasion is None:
        assert found == []
    else:
        assert found == [f"reminder:report:{project.midterm.pk}:{occasion}:user:{project.member.pk}"]
        subjects = [m.subject for m in mailoutbox if "Mid-term report" in m.subject]
        assert len(subjects) == 1


def test_each_occasion_once_across_days(project):
    due = project.midterm.due_date
    for offset in (-7, -6, -1, 0, 0, 1, 2):
        with time_machine.travel(at(due + dt.timedelta(days=offset)), tick=False):
            reminders_send_all()
    occasions = [k.split(":")[3] for k in _reminders(project.member) if k.startswith("reminder:report:")]
    assert sorted(occasions) == ["before", "due", "overdue"]


def test_submitted_report_gets_no_reminder(project):
    postaward.report_save(report=project.midterm, actor=project.member, narrative="已完成")
    postaward.report_submit(report=project.midterm, actor=project.member)
    with time_machine.travel(at(project.midterm.due_date), tick=False):
        reminders_send_all()
    assert not [k for k in _reminders(project.member) if k.startswith("reminder:report:")]


def test_applicant_sees_reminder_in_site(project, client):
    with time_machine.travel(at(project.midterm.due_date), tick=False):
        reminders_send_all()
    client.force_login(project.member)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=project.member, email=project.member.email, verified=True, primary=True)
    page = client.get("/portal/notifications/")
    assert page.status_code == 200
    assert "is due today" in page.content.decode()


def test_overdue_report_holds_tranche_until_accepted(project):
    staff, member = project.staff, project.member
    first = project.disbursements.get(position=0)
    due = project.midterm.due_date
    with time_machine.travel(at(due + dt.timedelta(days=1)), tick=False):
        reminders_send_all()
        first.refresh_from_db()
        assert first.held_at is not None
        with pytest.raises(postaward.ApplicationError, match="held"):
            postaward.disbursement_approve(disbursement=first, actor=staff)
        # Submitting is not enough: the hold lasts until the report is accepted.
        postaward.report_save(report=project.midterm, actor=member, narrative="迟交的中期报告")
        postaward.report_submit(report=project.midterm, actor=member)
        reminders_send_all()
        first.refresh_from_db()
        assert first.held_at is not None
        postaward.report_accept(report=project.midterm, actor=staff)
        first.refresh_from_db()
        assert first.held_at is None
        postaward.disbursement_approve(disbursement=first, actor=staff)
        assert Disbursement.objects.get(pk=first.pk).state == Disbursement.State.APPROVED


def test_not_held_before_due(project):
    with time_machine.travel(at(project.midterm.due_date), tick=False):
        reminders_send_all()
    assert not project.disbursements.filter(held_at__isnull=False).exists()


@pytest.mark.parametrize(("days_before", "expected"), [(8, 0), (6, 1), (-1, 0)])
def test_review_deadline_reminder(db, days_before, expected):
    deadline = timezone.now() + dt.timedelta(days=20)
    call = CompetitionFactory(review_deadline=deadline)
    pending = AssignmentFactory(application=ApplicationFactory(competition=call))
    AssignmentFactory(application=ApplicationFactory(competition=call), reviewer=pending.reviewer)  # same call: one reminder
    done = AssignmentFactory(application=ApplicationFactory(competition=call), state="submitted")
    with time_machine.travel(deadline - dt.timedelta(days=days_before), tick=False):
        reminders_send_all()
        reminders_send_all()
    assert len([k for k in _reminders(pending.reviewer) if k.startswith("reminder:review:")]) == expected
    assert _reminders(done.reviewer) == []


@pytest.mark.parametrize(("days_before", "expected"), [(8, 0), (2, 1), (-1, 0)])
def test_draft_reminder_before_close(db, days_before, expected):
    closes = timezone.now() + dt.timedelta(days=20)
    call = CompetitionFactory(closes_at=closes)
    draft = ApplicationFactory(competition=call)
    member = member_of(draft.organization)
    with time_machine.travel(closes - dt.timedelta(days=days_before), tick=False):
        reminders_send_all()
        reminders_send_all()
    assert len([k for k in _reminders(member) if k.startswith("reminder:draft:")]) == expected
    assert draft.status == Status.DRAFT


def test_beat_entry_runs_the_registered_task(project):
    from applications.jobs import send_reminders
    from config.celery import app as celery_app
    from config.schedule import BEAT_SCHEDULE

    name = BEAT_SCHEDULE["post-award-reminders"]["task"]
    assert name in celery_app.tasks
    with time_machine.travel(at(project.midterm.due_date), tick=False):
        result = send_reminders.delay().get()
    assert result["reports"] == 1


def test_reminder_days_is_a_setting(project, settings):
    settings.REMINDER_DAYS_BEFORE = 3
    with time_machine.travel(at(project.midterm.due_date - dt.timedelta(days=5)), tick=False):
        reminders_send_all()
    assert _reminders(project.member) == []
    with time_machine.travel(at(project.midterm.due_date - dt.timedelta(days=3)), tick=False):
        reminders_send_all()
    assert len(_reminders(project.member)) == 1
