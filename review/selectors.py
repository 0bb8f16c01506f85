"""Reads that review pages, services and documents share. Each runs a fixed number of queries."""

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Prefetch, Q, Sum
from django.utils import timezone

from applications.models import Application, Membership, Status
from competitions.models import Criterion, RegistrationStatus

from . import aggregation
from .assignment import ApplicationItem, ReviewerItem
from .models import Affiliation, Assignment, ReviewerProfile, Score, ScoreSheet

logger = logging.getLogger(__name__)

AFFILIATION_YEARS = 3
# Applications that reached the expert review, for the ranking and the documents.
REVIEWED_STATUSES = (
    Status.UNDER_REVIEW, Status.REVIEWED, Status.SHORTLISTED, Status.RECOMMENDED, Status.DECLINED, Status.PUBLICIZING, Status.AWARDED,
    Status.CONTRACTED, Status.COMPLETED, Status.TERMINATED,
)


def reviewer_pool(competition):
    """Reviewer profiles in the pool of the call's bureau, with their users (1 query)."""
    return list(
        ReviewerProfile.objects.filter(bureaus=competition.bureau_id, user__is_active=True)
        .select_related("user", "home_community").order_by("user_id")
    )


def reviewer_items(profiles):
    """Conflict data of reviewers as plain ``ReviewerItem`` keyed by user id (2 queries)."""
    user_ids = [p.user_id for p in profiles]
    since = timezone.localdate() - dt.timedelta(days=365 * AFFILIATION_YEARS)
    orgs = {uid: set() for uid in user_ids}
    communities = {p.user_id: ({p.home_community_id} if p.home_community_id else set()) for p in profiles}
    for uid, org_id in Membership.objects.filter(user_id__in=user_ids).values_list("user_id", "organization_id"):
        orgs[uid].add(org_id)
    recent = Affiliation.objects.filter(reviewer__user_id__in=user_ids).filter(Q(ended__isnull=True) | Q(ended__gte=since))
    for uid, org_id, community_id in recent.values_list("reviewer__user_id", "organization_id", "community_id"):
        if org_id:
            orgs[uid].add(org_id)
        if community_id:
            communities[uid].add(community_id)
    return [ReviewerItem(uid, frozenset(orgs[uid]), frozenset(communities[uid])) for uid in user_ids]


def application_item(application):
    return ApplicationItem(application.pk, application.organization_id, application.organization.community_id)


def active_assignments(competition, stage=Assignment.Stage.REVIEW):
    return Assignment.objects.filter(application__competition=competition, stage=stage).exclude(
        state=Assignment.State.DECLINED
    )


def reviewer_loads(competition, stage=Assignment.Stage.REVIEW):
    return dict(
        active_assignments(competition, stage).values("reviewer_id").annotate(n=Count("id")).values_list("reviewer_id", "n")
    )


def assignments_for_reviewer(user):
    """The reviewer's assignments, newest call first, with what the list shows (1 query)."""
    return (
        Assignment.objects.filter(reviewer=user)
        .select_related("application__competition", "application__organization", "sheet")
        .order_by("-application__competition__closes_at", "application_id", "stage")
    )


def call_assignments(competition):
    """Every assignment of the call with reviewer and sheet, for the staff overview (1 query)."""
    return (
        Assignment.objects.filter(application__competition=competition)
        .select_related("reviewer", "sheet", "application")
        .order_by("application_id", "stage", "reviewer_id")
    )


def rubric(competition, stage=Criterion.Stage.REVIEW):
    return [c for c in competition.criteria.all() if c.stage == stage]


def criterion_specs(criteria):
    return [aggregation.CriterionSpec(c.pk, c.max_points, c.weight) for c in criteria]


def submitted_scores(competition, stage):
    """Submitted sheets of the call as ``SheetScores`` (1 query over the score rows)."""
    rows = (
        _submitted(competition, stage)
        .values_list("sheet_id", "sheet__assignment__application_id", "sheet__assignment__reviewer_id",
                     "criterion_id", "points")
        .order_by("sheet_id")
    )
    sheets = {}
    for sheet_id, app_id, reviewer_id, criterion_id, points in rows.iterator(chunk_size=5000):
        sheet = sheets.get(sheet_id)
        if sheet is None:
            sheet = sheets[sheet_id] = aggregation.SheetScores(app_id, reviewer_id, {})
        sheet.points[criterion_id] = points
    return list(sheets.values())


