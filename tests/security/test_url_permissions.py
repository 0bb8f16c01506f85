"""Every URL of the product says who may open it (security finding: access by role).

The test walks Django's URL resolver: every pattern of the product's own apps (third-party
prefixes such as allauth's, Wagtail's own admin and Django's admin are left out) must have an
entry in ``ROUTES`` naming the roles that get a 200 for a GET, in a small world where every
role has something to look at. A new view without an entry fails ``test_every_url_has_an_entry``;
a role that gets a 200 where the table does not list it (or no longer gets one where it does)
fails ``test_each_role_gets_a_page_only_where_the_table_says``.

Roles: ``anon`` (not signed in), ``owner`` (member of the organization that applied), ``stranger``
(a member of another organization), ``reviewer`` (assigned to the application under review),
``declined`` (a reviewer who declined their assignment for a conflict), ``staff`` (the bureau that
runs the call), ``other_staff`` (another bureau) and ``admin`` (a site admin).
"""

import inspect
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse

from applications.models import (
    AnnualReport, Application, AwardNotice, Objection, OrganizationClaim, Status, SubmittedDocument, TransitionLog,
)
from applications.tasks import generate_application_pdf, render_award_notice
from applications.uploads import store_attachment
from competitions.models import OfficialDay
from review.models import Assignment
from tests.factories import (
    BureauFactory,
    CompetitionFactory,
    OrganizationFactory,
    RegionFactory,
    ReviewerFactory,
    UserFactory,
    application_in_state,
    member_of,
    staff_with_admin,
    with_totp,
)
from tests.files import PDF
from tests.portal.conftest import verified
from tests.postaward.conftest import contracted

pytestmark = pytest.mark.django_db

OWN_PACKAGES = ("accounts", "applications", "review", "cms", "backoffice", "competitions", "config")
OWN_VIEWSETS = {"competition", "application", "organization", "criterion", "bureau", "region", "official_day"}
THIRD_PARTY_PREFIXES = ("accounts/", "django-admin/", "documents/")
ROLES = ("anon", "owner", "stranger", "reviewer", "declined", "staff", "other_staff", "admin")
BACK_OFFICE = {"staff", "admin"}  # pages of one object of the bureau, or its actions
# Lists open to every back-office user; what they list is scoped to the user's bureau
# (tests/backoffice/test_scoping.py reads their contents).
ALL_STAFF = {"staff", "other_staff", "admin"}
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anon"}


def _module(callback):
    view_class = getattr(callback, "view_class", None)
    return view_class.__module__ if view_class is not None else inspect.unwrap(callback).__module__


def _walk(patterns, prefix="", namespaces=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            more = (pattern.namespace,) if pattern.namespace else ()
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), namespaces + more)
        else:
            yield prefix + str(pattern.pattern), _module(pattern.callback), ":".join(namespaces + (pattern.name or "",))


def own_routes():
    """``{url name: route}`` of every pattern of the product's own apps."""
    routes = {}
    for route, module, name in _walk(get_resolver().url_patterns):
        if route.startswith(THIRD_PARTY_PREFIXES):
            continue
        if route.startswith("admin/"):
            if module.split(".")[0] not in OWN_PACKAGES and name.split(":")[0] not in OWN_VIEWSETS:
                continue  # Wagtail's own admin (pages, images, users...)
        elif module.startswith(("wagtail.", "django.")):
            continue  # Wagtail's page serving, sitemaps, static files
        routes[name] = route
    return routes


