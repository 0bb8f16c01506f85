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


def has_totp(user):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


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
