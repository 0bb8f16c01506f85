"""One way in: every login asks for the second factor and counts against one rate limit."""

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from tests.factories import ReviewerFactory, UserFactory, staff_with_admin, totp_code, with_totp

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # the factories' password


def _totp_code(user):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import decrypt

    secret = decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
    return totp_code(secret)


def _real_totp(user):
    """An authenticator with a real secret, as allauth stores one."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import encrypt, generate_totp_secret

    Authenticator.objects.create(user=user, type="totp", data={"secret": encrypt(generate_totp_secret())})
    return user


@pytest.fixture
def expert(bureau):
    return with_totp(ReviewerFactory(bureaus=[bureau]).user)


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_the_admin_login_views_lead_to_the_one_login(client, path):
    user = UserFactory(username="admin1", is_staff=True, is_superuser=True)
    response = client.post(path + "?next=/admin/pages/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/admin/pages/"
    assert "_auth_user_id" not in client.session  # the password was not even looked at


def test_a_reviewer_who_signed_in_with_the_password_alone_is_refused_on_every_review_page(client, expert):
    # A session opened without the second factor (an old login view, a password-only login).
    assert client.login(username=expert.username, password=PASSWORD)
    for path in ("/review/", "/review/profile/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("account_login")), path
        assert "_auth_user_id" not in client.session  # signed out: the next step is the real login
        client.login(username=expert.username, password=PASSWORD)


def test_a_reviewer_is_in_only_after_the_authenticator_code(client, bureau):
    expert = _real_totp(ReviewerFactory(bureaus=[bureau], user__email="prof@example.org").user)
    from tests.portal.conftest import verified

    verified(expert)
    response = client.post(reverse("account_login"), {"login": "prof@example.org", "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/review/").status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": _totp_code(expert)})
    assert response.status_code == 302
    assert client.get("/review/").status_code == 200


def test_a_code_typed_as_its_30_seconds_end_is_still_taken_but_not_an_older_one_nor_twice(client, bureau):
    import time

    import time_machine
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import decrypt

    from tests.portal.conftest import verified

    expert = _real_totp(ReviewerFactory(bureaus=[bureau], user__email="slow@example.org").user)
    verified(expert)
    secret = decrypt(Authenticator.objects.get(user=expert, type="totp").data["secret"])
    with time_machine.travel(1_900_000_000 + 10, tick=False):  # 10 s into a step
        step = int(time.time()) // 30

        def code(counter):
            return format_hotp_value(hotp_value(secret, counter))

        def sign_in(with_code):
            client.logout()
            client.post(reverse("account_login"), {"login": "slow@example.org", "password": PASSWORD})
            return client.post(reverse("mfa_authenticate"), {"code": with_code})

        assert sign_in(code(step - 2)).status_code == 200  # a minute old: refused, asked again
        assert sign_in(code(step - 1)).status_code == 302  # shown as the step before ended: taken
        assert sign_in(code(step - 1)).status_code == 200  # the same code again: refused


def test_staff_sign_in_with_their_user_name_at_the_one_login(client, bureau):
    staff = staff_with_admin(bureau)
    staff.username = "city-clerk"
    staff.save()
    from tests.portal.conftest import verified

    verified(staff)
    response = client.post(reverse("account_login") + "?next=/admin/", {"login": "city-clerk", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_passwords_lock_the_account_out_of_the_one_login_even_with_the_right_one(client):
    user = UserFactory(username="admin2", email="admin2@example.org", is_staff=True, is_superuser=True)
    for _ in range(15):
        client.post("/admin/login/", {"username": "admin2", "password": "wrong"})
        client.post(reverse("account_login"), {"login": "admin2", "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": "admin2", "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "too many" in response.content.decode().lower()
    assert client.session.get("_auth_user_id") != str(user.pk)


def test_staff_must_set_up_a_second_factor_where_it_is_required(client, bureau, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = staff_with_admin(bureau)
    assert client.login(username=staff.username, password=PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor_setup") + "?next=/admin/")
    settings.MFA_REQUIRED_FOR_STAFF = False
    assert client.get("/admin/").status_code == 200


def test_staff_need_no_second_factor_where_it_is_not_required(client, bureau, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    staff = staff_with_admin(bureau)
    assert client.login(username=staff.username, password=PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_production_requires_the_second_factor_for_staff_by_default(tmp_path):
    from tests.test_settings import production_env, run

    code = "import django; django.setup(); from django.conf import settings; print(settings.MFA_REQUIRED_FOR_STAFF)"
    env = {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = run(["-c", code], env, tmp_path)
    assert result.stdout.strip() == "True", result.stderr
    result = run(["-c", code], {**env, "MFA_REQUIRED_FOR_STAFF": "false"}, tmp_path)
    assert result.stdout.strip() == "False", result.stderr


def test_the_refused_reviewer_reads_how_to_come_back_in_chinese(client, expert):
    assert client.login(username=expert.username, password=PASSWORD)
    page = client.get("/review/", follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "请重新登录：输入密码，再用通行密钥或身份验证器应用确认后继续。" in page


def test_the_sign_in_message_names_the_person_not_the_user_name(client):
    from tests.factories import UserFactory
    from tests.portal.conftest import verified

    person = verified(UserFactory(username="claimant07", full_name="周敏", email="zhoumin@example.org"))
    response = client.post(reverse("account_login"), {"login": "zhoumin@example.org", "password": PASSWORD},
                           follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert "以 周敏 成功登录" in page and "claimant07" not in page
    assert person.pk == int(client.session["_auth_user_id"])
