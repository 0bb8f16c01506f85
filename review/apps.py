from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Expert review")

    def ready(self):
        # applications sits below review and never imports it: review plugs its rules in here.
        from applications import hooks

        from . import permissions, reminders

        if permissions.all_sheets_submitted not in hooks.review_complete_checks:
            hooks.review_complete_checks.append(permissions.all_sheets_submitted)
        if permissions.may_read_attachment not in hooks.attachment_readers:
            hooks.attachment_readers.append(permissions.may_read_attachment)
        if ("reviews", reminders.review_reminders_send) not in hooks.reminder_jobs:
            hooks.reminder_jobs.append(("reviews", reminders.review_reminders_send))
