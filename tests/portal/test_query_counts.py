"""The applicant's list pages make the same number of queries for 10 rows as for 200."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Notification
from applications.models import Membership
from tests.factories import ApplicationFactory, CompetitionFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _count(client, url):
    client.get(url)  # warm: the site menu is cached after the first view (and again after each change)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _applications(applicant, organization, n):
    call = CompetitionFactory(rubric=False)
    orgs = [organization] + [OrganizationFactory(community=organization.community) for _ in range(3)]
    for org in orgs[1:]:
        Membership.objects.get_or_create(organization=org, user=applicant, defaults={"role": "editor"})
    existing = applicant.organizations.count()
    for i in range(n):
        ApplicationFactory(organization=orgs[i % len(orgs)], competition=CompetitionFactory(rubric=False, bureau=call.bureau) if i >= len(orgs) else call, lines=False)
    return existing


def _notifications(applicant, n):
    Notification.objects.bulk_create(
        Notification(user=applicant, key=f"n{applicant.pk}-{i}-{n}", subject=f"通知 {i}", body="正文", url="/portal/")
        for i in range(n)
    )


def _organizations(applicant, n):
    for _ in range(n):
        Membership.objects.create(organization=OrganizationFactory(), user=applicant, role="editor")


@pytest.mark.parametrize("url_name,make", [
    ("application_list", "applications"),
    ("home", "applications"),
    ("notification_list", "notifications"),
    ("organization_list", "organizations"),
])
def test_list_pages_do_not_grow_with_rows(app_client, applicant, organization, url_name, make, django_assert_max_num_queries):
    url = reverse(f"applications:{url_name}")

    def grow(n):
        if make == "applications":
            _applications(applicant, organization, n)
        elif make == "notifications":
            _notifications(applicant, n)
        else:
            _organizations(applicant, n)

    grow(10)
    small = _count(app_client, url)
    grow(190)
    large = _count(app_client, url)
    # session, user, verified email, then the page's own reads (a handful, not one per row)
    print(f"{url_name}: {small} queries with 10 rows, {large} with 200")
    assert large == small, (small, large)
    with django_assert_max_num_queries(12):
        app_client.get(url)
