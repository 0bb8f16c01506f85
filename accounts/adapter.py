from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


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
