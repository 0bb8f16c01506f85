"""The data the HTTP benchmark and the load test run against, made in the rig's database.

Rows are made with the tests' factories and helpers; the 1,000 staff-list applications are
bulk-created (valid rows: each with its own organization, a reference and a submission time).
Sessions are made as a full sign-in would leave them, second factor passed (as the tests'
``force_login`` does), and saved where the server reads them (Redis, in production settings).
"""

import datetime as dt
import time
from decimal import Decimal

from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.second_factor import METHODS_KEY


def session_cookie(user, csrf_secret=None):
    """A Cookie header for ``user`` signed in with password and second factor."""
    client = Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    session[METHODS_KEY] = [{"method": "password", "at": now}, {"method": "mfa", "type": "totp", "at": now}]
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    if csrf_secret:
        cookie += f"; {settings.CSRF_COOKIE_NAME}={csrf_secret}"
    return cookie


def bulk_applications(call, n):
    """``n`` submitted applications in ``call``, each from its own organization."""
    from applications.models import Application, Organization, Status
    from tests.factories import RegionFactory

    urban, rural = RegionFactory(is_rural=False), RegionFactory(is_rural=True)
    orgs = Organization.objects.bulk_create(
        Organization(name=f"压测社会组织{i}", registration_status="filed", filing_record="街道备案",
                     category="community_service", community=rural if i % 3 == 0 else urban,
                     head_name="张三", contact_name="李四", contact_phone="13800000000",
                     verified_at=timezone.now())
        for i in range(n)
    )
    statuses = [Status.SUBMITTED, Status.ELIGIBLE, Status.UNDER_REVIEW, Status.REVIEWED]
    return Application.objects.bulk_create(
        Application(organization=org, competition=call, status=statuses[i % 4], title=f"压测项目{i}",
                    reference=f"{settings.REFERENCE_PREFIX}-{call.year}-BX-{i + 1:04d}",
                    summary="为社区高龄、空巢老人提供上门探访和助餐服务。", service_area="elderly",
                    requested_amount=Decimal("50000"), submitted_at=timezone.now() - dt.timedelta(days=1))
        for i, org in enumerate(orgs)
    )


def public_site_and_staff(applications=1000, publicized=30):
    """After ``seed_demo``: ``applications`` more in the demo's open call, ``publicized`` of them
    listed on a 公示 page of their own; returns the pages to measure and the staff's cookie."""
    from django.contrib.auth import get_user_model

    from applications.models import Application, Status
    from cms.models import AnnouncementIndexPage, CallPage, NewsIndexPage, PublicityEntry, PublicityPage, ResultsPage, ShowcasePage
    from competitions.models import Competition

    call = next(c for c in Competition.objects.order_by("pk") if c.is_open(timezone.now()))
    apps = bulk_applications(call, applications)
    listed = apps[:publicized]
    now = timezone.now()
    Application.objects.filter(pk__in=[a.pk for a in listed]).update(
        status=Status.PUBLICIZING, awarded_amount=Decimal("50000"), publicity_ends_at=now + dt.timedelta(days=7))
    page = PublicityPage(title=f"{call.title}拟资助项目公示（压测）", slug="publicity-bench", competition=call,
                         starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=7),
                         last_day=timezone.localdate() + dt.timedelta(days=6))
    AnnouncementIndexPage.objects.get().add_child(instance=page)
    PublicityEntry.objects.bulk_create(PublicityEntry(page=page, application=a, position=i) for i, a in enumerate(listed))
    staff = get_user_model().objects.get(username="city-staff")  # the bureau running this call
    assert staff.bureau_id == call.bureau_id, "the demo's city staff should run the open call"
    pages = [
        ("home /", "/"),
        ("a call page", CallPage.objects.get(competition=call).url),
        (f"公示 page ({publicized} projects)", page.url),
        ("results", ResultsPage.objects.get().url),
        ("news", NewsIndexPage.objects.get().url),
        ("showcase", ShowcasePage.objects.get().url),
    ]
    total = Application.objects.filter(competition__bureau=call.bureau).count()
    return pages, session_cookie(staff), total


def rush(applicants, closes_in_minutes):
    """A call closing in ``closes_in_minutes`` and ``applicants`` applicants, each signed in with a
    complete draft in it; returns what the locust file needs for each."""
    from django.middleware.csrf import _get_new_csrf_string

    from tests.factories import ApplicationFactory, CompetitionFactory, OrganizationFactory, member_of
    from tests.portal.conftest import verified

    now = timezone.now()
    call = CompetitionFactory(opens_at=now - dt.timedelta(days=30), closes_at=now + dt.timedelta(minutes=closes_in_minutes))
    people = []
    for _ in range(applicants):
        organization = OrganizationFactory()
        member = verified(member_of(organization, user__language="zh-hans", user__password=None))
        app = ApplicationFactory(organization=organization, competition=call, created_by=member)
        secret = _get_new_csrf_string()
        people.append({"application": app.pk, "cookie": session_cookie(member, secret), "csrf": secret})
    return call, people


def rush_outcome(call):
    """What the run left: submitted applications, their submit log rows, references, 申报书 PDFs."""
    from applications.models import Application, Status, SubmittedDocument, TransitionLog

    apps = Application.objects.filter(competition=call)
    return {
        "applications": apps.count(),
        "submitted": apps.filter(status=Status.SUBMITTED).count(),
        "submit_log_rows": TransitionLog.objects.filter(application__competition=call, transition="application.submit").count(),
        "references": len(set(apps.exclude(reference=None).values_list("reference", flat=True))),
        "pdfs": SubmittedDocument.objects.filter(application__competition=call).count(),
    }
