"""Reminders sent by the daily beat job: reports coming due, due and overdue; unfinished score
sheets before a review deadline (``review.reminders``, registered in ``hooks.reminder_jobs``); drafts
before a call closes.

Each reminder is a ``Notification`` with a key naming the recipient and the occasion, so running
the job twice (or on two workers) creates and mails one. Applicants read them on their
notifications page. Windows, not single days, decide the occasions, so a day the job missed is
caught up on the next run.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from accounts.models import Notification
from competitions.typography import inner_quotes

from .models import Application, Membership, Report, Status


def reminder_days():
    """Days before a due date (or deadline) that the first reminder goes out."""
    return int(getattr(settings, "REMINDER_DAYS_BEFORE", 7))


# Texts are rendered in each recipient's language when the reminder is made.
REPORT_SUBJECTS = {
    "before": gettext_lazy("The %(kind)s of %(ref)s is due on %(day)s"),
    "due": gettext_lazy("The %(kind)s of %(ref)s is due today"),
    "overdue": gettext_lazy("The %(kind)s of %(ref)s is overdue"),
}
REPORT_BODY = gettext_lazy("Project: %(title)s. Due: %(day)s. While a report is overdue, the project's tranches are held.")
DRAFT_SUBJECT = gettext_lazy("Your draft “%(title)s” is not submitted; the call closes %(at)s")
DRAFT_BODY = gettext_lazy("Submit the application before the call closes at %(at)s (Beijing time); drafts are not considered.")


class Outbox(list):
    """Reminders collected by a run; ``send`` skips those already sent (one query per 500 keys)."""

    def add(self, user, key, subject, body, params, url):
        self.append((user, key, subject, body, params, url))

    def send(self):
        keys = [item[1] for item in self]
        existing = set()
        for i in range(0, len(keys), 500):
            existing.update(Notification.objects.filter(key__in=keys[i:i + 500]).values_list("key", flat=True))
        sent = []
        for user, key, subject, body, params, url in self:
            if key in existing:
                continue
            with translation.override(user.language or settings.LANGUAGE_CODE):
                notification, created = account_services.notification_create(
                    user=user, key=key, subject=(str(subject) % params)[:200], body=str(body) % params, url=url,
                )
            if created:
                sent.append(notification.pk)
        account_services.notifications_enqueue_mail(sent)
        return len(sent)


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
    outbox = Outbox()
    for report in reports:
        occasion = report_occasion(report, today)
        app = report.application
        params = {"kind": report.get_kind_display(), "ref": app.reference or app.title, "title": app.title,
                  "day": report.due_date.isoformat()}
        for membership in app.organization.memberships.all():
            user = membership.user
            outbox.add(user, f"reminder:report:{report.pk}:{occasion}:user:{user.pk}",
                       REPORT_SUBJECTS[occasion], REPORT_BODY, params, reverse("applications:report_edit", args=[report.pk]))
    return outbox.send()


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
    outbox = Outbox()
    for app in drafts:
        params = {"title": inner_quotes(app.title), "at": timezone.localtime(app.competition.closes_at).strftime("%Y-%m-%d %H:%M")}
        for membership in app.organization.memberships.all():
            user = membership.user
            outbox.add(user, f"reminder:draft:{app.pk}:{app.competition.closes_at:%Y%m%d%H%M}:user:{user.pk}",
                       DRAFT_SUBJECT, DRAFT_BODY, params, reverse("applications:application_detail", args=[app.pk]))
    return outbox.send()


def reminders_send_all(*, now=None):
    """The daily job: every reminder and the overdue holds. Safe to run twice."""
    from .hooks import reminder_jobs
    from .postaward import holds_update

    now = now or timezone.now()
    today = timezone.localdate(now)
    held, released = holds_update(today=today)
    return {
        "reports": report_reminders_send(today=today),
        **{name: job(now=now) for name, job in reminder_jobs},
        "drafts": draft_reminders_send(now=now),
        "held": held,
        "released": released,
    }
