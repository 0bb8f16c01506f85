"""``manage.py seed_demo``: the demo data, made through the real services, safe to run twice."""

import io
import re
import time
from pathlib import Path
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from applications.models import Application, Organization, Status
from applications import services as app_services
from applications.errors import ApplicationError
from backoffice.management.commands.seed_demo import CITY_BUREAU, DEMO_PASSWORD, HOME_TITLE, STAFF_GROUP
from competitions.models import Competition, Criterion, FundSource, OrganizationCategory, Region, RegistrationStatus
from review.models import Assignment, ReviewerProfile

pytestmark = pytest.mark.django_db

def _snapshot():
    # Every table of every installed app, Wagtail's and allauth's included.
    counts = {model._meta.label: model._base_manager.count() for model in apps.get_models()}
    rows = {
        "applications": list(Application.objects.order_by("pk").values_list("pk", "status", "version", "log_head")),
        "calls": list(Competition.objects.order_by("pk").values_list("pk", "opens_at", "closes_at")),
        "users": list(User.objects.order_by("pk").values_list("pk", "password", "last_login")),
    }
    return counts, rows


def _seed():
    out = io.StringIO()
    started = time.perf_counter()
    call_command("seed_demo", stdout=out)
    return out.getvalue(), time.perf_counter() - started


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back at its end.

    Each test still runs in its own savepoint (``db``), so what a test changes is undone. The
    outer block is marked as a test case's, as Django's TestCase does, so that the services'
    ``durable`` transactions may run inside it.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True
        outer.__enter__()
        try:
            # The per-test settings fixtures have not run yet: hash as they will check.
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                output, seconds = _seed()
            print(f"seed_demo first run: {seconds:.2f} s")  # a figure, not an assert (see STYLE.md)
            yield output
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_second_run_changes_nothing(seeded):
    before = _snapshot()
    output, seconds = _seed()
    print(f"seed_demo second run: {seconds:.2f} s")
    assert _snapshot() == before
    assert "already present" in output
    assert "created" not in output.replace("0 created", "")


def test_prints_the_logins(seeded):
    assert DEMO_PASSWORD in seeded
    for login in ("admin", "province-staff", "city-staff", "reviewer1", "applicant01@example.org"):
        assert login in seeded


def test_thirty_organizations_of_every_kind_urban_and_rural(seeded):
    organizations = Organization.objects.select_related("community").filter(memberships__isnull=False).distinct()
    assert organizations.count() == 30
    assert {o.category for o in organizations} == set(OrganizationCategory.values)
    assert {o.registration_status for o in organizations} == set(RegistrationStatus.values)
    assert {o.community.is_rural for o in organizations} == {True, False}
    for organization in organizations:
        organization.full_clean()  # valid credit codes for registered ones, filing records for filed
        assert organization.memberships.filter(role="owner").exists()


def test_an_imported_registry_puts_one_district_at_the_target_and_one_below(seeded):
    from applications.cultivation import county_figures

    imported = Organization.objects.filter(memberships__isnull=True)
    assert imported.count() == 26 and all(o.verified_at for o in imported)  # the bureau's registry vouches
    counties = {c.county.name: c for c in county_figures(region=Region.objects.get(code="5201"))}
    assert (counties["南明区"].urban_average, counties["南明区"].meets_target) == (Decimal("10.00"), True)
    assert (counties["云岩区"].urban_average, counties["云岩区"].meets_target) == (Decimal("7.00"), False)


def test_open_lottery_call_allows_exactly_the_four_areas(seeded):
    call = Competition.objects.get(fund_source=FundSource.LOTTERY_FUND)
    assert call.is_open(timezone.now())
    assert sorted(call.allowed_service_areas) == sorted(["elderly", "disability", "orphans", "poverty"])
    assert call.bureau.name == "贵阳市民政局"
    assert call.criteria.count() >= 3
    assert [(t.percent, t.trigger) for t in call.tranches.all()] == [(50, "contract"), (30, "midterm"), (20, "final")]
    assert {r.kind for r in call.report_requirements.all()} == {"midterm", "final"}


