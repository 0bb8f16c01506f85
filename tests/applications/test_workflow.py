"""The application workflow: every transition allowed for the right actor and refused otherwise.

A refusal must raise ``ApplicationError`` with a message a person can act on, leave the status as
it was and write no TransitionLog row.
"""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from applications import services
from applications.models import WITHDRAWABLE, Application, Objection, Report, Status, TransitionLog
from applications.services import ApplicationError
from competitions.models import FundSource, OrganizationCategory, Region, RegistrationStatus
from review import services as review_services
from review.models import ReviewerProfile
from tests.factories import (
    ApplicationFactory,
    CompetitionFactory,
    OrganizationFactory,
    RegionFactory,
    StaffFactory,
    UserFactory,
    application_in_state,
    member_of,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENS = dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
CLOSES = dt.datetime(2026, 3, 31, 17, 0, tzinfo=SHANGHAI)


def assert_refused(service, app, match, **kwargs):
    """Call ``service`` expecting a refusal; the status and the audit log must be untouched."""
    status_before = Application.objects.get(pk=app.pk).status
    rows_before = TransitionLog.objects.filter(application=app).count()
    with pytest.raises(ApplicationError, match=match) as excinfo:
        service(application=app, **kwargs)
    assert Application.objects.get(pk=app.pk).status == status_before
    assert TransitionLog.objects.filter(application=app).count() == rows_before
    return excinfo.value


def last_log(app):
    return TransitionLog.objects.filter(application=app).order_by("-seq").first()


def reviewer_for(app):
    """A reviewer in the bureau's pool with an assignment to ``app``: still not bureau staff."""
    user = UserFactory()
    profile = ReviewerProfile.objects.create(user=user)
    profile.bureaus.add(app.competition.bureau)
    review_services.assignment_create(application=app, reviewer=user)
    return user


NOT_STAFF = "Only staff of the bureau that runs this call can do this."
NOT_MEMBER_SUBMIT = "Only members of the organization can submit its application."
NOT_MEMBER_WITHDRAW = "Only members of the organization can withdraw its application."


# ----- staff transitions: (service, from, to, kwargs) ---------------------------------------------

STAFF_TRANSITIONS = [
    ("accept_eligible", Status.SUBMITTED, Status.ELIGIBLE, {}),
    ("reject_ineligible", Status.SUBMITTED, Status.INELIGIBLE, {"reason": "不符合申报条件"}),
    ("return_for_revision", Status.SUBMITTED, Status.RETURNED, {"reason": "补充预算说明"}),
    ("open_review", Status.ELIGIBLE, Status.UNDER_REVIEW, {}),
    ("shortlist", Status.SHORTLISTED, None, {}),  # from reviewed in a pitch call; see _source()
    ("recommend", Status.REVIEWED, Status.RECOMMENDED, {"amount": "40000"}),
    ("decline", Status.REVIEWED, Status.DECLINED, {"reason": "得分较低"}),
    ("publicize", Status.RECOMMENDED, Status.PUBLICIZING, {}),
    ("cancel_after_objection", Status.PUBLICIZING, Status.DECLINED, {"reason": "异议成立"}),
    ("sign_agreement", Status.AWARDED, Status.CONTRACTED, {}),
    ("complete", Status.CONTRACTED, Status.COMPLETED, {}),
    ("terminate", Status.CONTRACTED, Status.TERMINATED, {"reason": "未按协议执行", "return_amount": "1000"}),
]


def _source(name, source):
    """An application in the transition's source state, ready for it (pitch call, final report)."""
    if name == "shortlist":
        pitch_call = CompetitionFactory(
            fund_source=FundSource.VENTURE_CONTEST, pitch_round=True, pitch_weight=Decimal("30")
        )
        return application_in_state(Status.REVIEWED, competition=pitch_call), Status.SHORTLISTED
    app = application_in_state(source)
    if name == "complete":
        Report.objects.create(application=app, kind="final", due_date=dt.date(2027, 12, 31), state="accepted")
    return app, None


@pytest.mark.parametrize("name,source,target,kwargs", STAFF_TRANSITIONS, ids=[t[0] for t in STAFF_TRANSITIONS])
def test_staff_transition_allowed_for_the_bureau_and_logged(name, source, target, kwargs):
    app, pitch_target = _source(name, source)
    target = target or pitch_target
    from_state = app.status
    service = getattr(services, f"application_{name}")
    service(application=app, actor=app.staff, **kwargs)
    assert app.status == target
    assert Application.objects.get(pk=app.pk).status == target
    entry = last_log(app)
    assert (entry.transition, entry.from_state, entry.to_state, entry.actor) == (
        f"application.{name}", from_state, target, app.staff,
    )


@pytest.mark.parametrize("name,source,target,kwargs", STAFF_TRANSITIONS, ids=[t[0] for t in STAFF_TRANSITIONS])
def test_staff_transition_refused_for_the_wrong_role(name, source, target, kwargs):
    app, _ = _source(name, source)
    service = getattr(services, f"application_{name}")
    other_bureau_staff = StaffFactory()
    outsider = UserFactory()
    reviewer = reviewer_for(app)
    for actor in (other_bureau_staff, app.member, outsider, reviewer):
        assert_refused(service, app, re.escape(NOT_STAFF), actor=actor, **kwargs)


@pytest.mark.parametrize("name,source,target,kwargs", STAFF_TRANSITIONS, ids=[t[0] for t in STAFF_TRANSITIONS])
def test_staff_transition_refused_in_the_wrong_state(name, source, target, kwargs):
    app = application_in_state(Status.DRAFT)
    service = getattr(services, f"application_{name}")
    error = assert_refused(service, app, "cannot be done while the application is “Draft”", actor=app.staff, **kwargs)
    assert "reload it" in error.message


def test_a_site_admin_may_act_for_any_bureau():
    app = application_in_state(Status.SUBMITTED)
    admin = UserFactory(is_staff=True, is_superuser=True)
    services.application_accept_eligible(application=app, actor=admin)
    assert app.status == Status.ELIGIBLE


def test_inactive_staff_are_refused():
    app = application_in_state(Status.SUBMITTED)
    app.staff.is_active = False
    app.staff.save()
    assert_refused(services.application_accept_eligible, app, re.escape(NOT_STAFF), actor=app.staff)


def test_reasons_are_required_where_the_applicant_reads_them():
    app = application_in_state(Status.SUBMITTED)
    assert_refused(services.application_reject_ineligible, app, "Give the reason", actor=app.staff, reason="  ")
    assert_refused(services.application_return_for_revision, app, "Say what must be revised", actor=app.staff, reason="")
    assert_refused(
        services.application_return_for_revision, app, "deadline must be in the future",
        actor=app.staff, reason="补充材料", deadline=dt.datetime(2020, 1, 1, tzinfo=SHANGHAI),
    )


def test_return_for_revision_sets_the_deadline_from_the_call(time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI), tick=False)
    app = application_in_state(Status.SUBMITTED)
    app.competition.revision_days = 7
    services.application_return_for_revision(application=app, actor=app.staff, reason="补充预算说明")
    # Working days from Monday 28 September 2026: 29, 30 September; 8, 9, 10 (the make-up Saturday),
    # 12, 13 October. National Day (1-7 October) is skipped; the deadline is midnight after the 13th.
    assert app.revision_deadline == dt.datetime(2026, 10, 14, 0, 0, tzinfo=SHANGHAI)
    assert app.staff_note == "补充预算说明"
    assert last_log(app).note == "补充预算说明"


