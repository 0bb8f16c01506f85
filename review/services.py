"""Review writes. The workflow step ``under_review → reviewed`` is driven from here.

Workflow steps go through ``applications.services``; a service here that makes several steps
runs them as ``joined`` steps inside its own outermost transaction (``applications.services.
outermost``), so a crash leaves nothing written, and a step refused for one application is
undone with its savepoint, never by deleting rows by hand.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.links import absolute_url
from applications import chain as application_chain
from applications import services as application_services
from applications.models import Status, TransitionLog
from applications.permissions import is_bureau_staff_for
from competitions.models import Competition, Criterion
from competitions.permissions import is_bureau_staff_of
from competitions.typography import inner_quotes

from . import selectors
from .aggregation import plain
from .assignment import has_conflict, pick_replacement, plan_assignments
from .models import Affiliation, Assignment, ReviewerProfile, ReviewLog, Score, ScoreSheet
from .permissions import all_sheets_submitted

# A criterion scored below this share of its maximum needs a comment saying why.
COMMENT_REQUIRED_BELOW_PERCENT = Decimal(str(getattr(settings, "REVIEW_COMMENT_REQUIRED_BELOW_PERCENT", 60)))


class ReviewError(Exception):
    def __init__(self, message, *, code="refused", errors=None):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.errors = errors or {}


def _require_staff(actor, competition):
    if not is_bureau_staff_for(actor, competition):
        raise ReviewError(_("Only staff of the bureau that runs this call can do this."), code="forbidden")


def _log(*, competition, action, actor=None, application=None, note=""):
    """A line of the call's review journal; one about an application is also a row of its audit
    chain (assignments and their changes, conflicts declared, funding decisions), so that the
    chain answers who reviewed and who decided; the journal keeps the call-wide lines and is what
    the review screen lists."""
    if application is not None:
        application_chain.chain_append(
            application=application, subject=TransitionLog.Subject.REVIEW, transition=f"review.{action}"[:60],
            actor=actor, note=note,
        )
    return ReviewLog.objects.create(
        competition=competition, bureau_id=competition.bureau_id, application=application, actor=actor,
        action=action, note=note,
    )


def _notify_reviewer(user, *, key, subject, body, url=None):
    """``subject`` and ``body`` are callables: the reviewer reads them in their own language, not the staff's."""
    account_services.notify(users=[user], key=key, subject=subject, body=body, url=url or reverse("review:assignments"))


# ----- reviewers ---------------------------------------------------------------------------------


def invitation_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("review:invitation", args=[uid, token]))


