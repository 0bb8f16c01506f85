"""Claiming an organization of the registry: sign up, give the code, claim, the bureau decides.

The bad input: a second person claiming the same code (told a claim is pending; a partial unique
index makes a second pending claim impossible), an organization that already has members (how to
join it, never a dead end), another bureau's claim (404), another person's claim (404).
"""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Notification
from applications import claims
from applications.audit import verify_chain
from applications.models import Membership, OrganizationClaim, TransitionLog
from backoffice.todo import staff_todo
from competitions.models import RegistrationStatus
from tests.factories import BureauFactory, OrganizationFactory, UserFactory, credit_code, member_of, staff_with_admin
from tests.files import PDF
from tests.portal.conftest import verified
from tests.registry.test_import import regions  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def imported(regions):  # noqa: F811
    """An organization of the city bureau's registry: imported, so without members."""
    return OrganizationFactory(name="花溪互助会", community=regions["mine"], credit_code=credit_code(301),
                               contact_name="", contact_phone="")


@pytest.fixture
def clerk(regions):  # noqa: F811
    return staff_with_admin(bureau=regions["bureau"])


@pytest.fixture
def other_clerk(regions):  # noqa: F811
    """Staff of the bureau of the other city: the organization is not in its registry."""
    other_city = regions["theirs"].parent.parent.parent
    return staff_with_admin(bureau=BureauFactory(region=other_city, level="city", name="乙市民政局"))


