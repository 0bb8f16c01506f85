"""Assignment: never a conflicted reviewer, loads balanced, reproducible; the service around it."""

import itertools

import pytest
from django.core import mail
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from applications.models import Application, Status, TransitionLog
from review import services
from review.assignment import ApplicationItem, ReviewerItem, has_conflict, plan_assignments
from review.models import Affiliation, Assignment, ReviewLog
from tests.factories import BureauFactory, MembershipFactory, OrganizationFactory, RegionFactory

from .conftest import application_in, reviewer


@st.composite
def pools(draw, max_apps=12, max_reviewers=9):
    n_orgs = draw(st.integers(1, 6))
    n_communities = draw(st.integers(1, 4))
    apps = [
        ApplicationItem(i, draw(st.integers(0, n_orgs - 1)), draw(st.integers(100, 100 + n_communities - 1)))
        for i in range(draw(st.integers(1, max_apps)))
    ]
    reviewers = [
        ReviewerItem(
            1000 + j,
            frozenset(draw(st.sets(st.integers(0, n_orgs - 1), max_size=2))),
            frozenset(draw(st.sets(st.integers(100, 100 + n_communities - 1), max_size=1))),
        )
        for j in range(draw(st.integers(1, max_reviewers)))
    ]
    k = draw(st.integers(1, 3))
    return apps, reviewers, k


@settings(max_examples=250, deadline=None)
@given(pool=pools(), seed=st.integers(0, 10))
def test_never_a_conflicted_reviewer_and_each_application_gets_distinct_reviewers(pool, seed):
    apps, reviewers, k = pool
    plan = plan_assignments(apps, reviewers, k, seed=seed)
    by_id = {r.id: r for r in reviewers}
    for app in apps:
        chosen = plan.assignments[app.id]
        assert len(chosen) == len(set(chosen))
        assert all(not has_conflict(by_id[r], app) for r in chosen)
        if app.id not in plan.short:
            assert len(chosen) == k
        else:
            # Short only when there really are too few unconflicted reviewers for it.
            assert sum(1 for r in reviewers if not has_conflict(r, app)) < k
    assert sum(plan.loads.values()) == sum(len(v) for v in plan.assignments.values())
    # Reproducible: the same input gives the same assignment.
    assert plan_assignments(list(reversed(apps)), list(reversed(reviewers)), k, seed=seed).assignments == plan.assignments


def _balanced_solution_exists(apps, reviewers, k):
    """Brute force over every choice of k unconflicted reviewers per application."""
    options = [[c for c in itertools.combinations([r.id for r in reviewers if not has_conflict(r, a)], k)] for a in apps]
    for choice in itertools.product(*options):
        loads = {r.id: 0 for r in reviewers}
        for chosen in choice:
            for rid in chosen:
                loads[rid] += 1
        if max(loads.values()) - min(loads.values()) <= 1:
            return True
    return False


@settings(max_examples=150, deadline=None)
@given(pool=pools(max_apps=4, max_reviewers=4))
def test_loads_differ_by_at_most_one_whenever_that_is_possible(pool):
    apps, reviewers, k = pool
    plan = plan_assignments(apps, reviewers, k, seed=7)
    assume(not plan.short)
    if plan.balanced:
        assert max(plan.loads.values()) - min(plan.loads.values()) <= 1
    else:
        assert not _balanced_solution_exists(apps, reviewers, k)


@settings(max_examples=100, deadline=None)
@given(n_apps=st.integers(1, 60), n_reviewers=st.integers(3, 15), k=st.integers(1, 3), seed=st.integers(0, 5))
def test_without_conflicts_loads_always_differ_by_at_most_one(n_apps, n_reviewers, k, seed):
    apps = [ApplicationItem(i, i, 500 + i) for i in range(n_apps)]
    reviewers = [ReviewerItem(100 + j) for j in range(n_reviewers)]
    plan = plan_assignments(apps, reviewers, k, seed=seed)
    assert plan.balanced and not plan.short
    assert max(plan.loads.values()) - min(plan.loads.values()) <= 1


