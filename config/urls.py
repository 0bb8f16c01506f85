from django.conf import settings
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import mfa_views
from accounts import views as accounts_views
from applications import postaward_views

from . import roles, views

handler500 = "config.views.server_error"  # 503 when a database, cache or broker is down

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", views.csp_report, name="csp_report"),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    # One way in (accounts/second_factor.py): the admins' own login views redirect to allauth's,
    # keeping ?next=, so every login asks for the second factor and counts against the rate limit.
    path("admin/login/", RedirectView.as_view(url=reverse_lazy("account_login"), query_string=True)),
    path("django-admin/login/", RedirectView.as_view(url=reverse_lazy("account_login"), query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    # Several roles: choose where to go after signing in (config/roles.py).
    path("accounts/roles/", roles.role_chooser, name="role_chooser"),
    # Setting up the second factor on a phone, keeping ?next= (accounts/mfa_views.py); the last
    # three take over allauth's pages at the same addresses.
    path("accounts/2fa/setup/", mfa_views.second_factor_setup, name="second_factor_setup"),
    path("accounts/2fa/webauthn/add/", mfa_views.add_passkey),
    path("accounts/2fa/totp/activate/", mfa_views.activate_app),
    path("accounts/2fa/recovery-codes/", mfa_views.recovery_codes),
    path("accounts/", include("allauth.urls")),
    path("portal/", include("applications.urls")),  # applicants
    path("review/", include("review.urls")),  # reviewers
    # 信息公开: each funded project's public page (amounts, reports, grade; no personal data).
    path("projects/<str:reference>/", postaward_views.disclosure, name="project_disclosure"),
    path("", include("cms.urls")),  # open data, feeds, verification (before Wagtail's catch-all)
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
