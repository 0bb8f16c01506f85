"""Notifications: created inside the transaction that causes them, mailed once after commit."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from .mail import PENDING_AFTER, notification_send_mail, notifications_mail_pending  # noqa: F401  (services' names)
from .models import Notification


def notification_create(*, user, key, subject, body, url="", email=""):
    """Create the notification for this occasion unless it exists; return it and whether it is new."""
    try:
        with transaction.atomic():
            return Notification.objects.create(user=user, email=email, key=key, subject=subject, body=body, url=url), True
    except IntegrityError:
        return Notification.objects.get(key=key), False


def notify(*, key, subject, body="", url="", users=(), emails=()):
    """The one way the system tells people something: a notification for each of ``users`` (shown
    in the site and mailed) and for each address in ``emails`` (people without an account yet,
    mailed only), every mail recorded in the Notification table and sent after the commit.

    ``subject`` and ``body`` are text or callables, rendered in each person's own language; ``url``
    is a path built with ``reverse()``; ``key`` names the occasion, so running the same step twice
    tells each person once. Returns the ids of the notifications made now.
    """
    ids = []
    recipients = [(user, user.email, user.language) for user in users] + [(None, email, "") for email in emails]
    for user, email, language in recipients:
        with translation.override(language or settings.LANGUAGE_CODE):
            text = str(subject() if callable(subject) else subject)[:200]
            message = str(body() if callable(body) else body)
        who = f"user:{user.pk}" if user is not None else f"email:{email.lower()}"
        notification, created = notification_create(
            user=user, email="" if user is not None else email, key=f"{key}:{who}"[:200], subject=text, body=message, url=url,
        )
        if created:
            ids.append(notification.pk)
    notifications_enqueue_mail(ids)
    return ids


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
