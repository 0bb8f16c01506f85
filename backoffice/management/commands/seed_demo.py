"""Demo data for trying the site: bureaus, people, 30 organizations, two calls, applications in
every stage of the workflow, and the Wagtail home page.

Safe to run again: everything is looked up by a natural key (username, organization name, call
title, organization + call) and only what is missing is created, so a second run changes nothing.
Applications are moved through the workflow by the services only, so their transition log is
the real, verifiable hash chain (``manage.py verify_audit_log``).
"""

import datetime as dt
import logging
import random
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from stdnum.cn import uscc

from applications import org_services, postaward, registry
from applications import publicity as app_publicity
from applications import services as app_services
from applications.models import Application, Organization, Status
from applications.notices import notice_issue
from competitions.models import (
    AggregationMethod,
    Bureau,
    Competition,
    Criterion,
    FundSource,
    LOTTERY_FUND_SERVICE_AREAS,
    OrganizationCategory as Cat,
    Region,
    RegistrationStatus as Reg,
    ReportKind,
    ReportRequirement,
    ServiceArea as Area,
    TranchePlanItem,
    TrancheTrigger,
)
from competitions.regions import load_regions
from review import services as review_services
from review.models import Assignment, ReviewerProfile

DEMO_PASSWORD = "commonweal-demo-2026"
DEMO_DOMAIN = "example.org"  # reserved for examples: mail to it goes nowhere
HOME_TITLE = "社区公益资助与创投管理平台"
STAFF_GROUP = "Bureau staff"

PROVINCE_BUREAU = "贵州省民政厅"
CITY_BUREAU = "贵阳市民政局"

# The logins printed at the end, row for row the table "Demo logins" in README.md (a test compares
# them, and checks that each login shows what its row promises).
DEMO_LOGINS = [
    ("site admin", "admin", "everything; Wagtail admin at /admin/ (log in with the username)"),
    ("provincial staff", "province-staff",
     f"{PROVINCE_BUREAU}: the venture contest (closed): ranking, shortlist, pitch, funding, 公示 "
     "(two projects in 公示, each with an objection under investigation)"),
    ("city staff", "city-staff",
     f"{CITY_BUREAU}: the lottery-fund call (open): eligibility check, return for revision, assignment"),
    ("reviewer", "reviewer1@example.org … reviewer6@example.org",
     "score assigned applications at /review/ (the first visit sets up a passkey or an authenticator app)"),
    ("applicant", "applicant01@example.org", "a complete draft to the lottery call: submit it at /portal/"),
    ("applicant", "applicant09@example.org", "an unregistered organization's draft: submitting is refused, with why"),
    ("applicant", "applicant10@example.org",
     "a contracted project: signed agreement, a first tranche approved for staff to pay, reports due"),
    ("applicant", "applicant14@example.org", "returned for revision: revise and resubmit"),
    ("applicant", "applicant25@example.org",
     "an organization registered in the portal that no bureau has verified yet: city-staff see 未核实 "
     "beside it in the organization list and can check and verify it; it and applicant28's stay out of "
     "the public directory until then"),
    ("applicant", "applicant29@example.org", "awarded in the contest (award notice issued)"),
    ("claimant", "claimant01@example.org",
     "signed up and claimed an organization of the city's imported registry, with a letter as evidence: "
     "city-staff see the claim in their to-do panel and decide it under 社会组织认领"),
    ("applicant", "applicant01@example.org … applicant30@example.org", "each owns one of the 30 organizations"),
]

# Organizations (by index: applicant25, applicant28) that no bureau has verified in the demo.
UNVERIFIED = (24, 27)

# Streets/townships and communities/villages for the demo, under real counties. Their codes are
# demo codes ("<county>D<nn>", "<street><nn>"), never official ones, so they cannot collide with
# division codes a bureau loads later. Names are illustrative.
DEMO_PLACES = {
    # key: (county code, street code suffix, street name, community suffix, community name, rural)
    "taici": ("520102", "D01", "兴关路街道", "01", "太慈社区", False),
    "xingguan": ("520102", "D01", "兴关路街道", "02", "兴关社区", False),
    "dongshan": ("520103", "D01", "黔东街道", "01", "东山社区", False),
    "zhaiji": ("520103", "D01", "黔东街道", "02", "宅吉社区", False),
    "bihai": ("520115", "D01", "金华园街道", "01", "碧海社区", False),
    "nanhu": ("520113", "D01", "大山洞街道", "01", "南湖社区", False),
    "longjing": ("520111", "D01", "青岩镇", "01", "龙井村", True),
    "shanwangmiao": ("520111", "D01", "青岩镇", "02", "山王庙村", True),
    "longguang": ("520121", "D01", "南江布依族苗族乡", "01", "龙广村", True),
    "damu": ("520123", "D01", "六屯镇", "01", "大木村", True),
    "zhonghua": ("520382", "D01", "茅台镇", "01", "中华村", True),  # 仁怀市
    "xihai": ("520526", "D01", "草海镇", "01", "西海村", True),  # 威宁彝族回族苗族自治县
}