# ----- submit and its time rule --------------------------------------------------------------------


def _draft_in_window():
    call = CompetitionFactory(opens_at=OPENS, closes_at=CLOSES)
    app = ApplicationFactory(competition=call)
    return app, member_of(app.organization)


def test_submit_at_the_closing_moment_is_accepted(time_machine):
    app, member = _draft_in_window()
    time_machine.move_to(CLOSES, tick=False)
    services.application_submit(application=app, actor=member)
    assert app.status == Status.SUBMITTED
    assert app.submitted_at == CLOSES


def test_submit_one_second_after_closing_is_refused_naming_the_time(time_machine):
    app, member = _draft_in_window()
    time_machine.move_to(CLOSES + dt.timedelta(seconds=1), tick=False)
    error = assert_refused(services.application_submit, app, "The call closed at 2026-03-31 17:00:00", actor=member)
    assert "Beijing time" in error.message
    assert Application.objects.get(pk=app.pk).reference is None


def test_submit_before_the_call_opens_is_refused(time_machine):
    app, member = _draft_in_window()
    time_machine.move_to(OPENS - dt.timedelta(seconds=1), tick=False)
    assert_refused(services.application_submit, app, "The call opens at 2026-03-01 09:00:00", actor=member)
    time_machine.move_to(OPENS, tick=False)
    services.application_submit(application=app, actor=member)
    assert app.status == Status.SUBMITTED


