"""Reminders sent by the daily beat job: reports coming due, due and overdue; unfinished score
sheets before a review deadline; drafts before a call closes.

Each reminder is a ``Notification`` with a key naming the recipient and the occasion, so running
the job twice (or on two workers) creates and mails one. Applicants read them on their
notifications page. Windows, not single days, decide the occasions, so a day the job missed is
caught up on the next run.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import services as account_services

from .models import Application, Membership, Report, Status


def reminder_days():
    """Days before a due date (or deadline) that the first reminder goes out."""
    return int(getattr(settings, "REMINDER_DAYS_BEFORE", 7))


def _send(user, key, subject, body, url, sent):
    with translation.override(user.language or settings.LANGUAGE_CODE):
        notification, created = account_services.notification_create(
            user=user, key=key, subject=str(subject()), body=str(body()), url=url,
        )
    if created:
        sent.append(notification.pk)


def report_occasion(report, today):
    """'before', 'due' or 'overdue' for a report not yet handed in, or None when nothing is due."""
    if report.due_date < today:
        return "overdue"
    if report.due_date == today:
        return "due"
    if report.due_date - dt.timedelta(days=reminder_days()) <= today:
        return "before"
    return None


def report_reminders_send(*, today=None):
    """Remind the members of organizations whose reports are coming due, due or overdue."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=reminder_days())
    reports = (
        Report.objects.filter(
            state__in=[Report.State.DRAFT, Report.State.RETURNED],
            application__status=Status.CONTRACTED, due_date__lte=horizon,
        )
        .select_related("application")
        .prefetch_related(Prefetch("application__organization__memberships", Membership.objects.select_related("user")))
    )
    sent = []
    for report in reports:
        occasion = report_occasion(report, today)
        app = report.application
        for membership in app.organization.memberships.all():
            user = membership.user
            subjects = {
                "before": lambda: _("The %(kind)s of %(ref)s is due on %(day)s"),
                "due": lambda: _("The %(kind)s of %(ref)s is due today"),
                "overdue": lambda: _("The %(kind)s of %(ref)s is overdue"),
            }
            params = {"kind": report.get_kind_display(), "ref": app.reference or app.title, "day": report.due_date.isoformat()}
            _send(
                user, f"reminder:report:{report.pk}:{occasion}:user:{user.pk}",
                lambda: subjects[occasion]() % params,
                lambda: _("Project: %(title)s. Due: %(day)s. While a report is overdue, the project's tranches are held.")
                % {"title": app.title, "day": report.due_date.isoformat()},
                f"/portal/reports/{report.pk}/", sent,
            )
    account_services.notifications_enqueue_mail(sent)
    return len(sent)


def review_reminders_send(*, now=None):
    """Remind reviewers with unfinished score sheets of calls whose review deadline is near."""
    from review.models import Assignment

    now = now or timezone.now()
    assignments = (
        Assignment.objects.filter(
            state=Assignment.State.ASSIGNED,
            application__competition__review_deadline__gt=now,
            application__competition__review_deadline__lte=now + dt.timedelta(days=reminder_days()),
        )
        .select_related("reviewer", "application__competition")
        .order_by("reviewer_id", "application__competition_id")
    )
    sent = []
    seen = set()
    for assignment in assignments:
        call = assignment.application.competition
        user = assignment.reviewer
        if (user.pk, call.pk) in seen:
            continue
        seen.add((user.pk, call.pk))
        deadline = timezone.localtime(call.review_deadline).strftime("%Y-%m-%d %H:%M")
        _send(
            user, f"reminder:review:{call.pk}:{call.review_deadline:%Y%m%d%H%M}:user:{user.pk}",
            lambda: _("Score sheets for %(call)s are due by %(at)s") % {"call": call.title, "at": deadline},
            lambda: _("You still have unfinished score sheets for this call. Submit them before %(at)s (Beijing time).") % {"at": deadline},
            "/review/", sent,
        )
    account_services.notifications_enqueue_mail(sent)
    return len(sent)


def draft_reminders_send(*, now=None):
    """Remind members of organizations with a draft to a call that closes soon."""
    now = now or timezone.now()
    drafts = (
        Application.objects.filter(
            status=Status.DRAFT, competition__closes_at__gt=now,
            competition__closes_at__lte=now + dt.timedelta(days=reminder_days()),
        )
        .select_related("competition")
        .prefetch_related(Prefetch("organization__memberships", Membership.objects.select_related("user")))
    )
    sent = []
    for app in drafts:
        closes = timezone.localtime(app.competition.closes_at).strftime("%Y-%m-%d %H:%M")
        for membership in app.organization.memberships.all():
            user = membership.user
            _send(
                user, f"reminder:draft:{app.pk}:{app.competition.closes_at:%Y%m%d%H%M}:user:{user.pk}",
                lambda: _("Your draft “%(title)s” is not submitted; the call closes %(at)s") % {"title": app.title, "at": closes},
                lambda: _("Submit the application before the call closes at %(at)s (Beijing time); drafts are not considered.") % {"at": closes},
                f"/portal/applications/{app.pk}/", sent,
            )
    account_services.notifications_enqueue_mail(sent)
    return len(sent)


def reminders_send_all(*, now=None):
    """The daily job: every reminder and the overdue holds. Safe to run twice."""
    from .postaward import holds_update

    now = now or timezone.now()
    today = timezone.localdate(now)
    held, released = holds_update(today=today)
    return {
        "reports": report_reminders_send(today=today),
        "reviews": review_reminders_send(now=now),
        "drafts": draft_reminders_send(now=now),
        "held": held,
        "released": released,
    }
