"""The organization directory as a Chinese reader expects it: in pinyin order, with a letter index
and category chips that say how many organizations each would show, filters combined."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Organization, pinyin_key
from cms.models import OrganizationDirectoryPage
from tests.factories import OrganizationFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name, key, initial", [
    ("阿妹文艺队", "a mei wen yi dui", "A"),
    ("重庆路社区互助会", "chong qing lu she qu hu zhu hui", "C"),  # 重 read as chóng in 重庆, not zhòng
    ("长寿老人协会", "chang shou lao ren xie hui", "C"),
    ("ABC志愿者之家", "a b c zhi yuan zhe zhi jia", "A"),
    ("123服务队", "1 2 3 fu wu dui", "#"),
])
def test_the_sort_key_is_the_pinyin(name, key, initial):
    assert pinyin_key(name) == (key, initial)


@pytest.fixture
def directory(home):
    page = OrganizationDirectoryPage(title="社区社会组织名录", slug="directory")
    home.add_child(instance=page)
    return page


def _names(text):
    return [n for n in ("阿妹文艺队", "白云社区服务中心", "张家寨互助会", "赵庄文体队") if n in text]


def test_organizations_come_in_pinyin_order_and_by_letter(client, directory):
    county = RegionFactory(code="C9", name="花溪区", level=3)
    village = RegionFactory(code="C9V", name="张家寨村", parent=county, is_rural=True)
    for name, category, community in [("张家寨互助会", "charity_mutual_aid", village), ("白云社区服务中心", "community_service", None),
                                      ("赵庄文体队", "culture_sports_education", village), ("阿妹文艺队", "culture_sports_education", None)]:
        OrganizationFactory(name=name, category=category, **({"community": community} if community else {}))

    text = client.get(directory.url).content.decode()
    order = [text.index(n) for n in ("阿妹文艺队", "白云社区服务中心", "张家寨互助会", "赵庄文体队")]
    assert order == sorted(order)  # a, b, zhang, zhao: not the code-point order of the characters

    by_letter = client.get(directory.url, {"initial": "Z"}).content.decode()
    assert _names(by_letter) == ["张家寨互助会", "赵庄文体队"]
    assert '<span aria-disabled="true">Q</span>' in text  # a letter with nobody is not a link
    assert 'aria-current="true" title="2 organizations">Z</a>' in by_letter

    combined = client.get(directory.url, {"initial": "Z", "category": "culture_sports_education", "region": county.pk}).content.decode()
    assert _names(combined) == ["赵庄文体队"]
    # The chips count what each category would show with the letter and region kept.
    assert 'Charity and mutual aid <span class="count">1</span>' in combined
    assert 'Community service <span class="count">0</span>' in combined


def test_a_renamed_organization_is_filed_under_its_new_letter(db):
    organization = OrganizationFactory(name="阿妹文艺队")
    assert organization.name_initial == "A"
    organization.name = "山歌队"
    organization.save(update_fields=["name"])
    organization.refresh_from_db()
    assert (organization.name_pinyin, organization.name_initial) == ("shan ge dui", "S")
    # (the registry import keeps the keys too: tests/registry/test_import.py)


def test_bad_filters_are_ignored_not_errors(client, directory):
    for params in ({"initial": "ZZ"}, {"initial": "\u00e9"}, {"category": "nope"}, {"region": "x"}):
        assert client.get(directory.url, params).status_code == 200


@pytest.mark.parametrize("rows", [5, 60])
def test_the_directory_query_count_does_not_grow_with_rows(client, directory, rows):
    counts = []
    for n in (rows, rows * 2):
        OrganizationFactory.create_batch(n - Organization.objects.count() if n > Organization.objects.count() else 0)
        client.get(directory.url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(directory.url, {"initial": "S"}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_only_organizations_a_bureau_verified_are_public(client, directory, home):
    from applications import org_services
    from applications.models import Status
    from tests.factories import application_in_state, staff_with_admin

    app = application_in_state(Status.SUBMITTED)
    self_registered = app.organization
    Organization.objects.filter(pk=self_registered.pk).update(verified_at=None, name="自己注册的互助会")
    self_registered.refresh_from_db()
    assert "自己注册的互助会" not in client.get(directory.url).content.decode()
    assert "自己注册的互助会" not in client.get("/search/", {"q": "互助会"}).content.decode()

    staff = staff_with_admin(app.competition.bureau)
    client.force_login(staff)
    listing = client.get("/admin/organization/").content.decode()
    assert f'href="/admin/organization-verify/{self_registered.pk}/"' in listing  # shown as unverified, with the check
    assert "自己注册的互助会" in client.get(f"/admin/organization-verify/{self_registered.pk}/").content.decode()
    response = client.post(f"/admin/organization-verify/{self_registered.pk}/")
    assert response.status_code == 302
    self_registered.refresh_from_db()
    assert self_registered.verified_by == staff
    client.logout()
    assert "自己注册的互助会" in client.get(directory.url).content.decode()

    # A later change of its registered particulars needs a new check.
    member = self_registered.memberships.get().user
    org_services.organization_update(organization=self_registered, actor=member, name="改名后的互助会")
    self_registered.refresh_from_db()
    assert self_registered.verified_at is None


def test_staff_of_another_bureau_cannot_verify(client, db):
    from applications.models import Status
    from tests.factories import BureauFactory, application_in_state, staff_with_admin

    app = application_in_state(Status.SUBMITTED)
    Organization.objects.filter(pk=app.organization_id).update(verified_at=None)
    client.force_login(staff_with_admin(BureauFactory()))
    assert client.get(f"/admin/organization-verify/{app.organization_id}/").status_code == 404
    assert client.post(f"/admin/organization-verify/{app.organization_id}/").status_code == 404
    assert Organization.objects.get(pk=app.organization_id).verified_at is None
