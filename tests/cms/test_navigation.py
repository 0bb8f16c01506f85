"""A visitor finds every public page from the home page: a menu of the site's sections built from
the page tree, breadcrumbs on deep pages, and every live page within two clicks (a crawl of the
demo site proves it)."""

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from wagtail.models import Page, Site

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="([^"#?]+)')


def crawl(client, start, depth):
    """Every path reachable from ``start`` in at most ``depth`` clicks on the site's own links."""
    seen, queue = {start: 0}, deque([start])
    while queue:
        path = queue.popleft()
        if seen[path] == depth:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode()):
            target = urlsplit(href)
            if target.netloc not in ("", "testserver", "localhost") or not target.path.startswith("/"):
                continue
            if target.path not in seen:
                seen[target.path] = seen[path] + 1
                queue.append(target.path)
    return seen


@pytest.fixture
def demo_site():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return Site.objects.get(is_default_site=True)


def test_every_public_page_is_within_two_clicks_of_home(client, demo_site):
    home = demo_site.root_page
    reached = crawl(client, home.url, depth=2)
    pages = {page.url: page.title for page in Page.objects.live().descendant_of(home, inclusive=True).specific()}
    missing = sorted(f"{title} ({url})" for url, title in pages.items() if url not in reached)
    assert missing == [], "public pages more than two clicks from home: " + ", ".join(missing)
    print(f"\ncrawl: {len(pages)} live pages, all within two clicks of home; {len(reached)} paths seen")


def test_the_menu_lists_the_sections_and_marks_where_you_are(client, demo_site):
    home = demo_site.root_page
    sections = list(home.get_children().live())
    calls = next(page for page in sections if page.slug == "calls")
    text = client.get(calls.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    menu = text[text.index('class="site-menu"'):text.index("</nav>", text.index('class="site-menu"'))]
    for section in sections:
        assert f'href="{section.url}"' in menu, section.title
    assert f'<a href="{calls.url}" aria-current="page">{calls.title}</a>' in menu
    assert ">首页<" in menu


def test_deep_pages_show_the_way_back(client, demo_site):
    deep = Page.objects.live().filter(depth__gte=4).specific().first()
    text = client.get(deep.url).content.decode()
    trail = text[text.index('class="breadcrumbs"'):]
    parent = deep.get_parent()
    assert f'href="{parent.url}">{parent.title}</a>' in trail
    assert f'aria-current="page">{deep.title}</li>' in trail