def reviewer_invite(*, email, full_name, bureau, actor, expertise=(), title="", employer="", home_community=None):
    """Add an expert to the bureau's reviewer pool and mail a one-time link to set a password.

    The link uses Django's password-reset token: it stops working once the password is set.
    """
    if not is_bureau_staff_of(actor, bureau.pk):
        raise ReviewError(_("Only staff of this bureau can invite reviewers to its pool."), code="forbidden")
    email = (email or "").strip().lower()
    if not email:
        raise ReviewError(_("Give the reviewer's email address."), code="invalid")
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        new_user = user is None
        if new_user:
            user = User(username=email[:150], email=email, full_name=full_name)
            user.set_unusable_password()
            user.save()
        profile, _created = ReviewerProfile.objects.get_or_create(
            user=user,
            defaults={"expertise": list(expertise), "title": title, "employer": employer, "home_community": home_community},
        )
        profile.bureaus.add(bureau)
        ReviewLog.objects.create(bureau=bureau, actor=actor, action="reviewer.invited", note=email)
        if new_user or not user.has_usable_password():
            link = invitation_link(user)

            def body():  # in the reviewer's language (a new one has the site's), not the inviting staff's
                return _(
                    "%(bureau)s invites you to review applications as an expert.\n\n"
                    "Set your password with this link (it works once, within %(days)d days; after that, ask "
                    "%(bureau)s for a new invitation):\n%(link)s\n\n"
                    "Then, on the same phone, protect your account with a passkey (your fingerprint or face) or "
                    "an authenticator app. It takes about two minutes."
                ) % {"bureau": bureau.name, "link": link, "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)}
        else:
            def body():
                return _("%(bureau)s added you to its pool of reviewers. Sign in at %(url)s.") % {
                    "bureau": bureau.name, "url": absolute_url(reverse("review:assignments")),
                }
        account_services.notify(
            users=[user], key=f"reviewer:{bureau.pk}:invited:{timezone.now():%Y%m%d%H%M%S%f}",
            subject=lambda: _("Invitation to review for %(bureau)s") % {"bureau": bureau.name}, body=body,
        )
    return profile


def reviewer_accept_invitation(*, user, password):
    """Set the invited reviewer's password and confirm their email (the link reached them)."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return user


def affiliation_declare(*, reviewer, actor, organization=None, community=None, description="", ended=None):
    """A reviewer (or staff) records a tie to an organization or community of the last three years."""
    if organization is None and community is None:
        raise ReviewError(_("Name the organization or the community of the tie."), code="invalid")
    return Affiliation.objects.create(
        reviewer=reviewer, organization=organization, community=community, description=description[:200], ended=ended
    )


# ----- assignment --------------------------------------------------------------------------------


def assignment_create(*, application, reviewer, stage=Assignment.Stage.REVIEW):
    assignment, _created = Assignment.objects.get_or_create(application=application, reviewer=reviewer, stage=stage)
    ScoreSheet.objects.get_or_create(assignment=assignment)
    return assignment


@dataclass
class AssignmentOutcome:
    created: int = 0
    opened: list = field(default_factory=list)
    refused: dict = field(default_factory=dict)  # application -> reason
    loads: dict = field(default_factory=dict)  # reviewer user -> load
    balanced: bool = True


def _label(application):
    return application.reference or application.title


def _plan_for_call(competition):
    applications = list(
        competition.applications.filter(status__in=[Status.ELIGIBLE, Status.UNDER_REVIEW])
        .select_related("organization").order_by("pk")
    )
    if not applications:
        raise ReviewError(_("There are no eligible applications to assign in this call."), code="empty")
    profiles = selectors.reviewer_pool(competition)
    if not profiles:
        raise ReviewError(_("The bureau's reviewer pool is empty: invite reviewers first."), code="empty")
    items = selectors.reviewer_items(profiles)
    existing = {}
    for app_id, reviewer_id in selectors.active_assignments(competition).values_list("application_id", "reviewer_id"):
        existing.setdefault(app_id, set()).add(reviewer_id)
    # A reviewer who declared a conflict on an application is never given it again.
    declined = set(
        Assignment.objects.filter(application__competition=competition, state=Assignment.State.DECLINED)
        .values_list("application_id", "reviewer_id")
    )
    plan = plan_assignments(
        [selectors.application_item(app) for app in applications], items, competition.reviewers_per_application,
        seed=competition.pk, existing=existing, base_loads=selectors.reviewer_loads(competition), blocked=declined,
    )
    if plan.short:
        by_id = {a.pk: a for a in applications}
        names = ", ".join(
            _("%(app)s (%(n)d missing)") % {"app": _label(by_id[a]), "n": n} for a, n in sorted(plan.short.items())
        )
        raise ReviewError(
            _("Not enough reviewers without a conflict for: %(apps)s. Invite more reviewers to the pool "
              "or lower the number of reviewers per application.") % {"apps": names},
            code="short",
        )
    return applications, profiles, plan


@application_services.outermost
def assignments_generate(*, competition, actor):
    """Give every eligible application of the call its number of reviewers and open its review.

    Never a conflicted reviewer; loads across the bureau's pool differ by at most one whenever
    that is possible; the same input gives the same assignment (seeded by the call's id).
    Applications already under review that lost a reviewer are topped up. Nothing is written
    when some application cannot get enough reviewers: the error names them. One transaction:
    an application whose review the workflow refuses to open keeps none of its new reviewers
    (its savepoint is rolled back), and a failure anywhere else leaves nothing written.
    """
    _require_staff(actor, competition)
    # Two staff pressing the button together: the second waits here, then finds the places
    # filled and adds nothing.
    Competition.objects.select_for_update().filter(pk=competition.pk).first()
    applications, profiles, plan = _plan_for_call(competition)
    outcome = AssignmentOutcome(balanced=plan.balanced)
    users = {p.user_id: p.user for p in profiles}
    outcome.loads = {users[rid]: load for rid, load in sorted(plan.loads.items())}
    per_reviewer = {}
    for app in applications:
        new_ids = plan.assignments.get(app.pk, [])
        try:
            with transaction.atomic():
                created = [assignment_create(application=app, reviewer=users[rid]) for rid in new_ids]
                if new_ids:
                    _log(competition=competition, application=app, actor=actor, action="assignment.generated",
                         note=", ".join(users[rid].display_name for rid in new_ids))
                if app.status == Status.ELIGIBLE:
                    application_services.application_open_review.joined(application=app, actor=actor)
                    outcome.opened.append(app)
        except application_services.ApplicationError as exc:
            outcome.refused[app] = exc.message
            continue
        outcome.created += len(new_ids)
        for assignment in created:
            per_reviewer[assignment.reviewer_id] = per_reviewer.get(assignment.reviewer_id, 0) + 1
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for rid, n in per_reviewer.items():
        _notify_reviewer(
            users[rid], key=f"review-assign:{competition.pk}:{rid}:{stamp}",
            subject=lambda n=n: _("%(n)d application(s) to review for %(call)s") % {"n": n, "call": competition.title},
            body=lambda n=n: _("You have been assigned %(n)d application(s) to review. Declare a conflict if you have one.")
            % {"n": n},
        )
    return outcome


def assignment_add(*, application, reviewer, actor, stage=Assignment.Stage.REVIEW):
    """Staff add one reviewer to one application by hand; conflicts are still refused. An eligible
    application's review opens with it (as the assign button opens it), or nobody could score it."""
    competition = application.competition
    _require_staff(actor, competition)
    # A reviewed application may get one more reviewer when its sheets disagree (spread flag).
    allowed = (Status.ELIGIBLE, Status.UNDER_REVIEW, Status.REVIEWED) if stage == Assignment.Stage.REVIEW else (Status.SHORTLISTED,)
    if application.status not in allowed:
        raise ReviewError(
            _("Reviewers can be added only while the application is %(states)s.")
            % {"states": " / ".join(allowed)}, code="state",
        )
    profiles = [p for p in selectors.reviewer_pool(competition) if p.user_id == reviewer.pk]
    if not profiles:
        raise ReviewError(_("%(name)s is not in this bureau's reviewer pool.") % {"name": reviewer}, code="invalid")
    item = selectors.reviewer_items(profiles)[0]
    if has_conflict(item, selectors.application_item(application)):
        raise ReviewError(
            _("%(name)s has a conflict with this application (member, declared tie or same community).")
            % {"name": reviewer}, code="conflict",
        )
    previous = Assignment.objects.filter(application=application, reviewer=reviewer, stage=stage).first()
    if previous is not None:
        if previous.state == Assignment.State.DECLINED:
            raise ReviewError(_("%(name)s declared a conflict with this application.") % {"name": reviewer}, code="conflict")
        raise ReviewError(_("%(name)s is already assigned to this application.") % {"name": reviewer}, code="duplicate")
    with transaction.atomic():
        assignment = assignment_create(application=application, reviewer=reviewer, stage=stage)
        _log(competition=competition, application=application, actor=actor, action="assignment.added",
             note=f"{reviewer.display_name} · {Assignment.Stage(stage).label}")
        if application.status == Status.ELIGIBLE:
            # As the assign button does: the reviewer can score only an application under review.
            try:
                application_services.application_open_review.joined(application=application, actor=actor)
            except application_services.ApplicationError as exc:
                raise ReviewError(exc.message, code="state") from exc
        _notify_reviewer(
            reviewer, key=f"review-assignment:{assignment.pk}",
            subject=lambda: _("An application to review for %(call)s") % {"call": competition.title},
            body=lambda: _("You have been assigned one more application to review."),
        )
    return assignment


def assignment_remove(*, assignment, actor, discard_draft=False):
    """Staff take a reviewer off an application, unless the sheet is already submitted.

    A sheet the reviewer has begun (points, comments or a recommendation saved) is discarded with
    the assignment, so that needs ``discard_draft``: without it the removal is refused with
    ``code="draft"`` and a message saying what would be lost (the reviewer may have saved it after
    the staff member's page was drawn). The reviewer is told the application left their list.
    """
    application = assignment.application
    competition = application.competition
    _require_staff(actor, competition)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("reviewer").get(pk=assignment.pk)
        sheet = ScoreSheet.objects.filter(assignment=assignment).first()
        if assignment.state == Assignment.State.SUBMITTED or (sheet is not None and sheet.locked):
            raise ReviewError(_("This reviewer already submitted a sheet; it cannot be removed."), code="locked")
        scored = sheet.scores.count() if sheet is not None else 0
        draft = sheet is not None and bool(scored or sheet.overall_comment or sheet.recommendation)
        if draft and not discard_draft:
            raise ReviewError(
                _("%(name)s has saved a draft score sheet for this application (%(scored)d of %(count)d criteria "
                  "scored). Unassigning the reviewer discards it.") % {
                    "name": assignment.reviewer.display_name, "scored": scored,
                    "count": competition.criteria.filter(stage=assignment.stage).count(),
                },
                code="draft",
            )
        note = f"{assignment.reviewer.display_name} · {assignment.get_stage_display()}"
        if draft:
            note += f" · draft discarded ({scored} scored)"
        _log(competition=competition, application=application, actor=actor, action="assignment.removed", note=note)
        reviewer, title, stage = assignment.reviewer, application.title, assignment.stage
        assignment.delete()
        _notify_reviewer(
            reviewer, key=f"review-removed:{application.pk}:{reviewer.pk}:{stage}:{timezone.now():%Y%m%d%H%M%S%f}",
            subject=lambda: _("An application was taken off your reviews for %(call)s") % {"call": competition.title},
            body=lambda: _("The bureau took “%(title)s” off your list: you need not review it.") % {"title": inner_quotes(title)},
        )
    _complete_if_done(application)


def _complete_if_done(application):
    application.refresh_from_db()
    if application.status == Status.UNDER_REVIEW and all_sheets_submitted(application):
        try:
            application_services.application_complete_review(application=application)
        except application_services.ApplicationError:
            pass  # completed at the same moment by a sheet submission


def assignment_decline(*, assignment, actor, declaration):
    """A reviewer declares a conflict: the assignment is declined, logged, and given to the
    unconflicted reviewer with the least load in the pool. Returns the new assignment or None
    when nobody is free (staff are told through the log)."""
    if assignment.reviewer_id != getattr(actor, "pk", None):
        raise ReviewError(_("Only the assigned reviewer can declare a conflict on this assignment."), code="forbidden")
    declaration = (declaration or "").strip()
    if not declaration:
        raise ReviewError(_("Describe the conflict: the organization or person and your tie to them."), code="invalid")
    application = assignment.application
    competition = application.competition
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.state != Assignment.State.ASSIGNED:
            raise ReviewError(_("Only an assignment not yet submitted can be declined."), code="locked")
        locked.state = Assignment.State.DECLINED
        locked.conflict_declaration = declaration
        locked.save(update_fields=["state", "conflict_declaration"])
        profile = ReviewerProfile.objects.filter(user=actor).first()
        if profile is not None:
            Affiliation.objects.create(
                reviewer=profile, organization=application.organization, description=declaration[:200]
            )
        _log(competition=competition, application=application, actor=actor, action="assignment.declined",
             note=declaration)
        profiles = selectors.reviewer_pool(competition)
        items = selectors.reviewer_items(profiles)
        taken = set(
            Assignment.objects.filter(application=application, stage=locked.stage).values_list("reviewer_id", flat=True)
        )
        replacement_id = pick_replacement(
            selectors.application_item(application), items,
            loads=selectors.reviewer_loads(competition, locked.stage), exclude=taken, seed=competition.pk,
        )
        replacement = None
        if replacement_id is not None:
            user = next(p.user for p in profiles if p.user_id == replacement_id)
            replacement = assignment_create(application=application, reviewer=user, stage=locked.stage)
            _log(competition=competition, application=application, actor=None, action="assignment.reassigned",
                 note=_("%(old)s → %(new)s") % {"old": actor.display_name, "new": user.display_name})
            _notify_reviewer(
                user, key=f"review-assignment:{replacement.pk}",
                subject=lambda: _("An application to review for %(call)s") % {"call": competition.title},
                body=lambda: _("An application was reassigned to you after another reviewer declared a conflict."),
            )
        else:
            _log(competition=competition, application=application, actor=None, action="assignment.unfilled",
                 note=_("No reviewer without a conflict is free: staff must add one."))
    return replacement


def pitch_panel_assign(*, competition, actor, reviewers):
    """Give every shortlisted application to each panel member who has no conflict with it."""
    _require_staff(actor, competition)
    if not competition.pitch_round:
        raise ReviewError(_("This call has no pitch round."), code="state")
    if not reviewers:
        raise ReviewError(_("Choose at least one panel member."), code="invalid")
    pool = {p.user_id: p for p in selectors.reviewer_pool(competition)}
    outside = [r for r in reviewers if r.pk not in pool]
    if outside:
        raise ReviewError(_("Not in the bureau's reviewer pool: %(names)s.") % {"names": ", ".join(map(str, outside))})
    items = {i.id: i for i in selectors.reviewer_items([pool[r.pk] for r in reviewers])}
    created, skipped = 0, []
    for app in competition.applications.filter(status=Status.SHORTLISTED).select_related("organization"):
        app_item = selectors.application_item(app)
        with transaction.atomic():
            for reviewer in reviewers:
                if has_conflict(items[reviewer.pk], app_item):
                    skipped.append((app, reviewer))
                    continue
                if not Assignment.objects.filter(application=app, reviewer=reviewer, stage="pitch").exists():
                    assignment_create(application=app, reviewer=reviewer, stage=Assignment.Stage.PITCH)
                    created += 1
            _log(competition=competition, application=app, actor=actor, action="assignment.pitch_panel",
                 note=", ".join(r.display_name for r in reviewers))
    return created, skipped


# ----- score sheets ------------------------------------------------------------------------------


def _parse_points(raw):
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return "invalid"


def sheet_criteria(sheet):
    assignment = sheet.assignment
    stage = Criterion.Stage.PITCH if assignment.stage == Assignment.Stage.PITCH else Criterion.Stage.REVIEW
    return [c for c in assignment.application.competition.criteria.all() if c.stage == stage]


def sheet_check(*, sheet, scores, recommendation="", submit=False):
    """The points parsed per criterion id, or ReviewError naming each field in error.

    The checks of :func:`sheet_save`, without saving: the score sheet page runs them before it asks
    the reviewer to confirm the submission, so a sheet that would be refused is not confirmed first.
    """
    competition = sheet.assignment.application.competition
    errors = {}
    parsed = {}
    for criterion in sheet_criteria(sheet):
        raw, comment = scores.get(criterion.pk, ("", ""))
        comment = (comment or "").strip()
        points = _parse_points(raw)
        key = f"points_{criterion.pk}"
        if points == "invalid":
            errors[key] = _("Type a number.")
            continue
        if points is not None:
            step = Decimal("0.5") if competition.half_points else Decimal("1")
            if points < 0 or points > criterion.max_points:
                errors[key] = _("Give between 0 and %(max)s points.") % {"max": plain(criterion.max_points)}
            elif points % step:
                errors[key] = (_("Use half points (e.g. 7.5) at most.") if competition.half_points
                               else _("Use whole points only."))
        if submit:
            if points is None:
                errors[key] = _("Score this criterion before submitting.")
            elif key not in errors and points < criterion.max_points * COMMENT_REQUIRED_BELOW_PERCENT / 100 and not comment:
                errors[f"comment_{criterion.pk}"] = _(
                    "Explain a score below %(pct)s%% of the maximum in a comment."
                ) % {"pct": plain(COMMENT_REQUIRED_BELOW_PERCENT)}
        parsed[criterion.pk] = (points, comment)
    if recommendation and recommendation not in ScoreSheet.Recommendation.values:
        errors["recommendation"] = _("Choose a recommendation from the list.")
    if submit and not recommendation:
        errors["recommendation"] = _("Choose a recommendation before submitting.")
    if errors:
        raise ReviewError(_("Correct the marked fields."), code="invalid", errors=errors)
    return parsed


def sheet_save(*, sheet, actor, scores, overall_comment="", recommendation="", submit=False):
    """Save a reviewer's draft scores; with ``submit`` also check it is complete and lock it.

    ``scores`` maps criterion id -> (points or "" , comment). Points lie in 0..max, whole or half
    points as the call says; below ``COMMENT_REQUIRED_BELOW_PERCENT`` % of the maximum a comment is
    required on submission. A submitted sheet cannot be changed.
    """
    assignment = sheet.assignment
    if assignment.reviewer_id != getattr(actor, "pk", None):
        raise ReviewError(_("This score sheet belongs to another reviewer."), code="forbidden")
    if assignment.state == Assignment.State.DECLINED:
        raise ReviewError(_("You declined this assignment; it cannot be scored."), code="locked")
    if sheet.locked:
        raise ReviewError(_("This score sheet was already submitted and is locked."), code="locked")
    expected = (Status.SHORTLISTED,) if assignment.stage == Assignment.Stage.PITCH else (Status.UNDER_REVIEW, Status.REVIEWED)
    if assignment.application.status not in expected:
        raise ReviewError(_("This application is no longer open for scoring."), code="state")
    parsed = sheet_check(sheet=sheet, scores=scores, recommendation=recommendation, submit=submit)
    with transaction.atomic():
        locked = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.locked:
            raise ReviewError(_("This score sheet was already submitted and is locked."), code="locked")
        locked.overall_comment = overall_comment or ""
        locked.recommendation = recommendation or ""
        locked.save(update_fields=["overall_comment", "recommendation", "updated_at"])
        for criterion_id, (points, comment) in parsed.items():
            if points is None:
                Score.objects.filter(sheet=locked, criterion_id=criterion_id).delete()
            else:
                Score.objects.update_or_create(
                    sheet=locked, criterion_id=criterion_id, defaults={"points": points, "comment": comment}
                )
    if submit:
        return sheet_submit(sheet=sheet, actor=actor)
    sheet.refresh_from_db()
    return sheet


def sheet_submit(*, sheet, actor):
    """Lock a reviewer's sheet; when it is the application's last, the application is reviewed."""
    with transaction.atomic(durable=True):
        sheet = ScoreSheet.objects.select_for_update().select_related("assignment").get(pk=sheet.pk)
        assignment = sheet.assignment
        if assignment.reviewer_id != getattr(actor, "pk", None):
            raise ReviewError(_("This score sheet belongs to another reviewer."), code="forbidden")
        if sheet.locked:
            raise ReviewError(_("This score sheet was already submitted and is locked."), code="locked")
        sheet.submitted_at = timezone.now()
        sheet.save(update_fields=["submitted_at", "updated_at"])
        Assignment.objects.filter(pk=assignment.pk).update(state=Assignment.State.SUBMITTED)
    application = assignment.application
    if application.status == Status.UNDER_REVIEW and all_sheets_submitted(application):
        try:
            application_services.application_complete_review(application=application)
        except application_services.ApplicationError:
            pass  # another reviewer's last sheet completed it at the same moment
    return sheet


# ----- shortlist and funding ---------------------------------------------------------------------


def applications_shortlist(*, competition, actor, applications):
    """Shortlist reviewed applications for the pitch round; returns (done, {application: reason})."""
    _require_staff(actor, competition)
    done, refused = [], {}
    for app in applications:
        try:
            application_services.application_shortlist(application=app, actor=actor)
            done.append(app)
        except application_services.ApplicationError as exc:
            refused[app] = exc.message
    return done, refused


@application_services.outermost
def funding_confirm(*, competition, actor, decisions, decline_reason=""):
    """Recommend the chosen applications with their amounts and decline the others.

    In a call with a pitch round, refused (naming them) while a shortlisted application among the
    decisions has no submitted pitch sheet.

    ``decisions`` is a list of (application, amount or None). The total must stay within the
    call's budget. Each step is a workflow transition of its own (logged); refusals are returned
    per application so staff can see which ones need attention.
    """
    _require_staff(actor, competition)
    # Two staff confirming together: the second waits and counts the first one's amounts.
    Competition.objects.select_for_update().filter(pk=competition.pk).first()
    unpitched = selectors.shortlisted_without_pitch_score(competition, [app for app, _a in decisions])
    if unpitched:
        # The pitch is part of the final score: deciding before it is scored decides on half a score.
        raise ReviewError(
            _("The pitch of these shortlisted applications is not scored yet: %(names)s. Score their pitch "
              "(it counts for %(weight)s%% of the final score) before confirming the funding.")
            % {"names": "、".join(f"{a.reference or a.pk} {a.title}" for a in unpitched), "weight": plain(competition.pitch_weight)},
            code="pitch",
        )
    total = sum((Decimal(a) for _app, a in decisions if a), Decimal("0"))
    committed = selectors.committed_amount(competition)
    if total + committed > competition.total_budget:
        raise ReviewError(
            _("The amounts add up to %(total)s yuan; with %(committed)s yuan already recommended that is more "
              "than the call's budget of %(budget)s yuan.")
            % {"total": total, "committed": committed, "budget": competition.total_budget}, code="budget",
        )
    reason = decline_reason.strip() or _("Not selected for funding after the expert review and ranking.")
    recommended, declined, refused = [], [], {}
    # One transaction: the whole confirmation is written or none of it. A step the workflow
    # refuses for one application is rolled back with its savepoint and reported.
    for application, amount in decisions:
        if application.competition_id != competition.pk:
            refused[application] = _("This application belongs to another call.")
            continue
        try:
            with transaction.atomic():
                if amount:
                    application_services.application_recommend.joined(application=application, actor=actor, amount=amount)
                    action, note = "funding.recommended", str(amount)
                else:
                    application_services.application_decline.joined(application=application, actor=actor, reason=reason)
                    action, note = "funding.declined", reason
        except application_services.ApplicationError as exc:
            refused[application] = exc.message
            action, note = "funding.refused", exc.message
        else:
            (recommended if amount else declined).append(application)
        _log(competition=competition, application=application, actor=actor, action=action, note=note)
    return recommended, declined, refused