def test_submit_refused_for_non_members_and_staff():
    app = application_in_state(Status.DRAFT)
    other_org_member = member_of(OrganizationFactory())
    for actor in (app.staff, UserFactory(), other_org_member, reviewer_for(app)):
        assert_refused(services.application_submit, app, re.escape(NOT_MEMBER_SUBMIT), actor=actor)


def test_submit_refused_in_the_wrong_state():
    app = application_in_state(Status.SUBMITTED)
    assert_refused(services.application_submit, app, "while the application is “Submitted”", actor=app.member)


def test_submit_refused_when_someone_changed_the_draft_meanwhile():
    app = application_in_state(Status.DRAFT)
    stale = app.version
    services.application_update(application=app, actor=app.member, summary="改过的摘要")
    assert_refused(services.application_submit, app, "Someone else changed this application", actor=app.member,
                   expected_version=stale)


def test_submit_refused_when_the_form_is_incomplete():
    app = ApplicationFactory(summary="", start_date=None)
    member = member_of(app.organization)
    assert_refused(services.application_submit, app, "Fill in before submitting: project summary、start and end dates",
                   actor=member)


def test_submit_refused_for_a_service_area_the_call_does_not_fund():
    app = ApplicationFactory(service_area="environment")
    member = member_of(app.organization)
    assert_refused(services.application_submit, app, "This call funds these service areas only", actor=member)


# ----- eligibility -----------------------------------------------------------------------------------


def test_wrong_category_is_refused_with_the_reason():
    call = CompetitionFactory(allowed_categories=[OrganizationCategory.RURAL])
    app = ApplicationFactory(competition=call)  # a community-service organization
    error = assert_refused(services.application_submit, app, "open to these kinds of organization only",
                           actor=member_of(app.organization))
    assert "Rural community organization" in error.message
    assert "Yours is registered as Community service" in error.message


def test_wrong_registration_status_is_refused_with_the_reason():
    call = CompetitionFactory(allowed_registration_statuses=[RegistrationStatus.REGISTERED])
    org = OrganizationFactory(registration_status=RegistrationStatus.FILED, credit_code=None, filing_record="云岩区备案 12 号")
    app = ApplicationFactory(competition=call, organization=org)
    error = assert_refused(services.application_submit, app, "open to organizations that are: Registered with civil affairs",
                           actor=member_of(org))
    assert "Update your organization's registration details" in error.message


def test_registered_organization_without_a_code_is_refused():
    org = OrganizationFactory(credit_code=None)
    app = ApplicationFactory(organization=org)
    assert_refused(services.application_submit, app, "must give its unified social credit code", actor=member_of(org))


