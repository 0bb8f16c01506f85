"""An application's stages, in a module of their own so that rules and permissions (which the
model imports) can name them without an import circle. ``applications.models.Status`` is the same class."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    INELIGIBLE = "ineligible", _("Ineligible")
    ELIGIBLE = "eligible", _("Eligible")
    UNDER_REVIEW = "under_review", _("Under expert review")
    REVIEWED = "reviewed", _("Reviewed")
    SHORTLISTED = "shortlisted", _("Shortlisted for the pitch")
    RECOMMENDED = "recommended", _("Recommended for funding")
    DECLINED = "declined", _("Not funded")
    PUBLICIZING = "publicizing", _("In public notice (公示)")
    AWARDED = "awarded", _("Awarded")
    CONTRACTED = "contracted", _("Agreement signed")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")
    WITHDRAWN = "withdrawn", _("Withdrawn")
