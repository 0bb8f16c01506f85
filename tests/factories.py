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
