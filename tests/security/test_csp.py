"""A Content-Security-Policy on every page (security finding 11): strict on the public site, the
portal and the review pages (own origin only, no inline script), one for the Wagtail admin that
allows what Wagtail needs, and violation reports logged."""

import json
import logging

import pytest

pytestmark = pytest.mark.django_db


def directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.parametrize("path", ["/accounts/login/", "/portal/", "/review/", "/search/?q=社区", "/open-data/"])
def test_public_portal_and_review_pages_forbid_inline_and_outside_scripts(client, path):
    policy = directives(client.get(path))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["report-uri"] == ["/csp-report/"]


def test_the_admin_has_its_own_policy_that_still_refuses_other_origins(client, staff):
    client.force_login(staff)
    policy = directives(client.get("/admin/"))
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_violation_reports_are_logged(client, caplog):
    report = {"csp-report": {"document-uri": "https://example.org/portal/", "violated-directive": "script-src-elem",
                             "blocked-uri": "inline"}}
    with caplog.at_level(logging.WARNING, logger="csp"):
        response = client.post("/csp-report/", json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204
    assert "CSP violation on https://example.org/portal/: script-src-elem blocked inline" in caplog.text
    assert client.post("/csp-report/", "not json", content_type="application/csp-report").status_code == 204
    assert client.get("/csp-report/").status_code == 405
