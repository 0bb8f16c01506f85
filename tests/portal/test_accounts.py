"""Sign-up with mandatory email verification, sign-in, reset, optional TOTP, rate-limited login."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _link(message):
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_sign_up_verify_and_reach_the_portal(client):
    response = client.post(reverse("account_signup"), {
        "email": "new@example.org", "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9",
    })
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    assert "/accounts/confirm-email/" in link

    # Before verifying, signing in does not open the portal.
    client.post(reverse("account_login"), {"login": "new@example.org", "password": "a-long-pass-phrase-9"})
    assert client.get(reverse("applications:home")).status_code != 200

    assert client.get(link).status_code == 200
    client.post(link)
    response = client.post(reverse("account_login"), {"login": "new@example.org", "password": "a-long-pass-phrase-9"})
    assert response.status_code == 302
    page = client.get(reverse("applications:home"))
    assert page.status_code == 200
    assert 'data-role="applicant"' in page.content.decode()  # the header links to the portal


def test_signed_in_but_unverified_user_is_asked_to_verify(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("applications:application_list"))
    assert response.status_code == 200
    assert "verif" in response.content.decode().lower()
    assert "My applications" not in response.content.decode()
    assert len(mail.outbox) == 1  # the verification mail is sent again


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("applications:home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_password_reset_sends_a_link(client):
    UserFactory(email="reset@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "reset@example.org"})
    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in _link(mail.outbox[0])


def test_login_is_rate_limited_after_failures(client):
    UserFactory(email="target@example.org")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "target@example.org", "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": "target@example.org", "password": "wrong"})
    assert response.status_code in (200, 429)
    assert "too many" in response.content.decode().lower()


def test_optional_totp_page_is_in_the_site_layout(client):
    from tests.portal.conftest import verified

    user = verified(UserFactory())
    client.force_login(user)
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "site-header" in html and "Authenticator" in html


def test_sign_in_page_is_chinese_by_default(client):
    from django.test import Client

    html = Client().get(reverse("account_login")).content.decode()
    assert 'lang="zh-hans"' in html
    assert User.objects.count() == 0


def test_applicant_can_turn_on_totp_and_is_then_asked_for_a_code(client):
    from allauth.mfa.models import Authenticator
    from tests.factories import totp_code

    from tests.portal.conftest import verified

    user = verified(UserFactory(email="totp@example.org"))
    client.post(reverse("account_login"), {"login": "totp@example.org", "password": "pass-word-123"})
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302:  # allauth asks for the password again before security changes
        assert reverse("account_reauthenticate") in page["Location"]
        client.post(page["Location"], {"password": "pass-word-123"})
        page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    code = totp_code(secret)
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type="totp").exists()

    client.logout()
    response = client.post(reverse("account_login"), {"login": "totp@example.org", "password": "pass-word-123"})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("applications:home")).status_code == 302  # not in until the code is given


@pytest.mark.parametrize("accept, expected", [("en", "en"), ("zh-hans", "zh-hans"), ("zh-CN,zh;q=0.9", "zh-hans")])
def test_sign_up_keeps_the_language_for_mail_and_notifications(accept, expected):
    from django.test import Client

    Client(HTTP_ACCEPT_LANGUAGE=accept).post(reverse("account_signup"), {
        "email": "lang@example.org", "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9",
    })
    assert User.objects.get(email="lang@example.org").language == expected


def test_switching_language_is_remembered_on_the_account(client):
    user = UserFactory(language="zh-hans")
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})  # unknown: ignored, no error
    user.refresh_from_db()
    assert user.language == "en"
