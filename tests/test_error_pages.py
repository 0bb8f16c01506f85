"""Error pages in the site's style and language; 503 when a service is down; /healthz for the balancer."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404
from django.test import Client
from django.urls import path

import config.urls
from tests.factories import UserFactory
from tests.test_chinese_everywhere import english_words


def _boom(request):
    raise ValueError("a bug")


def _database_down(request):
    raise OperationalError("connection to server at 127.0.0.1 failed")


def _missing(request):
    raise Http404


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [path("boom/", _boom), path("database-down/", _database_down), path("missing/", _missing), path("forbidden/", _forbidden),
               *config.urls.urlpatterns]
handler500 = config.urls.handler500

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)  # no Accept-Language: the site's default, Chinese


def test_a_missing_page_is_chinese_and_in_the_site_style(production_like, visitor):
    for url in ("/missing/", "/no-such-page/"):
        response = visitor.get(url)
        page = response.content.decode()
        assert response.status_code == 404
        assert "页面不存在" in page and "site-header" in page and "Not Found" not in page
        assert english_words(page) == set()


def test_a_missing_page_in_english(production_like):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/missing/").content.decode()
    assert "Page not found" in page


def test_a_bug_gives_the_styled_500_page(production_like, visitor):
    response = visitor.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "出错" in page and "site-header" in page and "Server Error" not in page
    assert english_words(page) == set()


def test_a_database_outage_gives_503_with_retry_after(production_like, visitor):
    response = visitor.get("/database-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "暂时无法访问" in response.content.decode()


def test_a_forbidden_page_says_why_in_chinese(production_like, visitor):
    visitor.force_login(UserFactory())
    response = visitor.get("/review/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权" in page and "site-header" in page
    assert english_words(page) == set()


def test_a_view_refusing_gives_the_chinese_403_page(production_like, visitor):
    response = visitor.get("/forbidden/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权" in page and "site-header" in page and "Forbidden" not in page
    assert english_words(page) == set()


def test_a_failed_csrf_check_gives_a_chinese_403_page(production_like):
    """A form sent from a page left open past its token (or without cookies): Django's own page is English."""
    visitor = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = visitor.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "表单已过期" in page and "site-header" in page and "CSRF" not in page
    assert english_words(page) == set()


def test_a_bad_request_is_chinese(production_like, visitor):
    response = visitor.get("/", HTTP_HOST="not a host")
    assert response.status_code == 400
    page = response.content.decode()
    assert "site-header" in page and english_words(page) == set()


def test_healthz_reports_each_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_is_503_naming_what_is_down(client, monkeypatch):
    from config import views

    def down():
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(views, "_database", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError: could not connect to server"}
    assert body["checks"]["cache"]["ok"]
