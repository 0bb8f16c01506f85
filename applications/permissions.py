"""Who may do what to applications. Used by transitions, services, views and templates alike.

Each check returns a ``Verdict``: true or false, with the reason a person can act on when false.
``user=None`` stands for the system itself (a scheduled job or a completed review).
"""

from django.utils.translation import gettext_lazy as _

from competitions.permissions import is_bureau_staff_for  # noqa: F401  the one scoping rule, used here
from competitions.permissions import is_bureau_staff_over

from .status import Status


class Verdict:
    __slots__ = ("allowed", "reason")

    def __init__(self, allowed, reason=""):
        self.allowed = bool(allowed)
        self.reason = "" if allowed else reason

    def __bool__(self):
        return self.allowed

    def __repr__(self):
        return f"Verdict({self.allowed!r}, {str(self.reason)!r})"


ALLOWED = Verdict(True)


def deny(reason):
    return Verdict(False, reason)


def is_member(user, organization, *, owner=False):
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    memberships = getattr(organization, "_member_roles", None)
    if memberships is None:
        memberships = dict(organization.memberships.values_list("user_id", "role"))
        organization._member_roles = memberships
    role = memberships.get(user.pk)
    return role is not None and (not owner or role == "owner")


def can_view_application(user, application):
    if is_member(user, application.organization) or is_bureau_staff_for(user, application.competition):
        return ALLOWED
    return deny(_("You do not have access to this application."))


def can_edit_application(user, application):
    if not is_member(user, application.organization):
        return deny(_("Only members of the organization can change its application."))
    if application.status not in (Status.DRAFT, Status.RETURNED):
        return deny(_("The application can be changed only while it is a draft or returned for revision."))
    return ALLOWED


def can_submit_application(user, application):
    if is_member(user, application.organization):
        return ALLOWED
    return deny(_("Only members of the organization can submit its application."))


def can_withdraw_application(user, application):
    if is_member(user, application.organization):
        return ALLOWED
    return deny(_("Only members of the organization can withdraw its application."))


def can_manage_application(user, application):
    if is_bureau_staff_for(user, application.competition):
        return ALLOWED
    return deny(_("Only staff of the bureau that runs this call can do this."))


def can_write_report(user, report):
    if is_member(user, report.application.organization):
        return ALLOWED
    return deny(_("Only members of the organization can write and submit its reports."))


def can_manage_project_item(user, item):
    """A tranche, report or objection of a project: staff of the bureau that runs the call."""
    if is_bureau_staff_for(user, item.application.competition):
        return ALLOWED
    return deny(_("Only staff of the bureau that runs this call can do this."))


def can_decide_claim(user, claim):
    """A claim of a registry organization: staff of a bureau whose region holds its community."""
    if is_bureau_staff_over(user, claim.organization.community):
        return ALLOWED
    return deny(_("Only staff of the bureau that keeps this organization's registry can decide on its claim."))


def is_system(user, application):
    if user is None:
        return ALLOWED
    return deny(_("This step happens by itself; nobody can take it by hand."))


def for_transition(check):
    """A check in the project's order (``user`` first) as django-fsm calls a transition's permission:
    ``(instance, user)``. Every permission function of the code base takes the user first."""
    def permission(instance, user):
        return check(user, instance)
    permission.__name__ = permission.__qualname__ = check.__name__
    permission.__doc__ = check.__doc__
    return permission