# url name -> [(keyword arguments from the world, roles that get a 200)], several cases where one
# URL means different things for different objects. A POST-only view answers GET with 405 for all.
def _cases(w):
    project, review_app, draft, call = w.project, w.review_app, w.draft, w.call
    report = project.reports.order_by("pk").first()
    tranche = project.disbursements.order_by("pk").first()
    viewset = lambda pk: [({"pk": pk}, BACK_OFFICE)]  # noqa: E731
    admin_only = lambda pk: [({"pk": pk}, {"admin"})]  # noqa: E731
    return {
        # site-wide
        "healthz": [({}, EVERYONE)],
        "csp_report": [({}, set())],  # POST only
        "set_language": [({}, set())],  # switches the language and redirects
        "project_disclosure": [({"reference": project.reference}, EVERYONE),
                               ({"reference": draft.reference or "GZ-NONE"}, set())],
        # public site (cms)
        "cms:objection": [({"page_id": 999_999}, set())],
        "cms:publicity_pdf": [({"page_id": 999_999}, set())],  # a live 公示: tests/cms/test_publicity_print.py
        "cms:verify": [({"code": w.notice.code}, EVERYONE)],
        "cms:track": [({}, EVERYONE)],
        "cms:search": [({}, EVERYONE)],
        "cms:grants_json": [({}, EVERYONE)],
        "cms:grants_csv": [({}, EVERYONE)],
        "cms:calls_json": [({}, EVERYONE)],
        "cms:calls_rss": [({}, EVERYONE)],
        "cms:sitemap": [({}, EVERYONE)],
        "cms:figures": [({}, EVERYONE)],
        "cms:figures_json": [({}, EVERYONE)],
        # applicant portal
        "applications:home": [({}, SIGNED_IN)],
        "applications:organization_list": [({}, SIGNED_IN)],
        "applications:organization_create": [({}, SIGNED_IN)],
        "applications:organization_detail": [({"pk": w.org.pk}, {"owner"})],
        "applications:organization_edit": [({"pk": w.org.pk}, {"owner"})],
        "applications:organization_evidence": [({"pk": w.org.pk}, set())],  # POST only
        "applications:organization_invite": [({"pk": w.org.pk}, set())],  # POST only
        "applications:invitation_accept": [({"token": "not-a-token"}, SIGNED_IN)],
        "applications:claim_create": [({}, SIGNED_IN)],
        "applications:claim_detail": [({"pk": w.claim.pk}, {"owner"})],  # the claimant's own only  # says the invitation is not valid
        "applications:apply": [({"call_id": call.pk}, {"owner", "stranger"})],  # people with an organization
        "applications:application_list": [({}, SIGNED_IN)],
        "applications:application_detail": [({"pk": draft.pk}, {"owner"}), ({"pk": project.pk}, {"owner"})],
        "applications:section": [({"pk": draft.pk, "section": "project"}, {"owner"}),
                                 ({"pk": project.pk, "section": "project"}, set())],
        "applications:autosave": [({"pk": draft.pk, "field": "title"}, set())],
        "applications:attachment_remove": [({"pk": draft.pk, "attachment_pk": w.draft_file.pk}, set())],
        "applications:submit": [({"pk": draft.pk}, set())],  # POST only
        "applications:receipt": [({"pk": review_app.pk}, {"owner"}), ({"pk": draft.pk}, set())],
        "applications:withdraw": [({"pk": draft.pk}, {"owner"})],
        "applications:document_download": [({"pk": review_app.pk, "document_pk": w.document.pk}, {"owner"})],
        "applications:attachment_download": [({"pk": w.review_file.pk}, {"owner", "reviewer", "staff", "admin"}),
                                             ({"pk": w.draft_file.pk}, {"owner"})],
        "applications:notification_list": [({}, SIGNED_IN)],
        "applications:notifications_read_all": [({}, set())],
        "applications:notification_read": [({"pk": w.notification.pk}, set())],
        "applications:project_list": [({}, SIGNED_IN)],
        "applications:project_detail": [({"pk": project.pk}, {"owner"})],
        "applications:notice_download": [({"pk": project.pk}, {"owner"})],
        "applications:agreement_download": [({"pk": project.pk}, {"owner"})],
        "applications:agreement_upload": [({"pk": project.pk}, set())],
        "applications:report_list": [({}, SIGNED_IN)],
        "applications:report_edit": [({"pk": report.pk}, {"owner"})],
        "applications:report_upload": [({"pk": report.pk}, set())],
        # reviewers
        "review:assignments": [({}, {"reviewer", "declined"})],
        "review:sheet": [({"pk": w.assignment.pk}, {"reviewer"}), ({"pk": w.declined_assignment.pk}, set())],
        "review:decline": [({"pk": w.assignment.pk}, {"reviewer"}), ({"pk": w.declined_assignment.pk}, set())],
        "review:other_sheets": [({"pk": w.assignment.pk}, set())],
        "review:attachment": [({"pk": w.assignment.pk, "attachment_pk": w.review_file.pk}, {"reviewer"}),
                              ({"pk": w.declined_assignment.pk, "attachment_pk": w.review_file.pk}, set())],
        "review:profile": [({}, {"reviewer", "declined"})],
        "review:invitation": [({"uidb64": "MQ", "token": "not-a-token"}, set())],  # 400: the link is not valid
        # back office: expert review
        "review_admin:index": [({}, ALL_STAFF)],
        "review_admin:invite": [({}, ALL_STAFF)],
        "review_admin:call": [({"pk": call.pk}, BACK_OFFICE)],
        "review_admin:assign": [({"pk": call.pk}, set())],
        "review_admin:assignment_add": [({"pk": call.pk}, set())],
        "review_admin:assignment_remove": [({"pk": call.pk, "assignment_pk": w.assignment.pk}, set())],
        "review_admin:pitch_panel": [({"pk": call.pk}, set())],
        "review_admin:ranking": [({"pk": call.pk}, BACK_OFFICE)],
        "review_admin:shortlist": [({"pk": call.pk}, set())],
        "review_admin:funding": [({"pk": call.pk}, BACK_OFFICE)],
        "review_admin:summary_pdf": [({"pk": call.pk}, BACK_OFFICE)],
        "review_admin:scores_xlsx": [({"pk": call.pk}, BACK_OFFICE)],
        # back office: funded projects
        "postaward_admin:index": [({}, ALL_STAFF)],
        "postaward_admin:project": [({"pk": project.pk}, BACK_OFFICE)],
        "postaward_admin:agreement_scan": [({"pk": project.pk}, BACK_OFFICE)],
        "postaward_admin:agreement_confirm": [({"pk": project.pk}, set())],
        "postaward_admin:tranche_action": [({"pk": project.pk, "tranche_pk": tranche.pk, "action": "approve"}, set())],
        "postaward_admin:report_action": [({"pk": project.pk, "report_pk": report.pk, "action": "accept"}, set())],
        "postaward_admin:terminate": [({"pk": project.pk}, set())],
        # back office: 公示 and objections, registry
        "cms_publicity_index": [({}, ALL_STAFF)],
        "cms_publicity_publish": [({"competition_id": call.pk}, BACK_OFFICE)],
        "cms_objection_decide": [({"objection_id": w.objection.pk}, BACK_OFFICE)],
        "cms_objection_letter": [({"objection_id": w.objection.pk, "attachment_id": w.review_file.pk}, set())],
        "registry_import": [({}, ALL_STAFF)],
        "registry_export_xlsx": [({}, ALL_STAFF)],
        "registry_export_csv": [({}, ALL_STAFF)],
        "claim_index": [({}, ALL_STAFF)],
        "claim_decide": [({"pk": w.claim.pk}, BACK_OFFICE)],  # the bureau whose region holds the organization
        # back office: the cultivation dashboard (scoped to the bureau's region) and its annual reports
        "cultivation": [({}, ALL_STAFF)],
        "cultivation_export": [({}, ALL_STAFF)],
        "annual_report_request": [({}, set())],  # POST only
        "annual_report_download": [({"pk": w.annual_report.pk}, BACK_OFFICE)],
        # back office: viewsets (staff read their bureau's rows; site admins everything)
        "competition:index": [({}, ALL_STAFF)],
        "competition:index_results": [({}, ALL_STAFF)],
        "competition:add": [({}, ALL_STAFF)],  # a new call of their own bureau
        "competition:edit": viewset(call.pk),
        "competition:delete": admin_only(call.pk),
        "competition:history": viewset(call.pk),
        "competition:history_results": viewset(call.pk),
        "competition:usage": viewset(call.pk),
        "application:index": [({}, ALL_STAFF)],
        "application:index_results": [({}, ALL_STAFF)],
        "application:add": [({}, set())],
        "application:edit": [({"pk": review_app.pk}, set())],  # staff never edit applications
        "application:delete": [({"pk": review_app.pk}, set())],
        "application:history": [({"pk": review_app.pk}, set())],  # read-only viewsets keep no history page
        "application:history_results": [({"pk": review_app.pk}, set())],
        "application:usage": [({"pk": review_app.pk}, set())],
        "application:inspect": [({"pk": review_app.pk}, BACK_OFFICE), ({"pk": draft.pk}, set())],
        "application:transition": [({"pk": review_app.pk, "name": "reject_ineligible"}, BACK_OFFICE)],
        "application:document": [({"pk": review_app.pk, "document_pk": w.document.pk}, BACK_OFFICE)],
        "application:notice": [({"pk": project.pk}, BACK_OFFICE)],
        "organization:index": [({}, ALL_STAFF)],
        "organization:index_results": [({}, ALL_STAFF)],
        "organization:add": [({}, set())],
        "organization:edit": [({"pk": w.org.pk}, set())],
        "organization:delete": [({"pk": w.org.pk}, set())],
        "organization:history": [({"pk": w.org.pk}, set())],
        "organization:history_results": [({"pk": w.org.pk}, set())],
        "organization:usage": [({"pk": w.org.pk}, set())],
        "organization:inspect": [({"pk": w.org.pk}, BACK_OFFICE)],
        "organization_verify": [({"pk": w.org.pk}, BACK_OFFICE)],  # GET: the confirmation page
        "criterion:index": [({}, ALL_STAFF)],
        "criterion:index_results": [({}, ALL_STAFF)],
        "criterion:add": [({}, ALL_STAFF)],
        "criterion:edit": viewset(w.criterion.pk),
        "criterion:delete": viewset(w.criterion.pk),
        "criterion:history": viewset(w.criterion.pk),
        "criterion:history_results": viewset(w.criterion.pk),
        "criterion:usage": viewset(w.criterion.pk),
        "bureau:index": [({}, {"admin"})],
        "bureau:index_results": [({}, {"admin"})],
        "bureau:add": [({}, {"admin"})],
        "bureau:edit": admin_only(call.bureau_id),
        "bureau:delete": admin_only(call.bureau_id),
        "bureau:history": admin_only(call.bureau_id),
        "bureau:history_results": admin_only(call.bureau_id),
        "bureau:usage": admin_only(call.bureau_id),
        "region:index": [({}, {"admin"})],
        "region:index_results": [({}, {"admin"})],
        "region:add": [({}, {"admin"})],
        "region:edit": admin_only(w.org.community_id),
        "region:delete": admin_only(w.org.community_id),
        "region:history": admin_only(w.org.community_id),
        "region:history_results": admin_only(w.org.community_id),
        "region:usage": admin_only(w.org.community_id),
        # the working-day calendar is the site admins' (Settings menu)
        "official_day:index": [({}, {"admin"})],
        "official_day:index_results": [({}, {"admin"})],
        "official_day:add": [({}, {"admin"})],
        "official_day:edit": admin_only(w.official_day.pk),
        "official_day:delete": admin_only(w.official_day.pk),
        "official_day:history": admin_only(w.official_day.pk),
        "official_day:history_results": admin_only(w.official_day.pk),
        "official_day:usage": admin_only(w.official_day.pk),
        "official_day:copy": admin_only(w.official_day.pk),
        "official_day:enter": [({}, {"admin"})],
    }


