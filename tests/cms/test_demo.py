"""The demo site builds over the demo data and is safe to build twice."""

import pytest
from wagtail.models import Page

from applications.models import Status
from cms.demo import build_demo_site
from cms.models import CallPage, HomePage, PublicityPage
from tests.factories import CompetitionFactory, application_in_state

pytestmark = pytest.mark.django_db


def test_build_demo_site_is_idempotent_and_renders(client, home):
    call = CompetitionFactory(title="演示：2026年彩票公益金项目")
    app = application_in_state(Status.PUBLICIZING, competition=call)

    created = build_demo_site()
    pages = Page.objects.count()
    again = build_demo_site()

    assert created > 5 and again == 0
    assert Page.objects.count() == pages
    assert CallPage.objects.get(competition=call)
    publicity = PublicityPage.objects.get()
    assert [e.application_id for e in publicity.entries.all()] == [app.pk]
    assert publicity.slug == f"publicity-{call.pk}"  # an address to print, not a timestamp
    for page in home.get_descendants(inclusive=True).live().specific():
        assert client.get(page.url).status_code == 200, page.url
    assert HomePage.objects.count() == 1