def test_organization_outside_the_eligible_region_is_refused():
    guiyang = RegionFactory(code="520100", name="贵阳市", level=Region.Level.CITY)
    zunyi = RegionFactory(code="520300", name="遵义市", level=Region.Level.CITY)
    inside = RegionFactory(code="520102001001", name="云岩社区", parent=guiyang)
    outside = RegionFactory(code="520302001001", name="红花岗社区", parent=zunyi)
    call = CompetitionFactory(eligible_region=guiyang)
    app_out = ApplicationFactory(competition=call, organization=OrganizationFactory(community=outside))
    assert_refused(services.application_submit, app_out, "open to organizations in 贵阳市 only",
                   actor=member_of(app_out.organization))
    app_in = ApplicationFactory(competition=call, organization=OrganizationFactory(community=inside))
    services.application_submit(application=app_in, actor=member_of(app_in.organization))
    assert app_in.status == Status.SUBMITTED


# ----- reference numbers -------------------------------------------------------------------------------


def test_reference_numbers_are_sequential_per_call_kind_and_year():
    call = CompetitionFactory()
    first = ApplicationFactory(competition=call)
    second = ApplicationFactory(competition=call)
    assert first.reference is None
    services.application_submit(application=first, actor=member_of(first.organization))
    services.application_submit(application=second, actor=member_of(second.organization))
    assert (first.reference, second.reference) == ("GZ-2026-LF-0001", "GZ-2026-LF-0002")
    contest = ApplicationFactory(competition=CompetitionFactory(fund_source=FundSource.VENTURE_CONTEST))
    services.application_submit(application=contest, actor=member_of(contest.organization))
    assert contest.reference == "GZ-2026-VC-0001"


def test_reference_is_kept_on_resubmit():
    app = application_in_state(Status.RETURNED)
    reference = app.reference
    services.application_resubmit(application=app, actor=app.member)
    assert app.status == Status.SUBMITTED
    assert app.reference == reference == "GZ-2026-LF-0001"


# ----- resubmit ---------------------------------------------------------------------------------------


def test_resubmit_before_the_revision_deadline(time_machine):
    app = application_in_state(Status.RETURNED)
    time_machine.move_to(app.revision_deadline, tick=False)
    services.application_resubmit(application=app, actor=app.member)
    assert app.status == Status.SUBMITTED
    assert [e.transition for e in app.log.all()][-2:] == ["application.return_for_revision", "application.resubmit"]


def test_resubmit_after_the_revision_deadline_is_refused(time_machine):
    app = application_in_state(Status.RETURNED)
    time_machine.move_to(app.revision_deadline + dt.timedelta(seconds=1), tick=False)
    error = assert_refused(services.application_resubmit, app, "The deadline for revising this application was",
                           actor=app.member)
    assert "can no longer be resubmitted" in error.message


def test_resubmit_refused_for_others_and_in_the_wrong_state():
    app = application_in_state(Status.RETURNED)
    assert_refused(services.application_resubmit, app, re.escape(NOT_MEMBER_SUBMIT), actor=app.staff)
    draft = application_in_state(Status.DRAFT)
    assert_refused(services.application_resubmit, draft, "while the application is “Draft”", actor=draft.member)


def test_resubmit_rechecks_the_budget():
    app = application_in_state(Status.RETURNED)
    services.application_update(application=app, actor=app.member, requested_amount=Decimal("60000"))
    assert_refused(services.application_resubmit, app, "add up to 50000.00 yuan but the request is 60000.00",
                   actor=app.member)


# ----- withdraw -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", WITHDRAWABLE)
def test_withdraw_is_allowed_before_the_award(state):
    app = application_in_state(state)
    services.application_withdraw(application=app, actor=app.member)
    assert app.status == Status.WITHDRAWN
    assert last_log(app).from_state == state


@pytest.mark.parametrize("state", [Status.AWARDED, Status.CONTRACTED, Status.COMPLETED, Status.INELIGIBLE])
def test_withdraw_is_refused_from_awarded_on(state):
    app = application_in_state(state)
    assert_refused(services.application_withdraw, app, "cannot be done while the application is", actor=app.member)


def test_withdraw_refused_for_staff_and_outsiders():
    app = application_in_state(Status.SUBMITTED)
    for actor in (app.staff, UserFactory()):
        assert_refused(services.application_withdraw, app, re.escape(NOT_MEMBER_WITHDRAW), actor=actor)