def pdf(name="营业执照.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def person(**kwargs):
    return verified(UserFactory(**kwargs))


def _org_data(community, **overrides):
    data = {
        "name": "花溪互助会", "registration_status": "registered", "credit_code": "", "filing_record": "",
        "category": "community_service", "community": community.pk, "head_name": "王五",
        "staff_count": "0", "social_worker_count": "0", "contact_name": "赵六", "contact_phone": "13900000000",
        "contact_email": "", "address": "", "description": "", "founded": "",
    }
    data.update(overrides)
    return data


def _claim(client, org, note="我是该会负责人"):
    code = org.credit_code or org.filing_record
    return client.post(reverse("applications:claim_create"), {"code": code, "evidence": pdf(), "note": note})


def test_sign_up_enter_the_code_claim_and_the_bureau_approves(client, imported, clerk, regions):  # noqa: F811
    applicant = person(email="zhangsan@example.org")
    client.force_login(applicant)
    # The code typed in groups and lower case is the registry's organization: offered a claim.
    spaced = " ".join(imported.credit_code[i:i + 6] for i in range(0, 18, 6)).lower()
    page = client.post(reverse("applications:organization_create"), _org_data(regions["mine"], credit_code=spaced))
    text = page.content.decode()
    assert page.status_code == 200
    assert "花溪互助会 is already in the bureau&#x27;s registry and has no members here yet" in text
    assert f'{reverse("applications:claim_create")}?code={imported.credit_code}' in text
    assert "Ask to claim it" in text
    found = client.get(reverse("applications:claim_create"), {"code": imported.credit_code})
    assert "花溪互助会" in found.content.decode() and "Ask to claim" in found.content.decode()

    response = _claim(client, imported)
    claim = OrganizationClaim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("applications:claim_detail", args=[claim.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Waiting for the bureau" in detail and "营业执照.pdf" in detail
    assert Notification.objects.filter(user=clerk, subject__contains="asks to claim 花溪互助会").exists()

    client.force_login(clerk)
    listing = client.get(reverse("claim_index")).content.decode()
    assert "花溪互助会" in listing and "zhangsan@example.org" in listing
    evidence = client.get(reverse("applications:attachment_download", args=[claim.evidence_id]))
    assert evidence.status_code == 200
    decided = client.post(reverse("claim_decide", args=[claim.pk]), {"approve": "1"})
    assert decided.status_code == 302

    assert Membership.objects.get(organization=imported).user == applicant
    assert Membership.objects.get(organization=imported).role == Membership.Role.OWNER
    note = Notification.objects.get(user=applicant, subject__contains="approved")
    assert note.url == reverse("applications:organization_detail", args=[imported.pk])
    # The evidence is now the organization's file; the bureau that decided still reads it.
    assert client.get(reverse("applications:attachment_download", args=[claim.evidence_id])).status_code == 200
    client.force_login(applicant)
    assert client.get(note.url).status_code == 200  # the new owner opens it
    assert client.get(reverse("applications:attachment_download", args=[claim.evidence_id])).status_code == 200
    rows = list(TransitionLog.objects.filter(organization=imported).order_by("seq"))
    assert [(r.subject, r.from_state, r.to_state, r.actor) for r in rows] == [
        ("claim", "", "pending", applicant), ("claim", "pending", "approved", clerk)]
    assert rows[1].data == {"owner": applicant.pk}
    assert verify_chain().problems == []


def test_refused_with_a_reason_the_claimant_reads(client, imported, clerk):
    applicant = person()
    client.force_login(applicant)
    _claim(client, imported)
    claim = OrganizationClaim.objects.get()
    client.force_login(clerk)
    no_reason = client.post(reverse("claim_decide", args=[claim.pk]), {"refuse": "1", "reason": " "})
    assert no_reason.status_code == 400 and "Give the reason for refusing" in no_reason.content.decode()
    client.post(reverse("claim_decide", args=[claim.pk]), {"refuse": "1", "reason": "执照上的名称与本会不符"})
    claim.refresh_from_db()
    assert claim.state == OrganizationClaim.State.REFUSED and claim.decided_by == clerk
    assert not Membership.objects.filter(organization=imported).exists()
    note = Notification.objects.get(user=applicant, subject__contains="refused")
    assert "执照上的名称与本会不符" in note.body
    client.force_login(applicant)
    page = client.get(note.url).content.decode()
    assert "Refused" in page and "执照上的名称与本会不符" in page
    mine = client.get(reverse("applications:organization_list")).content.decode()
    assert "My claims" in mine and reverse("applications:claim_detail", args=[claim.pk]) in mine
    # Refused is not final for the organization: the same person may try again with other evidence.
    assert _claim(client, imported).status_code == 302
    assert OrganizationClaim.objects.filter(state="pending").count() == 1
    assert verify_chain().problems == []


def test_a_second_claim_of_the_same_code_is_told_one_is_pending(client, imported):
    first, second = person(), person()
    client.force_login(first)
    _claim(client, imported)
    client.force_login(second)
    page = client.get(reverse("applications:claim_create"), {"code": imported.credit_code}).content.decode()
    assert "Someone else asked to claim 花溪互助会" in page and "only one claim is considered at a time" in page
    assert 'name="evidence"' not in page
    response = _claim(client, imported)
    assert response.status_code == 200 and "Someone else asked to claim 花溪互助会" in response.content.decode()
    assert OrganizationClaim.objects.count() == 1
    client.force_login(first)
    again = client.get(reverse("applications:claim_create"), {"code": imported.credit_code}).content.decode()
    assert "You already asked to claim 花溪互助会" in again


def test_the_database_keeps_one_pending_claim_per_organization(imported):
    OrganizationClaim.objects.create(organization=imported, claimant=person())
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationClaim.objects.create(organization=imported, claimant=person())
    OrganizationClaim.objects.create(organization=imported, claimant=person(), state="refused")  # decided ones may be many


def test_an_organization_with_members_says_how_to_join_it(client, imported, regions):  # noqa: F811
    regions["bureau"].contact_phone = "0851-8888 0000"
    regions["bureau"].save()
    member_of(imported, user__email="lisi.owner@example.org", user__phone="13812345678")
    client.force_login(person())
    page = client.post(reverse("applications:organization_create"),
                       _org_data(regions["mine"], credit_code=imported.credit_code)).content.decode()
    assert "ask its owner to invite you (owner&#x27;s contact: l***@example.org、138****5678)" in page
    assert f"{regions['bureau'].name} can help: call 0851-8888 0000" in page
    assert "lisi.owner" not in page and "13812345678" not in page
    assert "Ask to claim it" not in page
    claim_page = client.get(reverse("applications:claim_create"), {"code": imported.credit_code}).content.decode()
    assert "l***@example.org" in claim_page and 'name="evidence"' not in claim_page
    assert _claim(client, imported).status_code == 200
    assert not OrganizationClaim.objects.exists()


def test_a_filed_organization_is_found_by_its_filing_number(client, regions):  # noqa: F811
    filed = OrganizationFactory(name="街道广场舞队", community=regions["mine"], credit_code=None,
                                registration_status=RegistrationStatus.FILED, filing_record="HXBA2024001")
    client.force_login(person())
    page = client.post(reverse("applications:organization_create"), _org_data(
        regions["mine"], registration_status="filed", filing_record="hxba 2024 001")).content.decode()
    assert "街道广场舞队 is already in the bureau&#x27;s registry" in page
    assert _claim(client, filed).status_code == 302
    assert OrganizationClaim.objects.get().organization == filed


def test_an_unknown_code_leads_to_adding_the_organization(client, regions):  # noqa: F811
    client.force_login(person())
    page = client.get(reverse("applications:claim_create"), {"code": credit_code(999)}).content.decode()
    assert "is in the registry" in page and reverse("applications:organization_create") in page


def test_another_bureau_sees_nothing_of_the_claim(client, imported, other_clerk):
    claimant = person()
    client.force_login(claimant)
    _claim(client, imported)
    claim = OrganizationClaim.objects.get()
    client.force_login(other_clerk)
    listing = client.get(reverse("claim_index")).content.decode()
    assert reverse("claim_decide", args=[claim.pk]) not in listing and "No claims." in listing
    assert client.get(reverse("claim_decide", args=[claim.pk])).status_code == 404
    assert client.post(reverse("claim_decide", args=[claim.pk]), {"approve": "1"}).status_code == 404
    assert client.get(reverse("applications:attachment_download", args=[claim.evidence_id])).status_code == 404
    assert not Membership.objects.exists()
    assert [t.count for t in staff_todo(other_clerk) if t.key == "claims"] == [0]


def test_a_claimant_cannot_see_another_persons_claim(client, imported):
    client.force_login(person())
    _claim(client, imported)
    claim = OrganizationClaim.objects.get()
    client.force_login(person())
    assert client.get(reverse("applications:claim_detail", args=[claim.pk])).status_code == 404
    assert client.get(reverse("applications:attachment_download", args=[claim.evidence_id])).status_code == 404


def test_the_province_sees_the_claim_and_the_todo_panel_counts_it(client, imported, clerk, regions):  # noqa: F811
    client.force_login(person())
    _claim(client, imported)
    province = staff_with_admin(bureau=BureauFactory(region=regions["province"], level="province", name="省民政厅"))
    assert [t.count for t in staff_todo(clerk) if t.key == "claims"] == [1]
    assert [t.count for t in staff_todo(province) if t.key == "claims"] == [1]
    client.force_login(clerk)
    home = client.get("/admin/").content.decode()
    assert "Claims of registry organizations to decide" in home


def test_the_service_refuses_a_decision_by_staff_of_another_bureau(imported, other_clerk):
    claim = claims.claim_submit(organization=imported, actor=person(), uploaded=pdf())
    with pytest.raises(claims.ApplicationError) as refused:
        claims.claim_approve(claim=claim, actor=other_clerk)
    assert "Only staff of the bureau that keeps this organization's registry" in refused.value.message
    claim.refresh_from_db()
    assert claim.state == "pending"


def test_a_claim_changed_outside_the_workflow_is_found(imported):
    claim = claims.claim_submit(organization=imported, actor=person(), uploaded=pdf())
    OrganizationClaim.objects.filter(pk=claim.pk).update(state="approved")
    problems = verify_chain().problems
    assert any(f"Organization claim id={claim.pk}" in p and "outside the workflow" in p for p in problems)
    row = TransitionLog.objects.get(organization=imported)
    TransitionLog.objects.filter(pk=row.pk).update(note="改过")
    assert any("its content does not match its hash" in p for p in verify_chain().problems)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_claims_listing_costs_the_same_with_more_rows(client, clerk, regions):  # noqa: F811
    def add(n):
        for _ in range(n):
            org = OrganizationFactory(community=regions["mine"])
            OrganizationClaim.objects.create(organization=org, claimant=person())

    add(3)
    client.force_login(clerk)
    url = reverse("claim_index")
    _count(client, url)  # warm per-process caches
    small = _count(client, url)
    add(30)
    large = _count(client, url)
    assert large == small, (small, large)
    assert small <= 15


def test_the_claim_pages_speak_chinese(imported, clerk):
    from django.test import Client

    from tests.test_chinese_everywhere import _pages

    first, second = person(language="zh-hans"), person(language="zh-hans")
    refused = claims.claim_submit(organization=imported, actor=first, uploaded=pdf(), note="负责人")
    claims.claim_refuse(claim=refused, actor=clerk, reason="材料不清晰")
    pending = claims.claim_submit(organization=imported, actor=second, uploaded=pdf())
    with translation.override("zh-hans"):
        assert "民政部门的理由：材料不清晰" in Notification.objects.get(user=first, subject__contains="驳回").body
    applicant = Client()
    applicant.force_login(first)
    assert _pages(applicant, [
        reverse("applications:claim_create"), reverse("applications:claim_create") + f"?code={imported.credit_code}",
        reverse("applications:claim_detail", args=[refused.pk]), reverse("applications:organization_list"),
    ]) == {}
    staff = Client()
    staff.force_login(clerk)
    assert _pages(staff, ["/admin/", reverse("claim_index"), reverse("claim_index") + "?state=refused",
                          reverse("claim_decide", args=[pending.pk]), reverse("claim_decide", args=[refused.pk])]) == {}


def test_the_audit_summary_counts_organization_chains_as_organizations(imported):
    claims.claim_submit(organization=imported, actor=person(), uploaded=pdf())
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "Audit log intact: 1 rows over 0 applications and 1 organizations." in out.getvalue()


def test_the_claimant_finds_the_claim_on_the_portal_home_until_it_is_decided(client, imported, clerk):
    claimant = person()
    client.force_login(claimant)
    home = client.get(reverse("applications:home")).content.decode()
    assert "You are not a member of any organization yet" in home and "Claim of" not in home
    _claim(client, imported)
    claim = OrganizationClaim.objects.get(claimant=claimant)
    home = client.get(reverse("applications:home")).content.decode()
    assert "Claim of 花溪互助会" in home and reverse("applications:claim_detail", args=[claim.pk]) in home
    assert "the bureau checks your evidence and tells you" in home
    assert "You are not a member of any organization yet" not in home
    claims.claim_approve(claim=claim, actor=clerk)
    home = client.get(reverse("applications:home")).content.decode()
    assert "Claim of" not in home  # now one of the organizations
    assert reverse("applications:organization_detail", args=[imported.pk]) in home


def test_the_claims_list_names_the_claimed_organization_as_a_social_organization(client, imported, clerk):
    client.force_login(person())
    _claim(client, imported)
    client.force_login(clerk)
    with translation.override("zh-hans"):
        listing = client.get(reverse("claim_index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    head = listing.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert "<th>社会组织</th>" in head and "申报单位" not in head  # not the applicant's word: nobody applied