def _submitted(competition, stage):
    return Score.objects.filter(
        sheet__assignment__application__competition=competition,
        sheet__assignment__stage=stage,
        sheet__submitted_at__isnull=False,
    ).exclude(sheet__assignment__state=Assignment.State.DECLINED)


def aggregated(competition, stage, criteria):
    """Aggregate the call's submitted sheets of ``stage`` in one query: the database sums each
    sheet's weighted points and returns each criterion's points as a column; the method
    (mean, median, trimmed mean, z-score) runs in Python over the sheet totals.

    The sums come back as exact decimals (PostgreSQL numeric; on SQLite Django quantizes them
    to the declared decimal places), so no float noise reaches the scores."""
    specs = criterion_specs(criteria)
    if not specs:
        return {}
    denominator = sum((Decimal(c.max_points) * Decimal(c.weight) for c in specs), Decimal("0"))
    columns = {
        f"c{c.id}": Sum("points", filter=Q(criterion_id=c.id), output_field=DecimalField(max_digits=12, decimal_places=1))
        for c in specs
    }
    per_sheet = (
        _submitted(competition, stage)
        .values("sheet_id")
        .annotate(
            app=F("sheet__assignment__application_id"), reviewer=F("sheet__assignment__reviewer_id"),
            weighted=Sum(F("points") * F("criterion__weight"), output_field=DecimalField(max_digits=12, decimal_places=3)),
            **columns,
        )
        .values_list("app", "reviewer", "weighted", *columns)
        .order_by()
    )
    raw, sums, counts = [], {}, {}
    zero = Decimal("0")
    for app, reviewer, weighted, *points in per_sheet.iterator(chunk_size=10000):
        raw.append((app, reviewer, weighted * aggregation.HUNDRED / denominator))
        counts[app] = counts.get(app, 0) + 1
        app_sums = sums.get(app)
        if app_sums is None:
            app_sums = sums[app] = [zero] * len(specs)
        for i, p in enumerate(points):
            if p is not None:  # a criterion left unscored counts 0, as in the total
                app_sums[i] += p
    means = {app: {c.id: total / counts[app] for c, total in zip(specs, app_sums)} for app, app_sums in sums.items()}
    return aggregation.aggregate_totals(
        raw, means, method=competition.aggregation_method, spread_threshold=competition.spread_threshold
    )


@dataclass(frozen=True)
class OrganizationSummary:
    name: str
    registration_status: str
    is_rural: bool

    @property
    def community(self):  # templates read organization.community.is_rural, as on the model
        return self


@dataclass(frozen=True)
class ApplicationSummary:
    """What the ranking shows of an application, read with ``values_list`` (no model instances:
    building 10,000 of them with their organizations costs more than the aggregation)."""

    pk: int
    reference: str
    title: str
    status: str
    requested_amount: Decimal
    submitted_at: object
    organization: OrganizationSummary

    def get_status_display(self):
        return Status(self.status).label

    def __str__(self):
        return self.reference or self.title


@dataclass
class RankedApplication:
    application: ApplicationSummary
    review: aggregation.ApplicationResult | None
    pitch: aggregation.ApplicationResult | None
    bonus: Decimal
    final: Decimal | None
    rank: int = 0
    criterion_means: list = field(default_factory=list)  # in rubric order

    @property
    def is_rural(self):
        return self.application.organization.community.is_rural

    @property
    def spread_flag(self):
        return bool(self.review and self.review.spread_flag)


COMMITTED_STATUSES = (Status.RECOMMENDED, Status.PUBLICIZING, Status.AWARDED, Status.CONTRACTED, Status.COMPLETED)


def committed_amount(competition):
    """What the call has already recommended or awarded (1 query)."""
    from django.db.models import Sum as _Sum

    total = Application.objects.filter(competition=competition, status__in=COMMITTED_STATUSES).aggregate(
        total=_Sum("awarded_amount")
    )["total"]
    return total or Decimal("0")