def test_venture_contest_is_closed_with_a_pitch_round(seeded):
    contest = Competition.objects.get(fund_source=FundSource.VENTURE_CONTEST)
    assert contest.phase(timezone.now()) == "closed"
    assert contest.pitch_round and contest.pitch_weight > 0
    assert contest.criteria.filter(stage=Criterion.Stage.PITCH).exists()
    assert contest.bureau.name == "贵州省民政厅"
    assert contest.applications.filter(status=Status.SHORTLISTED).exists()


def test_applications_spread_over_the_workflow_with_a_verified_log(seeded):
    statuses = set(Application.objects.values_list("status", flat=True))
    assert len(statuses) >= 8
    assert {Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.INELIGIBLE, Status.ELIGIBLE,
            Status.UNDER_REVIEW, Status.REVIEWED, Status.SHORTLISTED, Status.RECOMMENDED, Status.DECLINED,
            Status.PUBLICIZING, Status.AWARDED, Status.WITHDRAWN} <= statuses
    for app in Application.objects.exclude(status=Status.DRAFT):
        assert app.log.exists() and app.log_head
    reviewed = Application.objects.filter(status=Status.REVIEWED).first()
    assert reviewed.log.filter(transition="application.complete_review", actor=None).exists()
    assert all(a.sheet.locked for a in Assignment.objects.filter(application=reviewed, stage="review"))
    assert Assignment.objects.filter(application__status=Status.UNDER_REVIEW, state="assigned").exists()
    out = io.StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "Audit log intact" in out.getvalue()


