from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from allauth.mfa.totp.internal import auth as totp_auth
from django import forms


class ActivateTOTPForm(AllauthActivateTOTPForm):
    """allauth's form, except that the secret stays the same until it is confirmed.

    allauth draws a new secret on every page load, so a reload (or coming back from the
    authenticator app on the same phone) silently invalidates what the person just entered in the
    app. The secret lives in the session (allauth's key) and is cleared once activated.
    """

    def __init__(self, *args, **kwargs):
        self.user = kwargs.pop("user")
        forms.Form.__init__(self, *args, **kwargs)
        self.secret = totp_auth.get_totp_secret(regenerate=False)
