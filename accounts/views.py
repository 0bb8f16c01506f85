from django.conf import settings
from django.views.i18n import set_language as django_set_language

from . import services


def set_language(request):
    """Django's language switch, remembered on the account so mail follows the same choice."""
    response = django_set_language(request)
    language = request.POST.get("language") if request.method == "POST" else None
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return response
