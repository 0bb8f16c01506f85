from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language as django_set_language

from . import services


@require_http_methods(["GET", "POST"])
def set_language(request):
    """The language switch, remembered on the account so mail follows the same choice.

    The site's header uses plain links (GET ``?language=en&next=/path``): a page carrying them has
    nothing per visitor, so it can be served from the page cache. A POST (Django's form) works too.
    A language the site does not have changes nothing; ``next`` must point at this site.
    """
    if request.method == "POST":
        response = django_set_language(request)
        language = request.POST.get("language")
    else:
        language = request.GET.get("language")
        target = request.GET.get("next") or "/"
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            target = "/"
        response = HttpResponseRedirect(target)
        if language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return response
