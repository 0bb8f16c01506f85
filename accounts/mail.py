"""Mailing notifications, once each: called by the tasks in ``accounts.tasks`` (and re-exported by
``accounts.services``). It imports neither, so the tasks and the services do not import each other.
"""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation

from .models import Notification

# A notification still unmailed this long after it was made lost its task (queue down, worker
# crashed, mail server refused): the scheduled job mails it.
PENDING_AFTER = dt.timedelta(minutes=10)


def notifications_mail_pending(*, older_than=PENDING_AFTER, limit=500):
    """Mail the notifications whose mail never went out; return how many were sent.

    Safe to run at any time and on several workers: each mail is claimed before it is sent.
    """
    cutoff = timezone.now() - older_than
    ids = list(
        Notification.objects.filter(mailed_at__isnull=True, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if notification_send_mail(notification_id=pk))


def notification_send_mail(*, notification_id):
    """Mail one notification exactly once, even if two workers run this together.

    The row is claimed by setting ``mailed_at`` where it is still empty; only the worker whose
    update changed the row sends. If sending fails the claim is released so a retry can send.
    """
    claimed = Notification.objects.filter(pk=notification_id, mailed_at__isnull=True).update(
        mailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    user = notification.user
    if not user.email:
        return False
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{settings.SITE_URL}{notification.url}"
    try:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            send_mail(notification.subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:
        Notification.objects.filter(pk=notification_id).update(mailed_at=None)
        raise
    return True
