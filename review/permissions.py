"""Who may see what in the review. Reviewers see only their own assignments."""

from django.utils.translation import gettext_lazy as _

from applications.permissions import ALLOWED, deny, is_bureau_staff_for


def is_reviewer(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    profile = getattr(user, "_reviewer_profile_cache", None)
    if profile is None:
        from .models import ReviewerProfile

        profile = ReviewerProfile.objects.filter(user=user).exists()
        user._reviewer_profile_cache = profile
    return profile


def has_second_factor(user):
    """A passkey or an authenticator app (recovery codes alone are not one)."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.WEBAUTHN, Authenticator.Type.TOTP]
    ).exists()


def can_view_assignment(user, assignment):
    if user is not None and assignment.reviewer_id == user.pk:
        return ALLOWED
    return deny(_("This application is not assigned to you."))


def can_view_other_sheets(user, assignment):
    """Other reviewers' sheets: after submitting one's own, and only if the call allows it."""
    if not can_view_assignment(user, assignment):
        return deny(_("This application is not assigned to you."))
    if not assignment.application.competition.show_other_sheets:
        return deny(_("This call does not show other reviewers' sheets."))
    sheet = getattr(assignment, "sheet", None)
    if sheet is None or not sheet.locked:
        return deny(_("Submit your own sheet first; then you can read the others."))
    return ALLOWED


def can_manage_review(user, competition):
    if is_bureau_staff_for(user, competition):
        return ALLOWED
    return deny(_("Only staff of the bureau that runs this call can do this."))


def is_blind_for(user, competition):
    """Reviewers never see identities in a blind call; bureau staff do."""
    return bool(competition.blind_review) and not is_bureau_staff_for(user, competition)


def may_read_attachment(user, attachment):
    """Reviewers assigned to the application read its files, unless blind review hides an
    identifying one; an organization's own papers only by reviewers of its calls that are not blind.

    Registered in ``applications.hooks.attachment_readers``: members and bureau staff are decided
    by ``applications.uploads.can_download_attachment`` itself.
    """
    from .models import Assignment

    application = attachment.application
    if application is not None:
        assigned = Assignment.objects.filter(application=application, reviewer=user).exclude(
            state=Assignment.State.DECLINED
        ).exists()
        return assigned and not (application.competition.blind_review and attachment.identifying)
    if attachment.organization is None:
        return False
    return Assignment.objects.filter(
        application__organization=attachment.organization, reviewer=user, application__competition__blind_review=False
    ).exclude(state=Assignment.State.DECLINED).exists()


def all_sheets_submitted(application):
    """The review of an application may end: every reviewer of the review stage submitted a sheet.

    Registered in ``applications.hooks.review_complete_checks``; asked under the row lock by the
    ``complete_review`` transition's condition.
    """
    from .models import Assignment

    states = list(
        Assignment.objects.filter(application=application, stage="review")
        .exclude(state=Assignment.State.DECLINED).values_list("state", flat=True)
    )
    if not states:
        return deny(_("No reviewer has been assigned yet."))
    pending = sum(1 for state in states if state != Assignment.State.SUBMITTED)
    if pending:
        return deny(_("%(n)d score sheet(s) are still to be submitted.") % {"n": pending})
    return ALLOWED