# ----- the service ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_staff_assign_writes_rows_opens_review_and_skips_every_kind_of_conflict(call, staff, bureau,
                                                                                 django_capture_on_commit_callbacks):
    call.reviewers_per_application = 2
    call.save()
    community = RegionFactory()
    org = OrganizationFactory(community=community)
    conflicted_app = application_in(Status.ELIGIBLE, competition=call, organization=org)
    others = [application_in(Status.ELIGIBLE, competition=call) for _ in range(5)]
    member = reviewer(bureau)
    MembershipFactory(organization=org, user=member)
    affiliated = reviewer(bureau)
    Affiliation.objects.create(reviewer=affiliated.reviewer_profile, organization=org, description="former staff")
    neighbour = reviewer(bureau, home_community=community)
    tied_to_community = reviewer(bureau)
    Affiliation.objects.create(reviewer=tied_to_community.reviewer_profile, community=community)
    free = [reviewer(bureau) for _ in range(2)]
    reviewer(BureauFactory())  # in another bureau's pool: never used

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.assignments_generate(competition=call, actor=staff)

    assert outcome.created == 12 and len(outcome.opened) == 6
    assert set(Application.objects.filter(competition=call).values_list("status", flat=True)) == {"under_review"}
    chosen = set(Assignment.objects.filter(application=conflicted_app).values_list("reviewer_id", flat=True))
    assert chosen <= {u.pk for u in free}
    assert not chosen & {member.pk, affiliated.pk, neighbour.pk, tied_to_community.pk}
    loads = [Assignment.objects.filter(reviewer=u).count() for u in [member, affiliated, neighbour, tied_to_community, *free]]
    assert sum(loads) == 12 and max(loads) - min(loads) <= 1
    assert ReviewLog.objects.filter(competition=call, action="assignment.generated").count() == 6
    # Each is also a row of the application's audit chain, with who assigned.
    chained = TransitionLog.objects.filter(application__competition=call, subject="review", transition="review.assignment.generated")
    assert sorted(chained.values_list("application_id", flat=True)) == sorted(Application.objects.filter(competition=call).values_list("pk", flat=True))
    assert set(chained.values_list("actor_id", flat=True)) == {staff.pk}
    assert "Audit log intact" in _verify_audit_log()
    assert any("to review" in m.subject for m in mail.outbox)
    assert all(a.status == "eligible" for a in others)  # the in-memory objects are untouched; the rows moved


@pytest.mark.django_db
def test_too_few_unconflicted_reviewers_names_the_applications_and_writes_nothing(call, staff, bureau):
    call.reviewers_per_application = 2
    call.save()
    community = RegionFactory()
    app = application_in(Status.ELIGIBLE, competition=call, organization=OrganizationFactory(community=community))
    reviewer(bureau, home_community=community)
    reviewer(bureau)
    with pytest.raises(services.ReviewError) as exc:
        services.assignments_generate(competition=call, actor=staff)
    assert app.reference in exc.value.message and "1 missing" in exc.value.message
    assert not Assignment.objects.exists()
    app.refresh_from_db()
    assert app.status == Status.ELIGIBLE


@pytest.mark.django_db
def test_staff_of_another_bureau_cannot_assign(call, other_staff, bureau):
    application_in(Status.ELIGIBLE, competition=call)
    reviewer(bureau)
    with pytest.raises(services.ReviewError) as exc:
        services.assignments_generate(competition=call, actor=other_staff)
    assert exc.value.code == "forbidden"


@pytest.mark.django_db
def test_manual_add_is_conflict_checked_and_remove_refuses_submitted(call, staff, bureau):
    app = application_in(Status.UNDER_REVIEW, competition=call)
    neighbour = reviewer(bureau, home_community=app.organization.community)
    with pytest.raises(services.ReviewError) as exc:
        services.assignment_add(application=app, reviewer=neighbour, actor=staff)
    assert exc.value.code == "conflict"
    ok = reviewer(bureau)
    assignment = services.assignment_add(application=app, reviewer=ok, actor=staff)
    assert assignment.sheet.pk
    with pytest.raises(services.ReviewError):
        services.assignment_add(application=app, reviewer=ok, actor=staff)
    services.sheet_submit(sheet=assignment.sheet, actor=ok)
    with pytest.raises(services.ReviewError) as exc:
        services.assignment_remove(assignment=assignment, actor=staff)
    assert exc.value.code == "locked"


