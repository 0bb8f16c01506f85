"""Review writes. The workflow step ``under_review → reviewed`` is driven from here."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services as application_services
from applications.rules import all_sheets_submitted

from .models import Assignment, ScoreSheet


class ReviewError(Exception):
    def __init__(self, message, *, code="refused"):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


def assignment_create(*, application, reviewer, stage=Assignment.Stage.REVIEW):
    assignment, _created = Assignment.objects.get_or_create(application=application, reviewer=reviewer, stage=stage)
    ScoreSheet.objects.get_or_create(assignment=assignment)
    return assignment


def sheet_submit(*, sheet, actor):
    """Lock a reviewer's sheet; when it is the application's last, the application is reviewed."""
    with transaction.atomic(durable=True):
        sheet = ScoreSheet.objects.select_for_update().select_related("assignment").get(pk=sheet.pk)
        assignment = sheet.assignment
        if assignment.reviewer_id != getattr(actor, "pk", None):
            raise ReviewError(_("This score sheet belongs to another reviewer."), code="forbidden")
        if sheet.locked:
            raise ReviewError(_("This score sheet was already submitted and is locked."), code="locked")
        sheet.submitted_at = timezone.now()
        sheet.save(update_fields=["submitted_at", "updated_at"])
        Assignment.objects.filter(pk=assignment.pk).update(state=Assignment.State.SUBMITTED)
    application = assignment.application
    if application.status == "under_review" and all_sheets_submitted(application):
        try:
            application_services.application_complete_review(application=application)
        except application_services.ApplicationError:
            pass  # another reviewer's last sheet completed it at the same moment
    return sheet
