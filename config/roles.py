"""Where each person works: the roles a signed-in person has, and where a login lands them.

A reviewer's work is under /review/, staff's in the back office (/admin/), an applicant's in the
portal (/portal/). Someone with one role goes straight there after signing in; someone with
several picks on a small page (``role_chooser``); a ``next`` they came with always wins (allauth
follows it before asking the adapter). The site's navigation shows a link per role.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts.adapter import AccountAdapter as BaseAccountAdapter
from applications.models import Membership
from review.permissions import is_reviewer


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    url: str
    description: str


def _is_staff(user):
    """Bureau staff are ``is_staff`` (and hold wagtailadmin.access_admin through their group)."""
    return user.is_staff or user.is_superuser


def roles_of(user):
    """The roles of ``user``, in the order they are offered: review, back office, portal.

    Everyone signed in may apply, so the portal is a role of anyone who has no other, and of
    anyone who belongs to an organization.
    """
    if user is None or not user.is_authenticated:
        return []
    roles = []
    if is_reviewer(user):
        roles.append(Role("reviewer", _("Review"), reverse("review:assignments"),
                          _("Score the applications assigned to you.")))
    if _is_staff(user):
        roles.append(Role("staff", _("Back office"), "/admin/",
                          _("Check applications, run the review and manage projects for your bureau.")))
    if not roles or Membership.objects.filter(user=user).exists():
        roles.append(Role("applicant", _("Applications"), reverse("applications:home"),
                          _("Apply for funding and follow your organization's projects.")))
    return roles


def landing_url(user):
    """Where a login without ``next`` lands: the one role's page, or the chooser for several."""
    roles = roles_of(user)
    if len(roles) == 1:
        return roles[0].url
    return reverse("role_chooser")


class AccountAdapter(BaseAccountAdapter):
    def get_login_redirect_url(self, request):
        return landing_url(request.user)


@login_required
def role_chooser(request):
    """For a person with several roles: one large button per role."""
    roles = roles_of(request.user)
    if len(roles) == 1:
        return redirect(roles[0].url)
    return render(request, "account/role_chooser.html", {"roles": roles})


def navigation(request):
    """Context processor: ``user_roles`` for the header's links (queried only when a page uses it)."""
    return {"user_roles": SimpleLazyObject(lambda: roles_of(getattr(request, "user", None)))}