@pytest.fixture
def world():
    """One call of one bureau with an organization's draft, an application under review (with a
    reviewer who took it and one who declined) and a contracted project; people in every role."""
    w = SimpleNamespace()
    w.org = OrganizationFactory()
    w.owner = verified(member_of(w.org))
    w.call = CompetitionFactory(bureau=BureauFactory())
    w.criterion = w.call.criteria.first()
    # One application per organization and call: three calls of the same bureau.
    w.project = contracted(organization=w.org, competition=CompetitionFactory(bureau=w.call.bureau))
    w.review_app = application_in_state(Status.UNDER_REVIEW, organization=w.org, competition=w.call)
    w.draft = Application.objects.create(organization=w.org, competition=CompetitionFactory(bureau=w.call.bureau),
                                         title="草稿", created_by=w.owner)
    w.notice = AwardNotice.objects.filter(application=w.project).first() or AwardNotice.objects.create(
        application=w.project, code="VERIFY-CODE-0001", amount=w.project.awarded_amount, issued_at=w.project.submitted_at)
    render_award_notice(w.notice.pk)
    w.draft_file = store_attachment(uploaded=SimpleUploadedFile("草稿附件.pdf", PDF), application=w.draft, kind="project")
    w.review_file = store_attachment(uploaded=SimpleUploadedFile("方案.pdf", PDF), application=w.review_app, kind="project")
    entry = TransitionLog.objects.get(application=w.review_app, transition="application.submit")
    generate_application_pdf(entry.pk)
    w.document = SubmittedDocument.objects.get(log_entry=entry)
    w.notification = w.owner.notifications.first() or w.owner.notifications.create(kind="info", title="通知")
    w.objection = Objection.objects.create(application=w.project, objector_name="王五", reason="核实")
    # A claim of a registry organization (no members) in a community of the call's bureau, by the owner.
    w.claim = OrganizationClaim.objects.create(
        organization=OrganizationFactory(community=RegionFactory(parent=w.call.bureau.region)), claimant=w.owner)
    w.annual_report = AnnualReport.objects.create(bureau=w.call.bureau, year=2026)
    w.annual_report.file.save("annual-report.pdf", ContentFile(PDF))
    w.official_day = OfficialDay.objects.order_by("pk").first() or OfficialDay.objects.create(
        date="2030-01-01", kind="holiday", name="元旦")

    # Everyone has a verified address: a 200 below is the page itself, never allauth's "verify your e-mail".
    reviewer = verified(with_totp(ReviewerFactory(bureaus=[w.call.bureau]).user))
    declined = verified(with_totp(ReviewerFactory(bureaus=[w.call.bureau]).user))
    w.assignment = Assignment.objects.create(application=w.review_app, reviewer=reviewer)
    w.declined_assignment = Assignment.objects.create(application=w.review_app, reviewer=declined,
                                                      state=Assignment.State.DECLINED)
    stranger = verified(member_of(OrganizationFactory()))
    w.users = {
        "anon": None, "owner": w.owner, "stranger": stranger, "reviewer": reviewer, "declined": declined,
        "staff": verified(staff_with_admin(w.call.bureau)), "other_staff": verified(staff_with_admin(BureauFactory())),
        "admin": verified(UserFactory(is_staff=True, is_superuser=True)),
    }
    w.cases = _cases(w)
    return w


def test_every_url_has_an_entry(world):
    routes = own_routes()
    missing = sorted(f"{name} ({route})" for name, route in routes.items() if name not in world.cases)
    stale = sorted(name for name in world.cases if name not in routes)
    assert missing == [], "URLs without an entry saying who may open them: " + ", ".join(missing)
    assert stale == [], "entries for URLs that no longer exist: " + ", ".join(stale)


def test_each_role_gets_a_page_only_where_the_table_says(world, client):
    wrong = []
    for role in ROLES:
        user = world.users[role]
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, cases in world.cases.items():
            for kwargs, allowed in cases:
                url = reverse(name, kwargs=kwargs)
                status = client.get(url).status_code
                if (status == 200) != (role in allowed):
                    wrong.append(f"{role} GET {url} → {status} (table: {'200' if role in allowed else 'not 200'})")
    assert wrong == [], f"{len(wrong)} disagreements with the table:\n" + "\n".join(wrong)