def test_people_can_log_in(seeded, client):
    assert User.objects.filter(is_superuser=True, username="admin").exists()
    assert ReviewerProfile.objects.count() >= 5
    for username in ("province-staff", "city-staff"):
        staff = User.objects.get(username=username)
        assert staff.is_bureau_staff and staff.groups.filter(name=STAFF_GROUP).exists()
        assert staff.has_perm("wagtailadmin.access_admin")
    applicant = User.objects.get(username="applicant01")
    assert EmailAddress.objects.filter(user=applicant, verified=True, primary=True).exists()
    response = client.post("/accounts/login/", {"login": applicant.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    assert client.login(username="city-staff", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_home_page_is_the_site_root(seeded, client):
    from wagtail.models import Page, Site

    from cms.models import HomePage

    site = Site.objects.get(is_default_site=True)
    home = HomePage.objects.get()
    assert site.root_page_id == home.pk and home.title == HOME_TITLE and home.slug == "home"
    # Wagtail's placeholder 'Welcome' page is gone.
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()
    response = client.get("/")
    assert response.status_code == 200
    assert HOME_TITLE in response.content.decode()


def test_applicant10_has_a_confirmed_agreement_a_tranche_to_pay_and_reports_due(seeded, db):
    """What the README's table promises for applicant10: the post-award path walked for real."""
    project = Application.objects.get(organization__memberships__user__email="applicant10@example.org")
    assert project.status == Status.CONTRACTED
    assert project.agreement.confirmed_at is not None and project.agreement.signed_scan is not None
    assert list(project.disbursements.values_list("state", flat=True)) == ["approved", "planned", "planned"]  # one to pay
    reports = list(project.reports.order_by("due_date"))
    assert [r.kind for r in reports] == ["midterm", "final"]
    assert all(r.due_date > timezone.localdate() for r in reports)


# ----- the README's table of demo logins and what the seed prints --------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"


def _logins(cell):
    """The login names in a table cell: `applicant01@example.org` … `applicant30@example.org` gives
    ["applicant01", "applicant30"]."""
    words = cell.replace("`", " ").replace("…", " ").replace("/", " ").split()
    return [word.removesuffix("@example.org") for word in words]


def readme_logins(text):
    """(role, [logins]) for each row of the README's table under '### Demo logins'."""
    lines = text.split("### Demo logins", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    rows = lines[start:end]  # the first table of the section
    header, _rule, *body = rows
    assert [c.strip() for c in header.strip("|").split("|")][:2] == ["role", "login"]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in body]
    return [(role, _logins(login)) for role, login, *_try in cells]


def printed_logins(output):
    """(role, [logins]) for each row the seed prints under 'Demo logins'."""
    lines = output.split("Demo logins", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("role "))
    rows = [re.split(r"\s{2,}", line.strip(), maxsplit=2) for line in lines[start + 1:] if line.strip()]
    return [(role, _logins(login)) for role, login, *_what in rows]


def test_printed_logins_equal_the_readme_table(seeded):
    printed, documented = printed_logins(seeded), readme_logins(README.read_text(encoding="utf-8"))
    assert printed == documented
    assert ("applicant", ["applicant09"]) in documented and ("applicant", ["applicant10"]) in documented


def test_the_comparison_fails_when_one_side_changes_alone(seeded):
    text = README.read_text(encoding="utf-8")
    assert readme_logins(text.replace("| `applicant09@example.org` |", "| `applicant08@example.org` |")) != printed_logins(seeded)
    assert readme_logins(text.replace("| city staff | `city-staff`", "| staff | `city-staff`")) != printed_logins(seeded)
    assert printed_logins(seeded.replace("applicant14@example.org", "applicant15@example.org")) != readme_logins(text)


def _owned(login):
    return Application.objects.select_related("organization", "competition").get(
        organization__memberships__user__username=login
    )


def _promise_admin():
    assert User.objects.get(username="admin").is_superuser


def _promise_province_staff():
    contest = Competition.objects.get(fund_source=FundSource.VENTURE_CONTEST)
    staff = User.objects.get(username="province-staff")
    assert staff.bureau_id == contest.bureau_id and contest.phase(timezone.now()) == "closed"
    statuses = set(contest.applications.values_list("status", flat=True))
    assert {Status.REVIEWED, Status.SHORTLISTED, Status.RECOMMENDED, Status.PUBLICIZING} <= statuses
    publicizing = contest.applications.filter(status=Status.PUBLICIZING)
    assert publicizing.count() == 2
    for app in publicizing:
        assert app.objections.filter(state="investigating").exists()


def _promise_city_staff():
    call = Competition.objects.get(fund_source=FundSource.LOTTERY_FUND)
    assert User.objects.get(username="city-staff").bureau_id == call.bureau_id and call.is_open(timezone.now())
    statuses = set(call.applications.values_list("status", flat=True))
    assert {Status.SUBMITTED, Status.ELIGIBLE} <= statuses  # to check; to assign


def _promise_reviewers():
    from allauth.mfa.models import Authenticator

    for n in range(1, 7):
        assert Assignment.objects.filter(reviewer__username=f"reviewer{n}", state=Assignment.State.ASSIGNED).exists(), n
    # "the first visit sets up an authenticator app": none has one yet.
    assert not Authenticator.objects.filter(user__username__startswith="reviewer").exists()


def _promise_applicant01():
    app = _owned("applicant01")
    assert app.status == Status.DRAFT
    submitted = app_services.application_submit(application=app, actor=User.objects.get(username="applicant01"))
    assert submitted.status == Status.SUBMITTED


def _promise_applicant09():
    app = _owned("applicant09")
    assert app.status == Status.DRAFT and app.organization.registration_status == RegistrationStatus.UNREGISTERED
    with pytest.raises(ApplicationError) as refused:
        app_services.application_submit(application=app, actor=User.objects.get(username="applicant09"))
    assert refused.value.message


def _promise_applicant10():
    test_applicant10_has_a_confirmed_agreement_a_tranche_to_pay_and_reports_due(None, None)


def _promise_applicant14():
    app = _owned("applicant14")
    assert app.status == Status.RETURNED and app.revision_deadline > timezone.now()


def _promise_applicant29():
    app = _owned("applicant29")
    assert app.status == Status.AWARDED and app.award_notice.code  # its PDF is rendered after commit
    assert app.organization.verified_at is not None


def _promise_applicant25():
    app = _owned("applicant25")
    assert app.status == Status.ELIGIBLE and app.competition.bureau.name == CITY_BUREAU
    for login in ("applicant25", "applicant28"):
        assert Organization.objects.get(memberships__user__username=login).verified_at is None
    assert not Organization.objects.filter(verified_at__isnull=True, memberships__isnull=False).exclude(
        memberships__user__username__in=["applicant25", "applicant28"]).exists()
    # city-staff can open its verification page and vouch for it (undone with the rest of the check).
    from applications.org_services import organization_verify

    organization_verify(organization=app.organization, actor=User.objects.get(username="city-staff"))
    assert Organization.objects.get(pk=app.organization_id).verified_at is not None


def _promise_claimant01():
    from applications.claims import claim_approve
    from applications.models import OrganizationClaim
    from backoffice.todo import staff_todo

    claim = OrganizationClaim.objects.select_related("organization", "evidence").get(claimant__username="claimant01")
    assert claim.state == OrganizationClaim.State.PENDING and not claim.organization.memberships.exists()
    # The letter passed the upload checks (a PDF that opens, with pages); the file itself lives in the
    # seeding run's storage.
    assert (claim.evidence.original_name, claim.evidence.content_type) == ("认领说明.pdf", "application/pdf")
    assert claim.evidence.size > 1000
    city_staff = User.objects.get(username="city-staff")
    assert [t.count for t in staff_todo(city_staff) if t.key == "claims"] == [1]
    claim_approve(claim=claim, actor=city_staff)  # (undone with the rest of the check)
    assert claim.organization.memberships.get().user.username == "claimant01"


def _promise_every_applicant():
    for n in range(1, 31):
        assert Organization.objects.filter(memberships__user__username=f"applicant{n:02d}", memberships__role="owner").count() == 1
    titles = list(Application.objects.values_list("title", flat=True))
    assert len(titles) == 26 and len(set(titles)) == len(titles)


PROMISES = {
    ("site admin", ("admin",)): _promise_admin,
    ("provincial staff", ("province-staff",)): _promise_province_staff,
    ("city staff", ("city-staff",)): _promise_city_staff,
    ("reviewer", ("reviewer1", "reviewer6")): _promise_reviewers,
    ("applicant", ("applicant01",)): _promise_applicant01,
    ("applicant", ("applicant09",)): _promise_applicant09,
    ("applicant", ("applicant10",)): _promise_applicant10,
    ("applicant", ("applicant14",)): _promise_applicant14,
    ("applicant", ("applicant25",)): _promise_applicant25,
    ("applicant", ("applicant29",)): _promise_applicant29,
    ("claimant", ("claimant01",)): _promise_claimant01,
    ("applicant", ("applicant01", "applicant30")): _promise_every_applicant,
}


def test_every_login_in_the_readme_shows_what_its_row_promises(seeded):
    rows = [(role, tuple(logins)) for role, logins in readme_logins(README.read_text(encoding="utf-8"))]
    assert sorted(rows) == sorted(PROMISES)  # a new row in the README needs its check here
    for row in rows:
        undo = transaction.atomic()
        undo._from_testcase = True  # the services' durable blocks may run inside (as in ``seeded``)
        with undo:
            PROMISES[row]()  # what it tries (submitting) is undone
            transaction.set_rollback(True)


def test_the_default_site_is_served_at_site_url(seeded, settings):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8000) and settings.SITE_URL == "http://127.0.0.1:8000"
    settings.SITE_URL = "http://127.0.0.1:8103"
    output, _seconds = _seed()
    site.refresh_from_db()
    assert (site.hostname, site.port) == ("127.0.0.1", 8103)
    assert site.root_url == "http://127.0.0.1:8103"
