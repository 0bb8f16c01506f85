"""Request rules that hold for every view of the project."""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


def _has_nul(query_dict):
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query_dict.lists())


class RefuseNulBytesMiddleware:
    """A NUL byte in the path, the query or a form field is refused with a 400.

    PostgreSQL cannot store or compare text with NUL (``ValueError`` → 500), and no person types
    one: such a request is a probe, answered the same way on every page instead of view by view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET) or (
            request.method == "POST" and _has_nul(request.POST)
        ):
            return HttpResponseBadRequest(_("The request contains a NUL character and was refused."))
        return self.get_response(request)


class AdminContentSecurityPolicyMiddleware:
    """The back office's own Content-Security-Policy (``settings.ADMIN_CONTENT_SECURITY_POLICY``).

    The strict policy of django-csp (``CONTENT_SECURITY_POLICY``) leaves out the admin prefixes:
    Wagtail's admin still runs some inline scripts and styles. They get a policy that keeps every
    other rule (own origin only, no plugins, no framing by other sites).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.ADMIN_URL_PREFIXES) and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.ADMIN_CONTENT_SECURITY_POLICY
        return response
