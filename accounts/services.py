"""Notifications: created inside the transaction that causes them, mailed once after commit."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .mail import PENDING_AFTER, notification_send_mail, notifications_mail_pending  # noqa: F401  (services' names)
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