def test_after_withdrawing_the_organization_may_start_again():
    app = application_in_state(Status.SUBMITTED)
    services.application_withdraw(application=app, actor=app.member)
    again = services.application_create(
        organization=app.organization, competition=app.competition, actor=app.member, title="重新申报"
    )
    assert again.status == Status.DRAFT


# ----- review: complete_review is the system's --------------------------------------------------------


def test_complete_review_only_when_all_sheets_are_in():
    app = application_in_state(Status.UNDER_REVIEW)
    assert_refused(services.application_complete_review, app, "No reviewer has been assigned yet.")
    first, second = UserFactory(), UserFactory()
    a1 = review_services.assignment_create(application=app, reviewer=first)
    a2 = review_services.assignment_create(application=app, reviewer=second)
    review_services.sheet_submit(sheet=a1.sheet, actor=first)
    assert Application.objects.get(pk=app.pk).status == Status.UNDER_REVIEW
    assert_refused(services.application_complete_review, app, re.escape("1 score sheet(s) are still to be submitted."))
    review_services.sheet_submit(sheet=a2.sheet, actor=second)
    app.refresh_from_db()
    assert app.status == Status.REVIEWED
    entry = last_log(app)
    assert (entry.transition, entry.actor) == ("application.complete_review", None)


def test_complete_review_and_award_cannot_be_taken_by_a_person():
    app = application_in_state(Status.UNDER_REVIEW)
    reviewer = reviewer_for(app)
    for actor in (app.staff, reviewer, UserFactory(is_staff=True, is_superuser=True)):
        assert services.explain(app, "complete_review", actor) == "This step happens by itself; nobody can take it by hand."
        assert "complete_review" not in services.available_transitions(app, actor)
    publicizing = application_in_state(Status.PUBLICIZING)
    assert "happens by itself" in services.explain(publicizing, "award", publicizing.staff)
    assert services.available_transitions(publicizing, publicizing.staff) == ["cancel_after_objection"]


def test_complete_review_refused_in_the_wrong_state():
    app = application_in_state(Status.ELIGIBLE)
    assert_refused(services.application_complete_review, app, "while the application is “Eligible”")


# ----- shortlist and recommend: the pitch round ---------------------------------------------------------


def test_shortlist_only_in_a_call_with_a_pitch_round():
    app = application_in_state(Status.REVIEWED)
    assert_refused(services.application_shortlist, app, "This call has no pitch round.", actor=app.staff)


def test_in_a_pitch_call_only_shortlisted_applications_are_recommended():
    pitch_call = CompetitionFactory(fund_source=FundSource.VENTURE_CONTEST, pitch_round=True, pitch_weight=Decimal("30"))
    app = application_in_state(Status.REVIEWED, competition=pitch_call)
    assert_refused(services.application_recommend, app, "only shortlisted applications can be recommended",
                   actor=app.staff, amount="40000")
    services.application_shortlist(application=app, actor=app.staff)
    services.application_recommend(application=app, actor=app.staff, amount="40000")
    assert app.status == Status.RECOMMENDED
    assert app.awarded_amount == Decimal("40000")


def test_recommend_refuses_amounts_outside_the_rules():
    app = application_in_state(Status.REVIEWED)
    assert_refused(services.application_recommend, app, "more than zero", actor=app.staff, amount="0")
    assert_refused(services.application_recommend, app, "cannot exceed the amount requested", actor=app.staff, amount="50000.01")
    assert_refused(services.application_recommend, app, re.escape("maximum per project (100000.00 yuan)"),
                   actor=app.staff, amount="100001")


def test_decline_from_reviewed_in_a_pitch_call():
    pitch_call = CompetitionFactory(fund_source=FundSource.VENTURE_CONTEST, pitch_round=True, pitch_weight=Decimal("30"))
    app = application_in_state(Status.REVIEWED, competition=pitch_call)
    services.application_decline(application=app, actor=app.staff, reason="未入围路演")
    assert app.status == Status.DECLINED


# ----- 公示 and award -----------------------------------------------------------------------------------


