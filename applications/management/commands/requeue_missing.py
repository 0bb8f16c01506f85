"""``manage.py requeue_missing``: queue again every piece of work whose result is missing."""

from django.core.management.base import BaseCommand

from accounts.mail import notifications_mail_pending
from applications.jobs import requeue_missing_work


class Command(BaseCommand):
    help = ("Queue again every 申报书 PDF and award notice whose file is missing, sweep files a killed worker "
            "left, and send notification mail that never went out (what the beat jobs do every few minutes).")

    def add_arguments(self, parser):
        parser.add_argument("--older-than-minutes", type=int, default=2,
                            help="leave work younger than this to the task already queued for it (default 2)")

    def handle(self, *args, older_than_minutes, **options):
        counts = requeue_missing_work(older_than_minutes=older_than_minutes)
        mails = notifications_mail_pending()
        self.stdout.write(
            f"申报书 PDFs re-queued: {counts['application_pdfs']}; award notices re-queued: {counts['award_notices']}; "
            f"orphan files removed: {counts['orphan_files']}; pending mails sent: {mails}"
        )
