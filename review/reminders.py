"""Reminders of the review: reviewers with unfinished score sheets, run by the daily reminder job.

Registered in ``applications.hooks.reminder_jobs`` by ``review.apps.ReviewConfig.ready``.
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from applications.reminders import Outbox, reminder_days

from .models import Assignment

REVIEW_SUBJECT = gettext_lazy("Score sheets for %(call)s are due by %(at)s")
REVIEW_BODY = gettext_lazy("You still have unfinished score sheets for this call. Submit them before %(at)s (Beijing time).")


def review_reminders_send(*, now=None):
    """Remind reviewers with unfinished score sheets of calls whose review deadline is near."""
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
    outbox = Outbox()
    seen = set()
    for assignment in assignments:
        call = assignment.application.competition
        user = assignment.reviewer
        if (user.pk, call.pk) in seen:
            continue
        seen.add((user.pk, call.pk))
        params = {"call": call.title, "at": timezone.localtime(call.review_deadline).strftime("%Y-%m-%d %H:%M")}
        outbox.add(user, f"reminder:review:{call.pk}:{call.review_deadline:%Y%m%d%H%M}:user:{user.pk}",
                   REVIEW_SUBJECT, REVIEW_BODY, params, reverse("review:assignments"))
    return outbox.send()