# (name, category, place, registration status). Owners are applicant01..applicant30 in this order.
ORGANIZATIONS = [
    ("南明区太慈社区邻里服务中心", Cat.COMMUNITY_SERVICE, "taici", Reg.REGISTERED),
    ("云岩区东山社区养老服务协会", Cat.COMMUNITY_SERVICE, "dongshan", Reg.REGISTERED),
    ("观山湖区碧海社区居家养老服务站", Cat.COMMUNITY_SERVICE, "bihai", Reg.REGISTERED),
    ("白云区南湖社区助残服务社", Cat.COMMUNITY_SERVICE, "nanhu", Reg.REGISTERED),
    ("花溪区龙井村为老服务队", Cat.COMMUNITY_SERVICE, "longjing", Reg.FILED),
    ("仁怀市中华村互助服务社", Cat.COMMUNITY_SERVICE, "zhonghua", Reg.REGISTERED),
    ("南明区兴关社区调解志愿者协会", Cat.COMMUNITY_HARMONY, "xingguan", Reg.REGISTERED),
    ("云岩区宅吉社区邻里和睦促进会", Cat.COMMUNITY_HARMONY, "zhaiji", Reg.FILED),
    ("观山湖区碧海社区居民议事会", Cat.COMMUNITY_HARMONY, "bihai", Reg.UNREGISTERED),
    ("白云区南湖社区平安志愿队", Cat.COMMUNITY_HARMONY, "nanhu", Reg.FILED),
    ("开阳县龙广村乡贤理事会", Cat.COMMUNITY_HARMONY, "longguang", Reg.REGISTERED),
    ("威宁县西海村民族团结促进会", Cat.COMMUNITY_HARMONY, "xihai", Reg.REGISTERED),
    ("南明区太慈社区爱心帮扶协会", Cat.CHARITY_MUTUAL_AID, "taici", Reg.REGISTERED),
    ("云岩区东山社区困境儿童关爱社", Cat.CHARITY_MUTUAL_AID, "dongshan", Reg.REGISTERED),
    ("白云区南湖社区残疾人互助会", Cat.CHARITY_MUTUAL_AID, "nanhu", Reg.REGISTERED),
    ("观山湖区碧海社区爱心超市", Cat.CHARITY_MUTUAL_AID, "bihai", Reg.FILED),
    ("修文县大木村邻里互助会", Cat.CHARITY_MUTUAL_AID, "damu", Reg.FILED),
    ("仁怀市中华村留守儿童之家", Cat.CHARITY_MUTUAL_AID, "zhonghua", Reg.REGISTERED),
    ("南明区兴关社区老年大学协会", Cat.CULTURE_SPORTS_EDUCATION, "xingguan", Reg.REGISTERED),
    ("云岩区宅吉社区青少年读书会", Cat.CULTURE_SPORTS_EDUCATION, "zhaiji", Reg.REGISTERED),
    ("观山湖区碧海社区广场舞协会", Cat.CULTURE_SPORTS_EDUCATION, "bihai", Reg.UNREGISTERED),
    ("花溪区山王庙村布依文化传习社", Cat.CULTURE_SPORTS_EDUCATION, "shanwangmiao", Reg.REGISTERED),
    ("白云区南湖社区四点半课堂", Cat.CULTURE_SPORTS_EDUCATION, "nanhu", Reg.FILED),
    ("威宁县西海村彝族文艺队", Cat.CULTURE_SPORTS_EDUCATION, "xihai", Reg.UNREGISTERED),
    ("花溪区龙井村互助养老协会", Cat.RURAL, "longjing", Reg.REGISTERED),
    ("花溪区山王庙村乡村振兴促进会", Cat.RURAL, "shanwangmiao", Reg.REGISTERED),
    ("开阳县龙广村留守老人关爱协会", Cat.RURAL, "longguang", Reg.REGISTERED),
    ("修文县大木村红白理事会", Cat.RURAL, "damu", Reg.FILED),
    ("仁怀市中华村乡风文明促进会", Cat.RURAL, "zhonghua", Reg.REGISTERED),
    ("威宁县西海村草海生态保护志愿队", Cat.RURAL, "xihai", Reg.FILED),
]

# The city bureau's imported registry: 16 more in 南明区 (20 in 2 urban communities: 10.00, the
# target met exactly) and 10 more in 云岩区 (14 in 2: 7.00, below the target).
REGISTRY_NANMING, REGISTRY_YUNYAN = 16, 10
REGISTRY_KINDS = [
    ("邻里互助会", "公益慈善和居民互助类"), ("文体队", "文体教育类"), ("志愿服务队", "社区服务类"),
    ("调解委员会", "促进社区和谐类"), ("为老服务社", "社区服务类"), ("读书会", "文体教育类"),
    ("关爱协会", "公益慈善和居民互助类"), ("议事协商会", "促进社区和谐类"),
]
# A kind used a second time in a community is its 第二 (second) one.

