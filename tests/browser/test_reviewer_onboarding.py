"""An invited reviewer on one phone (390×844, Chinese): from the invitation mail to a submitted
score sheet, once with a passkey (Chromium's virtual authenticator) and once with an
authenticator app (the code computed from the secret the page shows)."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail

from applications.models import Status
from review import services
from review.models import ScoreSheet
from tests.factories import BureauFactory, CompetitionFactory, application_in, staff_with_admin, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pingjia-2026-mima"


@pytest.fixture
def invited(settings):
    """A call in review with one application assigned to a reviewer invited by mail."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks http
    bureau = BureauFactory()
    call = CompetitionFactory(bureau=bureau, reviewers_per_application=1)
    application = application_in(Status.UNDER_REVIEW, competition=call, title="高龄老人助餐项目")
    staff = staff_with_admin(bureau)
    profile = services.reviewer_invite(email="laojiaoshou@example.org", full_name="李教授", bureau=bureau,
                                       actor=staff, expertise=["养老"])
    services.assignment_create(application=application, reviewer=profile.user)
    return {"user": profile.user, "call": call, "application": application}


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def follow_invitation(page, live_server):
    (message,) = [m for m in mail.outbox if "/review/invitation/" in m.body]
    link = re.search(r"https?://\S+(/review/invitation/\S+/)", message.body).group(1)
    page.goto(link)
    no_sideways_scroll(page)
    page.fill("input[name=new_password1]", PASSWORD)
    page.fill("input[name=new_password2]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    # Straight on to the second factor, no second password prompt, the way back kept.
    assert page.url.endswith("/accounts/2fa/setup/?next=/review/")
    assert page.get_by_role("heading", name="保护您的账号").is_visible()
    no_sideways_scroll(page)


def save_recovery_codes_and_continue(page, screenshot=None):
    assert "/accounts/2fa/recovery-codes/" in page.url
    codes = page.locator("#recovery-codes li")
    assert codes.count() == 10 and re.fullmatch(r"\w{8}", codes.first.inner_text())
    no_sideways_scroll(page)
    if screenshot:
        screenshot(page, "reviewer-3-recovery-codes")
    with page.expect_navigation():
        page.get_by_role("link", name="已保存，继续").click()
    assert page.url.endswith("/review/")


def score_and_submit(page, invited, screenshot=None):
    page.locator("h1").first.wait_for()
    no_sideways_scroll(page)
    if screenshot:
        screenshot(page, "reviewer-4-assignments")
    with page.expect_navigation():
        page.get_by_role("link", name="高龄老人助餐项目").click()
    for criterion in invited["call"].criteria.filter(stage="review"):
        page.fill(f"input[name=points_{criterion.pk}]", str(int(criterion.max_points) * 4 // 5))
    page.select_option("select[name=recommendation]", "fund")
    page.click("button[name=submit]")  # asks first: locking cannot be undone
    with page.expect_navigation():
        page.locator("dialog#confirm-lock").get_by_role("button", name="确认提交并锁定").click()
    assert "此评分表已锁定" in page.inner_text("main"), page.inner_text("main")
    sheet = ScoreSheet.objects.get(assignment__reviewer=invited["user"])
    assert sheet.submitted_at is not None


def test_invited_reviewer_with_a_passkey(new_phone_page, live_server, invited, screenshot):
    page = new_phone_page(locale="zh-CN")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
    }})

    follow_invitation(page, live_server)
    screenshot(page, "reviewer-1-second-factor")
    with page.expect_navigation():
        page.get_by_role("button", name="创建通行密钥").click()
    assert Authenticator.objects.filter(user=invited["user"], type=Authenticator.Type.WEBAUTHN).exists()
    save_recovery_codes_and_continue(page)
    score_and_submit(page, invited)

    # Next time: password, then the passkey, and back where the link pointed.
    page.context.clear_cookies()
    page.goto("/review/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", "laojiaoshou@example.org")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/accounts/2fa/authenticate/" in page.url
    with page.expect_navigation():
        page.click("#mfa_webauthn_authenticate")
    assert page.url.endswith("/review/")


def test_invited_reviewer_with_an_authenticator_app(new_phone_page, live_server, invited, screenshot):
    page = new_phone_page(locale="zh-CN")
    follow_invitation(page, live_server)
    with page.expect_navigation():
        page.get_by_role("link", name="使用身份验证器应用").click()

    link = page.get_by_role("link", name="在本机身份验证器中打开")
    href = link.get_attribute("href")
    assert href.startswith("otpauth://totp/") and "issuer=Commonweal" in href
    secret_box = page.locator("#totp-secret")
    shown = secret_box.inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", shown), shown  # groups of four
    secret = shown.replace(" ", "")
    assert f"secret={secret}" in href
    no_sideways_scroll(page)
    screenshot(page, "reviewer-2-authenticator-app")

    page.reload()  # coming back from the app: the same secret
    assert page.locator("#totp-secret").inner_text() == shown

    page.fill("input[name=code]", "000000" if totp_code(secret) != "000000" else "111111")
    with page.expect_navigation():
        page.get_by_role("button", name="启用").click()
    assert page.locator("#totp-secret").inner_text() == shown  # a wrong code keeps the secret too

    code = totp_code(secret)
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.get_by_role("button", name="启用").click()
    assert Authenticator.objects.filter(user=invited["user"], type=Authenticator.Type.TOTP).exists()
    save_recovery_codes_and_continue(page, screenshot)
    score_and_submit(page, invited, screenshot)
