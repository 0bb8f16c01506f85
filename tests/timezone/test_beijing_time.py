"""Every page, document, export and mail shows Beijing time, never UTC.

The whole story happens at 07:12 UTC, which is 15:12 in Beijing: "07:12" anywhere in what a
person reads means a time was shown in UTC.
"""

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.template.loader import render_to_string

from applications import pdf, postaward
from applications.models import Status
from applications.notices import notice_issue
from review import services as review_services
from review.models import Assignment
from tests.factories import application_in_state, staff_with_admin
from tests.review.conftest import reviewer

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 5, 6, 7, 12, tzinfo=dt.timezone.utc)
UTC_TIME, BEIJING_TIME = "07:12", "15:12"


@pytest.fixture
def story(django_capture_on_commit_callbacks):
    with time_machine.travel(MOMENT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            app = application_in_state(Status.AWARDED)
            notice_issue(application=app)
            under = application_in_state(Status.UNDER_REVIEW, competition=app.competition)
            app.reviewer = reviewer(app.competition.bureau)
            review_services.assignment_create(application=under, reviewer=app.reviewer)
    EmailAddress.objects.create(user=app.member, email=app.member.email, verified=True, primary=True)
    return app


def readable(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_no_page_document_export_or_mail_shows_utc(client, story):
    app = story
    staff = staff_with_admin(bureau=app.competition.bureau)
    shown = {}
    with time_machine.travel(MOMENT + dt.timedelta(hours=1), tick=False):
        client.force_login(app.member)
        for url in ["/portal/", "/portal/applications/", f"/portal/applications/{app.pk}/",
                    f"/portal/applications/{app.pk}/receipt/", f"/portal/applications/{app.pk}/project/",
                    "/portal/notifications/"]:
            shown[url] = readable(client.get(url))
        client.force_login(staff)
        for url in ["/admin/", "/admin/application/", f"/admin/application/inspect/{app.pk}/"]:
            shown[url] = readable(client.get(url))
        client.force_login(app.reviewer)
        shown["/review/"] = readable(client.get("/review/"))
        assignment = Assignment.objects.get(reviewer=app.reviewer)
        shown["score sheet"] = readable(client.get(f"/review/assignments/{assignment.pk}/"))
        client.logout()
        for url in [f"/projects/{app.reference}/", "/open-data/grants.json", "/open-data/grants.csv",
                    "/open-data/calls.json", f"/verify/{app.award_notice.code}/"]:
            shown[url] = readable(client.get(url))
        shown["申报书"] = render_to_string("pdf/application.html", pdf.application_pdf_context(app))
        shown["资助协议书"] = render_to_string("pdf/agreement.html", postaward.agreement_context(app))
    for message in mail.outbox:
        shown[f"mail: {message.subject}"] = message.subject + message.body
    assert any(BEIJING_TIME in text for text in shown.values()), "no time of the story is shown at all"
    in_utc = [where for where, text in shown.items() if UTC_TIME in text]
    assert not in_utc, f"shown in UTC on: {in_utc}"


def test_back_office_shows_beijing_time_whatever_zone_a_profile_once_chose(client, story):
    from importlib import import_module

    from django.apps import apps
    from wagtail.users.models import UserProfile

    staff = staff_with_admin(bureau=story.competition.bureau)
    UserProfile.get_for_user(staff).__class__.objects.filter(user=staff).update(current_time_zone="UTC")
    import_module("accounts.migrations.0004_one_time_zone").clear_time_zones(apps, None)
    client.force_login(staff)
    page = readable(client.get(f"/admin/application/inspect/{story.pk}/"))
    assert BEIJING_TIME in page and UTC_TIME not in page
    account = readable(client.get("/admin/account/"))
    assert "current_time_zone" not in account  # nobody can pick another zone again
