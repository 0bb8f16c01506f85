"""Wagtail page types of the public site.

Pages point at the data (calls, applications, organizations) and read every figure from it:
an editor writes the words around a call, never its budget or dates a second time.
"""

from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from competitions.models import OrganizationCategory

from . import selectors
from .blocks import BodyBlock, CallBodyBlock

INTRO_FEATURES = ["bold", "italic", "link", "ol", "ul"]


def _page_number(request):
    try:
        return max(1, int(request.GET.get("page", "1")))
    except (TypeError, ValueError):
        return 1


def paginate(request, items, per_page):
    """A page of ``items``; out-of-range or malformed page numbers give the nearest page."""
    return Paginator(items, per_page).get_page(_page_number(request))


class IntroPage(Page):
    """A page with a rich-text introduction above what it lists from the data."""

    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        abstract = True


class HomePage(IntroPage):
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.CallIndexPage", "cms.NewsIndexPage", "cms.AnnouncementIndexPage", "cms.ShowcasePage",
        "cms.OrganizationDirectoryPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        context["open_calls"] = selectors.open_calls(now=now, limit=6)
        context["latest_news"] = selectors.latest_news(limit=3)
        context["latest_announcements"] = selectors.latest_announcements(limit=5)
        context["figures"] = selectors.headline_figures(now=now)
        return context


class CallIndexPage(IntroPage):
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CallPage"]
    max_count = 1

    class Meta:
        verbose_name = _("call index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        pages = list(selectors.call_pages(parent=self))
        groups = {"open": [], "upcoming": [], "closed": []}
        for page in pages:
            groups[page.competition.phase(now)].append(page)
        context.update(now=now, open_pages=groups["open"], upcoming_pages=groups["upcoming"],
                       closed_pages=groups["closed"])
        return context


class CallPage(Page):
    """The public page of one call. Budget, window, eligibility and rubric come from the call."""

    competition = models.ForeignKey(
        "competitions.Competition", verbose_name=_("call"), on_delete=models.PROTECT, related_name="pages"
    )
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)
    body = StreamField(CallBodyBlock(), verbose_name=_("guide, documents and questions"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("competition"),
        HelpPanel(_("Budget, dates, eligibility and rubric are shown from the call itself: change them there.")),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.CallIndexPage"]
    subpage_types = []
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("call page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        context.update(selectors.call_details(self.competition_id, now=now))
        return context


class NewsIndexPage(IntroPage):
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = NewsPage.objects.live().child_of(self).order_by("-date", "-pk")
        context["items"] = paginate(request, items, 20)
        return context


class NewsPage(Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("news item")


class AnnouncementIndexPage(IntroPage):
    """Announcements (公告): the 公示 of proposed awards and the results."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.PublicityPage", "cms.ResultsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("announcement index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = Page.objects.live().child_of(self).specific().order_by("-first_published_at", "-pk")
        context["items"] = paginate(request, items, 20)
        return context


class PublicityPage(Page):
    """A 公示 of a call's proposed awards, created by ``cms.publicity.publicity_publish``.

    Its list and window are written by the service (``PublicityEntry`` rows); editors may add words.
    """

    competition = models.ForeignKey(
        "competitions.Competition", verbose_name=_("call"), on_delete=models.PROTECT, related_name="publicity_pages"
    )
    starts_at = models.DateTimeField(_("公示 starts"))
    ends_at = models.DateTimeField(_("公示 ends"), help_text=_("The first moment after the window."))
    last_day = models.DateField(_("last day of the 公示"))
    approximate = models.BooleanField(
        _("window counted with weekends only"), default=False,
        help_text=_("Set when the holiday calendar did not know a year of the window."),
    )
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        HelpPanel(_("The list of projects and the window come from the call and cannot be edited here.")),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.AnnouncementIndexPage"]
    subpage_types = []
    # Created only by publishing the 公示 (cms.publicity.publicity_publish), which also
    # moves the applications into it; an editor-made page would list nothing real.
    is_creatable = False
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("public notice (公示)")
        verbose_name_plural = _("public notices (公示)")

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.publicity_details(self))
        context["window_open"] = self.is_open()
        return context


class PublicityEntry(models.Model):
    """One application listed in a 公示, with the final score as published."""

    page = models.ForeignKey(PublicityPage, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="publicity_entries"
    )
    position = models.PositiveIntegerField(default=0)
    final_score = models.DecimalField(_("final score"), max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["page", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["page", "application"], name="unique_publicity_entry")]
        verbose_name = _("publicity entry")
        verbose_name_plural = _("publicity entries")


class ResultsPage(Page):
    """Result announcement: every awarded (and later) application of a call, or of all calls."""

    competition = models.ForeignKey(
        "competitions.Competition", verbose_name=_("call"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="results_pages", help_text=_("Leave empty to list the grants of every call."),
    )
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("competition"), FieldPanel("intro")]
    parent_page_types = ["cms.AnnouncementIndexPage"]
    subpage_types = []
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("results announcement")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        grants = selectors.grants(competition_id=self.competition_id)
        context["totals"] = selectors.grant_totals(competition_id=self.competition_id)
        context["grants"] = paginate(request, grants, 100)
        return context


class ShowcasePage(IntroPage):
    """Completed projects whose final report was graded excellent (优秀)."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("showcase")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["projects"] = paginate(request, selectors.showcase_projects(), 20)
        return context


def _with(query, **changes):
    """The query string of the directory with one filter set (or dropped, for None)."""
    query = query.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value:
            query[name] = value
    return query.urlencode()


class OrganizationDirectoryPage(IntroPage):
    """Registered and filed community social organizations, by region and category."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("organization directory")

    def get_context(self, request, *args, **kwargs):
        from .forms import INITIALS, DirectoryFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = DirectoryFilterForm(request.GET or None)
        filters = {"region": None, "category": None, "initial": None}
        if form.is_valid():
            filters = {name: form.cleaned_data.get(name) or None for name in filters}
        organizations = selectors.directory(**filters)
        counts = selectors.directory_counts(**filters)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=form, organizations=paginate(request, organizations, 20), filter_query=query.urlencode(),
            initial=filters["initial"],
            letters=[(letter, counts["initials"].get(letter, 0), _with(query, initial=letter)) for letter in INITIALS],
            all_letters=_with(query, initial=None),
            categories=[(value, label, counts["categories"].get(value, 0), _with(query, category=value))
                        for value, label in OrganizationCategory.choices],
            category=filters["category"], all_categories=_with(query, category=None),
        )
        return context
