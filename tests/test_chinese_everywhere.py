"""Every role's main pages, rendered in Chinese, show no English word outside an allow-list (brand
and product names, units, codes): a string that lost its translation fails here by name."""

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Status
from tests.factories import AssignmentFactory, UserFactory, application_in_state, staff_with_admin
from tests.cms.conftest import announcements, call_index, home, publicity, recommended  # noqa: F401  (fixtures)
from tests.portal.conftest import verified

pytestmark = pytest.mark.django_db

# Words that are right in a Chinese page: names, units, formats, codes.
ALLOWED = {
    "Commonweal", "PDF", "CSV", "XLSX", "JSON", "RSS", "URL", "Email", "email", "E-mail", "QR", "English", "Wagtail",
    "ID", "GZ", "LF", "VC", "YY", "MB", "KB", "JPEG", "PNG", "JPG", "DOC", "DOCX", "Excel", "Word", "WPS", "TOTP",
    "km", "kg", "App", "JavaScript",
    "AVIF", "GIF", "WEBP",  # image formats Wagtail's image upload lists
}
LATIN = re.compile(r"(?<![\w@./:-])[A-Za-z][A-Za-z']{1,}(?![\w@./-])")


class _Text(HTMLParser):
    """The text a reader sees: no script or style, plus titles, labels and placeholders."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg", "template"):
            self._skip += 1
        shown_value = tag == "input" and dict(attrs).get("type") in ("submit", "button", "reset")  # a <button>'s value is never shown
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)
            if name == "value" and shown_value and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


SIDEBAR = re.compile(r'<script[^>]*id="wagtail-sidebar-props"[^>]*>(.*?)</script>', re.S)
SHOWN_KEYS = ("label", "title", "text", "placeholder")


def _sidebar_texts(node):
    """What the Wagtail admin's sidebar shows: its menu is JSON in a script, drawn by JavaScript."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SHOWN_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _sidebar_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _sidebar_texts(value)


def english_words(html):
    parser = _Text()
    parser.feed(html)
    for props in SIDEBAR.findall(html):
        parser.parts.extend(_sidebar_texts(json.loads(props)))
    found = set()
    for part in parser.parts:
        for word in LATIN.findall(part):
            if word not in ALLOWED:
                found.add(word)
    return found


def _pages(client, urls):
    problems = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, (url, response.status_code)
        words = english_words(response.content.decode())
        if words:
            problems[url] = sorted(words)
    return problems


