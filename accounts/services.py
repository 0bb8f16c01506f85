"""Notifications: created inside the transaction that causes them, mailed once after commit."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from .models import Notification


def notification_create(*, user, key, subject, body, url=""):
    """Create the notification for this occasion unless it exists; return it and whether it is new."""
    try:
        with transaction.atomic():
            return Notification.objects.create(user=user, key=key, subject=subject, body=body, url=url), True
    except IntegrityError:
        return Notification.objects.get(key=key), False


def notifications_enqueue_mail(notification_ids):
    """Send the mails after the surrounding transaction commits, never before.

    If the queue (or, with eager tasks, the mail server) cannot be reached, the error is logged
    and the committed change stands: the person who acted must not see an error for something
    that happened. The notifications stay unmailed and ``notifications_mail_pending`` (a
    scheduled job) sends them later.
    """
    from .tasks import send_notification_mails

    if notification_ids:
        ids = list(notification_ids)
        # Not delay_on_commit(): it cannot ask for a robust callback.
        transaction.on_commit(lambda: send_notification_mails.delay(ids), robust=True)


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


def notification_mark_read(*, user, notification_id=None):
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def user_set_language(*, user, language):
    """The language a person reads the site in is the one their mail and notifications use."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
