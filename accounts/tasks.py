"""Mail for notifications, sent by the worker: the first attempt right after the notification is
recorded (retried with backoff on SMTP and network errors), and a scheduled sweep for those whose
attempt was lost. Thin: the work is in ``accounts.mail``."""

import smtplib

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import mail


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=6,
    bind=True,
)
def send_notification_mails(self, notification_ids):
    # The task's id names its claim: delivered again after its worker died, it takes its mails back.
    for notification_id in notification_ids:
        mail.notification_send_mail(notification_id=notification_id, claim=f"task-{self.request.id}")


@shared_task
def send_pending_notification_mails():
    """Scheduled: mail notifications whose first attempt was lost (see notifications_mail_pending)."""
    return mail.notifications_mail_pending()