HEADS = ["张丽", "王强", "李梅", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴刚"]

REVIEWERS = [
    # username, full name, title, employer, expertise, pools (P = province, C = city), home place
    ("reviewer1", "罗晓燕", "教授", "贵州大学社会工作系", [Area.ELDERLY, Area.DISABILITY], "PC", None),
    ("reviewer2", "田志明", "高级社会工作师", "贵阳市社会工作协会", [Area.POVERTY, Area.ORPHANS], "PC", "taici"),
    ("reviewer3", "潘红", "副教授", "贵州师范大学", [Area.CULTURE_EDUCATION, Area.ORPHANS], "PC", None),
    ("reviewer4", "龙海", "注册会计师", "贵州黔诚会计师事务所", [Area.POVERTY, Area.OTHER], "PC", None),
    ("reviewer5", "杨秀英", "研究员", "贵州省社会科学院", [Area.COMMUNITY_GOVERNANCE, Area.VOLUNTEERING], "P", "zhonghua"),
    ("reviewer6", "吴建国", "主任", "遵义市慈善总会", [Area.COMMUNITY_GOVERNANCE, Area.ELDERLY], "P", None),
]

REVIEW_CRITERIA = [
    ("需求分析", "需求调研是否充分，服务对象是否明确。", 25),
    ("项目设计", "目标、活动与指标是否清楚、可行。", 30),
    ("执行能力", "团队、经验与社区资源。", 20),
    ("预算合理性", "预算是否与活动匹配，管理费是否在限额内。", 15),
    ("可持续性", "项目结束后的延续与推广。", 10),
]
PITCH_CRITERIA = [
    ("路演表达", "陈述是否清楚、有说服力。", 40),
    ("创新性", "服务模式是否新颖、可复制。", 30),
    ("现场答辩", "对评委提问的回应。", 30),
]

# Project ideas per service area: (summary, target groups), and one title for each application of
# that area, taken in the order of APPLICATIONS, so that no two demo projects share a title.
PROJECTS = {
    Area.ELDERLY: ("为社区高龄、独居老人提供定期探访、助餐和健康监测服务。", "高龄、独居老人", [
        "“银龄守望”高龄独居老人关爱服务", "“幸福食堂”社区老年助餐服务", "“老伙伴”低龄助高龄互助养老计划",
        "“健康小屋”老年慢性病自我管理服务", "“夕阳正红”老年文体与精神慰藉活动", "“暖心到家”失能老人居家照护服务",
        "“稳步安居”老年人居家适老化改造",
    ]),
    Area.DISABILITY: ("为社区残疾人提供康复训练、技能培训和就业对接。", "持证残疾人及其家庭", [
        "“阳光同行”残疾人社区康复与就业支持", "“无声桥梁”听障人士社区融入服务", "“温馨家园”重度残疾人日间照料",
    ]),
    Area.ORPHANS: ("为孤儿和事实无人抚养儿童提供课业辅导、心理陪伴与监护支持。", "孤儿、事实无人抚养儿童", [
        "“护苗成长”困境儿童陪伴计划", "“彩虹桥”留守儿童心理关爱行动",
    ]),
    Area.POVERTY: ("为低保、低边家庭提供生活物资、政策咨询和就业帮扶。", "低保及低保边缘家庭", [
        "“暖心驿站”困难家庭帮扶行动", "“微心愿”困难群众点亮计划",
    ]),
    Area.COMMUNITY_GOVERNANCE: ("搭建居民议事平台，培育议事骨干，推动社区事务协商解决。", "社区居民、楼栋长", [
        "“邻里议事厅”社区协商共治项目", "“楼栋当家人”居民自治骨干培育", "“和事佬”邻里矛盾纠纷调解服务",
        "“乡贤说事”村民协商议事会", "“石榴籽”民族团结互嵌式社区建设",
    ]),
    Area.CULTURE_EDUCATION: ("为双职工家庭儿童提供课后托管、阅读和兴趣课程。", "小学生及其家长", [
        "“书香邻里”社区阅读与四点半课堂", "“少年志”青少年社区成长营", "“布依古韵”民族文化进社区",
        "“彝歌飞扬”乡村少儿文艺传承",
    ]),
    Area.VOLUNTEERING: ("以时间储蓄方式激励居民互助，建立志愿服务积分制度。", "社区志愿者、困难群众", [
        "“时间银行”社区互助志愿服务", "“红袖标”平安守望志愿巡逻", "“青春返乡”乡村振兴青年志愿服务",
    ]),
    Area.ENVIRONMENT: ("组织村民开展湿地巡护、垃圾分类和生态宣传。", "村民、中小学生", [
        "“草海卫士”湿地保护志愿行动", "“美丽庭院”垃圾分类与人居环境整治",
    ]),
}

# The demo applications: (organization index, call key, area, requested yuan, target status).
# Lottery call ("lottery"): early stages, open now. Venture contest ("contest"): later stages.
APPLICATIONS = [
    (0, "lottery", Area.ELDERLY, 60000, Status.DRAFT),
    (8, "lottery", Area.DISABILITY, 30000, Status.DRAFT),  # unregistered: submitting is refused
    (1, "lottery", Area.ELDERLY, 80000, Status.SUBMITTED),
    (12, "lottery", Area.POVERTY, 50000, Status.SUBMITTED),
    (13, "lottery", Area.ORPHANS, 45000, Status.RETURNED),
    (15, "lottery", Area.POVERTY, 20000, Status.INELIGIBLE),
    (3, "lottery", Area.DISABILITY, 70000, Status.ELIGIBLE),
    (24, "lottery", Area.ELDERLY, 40000, Status.ELIGIBLE),
    (14, "lottery", Area.DISABILITY, 90000, Status.UNDER_REVIEW),
    (26, "lottery", Area.ELDERLY, 35000, Status.UNDER_REVIEW),
    (2, "lottery", Area.ELDERLY, 75000, Status.REVIEWED),
    (18, "lottery", Area.ELDERLY, 30000, Status.REVIEWED),
    (4, "lottery", Area.ELDERLY, 25000, Status.WITHDRAWN),
    (5, "contest", Area.VOLUNTEERING, 60000, Status.REVIEWED),
    (6, "contest", Area.COMMUNITY_GOVERNANCE, 50000, Status.REVIEWED),
    (10, "contest", Area.COMMUNITY_GOVERNANCE, 80000, Status.SHORTLISTED),
    (19, "contest", Area.CULTURE_EDUCATION, 40000, Status.SHORTLISTED),
    (11, "contest", Area.COMMUNITY_GOVERNANCE, 100000, Status.RECOMMENDED),
    (21, "contest", Area.CULTURE_EDUCATION, 60000, Status.DECLINED),
    (7, "contest", Area.COMMUNITY_GOVERNANCE, 30000, Status.DECLINED),
    (25, "contest", Area.VOLUNTEERING, 70000, Status.PUBLICIZING),
    (17, "contest", Area.CULTURE_EDUCATION, 90000, Status.PUBLICIZING),
    (28, "contest", Area.COMMUNITY_GOVERNANCE, 120000, Status.AWARDED),
    (9, "contest", Area.VOLUNTEERING, 50000, Status.CONTRACTED),
    (29, "contest", Area.ENVIRONMENT, 40000, Status.INELIGIBLE),
    (22, "contest", Area.CULTURE_EDUCATION, 30000, Status.ELIGIBLE),
]

def project_title(organization_index):
    """The title of the demo application of this organization: its area's next title in turn."""
    area = next(row[2] for row in APPLICATIONS if row[0] == organization_index)
    same_area = [row[0] for row in APPLICATIONS if row[2] == area]
    return PROJECTS[area][2][same_area.index(organization_index)]


# The path through the workflow to each target (the diagram in DESIGN.md). Declined contest
# applications with an even organization index are declined after the pitch.
PATHS = {
    Status.DRAFT: [],
    Status.SUBMITTED: ["submit"],
    Status.RETURNED: ["submit", "return"],
    Status.INELIGIBLE: ["submit", "reject"],
    Status.ELIGIBLE: ["submit", "accept"],
    Status.UNDER_REVIEW: ["submit", "accept", "assign", "score_some"],
    Status.REVIEWED: ["submit", "accept", "assign", "score_all"],
    Status.SHORTLISTED: ["submit", "accept", "assign", "score_all", "shortlist", "pitch_assign"],
    Status.RECOMMENDED: ["submit", "accept", "assign", "score_all", "shortlist", "pitch", "recommend"],
    Status.DECLINED: ["submit", "accept", "assign", "score_all", "decline"],
    Status.PUBLICIZING: ["submit", "accept", "assign", "score_all", "shortlist", "pitch", "recommend", "publicize", "object"],
    Status.AWARDED: ["submit", "accept", "assign", "score_all", "shortlist", "pitch", "recommend",
                     "publicize_past", "award"],
    Status.CONTRACTED: ["submit", "accept", "assign", "score_all", "shortlist", "pitch", "recommend",
                        "publicize_past", "award", "sign"],
    Status.WITHDRAWN: ["submit", "withdraw"],
}


@dataclass
class Demo:
    """What the steps need: the calls, the staff acting for each, and the reviewer pools."""

    calls: dict
    staff: dict  # call key -> staff user of the bureau running it
    pools: dict  # call key -> list of reviewer users


class Command(BaseCommand):
    help = "Load demo bureaus, people, organizations, calls and applications (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true",
            help="Seed even with DJANGO_ENV=production (every demo login shares one known password).",
        )

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False) and not options["allow_production"]:
            raise CommandError(
                "Refusing to load demo data with DJANGO_ENV=production: its logins share a published "
                "password. Pass --allow-production if this really is a demo server."
            )
        self.now = timezone.now()
        self.password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        self.counts = {}
        # Demo notifications stay in the site; their mail (to example.org) is not sent.
        with _quiet_task_logs(), override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            with transaction.atomic():
                regions = load_regions()
                places = self._ensure_places()
                bureaus = self._ensure_bureaus()
                people = self._ensure_people(bureaus, places)
                organizations = self._ensure_organizations(people["applicants"], places)
                calls = self._ensure_calls(bureaus)
            demo = Demo(
                calls=calls,
                staff={"lottery": people["city_staff"], "contest": people["province_staff"]},
                pools={"lottery": people["city_pool"], "contest": people["province_pool"]},
            )
            self._ensure_applications(demo, organizations, people["applicants"])
            self._close_contest(calls["contest"])
            self._verify_organizations(organizations)
            self._import_registry(bureaus=Bureau.objects.get(name=CITY_BUREAU))
            self._claim_from_the_registry()
        self.stdout.write(f"Regions: {regions}.")
        for label, (created, present) in self.counts.items():
            if created:
                self.stdout.write(f"{label}: {created} created, {present} already present.")
            else:
                self.stdout.write(f"{label}: all {present} already present.")
        with _quiet_task_logs():
            page_created = _ensure_home_page()
            from cms.demo import build_demo_site; build_demo_site()  # noqa: E702 - the public pages (cms)
        self.stdout.write("Home page: created and set as the site root." if page_created
                          else "Home page: already present.")
        self._print_logins()

    # ----- helpers ------------------------------------------------------------------------------

    def _count(self, label, created):
        made, present = self.counts.get(label, (0, 0))
        self.counts[label] = (made + 1, present) if created else (made, present + 1)

    def _ensure_places(self):
        places = {}
        for key, (county_code, street_suffix, street_name, community_suffix, name, rural) in DEMO_PLACES.items():
            county = Region.objects.get(code=county_code)
            street, created = Region.objects.get_or_create(
                code=f"{county_code}{street_suffix}",
                defaults={"name": street_name, "level": Region.Level.STREET, "parent": county, "is_rural": rural},
            )
            community, created = Region.objects.get_or_create(
                code=f"{street.code}{community_suffix}",
                defaults={"name": name, "level": Region.Level.COMMUNITY, "parent": street, "is_rural": rural},
            )
            self._count("Demo communities and villages", created)
            places[key] = community
        return places

    def _ensure_bureaus(self):
        bureaus = {}
        for key, name, short, level, region_code, phone, address in (
            ("province", PROVINCE_BUREAU, "省民政厅", Bureau.Level.PROVINCE, "52", "0851-00000001", "贵阳市（演示地址）"),
            ("city", CITY_BUREAU, "市民政局", Bureau.Level.CITY, "5201", "0851-00000002", "贵阳市观山湖区（演示地址）"),
        ):
            bureau, created = Bureau.objects.get_or_create(
                name=name,
                defaults={"short_name": short, "level": level, "region": Region.objects.get(code=region_code),
                          "contact_phone": phone, "address": address},
            )
            self._count("Bureaus", created)
            bureaus[key] = bureau
        return bureaus

    def _user(self, username, full_name, **fields):
        user_model = get_user_model()
        email = f"{username}@{DEMO_DOMAIN}"
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"email": email, "full_name": full_name, "password": self.password_hash, **fields},
        )
        # allauth lets only verified addresses log in (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        self._count("Users", created)
        return user

    def _ensure_people(self, bureaus, places):
        self._user("admin", "平台管理员", is_staff=True, is_superuser=True)
        group, _created = Group.objects.get_or_create(name=STAFF_GROUP)
        access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        group.permissions.add(access_admin)
        province_staff = self._user("province-staff", "王明", is_staff=True, bureau=bureaus["province"])
        city_staff = self._user("city-staff", "李娟", is_staff=True, bureau=bureaus["city"])
        for user in (province_staff, city_staff):
            user.groups.add(group)
        pools = {"P": [], "C": []}
        for username, name, title, employer, expertise, pool, home in REVIEWERS:
            user = self._user(username, name)
            profile, _created = ReviewerProfile.objects.get_or_create(
                user=user,
                defaults={"expertise": [str(a) for a in expertise], "title": title, "employer": employer,
                          "home_community": places[home] if home else None},
            )
            wanted = [bureaus["province"] if p == "P" else bureaus["city"] for p in pool]
            profile.bureaus.add(*wanted)
            for p in pool:
                pools[p].append(user)
        applicants = [
            self._user(f"applicant{n:02d}", HEADS[n % len(HEADS)])
            for n in range(1, len(ORGANIZATIONS) + 1)
        ]
        return {
            "province_staff": province_staff, "city_staff": city_staff, "applicants": applicants,
            "province_pool": pools["P"], "city_pool": pools["C"],
        }

    def _ensure_organizations(self, applicants, places):
        organizations = []
        for n, ((name, category, place, status), owner) in enumerate(zip(ORGANIZATIONS, applicants), start=1):
            organization = Organization.objects.filter(name=name).first()
            if organization is None:
                community = places[place]
                county_code = community.parent.parent.code
                fields = {
                    "name": name, "category": category, "community": community, "registration_status": status,
                    "founded": dt.date(2012 + n % 12, 1 + n % 12, 1 + n % 28),
                    "head_name": HEADS[n % len(HEADS)], "head_is_party_member": n % 3 == 0,
                    "staff_count": n % 5, "social_worker_count": n % 3,
                    "contact_name": HEADS[(n + 3) % len(HEADS)], "contact_phone": f"1380851{n:04d}",
                    "contact_email": owner.email, "address": f"{community.parent.name}{community.name}",
                    "description": f"{name}是扎根{community.name}的社区社会组织（演示数据）。",
                }
                if status == Reg.REGISTERED:
                    # 统一社会信用代码: 5 = civil affairs, 2 = 民办非企业单位, the county, a demo body.
                    body = f"52{county_code}{5000000 + n:09d}"
                    fields["credit_code"] = body + uscc.calc_check_digit(body)
                elif status == Reg.FILED:
                    fields["filing_record"] = f"{community.parent.name}备案 第{2024000 + n}号"
                organization = app_services.organization_create(actor=owner, **fields)
                self._count("Organizations", True)
            else:
                self._count("Organizations", False)
            organizations.append(organization)
        return organizations

    def _verify_organizations(self, organizations):
        """The bureau checked all but two: applicant25's, which city-staff see with 未核实 in their
        organization list (it applied to their call), and applicant28's, which has not applied (both stay out of the directory). An
        awarded project's organization is always a verified one."""
        admin = get_user_model().objects.get(username="admin")
        for index, organization in enumerate(organizations):
            if index in UNVERIFIED:
                continue
            if organization.verified_at is None:
                org_services.organization_verify(organization=organization, actor=admin)

    def _import_registry(self, *, bureaus):
        """The city bureau's registry of two districts, imported as a clerk would (re-importing
        changes nothing): 南明区 reaches exactly 10.00 organizations per urban community, 云岩区
        stays below the target at 7.00."""
        bureau = bureaus
        actor = get_user_model().objects.get(username="city-staff")
        rows, number = [], 1
        for county_code, places, count in (("520102", ("taici", "xingguan"), REGISTRY_NANMING),
                                           ("520103", ("dongshan", "zhaiji"), REGISTRY_YUNYAN)):
            for n in range(count):
                number += 1
                place = places[n % len(places)]
                community = f"{county_code}{DEMO_PLACES[place][1]}{DEMO_PLACES[place][3]}"
                body = f"52{county_code}{6000000 + number:09d}"
                kind, category = REGISTRY_KINDS[n % len(REGISTRY_KINDS)]
                rows.append((number, {
                    "name": f"{DEMO_PLACES[place][4]}{('', '第二')[n // len(REGISTRY_KINDS)]}{kind}", "code": body + uscc.calc_check_digit(body),
                    "category": category, "community": community, "registration_status": "登记",
                    "founded": dt.date(2015 + n % 9, 1 + n % 12, 1 + n % 27), "head_name": HEADS[n % len(HEADS)],
                }))
        applied = registry.registry_import(rows=rows, bureau=bureau, actor=actor)
        self.counts["Registry rows imported"] = (applied.count(registry.NEW), applied.count(registry.UNCHANGED))

    def _claim_from_the_registry(self):
        """claimant01 signed up and claims one of the imported organizations (it has no member yet),
        uploading a letter; the claim waits for city-staff."""
        from applications.claims import claim_submit
        from applications.models import OrganizationClaim

        claimant = self._user("claimant01", "周敏", language="zh-hans")
        if OrganizationClaim.objects.filter(claimant=claimant).exists():
            self._count("Registry claims", False)
            return
        organization = (Organization.objects.filter(memberships__isnull=True, name__startswith="太慈社区")
                        .exclude(credit_code=None).order_by("pk").first())
        claim_submit(organization=organization, actor=claimant, uploaded=SimpleUploadedFile(
            "认领说明.pdf", _claim_letter(organization, claimant), content_type="application/pdf"),
            note="本人为该组织负责人，申请认领并维护组织信息。")
        self._count("Registry claims", True)

    def _ensure_calls(self, bureaus):
        year = timezone.localdate().year
        common = {"year": year, "admin_cost_cap": Decimal("10"), "reviewers_per_application": 3,
                  "allowed_registration_statuses": [Reg.REGISTERED.value, Reg.FILED.value]}
        lottery = self._ensure_call(
            f"{year}年贵阳市福利彩票公益金资助社区社会组织服务项目", pitch=False, **common,
            bureau=bureaus["city"], fund_source=FundSource.LOTTERY_FUND,
            summary="面向贵阳市社区社会组织，资助扶老、助残、救孤、济困类社区服务项目（演示数据）。",
            total_budget=Decimal("1000000"), min_amount=Decimal("10000"), max_amount=Decimal("100000"),
            opens_at=self.now - dt.timedelta(days=20), closes_at=self.now + dt.timedelta(days=40),
            review_deadline=self.now + dt.timedelta(days=60),
            allowed_service_areas=[str(a) for a in LOTTERY_FUND_SERVICE_AREAS],
            eligible_region=Region.objects.get(code="5201"), aggregation_method=AggregationMethod.MEAN,
            community_bonus=Decimal("2"), rural_min_share=Decimal("30"), publicity_working_days=5,
        )
        contest = self._ensure_call(
            f"{year}年贵州省社区公益创投大赛", pitch=True, **common,
            bureau=bureaus["province"], fund_source=FundSource.VENTURE_CONTEST,
            summary="面向全省社区社会组织的公益创投，设路演环节（演示数据）。",
            total_budget=Decimal("2000000"), min_amount=Decimal("20000"), max_amount=Decimal("150000"),
            # Created open so that its applications can be submitted; closed after seeding.
            opens_at=self.now - dt.timedelta(days=50), closes_at=self.now + dt.timedelta(hours=1),
            eligible_region=Region.objects.get(code="52"), blind_review=True,
            aggregation_method=AggregationMethod.TRIMMED_MEAN,
            pitch_round=True, pitch_weight=Decimal("30"), rural_min_share=Decimal("20"),
            publicity_working_days=7, show_panel_names=True,
        )
        return {"lottery": lottery, "contest": contest}

    def _ensure_call(self, title, *, pitch, **fields):
        call, created = Competition.objects.get_or_create(title=title, defaults=fields)
        self._count("Calls", created)
        if created:
            self._add_call_details(call, pitch=pitch)
        call.full_clean()
        return call

    def _add_call_details(self, call, *, pitch):
        criteria = [(Criterion.Stage.REVIEW, c) for c in REVIEW_CRITERIA]
        if pitch:
            criteria += [(Criterion.Stage.PITCH, c) for c in PITCH_CRITERIA]
        Criterion.objects.bulk_create(
            Criterion(competition=call, stage=stage, position=i, name=name, description=text, max_points=points)
            for i, (stage, (name, text, points)) in enumerate(criteria)
        )
        TranchePlanItem.objects.bulk_create(
            TranchePlanItem(competition=call, position=i, percent=Decimal(pct), trigger=trigger)
            for i, (pct, trigger) in enumerate(
                [(50, TrancheTrigger.ON_CONTRACT), (30, TrancheTrigger.ON_MIDTERM), (20, TrancheTrigger.ON_FINAL)]
            )
        )
        ReportRequirement.objects.bulk_create([
            ReportRequirement(competition=call, kind=ReportKind.MIDTERM, days_after_contract=180),
            ReportRequirement(competition=call, kind=ReportKind.FINAL, days_after_contract=365),
        ])

    def _close_contest(self, contest):
        """Move the contest's window into the past once its applications are in (first run only)."""
        if contest.is_open(self.now):
            contest.opens_at = self.now - dt.timedelta(days=50)
            contest.closes_at = self.now - dt.timedelta(days=20)
            contest.review_deadline = self.now - dt.timedelta(days=16)
            contest.save(update_fields=["opens_at", "closes_at", "review_deadline"])

    # ----- applications -------------------------------------------------------------------------

    def _ensure_applications(self, demo, organizations, applicants):
        for index, call_key, area, amount, target in APPLICATIONS:
            organization, owner = organizations[index], applicants[index]
            call = demo.calls[call_key]
            if Application.objects.filter(organization=organization, competition=call).exists():
                self._count("Applications", False)
                continue
            app = self._draft(organization, owner, call, area, Decimal(amount), project_title(index))
            steps = PATHS[target]
            if target == Status.DECLINED and call.pitch_round and index % 2 == 0:
                steps = steps[:-1] + ["shortlist", "pitch", "decline"]
            for step in steps:
                app = getattr(self, f"_step_{step}")(app, demo=demo, call_key=call_key, owner=owner)
            if app.status != target:
                raise CommandError(f"{organization.name}: reached {app.status}, expected {target}.")
            self._count("Applications", True)

    def _draft(self, organization, owner, call, area, amount, title):
        summary, groups, _titles = PROJECTS[area]
        app = app_services.application_create(
            organization=organization, competition=call, actor=owner, title=title
        )
        admin = (amount * Decimal("0.08")).quantize(Decimal("1"))
        personnel = (amount * Decimal("0.30")).quantize(Decimal("1"))
        materials = (amount * Decimal("0.15")).quantize(Decimal("1"))
        lines = [
            {"category": "personnel", "item": "项目社工及志愿者补贴", "amount": personnel},
            {"category": "materials", "item": "服务物资", "amount": materials},
            {"category": "admin", "item": "项目管理", "amount": admin},
            {"category": "activities", "item": "服务活动", "amount": amount - admin - personnel - materials},
        ]
        year = call.year + 1
        return app_services.application_update(
            application=app, actor=owner, summary=summary, service_area=area, target_groups=groups,
            beneficiaries=int(amount // 500), place=organization.community.name,
            start_date=dt.date(year, 1, 1), end_date=dt.date(year, 12, 31), requested_amount=amount,
            co_funding=(amount * Decimal("0.1")).quantize(Decimal("1")),
            goals="服务覆盖率、满意度和居民参与度明显提升。",
            indicators=[{"indicator": "服务人次", "target": str(int(amount // 100))}, {"indicator": "满意度", "target": "90%"}],
            team=f"项目负责人{organization.head_name}，社工{organization.social_worker_count}名，志愿者若干。",
            budget_lines=lines,
        )

    def _step_submit(self, app, *, owner, **_):
        return app_services.application_submit(application=app, actor=owner)

    def _step_return(self, app, *, demo, call_key, **_):
        return app_services.application_return_for_revision(
            application=app, actor=demo.staff[call_key],
            reason="请补充服务对象名单和预算测算依据（演示）。",
        )

    def _step_reject(self, app, *, demo, call_key, **_):
        return app_services.application_reject_ineligible(
            application=app, actor=demo.staff[call_key],
            reason="项目内容不属于本次资助的服务领域（演示）。",
        )

    def _step_accept(self, app, *, demo, call_key, **_):
        return app_services.application_accept_eligible(application=app, actor=demo.staff[call_key])

    def _step_withdraw(self, app, *, owner, **_):
        return app_services.application_withdraw(application=app, actor=owner, note="组织决定明年再申报。")

    def _step_assign(self, app, *, demo, call_key, **_):
        app = app_services.application_open_review(application=app, actor=demo.staff[call_key])
        self._assign(app, demo, call_key, Assignment.Stage.REVIEW)
        return app

    def _step_score_some(self, app, **_):
        # At most one sheet in, the others pending: reviewers have work waiting.
        self._score(app, Assignment.Stage.REVIEW, limit=_serial(app) % 2)
        return Application.objects.get(pk=app.pk)

    def _step_score_all(self, app, **_):
        self._score(app, Assignment.Stage.REVIEW)
        return Application.objects.get(pk=app.pk)

    def _step_shortlist(self, app, *, demo, call_key, **_):
        return app_services.application_shortlist(application=app, actor=demo.staff[call_key])

    def _step_pitch_assign(self, app, *, demo, call_key, **_):
        self._assign(app, demo, call_key, Assignment.Stage.PITCH)
        return app

    def _step_pitch(self, app, *, demo, call_key, **_):
        self._assign(app, demo, call_key, Assignment.Stage.PITCH)
        self._score(app, Assignment.Stage.PITCH)
        return Application.objects.get(pk=app.pk)

    def _step_recommend(self, app, *, demo, call_key, **_):
        amount = (app.requested_amount * Decimal("0.9")).quantize(Decimal("1"))
        return app_services.application_recommend(application=app, actor=demo.staff[call_key], amount=amount)

    def _step_decline(self, app, *, demo, call_key, **_):
        return app_services.application_decline(
            application=app, actor=demo.staff[call_key], reason="综合得分未进入资助名单（演示）。"
        )

    def _step_publicize(self, app, *, demo, call_key, **_):
        return app_services.application_publicize(application=app, actor=demo.staff[call_key])

    def _step_publicize_past(self, app, *, demo, call_key, **_):
        # A 公示 that began two weeks ago has ended, so the award can follow.
        return app_services.application_publicize(
            application=app, actor=demo.staff[call_key], start=self.now - dt.timedelta(days=14)
        )

    def _step_object(self, app, *, demo, call_key, **_):
        """A resident objects during the 公示 and the bureau takes it up: an objection to decide."""
        objection = app_publicity.objection_file(
            application=app, objector_kind="person", name="张某（演示）", phone="13800000000",
            reason="该项目的服务对象与申报书所写的社区不一致（演示）。",
        )
        app_publicity.objection_investigate(objection=objection, actor=demo.staff[call_key], note="调取服务对象名册，入户核实（演示）。")
        return app

    def _step_award(self, app, **_):
        """Awarded as the end of a clean 公示 awards it (``publicity_award_due``): with its 立项通知书."""
        app = app_services.application_award(application=app)
        notice_issue(application=app)
        return app

    def _step_sign(self, app, *, owner, demo, call_key, **_):
        """The post-award path a bureau walks: the organization uploads its signed agreement (here the
        generated PDF stands in for the stamped scan), staff confirm it, and the tranches and the
        report schedule follow, so the project has a first tranche to pay and reports due."""
        agreement = postaward.agreement_generate(application=app, actor=owner)
        with agreement.file.open("rb") as generated:
            scan = SimpleUploadedFile("签字盖章协议.pdf", generated.read(), content_type="application/pdf")
        postaward.agreement_upload_scan(application=app, actor=owner, uploaded=scan)
        app = postaward.agreement_confirm(application=app, actor=demo.staff[call_key])
        postaward.disbursement_approve(disbursement=app.disbursements.get(position=0), actor=demo.staff[call_key])
        return app

    def _assign(self, app, demo, call_key, stage):
        """The call's number of reviewers from the bureau's pool, added by its staff; the review
        service refuses reviewers with a conflict (same community, declared tie), who are skipped."""
        pool = demo.pools[call_key]
        needed = app.competition.reviewers_per_application
        start = _serial(app) % len(pool)
        added = 0
        for reviewer in pool[start:] + pool[:start]:
            if added == needed:
                break
            try:
                review_services.assignment_add(
                    application=app, reviewer=reviewer, actor=demo.staff[call_key], stage=stage
                )
            except review_services.ReviewError as exc:
                if exc.code != "conflict":
                    raise
                continue
            added += 1

    def _score(self, app, stage, limit=None):
        """Score and submit the sheets of ``stage``; the last review sheet completes the review."""
        criteria = list(Criterion.objects.filter(competition=app.competition_id, stage=stage))
        assignments = list(
            Assignment.objects.filter(application=app, stage=stage)
            .select_related("sheet", "reviewer", "application__competition").order_by("pk")
        )
        for assignment in assignments[:limit]:
            rng = random.Random(f"{app.reference}:{assignment.reviewer.username}:{stage}")
            points = {c.pk: (c.max_points * Decimal(rng.randint(62, 96)) / 100).quantize(Decimal("1")) for c in criteria}
            total = sum(points.values())
            review_services.sheet_save(
                sheet=assignment.sheet, actor=assignment.reviewer,
                scores={pk: (value, "（演示评语）") for pk, value in points.items()},
                overall_comment="项目需求明确，设计合理（演示）。",
                recommendation="fund" if total >= 80 else "fund_with_changes",
                submit=True,
            )

    # ----- output -------------------------------------------------------------------------------

    def _print_logins(self):
        width_role = max(len(role) for role, _login, _what in DEMO_LOGINS)
        width_login = max(len(login) for _role, login, _what in DEMO_LOGINS)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(f"{'role':<{width_role}}  {'login':<{width_login}}  what to try")
        for role, login, what in DEMO_LOGINS:
            self.stdout.write(f"{role:<{width_role}}  {login:<{width_login}}  {what}")


def _claim_letter(organization, claimant):
    """A one-page letter, as a claimant would scan one: the organization vouches for the person."""
    from weasyprint import HTML

    html = (
        '<html><body style="font-family: \'Noto Sans CJK SC\', sans-serif; font-size: 14pt; margin: 3em">'
        '<h1 style="text-align: center; font-size: 20pt">情况说明</h1>'
        f'<p>兹证明{claimant.full_name}同志为我单位负责人，由其在社区公益资助与创投管理平台认领并维护本单位信息。</p>'
        f'<p>单位名称：{organization.name}</p><p>统一社会信用代码：{organization.credit_code}</p>'
        f'<p style="text-align: right">{organization.name}（盖章）<br>{timezone.localdate():%Y年%m月%d日}</p>'
        '<p style="color: #888; font-size: 10pt">（演示数据）</p></body></html>'
    )
    return HTML(string=html).write_pdf()


@contextmanager
def _quiet_task_logs():
    """Keep the command's output to its summary: eager tasks log a line for each of ~100 mails."""
    names = {"celery": logging.WARNING, "kombu": logging.ERROR, "django_tasks": logging.WARNING,
             "wagtail": logging.WARNING}
    saved = {name: logging.getLogger(name).level for name in names}
    for name, level in names.items():
        logging.getLogger(name).setLevel(level)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def site_address():
    """The default Wagtail Site's (hostname, port): those of ``SITE_URL``."""
    address = urlsplit(settings.SITE_URL)
    return address.hostname or "localhost", address.port or (443 if address.scheme == "https" else 80)


def _ensure_home_page():
    """Make a ``cms.HomePage`` the default site's root, replacing Wagtail's default 'Welcome' page.

    Returns True when something was created or changed.
    """
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page, Site

    from cms.models import HomePage

    changed = False
    home = HomePage.objects.first()
    root = Page.get_first_root_node()
    if root is None:
        # Wagtail's migrations make the tree's root; a database flush (e.g. between transactional
        # tests) removes it.
        locale, _created = Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="根目录", slug="root", locale=locale))
    if home is None:
        # Wagtail's default page already uses the slug "home"; take it over below once that page is gone.
        taken = root.get_children().filter(slug="home").exists()
        home = root.add_child(instance=HomePage(title=HOME_TITLE, slug="commonweal-home" if taken else "home"))
        changed = True
    site = Site.objects.filter(is_default_site=True).first()
    hostname, port = site_address()
    if site is None:
        Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True,
                            site_name=HOME_TITLE)
        changed = True
    elif site.root_page_id != home.pk:
        old = site.root_page
        site.root_page = home
        site.save()
        changed = True
        # Only Wagtail's untouched placeholder goes: a plain Page with nothing under it.
        if old.specific_class is Page and old.is_leaf():
            old.delete()
    site = Site.objects.get(is_default_site=True)
    if (site.hostname, site.port) != (hostname, port):
        # Wagtail's full addresses (the admin's links to the live site) use the Site's host and
        # port: the ones the site is served at, as SITE_URL says (``make run`` sets it).
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
        changed = True
    if home.slug != "home" and not root.get_children().filter(slug="home").exists():
        home.slug = "home"
        home.save()
        changed = True
    return changed


def _serial(app):
    """The application's number within its call (GZ-2026-LF-0005 → 5): the same on every fresh
    seed, unlike its primary key, which depends on what the database held before (in tests, on
    PostgreSQL, the rows other tests made and rolled back)."""
    return int(app.reference.rsplit("-", 1)[1])
