from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """Every staff screen in the Wagtail admin; the top layer below config."""

    name = "backoffice"
    verbose_name = _("Back office")
