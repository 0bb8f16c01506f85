"""Setting up the second factor on one phone, with the way back to where the person was going.

allauth's pages, wrapped: the setup page offers a passkey first (the phone's fingerprint or face,
nothing to type) and the authenticator app as the alternative; the app's page has an
``otpauth://`` button that opens the app on the same phone and the secret in groups of four; the
recovery codes are shown once right after activation. ``next`` is carried through every step and
followed at the end (only to this site).
"""

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from allauth.mfa.webauthn.views import AddWebAuthnView
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request):
    """The ``next`` of this request if it points at this site, else ''."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def grouped(secret, size=4):
    """``JBSWY3DPEHPK3PXP`` → ``JBSW Y3DP EHPK 3PXP``: easier to read out and to type."""
    return " ".join(secret[i:i + size] for i in range(0, len(secret), size))


class _KeepsNext:
    did_generate_recovery_codes = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next_url"] = safe_next(self.request)
        return context

    def get_success_url(self):
        next_url = safe_next(self.request)
        if self.did_generate_recovery_codes:
            return with_next(reverse("mfa_view_recovery_codes"), next_url)
        return next_url or reverse("mfa_index")


class SecondFactorSetupView(_KeepsNext, AddWebAuthnView):
    """The first step: add a passkey on this page, or go on to the authenticator app."""

    template_name = "mfa/setup.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if Authenticator.objects.filter(user=user).exclude(
            type=Authenticator.Type.RECOVERY_CODES
        ).exists():
            return HttpResponseRedirect(safe_next(request) or reverse("mfa_index"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totp_url"] = with_next(reverse("mfa_activate_totp"), context["next_url"])
        return context


class AddPasskeyView(_KeepsNext, AddWebAuthnView):
    template_name = "mfa/setup.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totp_url"] = with_next(reverse("mfa_activate_totp"), context["next_url"])
        return context


class ActivateAppView(_KeepsNext, ActivateTOTPView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["secret_groups"] = grouped(context["form"].secret)
        context["passkey_url"] = with_next(reverse("second_factor_setup"), context["next_url"])
        return context


class RecoveryCodesView(ViewRecoveryCodesView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next_url"] = safe_next(self.request) or reverse("mfa_index")
        return context


second_factor_setup = SecondFactorSetupView.as_view()
add_passkey = AddPasskeyView.as_view()
activate_app = ActivateAppView.as_view()
recovery_codes = RecoveryCodesView.as_view()
