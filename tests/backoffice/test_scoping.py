"""Bureau scoping: staff see and act on their own bureau's calls only, on every page and action."""

import pytest
from django.contrib.auth.models import Group

from applications.models import Status
from competitions.models import Criterion
from tests.factories import CompetitionFactory, OrganizationFactory, member_of

from .conftest import application_in, staff_with_admin

pytestmark = pytest.mark.django_db

APPLICATION_URLS = [
    "/admin/application/inspect/{app}/",
    "/admin/application/edit/{app}/",
    "/admin/application/delete/{app}/",
    "/admin/application/history/{app}/",
    "/admin/application/usage/{app}/",
    "/admin/application/transition/{app}/accept_eligible/",
    "/admin/application/transition/{app}/reject_ineligible/",
    "/admin/application/transition/{app}/return_for_revision/",
    "/admin/bulk/applications/application/accept_eligible/?id={app}",
    "/admin/bulk/applications/application/open_review/?id={app}",
    "/admin/organization/inspect/{org}/",
    "/admin/organization/edit/{org}/",
    "/admin/competition/edit/{call}/",
    "/admin/competition/delete/{call}/",
    "/admin/competition/history/{call}/",
    "/admin/competition/usage/{call}/",
    "/admin/criterion/edit/{criterion}/",
    "/admin/criterion/delete/{criterion}/",
]


def _urls(app):
    ids = {"app": app.pk, "org": app.organization_id, "call": app.competition_id,
           "criterion": Criterion.objects.filter(competition=app.competition).first().pk}
    return [u.format(**ids) for u in APPLICATION_URLS]


@pytest.mark.parametrize("template", APPLICATION_URLS)
def test_other_bureau_staff_get_404_or_403_on_every_page_and_action(client, other_staff, submitted, template):
    url = _urls(submitted)[APPLICATION_URLS.index(template)]
    client.force_login(other_staff)
    assert client.get(url).status_code in (403, 404), url
    before = (submitted.status, submitted.version, submitted.log.count())
    data = {f"{name}-version": submitted.version
            for name in ("accept_eligible", "reject_ineligible", "return_for_revision")}
    data.update({"reject_ineligible-reason": "x", "reject_ineligible-confirmed": "on", "return_for_revision-reason": "x",
                 "return_for_revision-deadline": "2099-01-01T10:00"})
    response = client.post(url, data)
    assert response.status_code in (403, 404), url
    submitted.refresh_from_db()
    assert (submitted.status, submitted.version, submitted.log.count()) == before


def test_own_bureau_staff_open_the_same_pages(client, staff, submitted):
    client.force_login(staff)
    ok = {u: client.get(u).status_code for u in _urls(submitted)}
    # Refused by permission (Wagtail answers with a redirect to the dashboard and a message):
    # nobody edits applicant data here, and only site admins delete calls.
    refused = (302, 403, 404)
    assert ok.pop(f"/admin/application/edit/{submitted.pk}/") in refused
    assert ok.pop(f"/admin/application/delete/{submitted.pk}/") in refused
    assert ok.pop(f"/admin/application/history/{submitted.pk}/") in refused
    assert ok.pop(f"/admin/application/usage/{submitted.pk}/") in refused
    assert ok.pop(f"/admin/organization/edit/{submitted.organization_id}/") in refused
    assert ok.pop(f"/admin/competition/delete/{submitted.competition_id}/") in refused
    assert ok.pop(f"/admin/competition/usage/{submitted.competition_id}/") == 200
    assert all(code == 200 for code in ok.values()), ok


def test_listings_show_only_own_bureau_rows(client, staff, other_staff, call, submitted):
    their_call = CompetitionFactory(bureau=other_staff.bureau, title="别家的项目")
    theirs = application_in(Status.SUBMITTED, competition=their_call)
    draft = application_in(Status.DRAFT, competition=call, title="还没提交的草稿")
    client.force_login(staff)
    page = client.get("/admin/application/").content.decode()
    assert submitted.reference in page
    assert theirs.reference not in page
    assert draft.title not in page  # drafts stay with the organization
    calls = client.get("/admin/competition/").content.decode()
    assert call.title in calls and "别家的项目" not in calls
    orgs = client.get("/admin/organization/").content.decode()
    assert submitted.organization.name in orgs and theirs.organization.name not in orgs
    criteria = client.get("/admin/criterion/").content.decode()
    assert call.title in criteria and "别家的项目" not in criteria
    # Even asking for the other bureau's call in the filter shows nothing of it.
    filtered = client.get(f"/admin/application/?competition={theirs.competition_id}").content.decode()
    assert theirs.reference not in filtered


def test_site_admin_sees_every_bureau(client, site_admin, submitted, other_staff):
    theirs = application_in(Status.SUBMITTED, competition=CompetitionFactory(bureau=other_staff.bureau))
    client.force_login(site_admin)
    page = client.get("/admin/application/").content.decode()
    assert submitted.reference in page and theirs.reference in page
    assert client.get(f"/admin/application/inspect/{theirs.pk}/").status_code == 200


def test_bureaus_and_regions_are_for_site_admins(client, staff, site_admin, bureau):
    client.force_login(staff)
    for url in ["/admin/bureau/", f"/admin/bureau/edit/{bureau.pk}/", "/admin/region/",
                f"/admin/region/edit/{bureau.region_id}/", "/admin/bureau/new/"]:
        assert client.get(url).status_code in (302, 403, 404), url
    client.force_login(site_admin)
    for url in ["/admin/bureau/", f"/admin/bureau/edit/{bureau.pk}/", "/admin/region/"]:
        assert client.get(url).status_code == 200, url


def test_applicants_and_staff_without_a_bureau_stay_out(client, submitted):
    applicant = member_of(submitted.organization)
    applicant.groups.add(Group.objects.get_or_create(name="Bureau staff")[0])
    staff_no_bureau = staff_with_admin(bureau=None)
    staff_no_bureau.bureau = None
    staff_no_bureau.save()
    for user in (applicant, staff_no_bureau):
        client.force_login(user)
        assert client.get(f"/admin/application/inspect/{submitted.pk}/").status_code in (302, 403, 404)
        assert submitted.reference not in client.get("/admin/application/").content.decode()


def test_staff_create_calls_for_their_own_bureau_only(client, staff, other_staff):
    client.force_login(staff)
    page = client.get("/admin/competition/new/").content.decode()
    assert staff.bureau.name in page
    assert other_staff.bureau.name not in page


def test_criterion_form_offers_only_own_calls(client, staff, call, other_staff):
    other_call = CompetitionFactory(bureau=other_staff.bureau, title="别家的征集")
    client.force_login(staff)
    page = client.get("/admin/criterion/new/").content.decode()
    assert call.title in page and other_call.title not in page
    response = client.post("/admin/criterion/new/", {
        "competition": other_call.pk, "stage": "review", "position": 9, "name": "偷偷加的标准",
        "max_points": "10", "weight": "1",
    })
    assert response.status_code == 200  # form error: not a valid choice
    assert not Criterion.objects.filter(name="偷偷加的标准").exists()


def test_organization_of_another_bureau_is_not_found(client, staff):
    stranger = OrganizationFactory()
    client.force_login(staff)
    assert client.get(f"/admin/organization/inspect/{stranger.pk}/").status_code == 404
