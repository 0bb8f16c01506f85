from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished

        from . import pagecache

        # Whatever the public pages show: a change makes every cached page stale (cms.pagecache).
        for label in ("applications.Organization", "applications.Objection", "applications.AwardNotice",
                      "applications.Disbursement", "applications.Report", "competitions.Competition",
                      "competitions.Bureau", "competitions.Region"):
            model = self.apps.get_model(label)
            post_save.connect(pagecache.bump, sender=model, dispatch_uid=f"pagecache-save-{label}")
            post_delete.connect(pagecache.bump, sender=model, dispatch_uid=f"pagecache-delete-{label}")
        application = self.apps.get_model("applications.Application")
        post_save.connect(_application_saved, sender=application, dispatch_uid="pagecache-save-application")
        post_delete.connect(pagecache.bump, sender=application, dispatch_uid="pagecache-delete-application")
        page_published.connect(pagecache.bump, dispatch_uid="pagecache-published")
        page_unpublished.connect(pagecache.bump, dispatch_uid="pagecache-unpublished")
        post_delete.connect(pagecache.bump, sender=Page, dispatch_uid="pagecache-page-deleted")
        # A deploy runs migrate: pages rendered by the old templates and catalog are not served after it.
        post_migrate.connect(pagecache.bump, sender=self, dispatch_uid="pagecache-deployed")


def _application_saved(sender, instance, **kwargs):
    """A draft is nobody's business but its organization's: only applications past draft show publicly."""
    from . import pagecache

    if instance.status != "draft":
        pagecache.bump()
