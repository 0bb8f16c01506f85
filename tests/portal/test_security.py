"""Ids changed in the URL, posts without CSRF token, and markup typed into fields."""

import pytest
from django.test import Client
from django.urls import reverse

from applications.models import Application

pytestmark = pytest.mark.django_db


def _application_urls(app):
    urls = [reverse(f"applications:{name}", args=[app.pk]) for name in ("application_detail", "receipt", "withdraw")]
    urls += [reverse("applications:section", args=[app.pk, s]) for s in ("project", "budget", "attachments")]
    return urls


def test_another_organizations_application_is_404_everywhere(app_client, other_application):
    for url in _application_urls(other_application):
        response = app_client.get(url)
        assert response.status_code == 404, url
        assert other_application.title not in response.content.decode()
    for url in [
        reverse("applications:submit", args=[other_application.pk]),
        reverse("applications:withdraw", args=[other_application.pk]),
        reverse("applications:section", args=[other_application.pk, "project"]),
        reverse("applications:autosave", args=[other_application.pk, "title"]),
    ]:
        assert app_client.post(url, {"version": other_application.version, "title": "hijack"}, HTTP_HX_REQUEST="true").status_code == 404
    other_application.refresh_from_db()
    assert other_application.status == "draft" and other_application.title != "hijack"


def test_a_missing_id_looks_the_same_as_a_forbidden_one(app_client, other_application):
    missing = app_client.get(reverse("applications:application_detail", args=[other_application.pk + 1000]))
    forbidden = app_client.get(reverse("applications:application_detail", args=[other_application.pk]))
    assert missing.status_code == forbidden.status_code == 404


@pytest.mark.parametrize("name,args,data", [
    ("submit", "app", {"version": "0"}),
    ("section", "app-project", {"title": "x", "version": "0"}),
    ("withdraw", "app", {}),
    ("organization_create", None, {"name": "x"}),
    ("notifications_read_all", None, {}),
])
def test_post_without_csrf_token_is_403(applicant, draft, name, args, data):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(applicant)
    if args == "app":
        url = reverse(f"applications:{name}", args=[draft.pk])
    elif args == "app-project":
        url = reverse(f"applications:{name}", args=[draft.pk, "project"])
    else:
        url = reverse(f"applications:{name}")
    assert client.post(url, data).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.title != "x"


def test_markup_typed_into_fields_is_shown_as_text(app_client, draft):
    script = '<script>alert("x")</script><b onmouseover=alert(1)>粗</b>'
    app_client.post(reverse("applications:section", args=[draft.pk, "project"]),
                    {"title": script, "summary": script, "version": draft.version})
    assert Application.objects.get(pk=draft.pk).title == script  # kept as typed
    for url in [
        reverse("applications:application_detail", args=[draft.pk]),
        reverse("applications:section", args=[draft.pk, "project"]),
        reverse("applications:application_list"),
        reverse("applications:home"),
    ]:
        html = app_client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, url
        assert "<b onmouseover" not in html


def test_markup_in_pdf_is_text_too(draft):
    from applications.pdf import render_application_pdf
    import subprocess

    draft.title = "<i>斜体</i>"
    text = subprocess.run(["pdftotext", "-", "-"], input=render_application_pdf(draft), capture_output=True).stdout.decode()
    assert "<i>斜体</i>" in text


def test_next_parameter_cannot_send_people_elsewhere(app_client, applicant):
    response = app_client.post(reverse("applications:notifications_read_all"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("applications:notification_list")