def test_public_pages(home, call_index, publicity):
    from tests.cms.conftest import add_call_page
    from tests.factories import CompetitionFactory

    # The fixtures' pages have English titles, as an editor could type; a Chinese site has Chinese ones.
    for page, title in ((home, "首页"), (call_index, "项目指南"), (publicity[0].get_parent(), "公示公告")):
        page.title = title
        page.save_revision().publish()
    call_page = add_call_page(call_index, CompetitionFactory())
    urls = [home.url, call_index.url, call_page.url, publicity[0].url, "/search/?q=项目", "/track/", "/figures/",
            "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
    assert _pages(Client(), urls) == {}


def test_applicant_pages(db):
    app = application_in_state(Status.SUBMITTED)
    member = verified(app.organization.memberships.get().user)
    member.language = "zh-hans"  # a Chinese applicant: the notifications they get are in Chinese too
    member.save(update_fields=["language"])
    member.notifications.all().delete()  # written in English before they chose Chinese
    services.application_return_for_revision(application=app, actor=app.staff, reason="请补充预算明细。",
                                             deadline=timezone.now() + dt.timedelta(days=7))
    client = Client()
    client.force_login(member)
    urls = [reverse("applications:home"), reverse("applications:application_list"), reverse("applications:organization_list"),
            reverse("applications:notification_list"), reverse("applications:application_detail", args=[app.pk]),
            reverse("applications:organization_detail", args=[app.organization_id])]
    urls += [reverse("applications:section", args=[app.pk, s]) for s in ["project", "budget", "goals", "attachments"]]
    assert _pages(client, urls) == {}


def test_staff_pages(db):
    app = application_in_state(Status.SUBMITTED)
    staff = staff_with_admin(app.competition.bureau)
    client = Client()
    client.force_login(staff)
    urls = ["/admin/", "/admin/application/", f"/admin/application/inspect/{app.pk}/", "/admin/postaward/", "/admin/publicity/",
            "/admin/cultivation/"]
    assert _pages(client, urls) == {}


def test_site_admin_pages(home, call_index, publicity):
    """A site admin (superuser) in Wagtail's own screens: the page tree, the edit form, the account,
    sites, users, workflows and reports. Wagtail's catalog leaves these in English; ours covers them."""
    from django.contrib.auth.models import Group
    from wagtail.models import Page, PageLogEntry, Site, Task, Workflow

    # The site as deployed: Chinese page titles, no Wagtail placeholder page, a real host name.
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    for page, title in ((home, "首页"), (call_index, "项目指南"), (publicity[0].get_parent(), "公示公告")):
        page.title = title
        page.save_revision().publish()
        PageLogEntry.objects.filter(page=page).update(label=title)
    Site.objects.update(hostname="gongyi.example.cn")
    admin = UserFactory(is_staff=True, is_superuser=True, full_name="管理员", language="zh-hans")
    client = Client()
    client.force_login(admin)
    notice = publicity[0]
    client.post(f"/admin/pages/{notice.pk}/lock/")  # the edit form of a locked page says by whom
    urls = ["/admin/", "/admin/pages/", f"/admin/pages/{home.pk}/", f"/admin/pages/{home.pk}/?ordering=title",
            f"/admin/pages/{home.pk}/?ordering=ord", f"/admin/pages/{call_index.pk}/edit/", f"/admin/pages/{notice.pk}/edit/",
            f"/admin/pages/{home.pk}/add_subpage/", f"/admin/pages/add/cms/callpage/{call_index.pk}/", f"/admin/pages/{notice.pk}/history/",
            f"/admin/pages/{notice.pk}/move/", f"/admin/pages/{notice.pk}/delete/",
            "/admin/pages/search/?q=公示", "/admin/pages/search/?q=无此页面", "/admin/account/",
            "/admin/sites/", f"/admin/sites/edit/{Site.objects.get().pk}/", "/admin/users/", f"/admin/users/edit/{admin.pk}/",
            "/admin/groups/", f"/admin/groups/edit/{Group.objects.first().pk}/", "/admin/groups/new/", "/admin/workflows/list/", f"/admin/workflows/edit/{Workflow.objects.first().pk}/",
            "/admin/workflows/tasks/index/", f"/admin/workflows/tasks/edit/{Task.objects.first().pk}/",
            "/admin/reports/locked/", "/admin/reports/aging-pages/", "/admin/reports/site-history/", "/admin/reports/workflow/",
            "/admin/reports/workflow_tasks/", "/admin/reports/page-types-usage/", "/admin/images/", "/admin/images/add/",
            "/admin/documents/", "/admin/collections/", "/admin/collections/add/", "/admin/redirects/", "/admin/forms/"]
    assert _pages(client, urls) == {}
    # Wagtail's release notes and editor guide (guide.wagtail.org): English pages, out of reach from
    # mainland China; neither the help menu (sidebar JSON) nor the dashboard's account summary links them.
    for url in ("/admin/", "/admin/pages/", "/admin/account/"):
        assert "guide.wagtail.org" not in client.get(url).content.decode(), url
    # Wagtail's own rows (the tree's root, its default groups and workflow) carry Chinese names.
    assert Page.get_first_root_node().title == "根目录"
    assert set(Group.objects.values_list("name", flat=True)) >= {"网站编辑", "网站审核员"}


def test_reviewer_pages(db):
    from tests.review.conftest import reviewer

    app = application_in_state(Status.UNDER_REVIEW)
    expert = reviewer(app.competition.bureau)
    assignment = AssignmentFactory(application=app, reviewer=expert)
    client = Client()
    client.force_login(expert)
    assert _pages(client, [reverse("review:assignments"), reverse("review:sheet", args=[assignment.pk])]) == {}


def test_error_pages_speak_chinese(client, settings):
    settings.DEBUG = False
    for url, status in (("/no-such-page/", 404), ("/portal/attachments/999999/", 302)):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == status
        if status == 404:
            assert english_words(response.content.decode()) == set()
            assert "找不到" in response.content.decode() or "不存在" in response.content.decode()


def test_words_with_two_meanings_get_the_right_chinese(db):
    """One English word, two Chinese ones: the context decides."""
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    with translation.override("zh-hans"):
        assert pgettext("verb: open a link", "Open") == "查看" and gettext("Open") == "申报中"  # a button, a call's phase
        assert pgettext("indicator value", "Planned") == "计划值" and gettext("Planned") == "计划中"
        assert gettext("Pages") == "页面"


def test_the_review_log_shows_words_not_codes(db):
    from review.models import ReviewLog

    with translation_zh():
        assert str(ReviewLog(action="funding.recommended").action_label) == "拟资助"
        assert str(ReviewLog(action="funding.declined").action_label) == "未获资助"


def translation_zh():
    from django.utils import translation

    return translation.override("zh-hans")


def test_the_account_mails_read_chinese(client, mailoutbox, settings):
    """allauth's own mails: the address confirmation a new applicant gets after signing up."""
    from django.contrib.auth import get_user_model

    response = client.post("/accounts/signup/", {"email": "xin@example.org", "password1": "Zhang-San-2026!", "password2": "Zhang-San-2026!"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code in (200, 302), response.content.decode()[:500]
    assert get_user_model().objects.filter(email="xin@example.org").exists()
    message = mailoutbox[-1]
    assert "邮箱" in message.subject and "Email" not in message.subject
    assert "Hello" not in message.body and "您好" in message.body
