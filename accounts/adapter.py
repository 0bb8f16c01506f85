from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY, get_authentication_records
from django.conf import settings
from django.utils import translation


def sign_in_counts_as_recent(request, user):
    """The password typed at this sign-in counts as "recently entered" for allauth's sensitive pages.

    allauth asks for the password again before adding an authenticator unless the session holds a
    record marked ``reauthenticated``, which a plain sign-in does not make: a reviewer who just
    signed in (or just set the password from the invitation) was asked for it a second time on the
    way to the second factor. The record keeps its time, so this lasts only
    ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` (five minutes) after the password was typed.
    """
    records = list(get_authentication_records(request, user))
    for record in reversed(records):
        if record.get("method") == "password":
            record["reauthenticated"] = True
            request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records
            return


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Keep the language the person signed up in: their mail and notifications use it."""
        try:
            user.language = translation.get_supported_language_variant(
                getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
            )
        except LookupError:
            user.language = settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        sign_in_counts_as_recent(request, user)
        return response
