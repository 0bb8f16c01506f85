"""RSS feed of the calls open now (django.contrib.syndication).

Links are given as paths: the syndication framework puts the scheme, host and port of the request
in front (``RequestSite``, as ``django.contrib.sites`` is not installed), so the feed points at the
address it was fetched from, never at a Wagtail Site's stored hostname.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import selectors


class OpenCallsFeed(Feed):
    title = _("Open calls for community grants and venture contests")
    description = _("Calls for applications that are open now, soonest closing first.")

    def link(self):
        return "/"

    def items(self):
        return selectors.open_calls(now=timezone.now(), limit=100)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        closes = date_format(timezone.localtime(item.closes_at), "Y-m-d H:i")
        return f"{item.bureau.name} · {item.get_fund_source_display()} · {_('Closes')} {closes} · {item.summary}"

    def item_link(self, item):
        parts = item.page.get_url_parts() if item.page is not None else None
        if parts and parts[2] is not None:
            return parts[2]  # the page's path on its site
        return selectors.apply_url(item.pk)

    def item_guid(self, item):
        return f"{settings.OPEN_DATA_ID_PREFIX}-call-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.opens_at
