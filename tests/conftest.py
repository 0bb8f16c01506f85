"""Shared fixtures. Service-backed tests skip with a reason locally and fail under CI=true."""

import datetime as dt
import os

import pytest
import time_machine

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# TEST_CLOCK_SHIFT_DAYS=400 runs the whole session with the clock that many days ahead (ticking), so a
# test that silently depends on today's date fails now rather than next year. Tests that travel
# themselves (time_machine.travel, the time_machine fixture) still set their own time on top of it.
CLOCK_SHIFT_DAYS = int(os.environ.get("TEST_CLOCK_SHIFT_DAYS") or 0)
_shifted_clock = None


def pytest_configure(config):
    global _shifted_clock
    if CLOCK_SHIFT_DAYS:
        _shifted_clock = time_machine.travel(
            dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=CLOCK_SHIFT_DAYS), tick=True
        )
        _shifted_clock.start()


def pytest_unconfigure(config):
    if _shifted_clock is not None:
        _shifted_clock.stop()


def pytest_report_header(config):
    if CLOCK_SHIFT_DAYS:
        return f"clock shifted {CLOCK_SHIFT_DAYS} days ahead: the session runs on {dt.date.today():%Y-%m-%d}"
    return None

# One Playwright harness for the whole suite: a second sync_playwright() in the same thread fails.
pytest_plugins = ["tests.browser_harness"]


def _missing(reason):
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """``client.force_login(user)`` stands for a complete login, second factor included.

    Tests of the login itself use the real views (or ``client.login``, which is password only).
    """
    import time

    from django.test.client import ClientMixin

    from accounts.second_factor import METHODS_KEY

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[METHODS_KEY] = [{"method": "password", "at": time.time()}, {"method": "mfa", "type": "totp", "at": time.time()}]
        session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the working-day calendar, rate limits, pages)."""
    from django.core.cache import cache

    cache.clear()


def wagtail_root():
    """Wagtail's root page (and its locale), made again if a transactional test flushed the ones the
    migrations made: after a flush the admin dashboard, the page explorer and page factories need them."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page

    root = Page.get_first_root_node()
    if root is None:
        ContentType.objects.clear_cache()  # ids cached before the flush are gone
        Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.add_root(instance=Page(title="根目录", slug="root", live=True))
    return root


@pytest.fixture(autouse=True)
def _wagtail_tree_after_flush(request):
    """Transactional tests run after others have flushed the database: give them Wagtail's root back."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        wagtail_root()


@pytest.fixture(autouse=True)
def _english_by_default():
    """Tests read English text unless they ask for Chinese (the site's default) explicitly."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A client whose browser asks for English; pass HTTP_ACCEPT_LANGUAGE="zh-hans" for Chinese."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def require_postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        _missing("this test needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
    return connection


@pytest.fixture
def redis_url():
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        _missing(f"this test needs Redis at {url} (set TEST_REDIS_URL): {exc}")
    return url


# ----- a bureau, its call and its staff: shared by the staff, review and other back-office tests ----


@pytest.fixture
def bureau():
    from tests.factories import BureauFactory

    return BureauFactory()


@pytest.fixture
def call(bureau):
    from tests.factories import CompetitionFactory

    return CompetitionFactory(bureau=bureau)


@pytest.fixture
def staff(bureau):
    from tests.factories import staff_with_admin

    return staff_with_admin(bureau)


@pytest.fixture
def other_staff():
    """Staff of another bureau."""
    from tests.factories import BureauFactory, staff_with_admin

    return staff_with_admin(BureauFactory())
