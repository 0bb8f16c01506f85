"""factory_boy factories shared by all tests."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from stdnum.cn import uscc

from accounts.models import User
from applications.models import Application, BudgetLine, Membership, Organization
from competitions.models import (
    Bureau,
    Competition,
    Criterion,
    FundSource,
    OrganizationCategory,
    Region,
    RegistrationStatus,
    ServiceArea,
)


def credit_code(n):
    """A valid 统一社会信用代码 for a social organization (authority 5, type 2) in Guiyang."""
    body = f"52520100{n:09d}"
    return body + uscc.calc_check_digit(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"测试社区{n}")
    level = Region.Level.COMMUNITY
    parent = None
    is_rural = False


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bureau

    name = factory.Sequence(lambda n: f"测试市民政局{n}")
    level = Bureau.Level.CITY
    region = factory.SubFactory(RegionFactory, level=Region.Level.CITY)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    # Mail and in-site notifications are written in the recipient's language; tests read English
    # unless they make a Chinese-speaking user (language="zh-hans", the site's default).
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True
    bureau = factory.SubFactory(BureauFactory)


class CompetitionFactory(factory.django.DjangoModelFactory):
    """An open lottery-fund call with a small rubric."""

    class Meta:
        model = Competition
        skip_postgeneration_save = True

    bureau = factory.SubFactory(BureauFactory)
    fund_source = FundSource.LOTTERY_FUND
    title = factory.Sequence(lambda n: f"2026年彩票公益金资助项目{n}")
    year = 2026
    total_budget = Decimal("1000000")
    min_amount = Decimal("10000")
    max_amount = Decimal("100000")
    admin_cost_cap = Decimal("10")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    allowed_service_areas = factory.LazyFunction(
        lambda: [ServiceArea.ELDERLY, ServiceArea.DISABILITY, ServiceArea.ORPHANS, ServiceArea.POVERTY]
    )
    reviewers_per_application = 3

    @factory.post_generation
    def rubric(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for position, (name, points) in enumerate([("需求分析", 30), ("项目设计", 40), ("团队能力", 30)]):
            Criterion.objects.create(competition=obj, position=position, name=name, max_points=points)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试社区服务中心{n}")
    credit_code = factory.Sequence(credit_code)
    registration_status = RegistrationStatus.REGISTERED
    category = OrganizationCategory.COMMUNITY_SERVICE
    community = factory.SubFactory(RegionFactory)
    head_name = "张三"
    contact_name = "李四"
    contact_phone = "13800000000"
    # As if from the bureau's registry; a self-registered one is made with verified_at=None.
    verified_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft whose budget passes: 50,000 yuan in two lines, 4,000 of it admin."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    competition = factory.SubFactory(CompetitionFactory)
    title = factory.Sequence(lambda n: f"社区老年人关爱项目{n}")
    summary = "为社区高龄、空巢老人提供上门探访和助餐服务。"
    service_area = ServiceArea.ELDERLY
    target_groups = "高龄、空巢老人"
    place = "测试社区"
    start_date = dt.date(2027, 1, 1)
    end_date = dt.date(2027, 12, 31)
    requested_amount = Decimal("50000")

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for position, (category, item, amount) in enumerate(
            extracted or [("activities", "助餐服务", "46000"), ("admin", "项目管理", "4000")]
        ):
            BudgetLine.objects.create(
                application=obj, position=position, category=category, item=item, amount=Decimal(amount)
            )


def member_of(organization, **kwargs):
    """A user who owns ``organization``."""
    return MembershipFactory(organization=organization, **kwargs).user


def application_in_state(status, *, competition=None, **kwargs):
    """An application driven through the real services (so its audit log is real) to ``status``.

    The call defaults to an open lottery-fund call; ``shortlisted`` gets a venture contest with a
    pitch round. The returned application carries ``member`` (an owner) and ``staff`` (of the
    call's bureau) for the test to act with. One reviewer scores it on the way to ``reviewed``.
    """
    from applications import services
    from applications.models import Report, Status
    from competitions.models import FundSource
    from review import services as review_services

    if competition is None and status == Status.SHORTLISTED:
        competition = CompetitionFactory(
            fund_source=FundSource.VENTURE_CONTEST, pitch_round=True, pitch_weight=Decimal("30")
        )
    if competition is not None:
        kwargs["competition"] = competition
    app = ApplicationFactory(**kwargs)
    member = member_of(app.organization)
    staff = StaffFactory(bureau=app.competition.bureau)
    steps = {
        Status.DRAFT: [],
        Status.SUBMITTED: ["submit"],
        Status.RETURNED: ["submit", "return"],
        Status.INELIGIBLE: ["submit", "reject"],
        Status.ELIGIBLE: ["submit", "accept"],
        Status.UNDER_REVIEW: ["submit", "accept", "open"],
        Status.REVIEWED: ["submit", "accept", "open", "score"],
        Status.SHORTLISTED: ["submit", "accept", "open", "score", "shortlist"],
        Status.RECOMMENDED: ["submit", "accept", "open", "score", "recommend"],
        Status.DECLINED: ["submit", "accept", "open", "score", "decline"],
        Status.PUBLICIZING: ["submit", "accept", "open", "score", "recommend", "publicize"],
        Status.AWARDED: ["submit", "accept", "open", "score", "recommend", "publicize", "award"],
        Status.CONTRACTED: ["submit", "accept", "open", "score", "recommend", "publicize", "award", "sign"],
        Status.COMPLETED: ["submit", "accept", "open", "score", "recommend", "publicize", "award", "sign", "complete"],
        Status.TERMINATED: ["submit", "accept", "open", "score", "recommend", "publicize", "award", "sign", "terminate"],
        Status.WITHDRAWN: ["withdraw"],
    }[Status(status)]
    for step in steps:
        if step == "submit":
            services.application_submit(application=app, actor=member)
        elif step == "return":
            services.application_return_for_revision(application=app, actor=staff, reason="补充预算说明")
        elif step == "reject":
            services.application_reject_ineligible(application=app, actor=staff, reason="不在本区域")
        elif step == "accept":
            services.application_accept_eligible(application=app, actor=staff)
        elif step == "open":
            services.application_open_review(application=app, actor=staff)
        elif step == "score":
            reviewer = UserFactory()
            assignment = review_services.assignment_create(application=app, reviewer=reviewer)
            review_services.sheet_submit(sheet=assignment.sheet, actor=reviewer)
            app.refresh_from_db()
        elif step == "shortlist":
            services.application_shortlist(application=app, actor=staff)
        elif step == "recommend":
            services.application_recommend(application=app, actor=staff, amount=app.requested_amount)
        elif step == "decline":
            services.application_decline(application=app, actor=staff, reason="得分较低")
        elif step == "publicize":
            # Started a month ago, so the 公示 is already over and the award may follow.
            services.application_publicize(
                application=app, actor=staff, start=timezone.now() - dt.timedelta(days=30)
            )
        elif step == "award":
            services.application_award(application=app)
        elif step == "sign":
            services.application_sign_agreement(application=app, actor=staff)
        elif step == "complete":
            Report.objects.create(
                application=app, kind="final", due_date=timezone.localdate(), state="accepted"
            )
            services.application_complete(application=app, actor=staff)
        elif step == "terminate":
            services.application_terminate(application=app, actor=staff, reason="未按协议执行")
        elif step == "withdraw":
            services.application_withdraw(application=app, actor=member)
    assert app.status == status, (app.status, status)
    app.member, app.staff = member, staff
    return app


# ----- review (H4) ------------------------------------------------------------------------------


class ReviewerFactory(factory.django.DjangoModelFactory):
    """A reviewer profile in the pool of ``bureaus`` (pass a list), with a user of its own."""

    class Meta:
        model = "review.ReviewerProfile"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    title = "副教授"
    employer = "贵州大学"

    @factory.post_generation
    def bureaus(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.bureaus.add(*extracted)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An assignment with its (empty) score sheet."""

    class Meta:
        model = "review.Assignment"
        skip_postgeneration_save = True

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(UserFactory)

    @factory.post_generation
    def sheet(obj, create, extracted, **kwargs):
        if create:
            from review.models import ScoreSheet

            ScoreSheet.objects.get_or_create(assignment=obj)


def with_totp(user):
    """Give ``user`` an activated TOTP authenticator (as if set up through allauth)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}})
    return user


def totp_code(secret):
    """The code an authenticator app shows now for ``secret`` (this 30-second step's, not the
    step before, which the one-step tolerance also takes but which expires first)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


# ----- bureau staff in the Wagtail admin, applications placed directly in a state ------------------

_fixture_refs = __import__("itertools").count(1)


def admin_access_group():
    """The group that lets bureau staff enter the Wagtail admin (wagtailadmin.access_admin)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name="Bureau staff")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    return group


def staff_with_admin(bureau=None, **kwargs):
    """Bureau staff (is_staff, bureau set) in a group holding wagtailadmin.access_admin."""
    user = StaffFactory(**({"bureau": bureau} if bureau else {}), **kwargs)
    user.groups.add(admin_access_group())
    return user


def application_in(status, *, competition, **kwargs):
    """An application already in ``status`` (set at creation; the workflow is tested elsewhere)."""
    if status != "draft":
        kwargs.setdefault("reference", f"GZ-2026-FX-{next(_fixture_refs):05d}")
        kwargs.setdefault("submitted_at", timezone.now() - dt.timedelta(days=1))
    return ApplicationFactory(status=status, competition=competition, **kwargs)
