"""Reviewers, their declared affiliations, assignments and score sheets."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from competitions.models import Criterion, Region


class ReviewerProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile")
    expertise = models.JSONField(_("areas of expertise"), default=list, blank=True)
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    home_community = models.ForeignKey(
        Region, verbose_name=_("community of residence"), null=True, blank=True, on_delete=models.PROTECT
    )
    bureaus = models.ManyToManyField("competitions.Bureau", blank=True, related_name="reviewers",
                                     verbose_name=_("bureaus whose pool this reviewer is in"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")

    def __str__(self):
        return str(self.user)

    @property
    def expertise_labels(self):
        """The areas of expertise in words (they are stored as service-area codes)."""
        from competitions.models import ServiceArea

        labels = dict(ServiceArea.choices)
        return [labels.get(code, code) for code in self.expertise]


class Affiliation(models.Model):
    """A declared tie to an organization or community within the last three years."""

    reviewer = models.ForeignKey(ReviewerProfile, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey("applications.Organization", null=True, blank=True, on_delete=models.CASCADE)
    community = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE)
    description = models.CharField(_("nature of the tie"), max_length=200, blank=True)
    ended = models.DateField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")


class Assignment(models.Model):
    class Stage(models.TextChoices):
        REVIEW = "review", _("Expert review")
        PITCH = "pitch", _("Pitch")

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Submitted")
        DECLINED = "declined", _("Declined (conflict)")

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.REVIEW)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ASSIGNED)
    conflict_declaration = models.TextField(_("conflict declared"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer", "stage"], name="unique_assignment")
        ]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")


class ScoreSheet(models.Model):
    class Recommendation(models.TextChoices):
        FUND = "fund", _("Fund")
        FUND_WITH_CHANGES = "fund_with_changes", _("Fund with changes")
        DO_NOT_FUND = "do_not_fund", _("Do not fund")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="sheet")
    overall_comment = models.TextField(_("overall comment"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")

    @property
    def locked(self):
        return self.submitted_at is not None


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT)
    points = models.DecimalField(max_digits=5, decimal_places=1)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="unique_score")]


class ReviewLog(models.Model):
    """Append-only record of review decisions: assignments made or changed, conflicts declared,
    invitations, funding confirmed. Workflow transitions are logged in TransitionLog as well."""

    competition = models.ForeignKey(
        "competitions.Competition", null=True, blank=True, on_delete=models.CASCADE, related_name="review_log"
    )
    bureau = models.ForeignKey(
        "competitions.Bureau", null=True, blank=True, on_delete=models.CASCADE, related_name="review_log"
    )
    application = models.ForeignKey(
        "applications.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="review_log"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=40)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("review log entry")
        verbose_name_plural = _("review log")

    ACTION_LABELS = {
        "assignment.added": _("Reviewer added"),
        "assignment.declined": _("Conflict declared"),
        "assignment.generated": _("Reviewers assigned"),
        "assignment.pitch_panel": _("Pitch panel assigned"),
        "assignment.reassigned": _("Reassigned"),
        "assignment.removed": _("Reviewer removed"),
        "assignment.unfilled": _("Not enough reviewers"),
        "reviewer.invited": _("Reviewer invited"),
        "funding.recommended": _("Recommended for funding"),
        "funding.declined": _("Not funded"),
        "funding.refused": _("Funding refused"),
    }

    def __str__(self):
        return f"{self.action} {self.note[:40]}"

    @property
    def action_label(self):
        return self.ACTION_LABELS.get(self.action, self.action)