@pytest.mark.django_db
def test_decline_with_conflict_reassigns_to_least_loaded_and_logs(call, staff, bureau, django_capture_on_commit_callbacks):
    call.reviewers_per_application = 1
    call.save()
    app = application_in(Status.UNDER_REVIEW, competition=call)
    other = application_in(Status.UNDER_REVIEW, competition=call)
    first, busy, idle = reviewer(bureau), reviewer(bureau), reviewer(bureau)
    assignment = services.assignment_create(application=app, reviewer=first)
    services.assignment_create(application=other, reviewer=busy)
    with django_capture_on_commit_callbacks(execute=True):
        replacement = services.assignment_decline(assignment=assignment, actor=first, declaration="我是该机构理事")
    assert replacement.reviewer == idle  # the least loaded unconflicted reviewer
    assignment.refresh_from_db()
    assert assignment.state == "declined" and assignment.conflict_declaration == "我是该机构理事"
    assert ReviewLog.objects.filter(application=app, action="assignment.declined", note="我是该机构理事").exists()
    assert TransitionLog.objects.filter(application=app, transition="review.assignment.declined", note="我是该机构理事").exists()
    assert ReviewLog.objects.filter(application=app, action="assignment.reassigned").exists()
    assert Affiliation.objects.filter(reviewer=first.reviewer_profile, organization=app.organization).exists()
    # Re-running the assignment never gives the application back to the reviewer who declined it.
    plan_taken = set(Assignment.objects.filter(application=app).values_list("reviewer_id", flat=True))
    assert plan_taken == {first.pk, idle.pk}
    with pytest.raises(services.ReviewError):
        services.assignment_decline(assignment=assignment, actor=first, declaration="again")


@pytest.mark.django_db
def test_decline_requires_the_reviewer_and_a_declaration(call, bureau):
    app = application_in(Status.UNDER_REVIEW, competition=call)
    owner, stranger = reviewer(bureau), reviewer(bureau)
    assignment = services.assignment_create(application=app, reviewer=owner)
    with pytest.raises(services.ReviewError):
        services.assignment_decline(assignment=assignment, actor=stranger, declaration="x")
    with pytest.raises(services.ReviewError):
        services.assignment_decline(assignment=assignment, actor=owner, declaration="  ")


@pytest.mark.django_db
def test_assignment_is_reproducible_for_the_same_call(call, staff, bureau):
    apps = [application_in(Status.ELIGIBLE, competition=call) for _ in range(4)]
    [reviewer(bureau) for _ in range(5)]
    services.assignments_generate(competition=call, actor=staff)
    first = sorted(Assignment.objects.values_list("application_id", "reviewer_id"))
    Assignment.objects.all().delete()
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(status="eligible")
    services.assignments_generate(competition=call, actor=staff)
    assert sorted(Assignment.objects.values_list("application_id", "reviewer_id")) == first


@pytest.mark.django_db
def test_an_application_the_workflow_refuses_to_open_loses_its_new_reviewers(call, staff, bureau, monkeypatch):
    from applications import services as application_services

    call.reviewers_per_application = 1
    call.save()
    ok, refused = application_in(Status.ELIGIBLE, competition=call), application_in(Status.ELIGIBLE, competition=call)
    reviewer(bureau)
    real = application_services.application_open_review.joined

    def open_review(*, application, actor):
        if application.pk == refused.pk:
            raise application_services.ApplicationError("withdrawn a moment ago")
        return real(application=application, actor=actor)

    monkeypatch.setattr(application_services.application_open_review, "joined", open_review)
    outcome = services.assignments_generate(competition=call, actor=staff)
    assert outcome.created == 1 and [a.pk for a in outcome.opened] == [ok.pk]
    assert outcome.refused == {refused: "withdrawn a moment ago"}
    assert not Assignment.objects.filter(application=refused).exists()


def _verify_audit_log():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_reviewer_added_by_hand_to_an_eligible_application_can_score_it_at_once(call, staff, bureau):
    app = application_in(Status.ELIGIBLE, competition=call)
    ok = reviewer(bureau)
    assignment = services.assignment_add(application=app, reviewer=ok, actor=staff)
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    assert TransitionLog.objects.filter(application=app, transition="application.open_review", to_state=Status.UNDER_REVIEW, actor=staff).exists()
    first = call.criteria.filter(stage="review").first()
    services.sheet_save(sheet=assignment.sheet, actor=ok, scores={first.pk: ("10", "")})
    assert assignment.sheet.scores.count() == 1


@pytest.mark.django_db
def test_a_reviewer_is_told_of_an_assignment_in_their_own_language_not_the_staffs(call, staff, bureau):
    from django.utils import translation

    from accounts.models import Notification

    app = application_in(Status.UNDER_REVIEW, competition=call)
    chinese, english = reviewer(bureau), reviewer(bureau)
    chinese.language = "zh-hans"
    chinese.save(update_fields=["language"])
    with translation.override("en"):  # the staff work in English
        services.assignment_add(application=app, reviewer=chinese, actor=staff)
    with translation.override("zh-hans"):  # and these in Chinese
        services.assignment_add(application=app, reviewer=english, actor=staff)
    assert Notification.objects.get(user=chinese).subject == f"{call.title}：有一份申报待您评审"
    assert Notification.objects.get(user=chinese).body == "已为您新分配一份申报待评审。"
    assert Notification.objects.get(user=english).subject == f"An application to review for {call.title}"
