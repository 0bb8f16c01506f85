from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_year(sender, instance, **kwargs):
    from .workdays import forget_years

    forget_years([instance.date.year])


class CompetitionsConfig(AppConfig):
    name = "competitions"
    verbose_name = _("Calls and bureaus")

    def ready(self):
        # A calendar row edited one at a time (the admin's edit and delete views) forgets its year.
        official_day = self.get_model("OfficialDay")
        post_save.connect(_forget_year, sender=official_day, dispatch_uid="official-day-saved")
        post_delete.connect(_forget_year, sender=official_day, dispatch_uid="official-day-deleted")
