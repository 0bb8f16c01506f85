"""The second factor, checked per session on every page that needs it.

One way in: every login goes through allauth's login (the Wagtail and Django admin login URLs
redirect there), which asks for the authenticator code of anyone who has one and records it in
the session. This middleware then refuses, on the back office and review pages, any session of a
person who has an authenticator but did not pass it in this session (a session opened some other
way, e.g. an old login view or a password-only session from before), and sends staff who must use
one (``MFA_REQUIRED_FOR_STAFF``) to set it up before anything else.
"""

from urllib.parse import quote

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# allauth's record of how this session's person proved who they are.
METHODS_KEY = "account_authentication_methods"


def passed_second_factor(request):
    return any(entry.get("method") == "mfa" for entry in request.session.get(METHODS_KEY, ()))


def has_authenticator(user):
    return Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).exists()


def must_use_second_factor(user):
    """Staff (and site admins) must use one when ``MFA_REQUIRED_FOR_STAFF`` is on (production default)."""
    return settings.MFA_REQUIRED_FOR_STAFF and (user.is_staff or user.is_superuser)


@receiver(authenticator_added)
def _setting_up_counts_as_passing(sender, request, user, authenticator, **kwargs):
    """Activating an authenticator means entering a valid code from it: this session has passed."""
    if request is not None and authenticator.type != Authenticator.Type.RECOVERY_CODES:
        record_authentication(request, user, method="mfa", type=authenticator.type)


def _protected(path):
    return path.startswith(tuple(settings.SECOND_FACTOR_PATHS)) and not path.startswith(
        tuple(settings.SECOND_FACTOR_OPEN_PATHS)
    )


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not _protected(request.path):
            return self.get_response(request)
        if passed_second_factor(request):
            return self.get_response(request)
        if has_authenticator(user):
            logout(request)
            messages.info(request, _("Sign in again with your password and your passkey or authenticator app to continue."))
            return redirect_to_login(request.get_full_path())
        if must_use_second_factor(user):
            messages.info(request, _("Staff must confirm each sign-in with a passkey or an authenticator app. Set it up now."))
            return redirect(reverse("second_factor_setup") + "?next=" + quote(request.get_full_path()))
        return self.get_response(request)
