"""Mailing notifications, once each: called by the tasks in ``accounts.tasks`` (and re-exported by
``accounts.services``). It imports neither, so the tasks and the services do not import each other.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone, translation

from .links import absolute_url
from .models import Notification

# A notification still unmailed this long after it was made lost its task (queue down, worker
# crashed, mail server refused): the scheduled job mails it.
PENDING_AFTER = dt.timedelta(minutes=10)
# How long a sender's claim on a mail holds before another may send it: longer than any send
# takes (the task time limit stops one long before), shorter than the sweep's PENDING_AFTER.
CLAIM_LEASE = dt.timedelta(minutes=5)


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
    claim = f"sweep-{uuid.uuid4()}"
    return sum(1 for pk in ids if notification_send_mail(notification_id=pk, claim=claim))


def notification_send_mail(*, notification_id, claim=None):
    """Mail one notification once, even if two workers run this together, and never lose it.

    The sender first claims the row for a while (``CLAIM_LEASE``) under its own name ``claim``, the
    task's id; only the one whose update took the row sends, then records ``mailed_at``. A worker
    killed between claim and send leaves a claim that the same task, delivered again by the
    broker, takes back at once, and that anyone may take once the lease has run out. So a mail
    is repeated only if the worker dies in the instant between the mail server's acceptance and
    the row's update; it is never lost. If sending fails, the claim is released for the retry.
    """
    now = timezone.now()
    claim = claim or f"call-{uuid.uuid4()}"
    free = Q(mail_claimed_at__isnull=True) | Q(mail_claimed_at__lt=now - CLAIM_LEASE) | Q(mail_claim=claim)
    claimed = Notification.objects.filter(free, pk=notification_id, mailed_at__isnull=True).update(
        mail_claim=claim, mail_claimed_at=now
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    user = notification.user
    address = user.email if user is not None else notification.email
    if not address:
        Notification.objects.filter(pk=notification_id).update(mailed_at=timezone.now())  # nothing to send, ever
        return False
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{absolute_url(notification.url)}"
    try:
        with translation.override((user.language if user is not None else "") or settings.LANGUAGE_CODE):
            send_mail(notification.subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:
        Notification.objects.filter(pk=notification_id, mail_claim=claim).update(mail_claimed_at=None, mail_claim="")
        raise
    Notification.objects.filter(pk=notification_id).update(mailed_at=timezone.now())
    return True