def _publicizing_now():
    app = application_in_state(Status.RECOMMENDED)
    # Published Monday 2026-06-01, 10:00; that day does not count, so the fifth working day is
    # Monday 2026-06-08 and the 公示 ends at midnight after it.
    services.application_publicize(application=app, actor=app.staff, start=dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI))
    return app


def test_publicize_counts_chinese_working_days():
    app = _publicizing_now()
    assert app.publicity_ends_at == dt.datetime(2026, 6, 9, 0, 0, tzinfo=SHANGHAI)
    assert last_log(app).note == "公示 until 2026-06-08"


def test_award_only_after_the_public_notice_ends(time_machine):
    app = _publicizing_now()
    time_machine.move_to(app.publicity_ends_at - dt.timedelta(seconds=1), tick=False)
    assert_refused(services.application_award, app, "The public notice period has not ended yet.")
    time_machine.move_to(app.publicity_ends_at, tick=False)
    services.application_award(application=app)
    assert app.status == Status.AWARDED
    assert last_log(app).actor is None


@pytest.mark.parametrize("state", [Objection.State.OPEN, Objection.State.UPHELD])
def test_award_waits_for_an_open_or_upheld_objection(state, time_machine):
    app = _publicizing_now()
    Objection.objects.create(application=app, objector_name="王五", reason="申报材料不实", state=state)
    time_machine.move_to(app.publicity_ends_at + dt.timedelta(days=1), tick=False)
    assert_refused(services.application_award, app, "An objection is open or was upheld")


def test_award_goes_ahead_after_a_dismissed_objection(time_machine):
    app = _publicizing_now()
    Objection.objects.create(application=app, objector_name="王五", reason="申报材料不实", state=Objection.State.DISMISSED)
    time_machine.move_to(app.publicity_ends_at, tick=False)
    services.application_award(application=app)
    assert app.status == Status.AWARDED


def test_award_refused_in_the_wrong_state():
    app = application_in_state(Status.RECOMMENDED)
    assert_refused(services.application_award, app, "while the application is “Recommended for funding”")


# ----- completion -------------------------------------------------------------------------------------


def test_complete_needs_the_accepted_final_report():
    app = application_in_state(Status.CONTRACTED)
    assert_refused(services.application_complete, app, "The final report has not been accepted yet.", actor=app.staff)
    report = Report.objects.create(application=app, kind="final", due_date=dt.date(2027, 12, 31), state="submitted")
    assert_refused(services.application_complete, app, "The final report has not been accepted yet.", actor=app.staff)
    Report.objects.filter(pk=report.pk).update(state="accepted")
    services.application_complete(application=app, actor=app.staff)
    assert app.status == Status.COMPLETED


def test_terminate_records_the_amount_to_return():
    app = application_in_state(Status.CONTRACTED)
    assert_refused(services.application_terminate, app, "Give the reason", actor=app.staff, reason="")
    services.application_terminate(application=app, actor=app.staff, reason="未按协议执行", return_amount="12000.50")
    assert app.return_amount == Decimal("12000.50")


# ----- what the page can offer -----------------------------------------------------------------------


def test_available_transitions_per_actor():
    app = application_in_state(Status.SUBMITTED)
    assert services.available_transitions(app, app.staff) == ["accept_eligible", "reject_ineligible", "return_for_revision"]
    assert services.available_transitions(app, app.member) == ["withdraw"]
    assert services.available_transitions(app, UserFactory()) == []


def test_the_whole_path_leaves_a_log_of_every_step():
    app = application_in_state(Status.COMPLETED)
    assert [e.transition for e in app.log.all()] == [
        "application.submit", "application.accept_eligible", "application.open_review",
        "application.complete_review", "application.recommend", "application.publicize",
        "application.award", "application.sign_agreement", "application.complete",
    ]
    assert [e.seq for e in app.log.all()] == list(range(1, 10))


