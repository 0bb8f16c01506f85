"""Creating, editing and joining organizations; registration evidence; invitations."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Attachment, Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory, RegionFactory, UserFactory, credit_code
from tests.files import JPEG
from tests.files import PDF as PDF_BYTES
from tests.portal.conftest import verified

pytestmark = pytest.mark.django_db


def _org_data(**overrides):
    data = {
        "name": "阳光社区服务中心", "registration_status": "registered", "credit_code": "", "filing_record": "",
        "category": "community_service", "community": RegionFactory().pk, "head_name": "王五",
        "staff_count": "2", "social_worker_count": "1", "contact_name": "赵六", "contact_phone": "13900000000",
        "contact_email": "", "address": "", "description": "", "founded": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def user_client(client):
    user = verified(UserFactory())
    client.force_login(user)
    client.user = user
    return client


def test_create_tidies_the_credit_code_and_makes_the_user_owner(user_client):
    code = credit_code(77)
    messy = " " + code[:6].lower() + " " + code[6:].lower() + " "
    response = user_client.post(reverse("applications:organization_create"), _org_data(credit_code=messy))
    assert response.status_code == 302
    org = Organization.objects.get()
    assert org.credit_code == code
    assert Membership.objects.get(organization=org).role == "owner"
    assert user_client.get(response["Location"]).status_code == 200


def test_credit_code_typed_in_groups_fits_the_field(user_client):
    code = credit_code(78)
    grouped = " ".join(code[i:i + 4] for i in range(0, 18, 4)).lower()  # 22 characters with spaces
    page = user_client.get(reverse("applications:organization_create")).content.decode()
    assert 'maxlength="40"' in page
    response = user_client.post(reverse("applications:organization_create"), _org_data(credit_code=grouped))
    assert response.status_code == 302
    assert Organization.objects.get().credit_code == code


def test_invalid_credit_code_is_explained_and_input_kept(user_client):
    bad = credit_code(5)[:-1] + ("0" if credit_code(5)[-1] != "0" else "1")
    response = user_client.post(reverse("applications:organization_create"), _org_data(credit_code=bad))
    assert response.status_code == 200
    html = response.content.decode()
    assert "not a valid unified social credit code" in html
    assert "阳光社区服务中心" in html
    assert not Organization.objects.exists()


def test_duplicate_credit_code_points_to_an_invitation(user_client):
    existing = OrganizationFactory()
    MembershipFactory(organization=existing, user=UserFactory(email="owner@example.org"))
    response = user_client.post(reverse("applications:organization_create"), _org_data(credit_code=existing.credit_code))
    assert "ask its owner to invite you (owner&#x27;s contact: o***@example.org)" in response.content.decode()
    assert Organization.objects.count() == 1


def test_duplicate_credit_code_of_the_registry_offers_a_claim(user_client):
    existing = OrganizationFactory()  # imported: no members
    response = user_client.post(reverse("applications:organization_create"), _org_data(credit_code=existing.credit_code))
    assert "If it is yours, ask to claim it" in response.content.decode()
    assert reverse("applications:claim_create") in response.content.decode()


def test_filed_organization_needs_its_filing_record(user_client):
    response = user_client.post(reverse("applications:organization_create"), _org_data(registration_status="filed"))
    assert "filing number" in response.content.decode()
    response = user_client.post(
        reverse("applications:organization_create"),
        _org_data(registration_status="filed", filing_record="云岩区中华北路街道办事处 备案2026-003"),
    )
    assert response.status_code == 302


def test_edit_the_profile(app_client, organization):
    data = _org_data(name="新名字社区服务中心", credit_code=organization.credit_code, community=organization.community_id)
    response = app_client.post(reverse("applications:organization_edit", args=[organization.pk]), data)
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "新名字社区服务中心"


def test_registration_evidence_upload_and_download(app_client, organization):
    upload = SimpleUploadedFile("登记证书.pdf", PDF_BYTES, content_type="application/pdf")
    app_client.post(reverse("applications:organization_evidence", args=[organization.pk]), {"file": upload})
    attachment = Attachment.objects.get(organization=organization)
    assert attachment.kind == "registration"
    page = app_client.get(reverse("applications:organization_detail", args=[organization.pk])).content.decode()
    assert "登记证书.pdf" in page
    response = app_client.get(reverse("applications:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_filed_organization_uploads_the_filing_record(app_client, organization):
    Organization.objects.filter(pk=organization.pk).update(registration_status="filed", filing_record="街道备案")
    upload = SimpleUploadedFile("备案回执.jpg", JPEG, content_type="image/jpeg")
    app_client.post(reverse("applications:organization_evidence", args=[organization.pk]), {"file": upload})
    assert Attachment.objects.get(organization=organization).kind == "filing"


def test_owner_invites_and_invitee_joins(app_client, organization, client, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        app_client.post(reverse("applications:organization_invite", args=[organization.pk]),
                        {"email": "Friend@Example.org", "role": "editor"})
    assert len(mailoutbox) == 1
    link = next(word for word in mailoutbox[0].body.split() if "/portal/invitations/" in word)
    path = link[link.index("/portal/"):]

    friend = verified(UserFactory(email="friend@example.org"))
    other_org = OrganizationFactory()
    Membership.objects.create(organization=other_org, user=friend, role="owner")
    from django.test import Client

    friend_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    friend_client.force_login(friend)
    assert organization.name in friend_client.get(path).content.decode()
    response = friend_client.post(path)
    assert response.status_code == 302
    assert Membership.objects.get(organization=organization, user=friend).role == "editor"
    # A user may belong to several organizations.
    listing = friend_client.get(reverse("applications:organization_list")).content.decode()
    assert organization.name in listing and other_org.name in listing
    # Accepting again changes nothing.
    friend_client.post(path)
    assert Membership.objects.filter(user=friend).count() == 2


def test_invitation_for_someone_else_is_refused(app_client, organization):
    from applications import org_services

    owner = organization.memberships.get().user
    invitation = org_services.invitation_create(organization=organization, actor=owner, email="a@example.org")
    intruder = verified(UserFactory(email="b@example.org"))
    from django.test import Client

    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(intruder)
    page = c.post(reverse("applications:invitation_accept", args=[invitation.token]), follow=True).content.decode()
    assert "This invitation was sent to a@example.org" in page
    assert not Membership.objects.filter(user=intruder).exists()


def test_editor_cannot_invite(client, organization):
    editor = verified(UserFactory())
    Membership.objects.create(organization=organization, user=editor, role="editor")
    client.force_login(editor)
    page = client.post(reverse("applications:organization_invite", args=[organization.pk]),
                       {"email": "x@example.org", "role": "owner"}, follow=True).content.decode()
    assert "Only an owner" in page


def test_other_organizations_are_not_found(app_client):
    other = OrganizationFactory()
    for name in ["organization_detail", "organization_edit"]:
        assert app_client.get(reverse(f"applications:{name}", args=[other.pk])).status_code == 404
    assert app_client.post(reverse("applications:organization_invite", args=[other.pk]), {"email": "x@example.org", "role": "owner"}).status_code == 404


def test_unknown_invitation_link_is_explained(app_client):
    page = app_client.get(reverse("applications:invitation_accept", args=["nope"])).content.decode()
    assert "This invitation link is not valid" in page
    page = app_client.post(reverse("applications:invitation_accept", args=["nope"]), follow=True).content.decode()
    assert "This invitation link is not valid" in page
