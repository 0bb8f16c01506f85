"""Publishing a 公示: the applications go into 公示 (``applications.publicity.publicity_start``)
and the announcement page is written here, with the final scores of the review ranking.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.publicity import publicity_start
from applications.services import ApplicationError
from review.selectors import final_scores

from .models import AnnouncementIndexPage, HomePage, PublicityEntry, PublicityPage


def _announcement_index():
    index = AnnouncementIndexPage.objects.first()
    if index is not None:
        return index
    home = HomePage.objects.first()
    if home is None:
        raise ApplicationError(
            _("The public site has no home page yet: create it in the back office before publishing a 公示."),
            code="no_site",
        )
    with translation.override(settings.LANGUAGE_CODE):
        index = AnnouncementIndexPage(title=_("Announcements"), slug="announcements")
    home.add_child(instance=index)
    return index


def publicity_slug(index, competition):
    """``publicity-7`` for a call's first 公示, ``publicity-7-2`` for its second: short enough to
    read out or print, unique among the announcements."""
    base = f"publicity-{competition.pk}"
    taken = set(index.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, round_ = base, 1
    while slug in taken:
        round_ += 1
        slug = f"{base}-{round_}"
    return slug


def publicity_publish(*, competition, actor, applications=None, now=None):
    """Put the call's recommended applications into 公示 and publish the announcement page.

    Only staff of the call's bureau may do it. The window runs to the end of the call's N-th
    Chinese working day after today; beyond the years the holiday calendar knows, weekends only
    are skipped and the page says so. Returns the new ``PublicityPage``.
    """
    now = now or timezone.now()
    publicized, window = publicity_start(competition=competition, actor=actor, applications=applications, now=now)
    scores = final_scores(competition=competition, applications=publicized)
    ordered = sorted(publicized, key=lambda a: (-(scores.get(a.pk) or 0), a.reference or "", a.pk))
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        index = _announcement_index()
        page = PublicityPage(
            title=_("公示 of the projects proposed for funding: %(call)s") % {"call": competition.title},
            slug=publicity_slug(index, competition),
            competition=competition, starts_at=now, ends_at=window.ends_at, last_day=window.last_day,
            approximate=window.approximate,
            search_description=_("Projects of %(call)s proposed for funding, open to objections until %(day)s.")
            % {"call": competition.title, "day": window.last_day.isoformat()},
        )
        index.add_child(instance=page)
        PublicityEntry.objects.bulk_create(
            PublicityEntry(page=page, application=app, position=i, final_score=scores.get(app.pk))
            for i, app in enumerate(ordered)
        )
        page.save_revision(user=actor if getattr(actor, "pk", None) else None).publish()
    return page