def test_amounts_that_are_not_numbers_are_refused_not_crashes():
    app = application_in_state(Status.REVIEWED)
    for bad in ("五万", "", "NaN", "Infinity", None):
        assert_refused(services.application_recommend, app, "is not an amount", actor=app.staff, amount=bad)
    services.application_recommend(application=app, actor=app.staff, amount="40,000.00")
    assert app.awarded_amount == Decimal("40000.00")


def test_the_amount_to_return_lies_between_zero_and_the_award():
    app = application_in_state(Status.CONTRACTED)
    assert_refused(services.application_terminate, app, "cannot be negative", actor=app.staff, reason="违约",
                   return_amount="-1")
    assert_refused(services.application_terminate, app, re.escape("cannot exceed the 50000.00 yuan awarded"),
                   actor=app.staff, reason="违约", return_amount="50000.01")
    assert_refused(services.application_terminate, app, "is not an amount", actor=app.staff, reason="违约",
                   return_amount="全部")
    services.application_terminate(application=app, actor=app.staff, reason="违约", return_amount="50000")
    assert app.return_amount == Decimal("50000")


@pytest.mark.parametrize("name,source", [("decline", Status.REVIEWED), ("cancel_after_objection", Status.PUBLICIZING)])
def test_decline_and_cancel_need_the_reason_the_applicant_reads(name, source):
    app = application_in_state(source)
    assert_refused(getattr(services, f"application_{name}"), app, "the applicant will read it", actor=app.staff, reason=" ")


# ----- drafts ------------------------------------------------------------------------------------------


def test_only_members_start_an_application_and_only_one_per_call():
    app = application_in_state(Status.DRAFT)
    with pytest.raises(ApplicationError, match="Only members of the organization can apply for it."):
        services.application_create(organization=app.organization, competition=app.competition,
                                    actor=UserFactory(), title="另一个项目")
    with pytest.raises(ApplicationError, match="already has an application to this call"):
        services.application_create(organization=app.organization, competition=app.competition,
                                    actor=app.member, title="另一个项目")
    assert Application.objects.count() == 1


def test_no_new_application_to_a_closed_call():
    call = CompetitionFactory(opens_at=OPENS, closes_at=CLOSES)
    org = OrganizationFactory()
    with pytest.raises(ApplicationError, match="This call has closed"):
        services.application_create(organization=org, competition=call, actor=member_of(org), title="迟到的项目")


def test_drafts_change_only_while_draft_or_returned():
    app = application_in_state(Status.DRAFT)
    services.application_update(application=app, actor=app.member, summary="新的摘要",
                                budget_lines=[{"category": "activities", "item": "助餐", "amount": "50000"}])
    assert app.summary == "新的摘要"
    assert [(line.category, line.amount) for line in app.budget_lines.all()] == [("activities", Decimal("50000"))]
    with pytest.raises(ApplicationError, match="Only members of the organization can change"):
        services.application_update(application=app, actor=app.staff, summary="员工改写")
    services.application_submit(application=app, actor=app.member)
    with pytest.raises(ApplicationError, match="only while it is a draft or returned for revision"):
        services.application_update(application=app, actor=app.member, summary="提交后改写")
    services.application_return_for_revision(application=app, actor=app.staff, reason="补充说明")
    services.application_update(application=app, actor=app.member, summary="补正后的摘要")
    assert Application.objects.get(pk=app.pk).summary == "补正后的摘要"


def test_a_stale_edit_is_refused():
    app = application_in_state(Status.DRAFT)
    seen = app.version
    services.application_update(application=app, actor=app.member, summary="另一个标签页", expected_version=seen)
    with pytest.raises(ApplicationError, match="changed elsewhere"):
        services.application_update(application=app, actor=app.member, summary="旧页面", expected_version=seen)
    assert Application.objects.get(pk=app.pk).summary == "另一个标签页"


def test_anonymous_visitors_may_take_no_step():
    from django.contrib.auth.models import AnonymousUser

    app = application_in_state(Status.SUBMITTED)
    assert services.available_transitions(app, AnonymousUser()) == []
    assert_refused(services.application_withdraw, app, re.escape(NOT_MEMBER_WITHDRAW), actor=AnonymousUser())