def community_bonus_applies(organization):
    """The call's bonus goes to organizations filed with a street office or township (社区备案)."""
    return organization.registration_status == RegistrationStatus.FILED


def ranking(competition, statuses=REVIEWED_STATUSES):
    """The call's applications ranked by final score (3 queries, 4 with a pitch round, whatever the rows).

    Tie-breaks: higher mean on the first review criterion, then the earlier submission, then
    the lower id (so the order is total and stable).
    """
    criteria = list(competition.criteria.all())  # 1
    review_rubric = [c for c in criteria if c.stage == Criterion.Stage.REVIEW]
    pitch_rubric = [c for c in criteria if c.stage == Criterion.Stage.PITCH]
    applications = [
        ApplicationSummary(pk, ref or "", title, status, requested, submitted_at,
                           OrganizationSummary(org_name, registration, bool(rural)))
        for pk, ref, title, status, requested, submitted_at, org_name, registration, rural in
        Application.objects.filter(competition=competition, status__in=statuses).values_list(
            "pk", "reference", "title", "status", "requested_amount", "submitted_at",
            "organization__name", "organization__registration_status", "organization__community__is_rural",
        )
    ]  # 2
    review = aggregated(competition, Assignment.Stage.REVIEW, review_rubric)  # 3
    pitch = {}
    if competition.pitch_round and pitch_rubric:
        pitch = aggregated(competition, Assignment.Stage.PITCH, pitch_rubric)  # 4
    rows = []
    for app in applications:
        r, p = review.get(app.pk), pitch.get(app.pk)
        bonus = competition.community_bonus if community_bonus_applies(app.organization) else Decimal("0")
        final = aggregation.final_score(
            r.score if r else None, p.score if p else None, pitch_weight=competition.pitch_weight, bonus=bonus
        )
        means = [r.criterion_means.get(c.pk) if r else None for c in review_rubric]
        rows.append(RankedApplication(app, r, p, bonus, final, criterion_means=means))
    far_future = timezone.now() + dt.timedelta(days=365 * 100)

    def key(row):
        first = row.criterion_means[0] if row.criterion_means and row.criterion_means[0] is not None else Decimal("-1")
        return (
            row.final is None,
            -(row.final or 0),
            -first,
            row.application.submitted_at or far_future,
            row.application.pk,
        )

    rows.sort(key=key)
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return review_rubric, rows


def application_score_sheets(*, application):
    """Submitted score sheets of the application with their scores.

    Drafts stay private to their reviewer: staff see a sheet once it is submitted.
    """
    return list(
        ScoreSheet.objects.filter(assignment__application=application, submitted_at__isnull=False)
        .select_related("assignment", "assignment__reviewer")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=Score.objects.select_related("criterion").order_by(
                    "criterion__stage", "criterion__position", "criterion_id"
                ),
            )
        )
        .order_by("assignment__stage", "submitted_at", "id")
    )


def final_scores(*, competition, applications):
    """{application id: final score} of the 公示, from the ranking of the call's recommended and
    publicizing applications.

    The 公示 prints the score as published; a call whose ranking cannot be computed shows a
    labelled blank instead of a made-up figure.
    """
    wanted = {a.pk for a in applications}
    try:
        _rubric, rows = ranking(competition, statuses=[Status.RECOMMENDED, Status.PUBLICIZING])
    except Exception:  # a ranking that cannot be computed must not stop the 公示
        logger.exception("final scores of call %s could not be computed", competition.pk)
        return {}
    return {row.application.pk: row.final for row in rows if row.application.pk in wanted and row.final is not None}


def shortlisted_without_pitch_score(competition, applications):
    """The shortlisted ones among ``applications`` whose pitch has no submitted sheet (a call with a pitch round)."""
    if not competition.pitch_round:
        return []
    shortlisted = [a for a in applications if a.status == Status.SHORTLISTED]
    scored = set(
        Assignment.objects.filter(application__in=shortlisted, stage=Assignment.Stage.PITCH, sheet__submitted_at__isnull=False)
        .values_list("application_id", flat=True)
    ) if shortlisted else set()
    return [a for a in shortlisted if a.pk not in scored]
