"""Mail to the applicant: one notification per member per transition, mailed once, after commit."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from accounts import services as account_services
from accounts.models import Notification
from applications import services
from applications.models import Status
from review import services as review_services
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory, application_in_state

pytestmark = pytest.mark.django_db


def with_two_members(app):
    """Two members who read English (the site default is Chinese; see the module docstring)."""
    owner = MembershipFactory(organization=app.organization, user__language="en").user
    editor = MembershipFactory(organization=app.organization, role="editor", user__language="en").user
    return owner, editor


def test_submit_mails_every_member_after_commit(mailoutbox, django_capture_on_commit_callbacks):
    app = ApplicationFactory(title="社区助餐")
    owner, editor = with_two_members(app)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_submit(application=app, actor=owner)
    # Nothing leaves before the transaction commits.
    assert mailoutbox == []
    assert Notification.objects.filter(mailed_at__isnull=True).count() == 2
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email, editor.email])
    mail = mailoutbox[0]
    assert mail.subject == "Your application GZ-2026-LF-0001 has been submitted"
    assert "Project: 社区助餐" in mail.body
    assert f"Call: {app.competition.title}" in mail.body
    assert f"{settings.SITE_URL}/portal/applications/{app.pk}/" in mail.body
    assert Notification.objects.filter(mailed_at__isnull=True).count() == 0


@pytest.mark.parametrize(
    "name,source,kwargs,subject",
    [
        ("accept_eligible", Status.SUBMITTED, {}, "Your application GZ-2026-LF-0001 passed the eligibility check"),
        ("reject_ineligible", Status.SUBMITTED, {"reason": "不在本区域"}, "Your application GZ-2026-LF-0001 is not eligible"),
        ("return_for_revision", Status.SUBMITTED, {"reason": "补充预算说明"}, "Your application GZ-2026-LF-0001 was returned for revision"),
        ("decline", Status.REVIEWED, {"reason": "得分较低"}, "Your application GZ-2026-LF-0001 will not be funded"),
        ("publicize", Status.RECOMMENDED, {}, "Your application GZ-2026-LF-0001 is in public notice"),
        ("sign_agreement", Status.AWARDED, {}, "The agreement for GZ-2026-LF-0001 is confirmed"),
    ],
)
def test_transitions_that_concern_the_applicant_mail_each_member_once(
    name, source, kwargs, subject, mailoutbox, django_capture_on_commit_callbacks
):
    app = application_in_state(source)
    owner, editor = with_two_members(app)
    mailoutbox.clear()
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        getattr(services, f"application_{name}")(application=app, actor=app.staff, **kwargs)
    new = Notification.objects.order_by("pk")[before:]
    # app.member (made by the helper) plus the two English readers.
    assert len(new) == 3
    assert {n.user for n in new} == {app.member, owner, editor}
    assert len(mailoutbox) == 3
    english = [m for m in mailoutbox if m.to[0] in (owner.email, editor.email)]
    assert [m.subject for m in english] == [subject, subject]


@time_machine.travel(dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc), tick=False)
def test_a_return_tells_the_deadline_in_beijing_time(mailoutbox, django_capture_on_commit_callbacks):
    app = application_in_state(Status.SUBMITTED)
    owner, _ = with_two_members(app)
    deadline = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone.utc)  # 17:30 in Beijing
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return_for_revision(application=app, actor=app.staff, reason="补充预算说明", deadline=deadline)
    mail = next(m for m in mailoutbox if m.to == [owner.email])
    assert "Note: 补充预算说明" in mail.body
    assert "Revise and resubmit before 2026-12-01 17:30 (Beijing time)." in mail.body


@pytest.mark.parametrize("step", ["open_review", "complete_review", "recommend"])
def test_internal_steps_do_not_notify(step, mailoutbox, django_capture_on_commit_callbacks):
    source = {"open_review": Status.ELIGIBLE, "complete_review": Status.UNDER_REVIEW, "recommend": Status.REVIEWED}[step]
    app = application_in_state(source)
    before = Notification.objects.count()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if step == "open_review":
            services.application_open_review(application=app, actor=app.staff)
        elif step == "complete_review":
            reviewer = UserFactory()
            assignment = review_services.assignment_create(application=app, reviewer=reviewer)
            review_services.sheet_submit(sheet=assignment.sheet, actor=reviewer)
        else:
            services.application_recommend(application=app, actor=app.staff, amount="40000")
    app.refresh_from_db()
    assert app.status != source
    assert Notification.objects.count() == before
    assert mailoutbox == []


def test_a_refused_transition_notifies_nobody(mailoutbox, django_capture_on_commit_callbacks):
    app = application_in_state(Status.SUBMITTED)
    mailoutbox.clear()
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.ApplicationError):
        services.application_accept_eligible(application=app, actor=UserFactory())
    assert Notification.objects.count() == before
    assert mailoutbox == []


def test_sending_twice_mails_once(mailoutbox):
    user = UserFactory(language="en")
    notification, created = account_services.notification_create(
        user=user, key="test:once", subject="Your application GZ-2026-LF-0009 is awarded", body="…"
    )
    assert created
    assert account_services.notification_send_mail(notification_id=notification.pk) is True
    assert account_services.notification_send_mail(notification_id=notification.pk) is False
    assert [m.subject for m in mailoutbox] == ["Your application GZ-2026-LF-0009 is awarded"]
    notification.refresh_from_db()
    assert notification.mailed_at is not None


def test_a_sender_killed_after_its_claim_loses_no_mail(mailoutbox, time_machine):
    """A worker killed between claiming a mail and sending it: the broker delivers the same task
    again, which takes its claim back at once; another sender waits until the claim runs out."""
    from accounts.mail import CLAIM_LEASE

    time_machine.move_to(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc), tick=False)
    user = UserFactory(language="en")
    notification, _ = account_services.notification_create(user=user, key="test:killed", subject="s", body="b")
    # What the killed worker left: its claim, and no mail.
    Notification.objects.filter(pk=notification.pk).update(
        mail_claim="task-1", mail_claimed_at=dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)
    )
    assert account_services.notification_send_mail(notification_id=notification.pk, claim="sweep-2") is False
    assert mailoutbox == []
    assert account_services.notification_send_mail(notification_id=notification.pk, claim="task-1") is True
    assert len(mailoutbox) == 1

    other, _ = account_services.notification_create(user=user, key="test:abandoned", subject="s2", body="b")
    Notification.objects.filter(pk=other.pk).update(
        mail_claim="task-3", mail_claimed_at=dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)
    )
    time_machine.move_to(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc) + CLAIM_LEASE + dt.timedelta(seconds=1))
    assert account_services.notifications_mail_pending(older_than=dt.timedelta(0)) == 1
    assert [m.subject for m in mailoutbox] == ["s", "s2"]
    assert Notification.objects.filter(mailed_at__isnull=True).count() == 0


def test_creating_the_same_notification_twice_keeps_one():
    user = UserFactory()
    first, created_first = account_services.notification_create(user=user, key="k:1", subject="a", body="b")
    again, created_again = account_services.notification_create(user=user, key="k:1", subject="a", body="b")
    assert (created_first, created_again) == (True, False)
    assert first.pk == again.pk
    assert Notification.objects.count() == 1


def test_a_failed_send_can_be_retried(settings, mailoutbox):
    user = UserFactory(language="en")
    notification, _ = account_services.notification_create(user=user, key="test:retry", subject="s", body="b")
    # Nothing listens on port 1: the SMTP connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(OSError):
        account_services.notification_send_mail(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.mailed_at is None  # the claim was released
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert account_services.notification_send_mail(notification_id=notification.pk) is True
    assert len(mailoutbox) == 1


def test_a_queue_outage_neither_fails_nor_undoes_the_transition(mailoutbox, django_capture_on_commit_callbacks,
                                                                 time_machine, caplog):
    from accounts.tasks import send_pending_notification_mails
    from tests.applications.test_celery_worker import tasks_sent_to

    app = ApplicationFactory()
    owner, editor = with_two_members(app)
    # Nothing listens on port 1: publishing the mail task fails after the commit.
    with tasks_sent_to("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=app, actor=owner)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert "send_notification_mails" in caplog.text  # the failure is logged
    assert mailoutbox == []
    assert Notification.objects.filter(mailed_at__isnull=True).count() == 2

    # The scheduled job leaves fresh notifications to their own task ...
    assert send_pending_notification_mails() == 0
    # ... and mails the ones that are still waiting ten minutes later, once.
    time_machine.move_to(dt.datetime.now(tz=dt.timezone.utc) + dt.timedelta(minutes=11))
    assert send_pending_notification_mails() == 2
    assert send_pending_notification_mails() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email, editor.email])
