"""The demo public site: a realistic page tree over the demo data, safe to build twice.

``build_demo_site()`` is called at the end of ``manage.py seed_demo``. Every figure on these
pages comes from the demo records; the pages only add words around them.
"""

import contextlib
import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from applications.models import Application, Status, TransitionLog
from review.selectors import final_scores
from competitions.models import Competition

from .models import (
    AnnouncementIndexPage,
    CallIndexPage,
    CallPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    OrganizationDirectoryPage,
    PublicityEntry,
    PublicityPage,
    ResultsPage,
    ShowcasePage,
)
from .publicity import publicity_slug

HOME_INTRO = (
    "<p>贵州省社区社会组织公益资助与公益创投平台：发布彩票公益金资助项目和公益创投大赛的申报通知，"
    "公示拟资助项目，公开资助结果，展示优秀项目。社区社会组织可在线申报、查询进度并提交项目报告。</p>"
)

NEWS = [
    (
        "2026年社区社会组织公益创投大赛启动", "venture-contest-launch", 20,
        "省民政厅启动2026年公益创投大赛，重点支持扶老、助残、救孤、济困和社区治理类项目。",
        "<p>大赛面向全省登记或备案的社区社会组织，设初审、专家评审和现场路演三个环节。"
        "农村社区社会组织同等条件下优先。</p>",
    ),
    (
        "彩票公益金资助项目申报培训会在观山湖区举行", "applicant-training", 12,
        "培训会讲解了申报书填写、预算编制和绩效目标设置等要点。",
        "<p>来自各区县的八十余家社区社会组织参加培训。工作人员提醒：预算明细合计须与申请金额一致，"
        "管理费用不得超过申请金额的百分之十。</p>",
    ),
    (
        "农村社区社会组织能力建设经验交流", "rural-capacity", 5,
        "多家农村社区社会组织分享了留守老人关爱和互助养老的做法。",
        "<p>交流会上，获评优秀的项目介绍了与村委会合作、动员志愿者的经验。</p>",
    ),
]

CALL_FAQ = [
    ("未登记的社区社会组织可以申报吗？", "<p>在街道（乡镇）备案的社区社会组织可以申报，以通知中列明的条件为准。</p>"),
    ("预算有什么要求？", "<p>预算明细合计须等于申请金额，管理费用不超过通知规定的比例。</p>"),
    ("评审结果什么时候公布？", "<p>评审结束后拟资助项目将在本网站公示，公示期满无异议的予以立项。</p>"),
]


def _child(parent, model, slug, **fields):
    """The live child of ``parent`` of type ``model`` with ``slug``, created if missing."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    return page, True


def _home():
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        taken = root.get_children().filter(slug="home").exists()
        home = HomePage(title="社区公益资助与创投管理平台", slug="commonweal-home" if taken else "home")
        root.add_child(instance=home)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                                site_name=home.title)
        else:
            site.root_page = home
            site.save()
    if not home.intro:
        home.intro = HOME_INTRO
        home.search_description = "贵州省社区社会组织公益资助与公益创投：申报通知、项目公示、资助结果与开放数据。"
        home.save_revision().publish()
    return home


def _call_pages(index):
    made = 0
    for call in Competition.objects.order_by("opens_at", "pk"):
        if CallPage.objects.filter(competition=call).exists():
            continue
        body = [{"type": "heading", "value": "常见问题"}] + [
            {"type": "faq", "value": {"question": q, "answer": a}} for q, a in CALL_FAQ
        ]
        page = CallPage(
            title=call.title, slug=f"call-{call.pk}", competition=call,
            search_description=f"{call.bureau.name}发布的{call.get_fund_source_display()}申报通知：{call.title}。",
            body=body,
        )
        index.add_child(instance=page)
        made += 1
    return made


def _news(index):
    made = 0
    today = timezone.localdate()
    for title, slug, days_ago, intro, body in NEWS:
        _page, created = _child(
            index, NewsPage, slug, title=title, date=today - dt.timedelta(days=days_ago), intro=intro,
            body=[{"type": "paragraph", "value": body}],
        )
        made += created
    return made


def _publicity_pages(index):
    """A 公示 page for demo applications already in 公示 that no page lists yet."""
    listed = PublicityEntry.objects.values("application_id")
    waiting = (
        Application.objects.filter(status=Status.PUBLICIZING, publicity_ends_at__isnull=False)
        .exclude(pk__in=listed).select_related("competition").order_by("competition_id", "reference")
    )
    by_call = {}
    for app in waiting:
        by_call.setdefault(app.competition, []).append(app)
    made = 0
    for call, apps in by_call.items():
        started = (
            TransitionLog.objects.filter(application__in=apps, to_state=Status.PUBLICIZING)
            .order_by("at").values_list("at", flat=True).first()
        ) or timezone.now()
        ends = max(a.publicity_ends_at for a in apps)
        with translation.override("zh-hans"):
            title = _("公示 of the projects proposed for funding: %(call)s") % {"call": call.title}
        page = PublicityPage(
            title=title,
            slug=publicity_slug(index, call),
            competition=call, starts_at=started, ends_at=ends,
            last_day=timezone.localtime(ends - dt.timedelta(seconds=1)).date(),
            search_description=f"{call.title}拟资助项目公示。",
        )
        index.add_child(instance=page)
        scores = final_scores(competition=call, applications=apps)
        PublicityEntry.objects.bulk_create(
            PublicityEntry(page=page, application=a, position=i, final_score=scores.get(a.pk))
            for i, a in enumerate(apps)
        )
        made += 1
    return made


@contextlib.contextmanager
def _quiet():
    # Publishing pages logs a line per page and per search-index task: too much for a seed run.
    names = ("wagtail", "django_tasks")
    saved = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def build_demo_site():
    """Create the demo page tree under the home page; return the number of pages created."""
    with _quiet(), transaction.atomic():
        home = _home()
        made = 0
        calls, created = _child(home, CallIndexPage, "calls", title="申报通知",
                                intro="<p>正在申报、即将开始和已经截止的资助项目与公益创投大赛。</p>",
                                search_description="彩票公益金资助项目和公益创投大赛的申报通知。")
        made += created
        made += _call_pages(calls)
        news, created = _child(home, NewsIndexPage, "news", title="新闻动态",
                               search_description="社区社会组织公益资助与创投工作的新闻。")
        made += created + _news(news)
        announcements, created = _child(home, AnnouncementIndexPage, "announcements", title="公示公告",
                                        search_description="拟资助项目公示和资助结果公告。")
        made += created + _publicity_pages(announcements)
        _results, created = _child(announcements, ResultsPage, "results", title="资助结果公告",
                                   intro="<p>以下为已立项的资助项目，数据与开放数据同步更新。</p>",
                                   search_description="已立项资助项目、资助总额和农村社区社会组织所占比例。")
        made += created
        _showcase, created = _child(home, ShowcasePage, "showcase", title="优秀项目展示",
                                    intro="<p>结项评估为优秀的社区公益项目。</p>",
                                    search_description="结项评估为优秀的社区社会组织公益项目。")
        made += created
        _directory, created = _child(home, OrganizationDirectoryPage, "organizations", title="社区社会组织名录",
                                     intro="<p>已登记或备案的社区社会组织，可按地区和类别查询。</p>",
                                     search_description="贵州省已登记或备案的社区社会组织名录。")
        made += created
    return made
