"""Where a login lands, per role, and setting up the second factor with the way back kept."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import OrganizationFactory, ReviewerFactory, UserFactory, staff_with_admin, totp_code

pytestmark = pytest.mark.django_db


def verified(user):
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def sign_in(client, user, next_url=None):
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    data = {"login": user.username, "password": "pass-word-123"}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def reviewer_user(bureau):
    return verified(ReviewerFactory(bureaus=[bureau]).user)


def test_a_reviewer_lands_on_the_review_pages(client, bureau):
    assert sign_in(client, reviewer_user(bureau))["Location"] == "/review/"


def test_staff_land_in_the_back_office(client, bureau):
    assert sign_in(client, verified(staff_with_admin(bureau)))["Location"] == "/admin/"


def test_an_applicant_lands_in_the_portal(client):
    assert sign_in(client, verified(UserFactory()))["Location"] == "/portal/"


def test_someone_with_several_roles_chooses_and_sees_a_link_per_role(client, bureau):
    user = verified(staff_with_admin(bureau))
    ReviewerFactory(user=user, bureaus=[bureau])
    response = sign_in(client, user)
    assert response["Location"] == reverse("role_chooser")
    page = client.get(response["Location"]).content.decode()
    assert 'class="button" href="/review/"' in page and 'class="button" href="/admin/"' in page
    assert 'data-role="reviewer"' in page and 'data-role="staff"' in page  # the header too


def test_the_chooser_sends_someone_with_one_role_straight_there(client):
    client.force_login(verified(UserFactory()))
    assert client.get(reverse("role_chooser"))["Location"] == "/portal/"


def test_a_reviewer_who_also_applies_gets_the_portal_link_too(client, bureau):
    user = reviewer_user(bureau)
    OrganizationFactory().memberships.create(user=user)
    assert sign_in(client, user)["Location"] == reverse("role_chooser")


def test_next_wins_over_the_role(client, bureau):
    assert sign_in(client, reviewer_user(bureau), next_url="/portal/")["Location"] == "/portal/"


def test_the_header_links_only_the_roles_a_person_has(client, bureau):
    client.force_login(reviewer_user(bureau))
    page = client.get("/", follow=True).content.decode()
    client.force_login(verified(UserFactory()))
    applicant_page = client.get("/portal/").content.decode()
    assert 'data-role="applicant"' in applicant_page and 'data-role="reviewer"' not in applicant_page
    assert 'data-role="staff"' not in page


def _code(secret):
    return totp_code(secret)


@pytest.mark.django_db(transaction=True)  # activation counts as passing on commit, as in production
def test_authenticator_app_setup_keeps_its_secret_and_the_way_back(client, bureau):
    user = reviewer_user(bureau)
    sign_in(client, user)
    # Signed in moments ago: no second password prompt on the way to the second factor.
    response = client.get("/review/")
    assert response["Location"] == reverse("second_factor_setup") + "?next=/review/"
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    app_url = re.search(r'href="([^"]*/2fa/totp/activate/[^"]*)"', setup.content.decode()).group(1)
    assert app_url.endswith("?next=%2Freview%2F")

    first = client.get(app_url)
    secret = first.context["form"].secret
    page = first.content.decode()
    otpauth = re.search(r'href="(otpauth://totp/[^"]+)"', page).group(1).replace("&amp;", "&")
    assert f"secret={secret}" in otpauth and "issuer=Commonweal" in otpauth
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    assert grouped in page and "disabled" not in page  # readable, selectable, in groups of four
    assert client.get(app_url).context["form"].secret == secret  # a reload keeps it
    wrong = "000000" if _code(secret) != "000000" else "111111"
    assert client.post(app_url, {"code": wrong, "next": "/review/"}).context["form"].secret == secret

    response = client.post(app_url, {"code": _code(secret), "next": "/review/"})
    assert response["Location"] == reverse("mfa_view_recovery_codes") + "?next=%2Freview%2F"
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    codes = client.get(response["Location"]).content.decode()
    assert len(re.findall(r"<li>\d{8}</li>", codes)) == 10 and 'href="/review/"' in codes
    again = client.get(response["Location"]).content.decode()
    assert not re.findall(r"<li>\d{8}</li>", again)  # shown once
    assert client.get("/review/").status_code == 200  # this session passed the second factor


def test_setup_ignores_a_next_that_points_elsewhere(client, bureau):
    sign_in(client, reviewer_user(bureau))
    page = client.get(reverse("second_factor_setup") + "?next=https://evil.example/").content.decode()
    assert 'name="next"' not in page
    assert re.search(r'href="([^"]*/2fa/totp/activate/[^"]*)"', page).group(1) == "/accounts/2fa/totp/activate/"


def test_someone_with_a_second_factor_is_sent_on_from_the_setup_page(client, bureau):
    user = reviewer_user(bureau)
    Authenticator.objects.create(user=user, type="totp", data={"secret": "x"})
    client.force_login(user)
    assert client.get(reverse("second_factor_setup") + "?next=/review/")["Location"] == "/review/"
