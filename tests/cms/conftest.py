"""Fixtures of the public-site tests: a page tree, a call in 公示, a valid objection post."""

import time

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from wagtail.models import Site

from applications.models import Status
from cms.publicity import publicity_publish
from cms import antispam
from cms.models import AnnouncementIndexPage, CallIndexPage, CallPage, HomePage
from tests.conftest import wagtail_root
from tests.factories import StaffFactory, application_in_state


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home(db):
    root = wagtail_root()
    home = HomePage(title="Commonweal test home", slug="cw-home")
    root.add_child(instance=home)
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Commonweal")
    return home


@pytest.fixture
def announcements(home):
    index = AnnouncementIndexPage(title="Announcements", slug="announcements")
    home.add_child(instance=index)
    return index


@pytest.fixture
def call_index(home):
    index = CallIndexPage(title="Calls", slug="calls")
    home.add_child(instance=index)
    return index


def add_call_page(call_index, competition, **kwargs):
    page = CallPage(title=competition.title, slug=f"call-{competition.pk}", competition=competition, **kwargs)
    call_index.add_child(instance=page)
    return page


@pytest.fixture
def recommended():
    """An application recommended for funding (driven through the real workflow)."""
    return application_in_state(Status.RECOMMENDED)


@pytest.fixture
def publicity(announcements, recommended, django_capture_on_commit_callbacks):
    """A published 公示 of one recommended application; returns (page, application, staff)."""
    staff = recommended.staff
    with django_capture_on_commit_callbacks(execute=True):
        page = publicity_publish(competition=recommended.competition, actor=staff)
    recommended.refresh_from_db()
    return page, recommended, staff


def objection_post(application, **overrides):
    """A form post a person would send, filled in a minute ago."""
    data = {
        "application": application.pk,
        "objector_kind": "person",
        "name": "王五",
        "phone": "13912345678",
        "organization": "",
        "reason": "该组织去年的项目未按期结项。",
        "website": "",
        "started": antispam.form_token(now=time.time() - 60),
    }
    data.update(overrides)
    return data


def admin_staff(bureau, **kwargs):
    """Bureau staff who may enter the Wagtail admin."""
    user = StaffFactory(bureau=bureau, **kwargs)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user
