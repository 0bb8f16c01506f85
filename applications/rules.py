"""The conditions of the workflow's transitions: each returns a Verdict with an actionable reason.

They read the clock with ``timezone.now()`` so tests move time with time-machine.
"""

from decimal import ROUND_DOWN, Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from competitions.models import OrganizationCategory, RegistrationStatus, ServiceArea, TrancheTrigger

from .permissions import ALLOWED, deny
from .status import Status


def _local(dt):
    return date_format(timezone.localtime(dt), "Y-m-d H:i:s")


def window_open(app):
    call = app.competition
    now = timezone.now()
    if now < call.opens_at:
        return deny(_("The call opens at %(at)s (Beijing time); submit after that.") % {"at": _local(call.opens_at)})
    if now > call.closes_at:
        return deny(
            _("The call closed at %(at)s (Beijing time); applications can no longer be submitted.")
            % {"at": _local(call.closes_at)}
        )
    return ALLOWED


def organization_eligible(app):
    call, org = app.competition, app.organization
    if call.allowed_categories and org.category not in call.allowed_categories:
        allowed = "、".join(str(OrganizationCategory(c).label) for c in call.allowed_categories)
        return deny(
            _("This call is open to these kinds of organization only: %(allowed)s. Yours is registered as %(kind)s.")
            % {"allowed": allowed, "kind": org.get_category_display()}
        )
    if call.allowed_registration_statuses and org.registration_status not in call.allowed_registration_statuses:
        allowed = "、".join(str(RegistrationStatus(s).label) for s in call.allowed_registration_statuses)
        return deny(
            _("This call is open to organizations that are: %(allowed)s. Update your organization's registration details if they have changed.")
            % {"allowed": allowed}
        )
    if org.registration_status == RegistrationStatus.REGISTERED and not org.credit_code:
        return deny(_("A registered organization must give its unified social credit code in its profile before applying."))
    if call.eligible_region_id and not org.community.is_within(call.eligible_region):
        return deny(
            _("This call is open to organizations in %(region)s only.") % {"region": call.eligible_region.name}
        )
    return ALLOWED


def application_complete(app):
    missing = []
    if not app.title:
        missing.append(_("project title"))
    if not app.summary:
        missing.append(_("project summary"))
    if not app.service_area:
        missing.append(_("service area"))
    if not app.start_date or not app.end_date:
        missing.append(_("start and end dates"))
    if missing:
        return deny(_("Fill in before submitting: %(fields)s.") % {"fields": "、".join(str(m) for m in missing)})
    if app.end_date < app.start_date:
        return deny(_("The project must end after it starts: check the dates."))
    call = app.competition
    if call.allowed_service_areas and app.service_area not in call.allowed_service_areas:
        allowed = "、".join(str(ServiceArea(a).label) for a in call.allowed_service_areas)
        return deny(_("This call funds these service areas only: %(allowed)s.") % {"allowed": allowed})
    return ALLOWED


def budget_valid(app):
    """Lines sum to the request; request within the call's min/max; admin costs within the cap."""
    call = app.competition
    lines = list(app.budget_lines.all())
    if not lines:
        return deny(_("Add at least one budget line."))
    negative = next((line for line in lines if line.amount < 0), None)
    if negative is not None:
        return deny(
            _("The amount of budget line “%(item)s” cannot be negative: enter what the item costs.")
            % {"item": negative.item}
        )
    total = sum((line.amount for line in lines), Decimal("0"))
    if total != app.requested_amount:
        return deny(
            _("The budget lines add up to %(total)s yuan but the request is %(requested)s yuan: make them equal.")
            % {"total": total, "requested": app.requested_amount}
        )
    if app.requested_amount < call.min_amount or app.requested_amount > call.max_amount:
        return deny(
            _("The request must be between %(min)s and %(max)s yuan for this call.")
            % {"min": call.min_amount, "max": call.max_amount}
        )
    admin = sum((line.amount for line in lines if line.category == "admin"), Decimal("0"))
    # Compare exactly; the cap shown is rounded down so that what it says is never over the limit.
    cap = (app.requested_amount * call.admin_cost_cap / Decimal("100")).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if admin * 100 > app.requested_amount * call.admin_cost_cap:
        return deny(
            _("Administrative costs are %(admin)s yuan; this call allows at most %(pct)s%% of the request (%(cap)s yuan).")
            % {"admin": admin, "pct": format(call.admin_cost_cap.normalize(), "f"), "cap": cap}
        )
    return ALLOWED


def before_revision_deadline(app):
    if app.revision_deadline and timezone.now() > app.revision_deadline:
        return deny(
            _("The deadline for revising this application was %(at)s (Beijing time); it can no longer be resubmitted.")
            % {"at": _local(app.revision_deadline)}
        )
    return ALLOWED


def review_complete(app):
    """The review may end: every check that review registered in ``hooks.review_complete_checks`` agrees."""
    from .hooks import review_complete_checks

    if not review_complete_checks:
        return deny(_("No reviewer has been assigned yet."))
    for check in review_complete_checks:
        verdict = check(app)
        if not verdict:
            return verdict
    return ALLOWED


def call_has_pitch_round(app):
    if app.competition.pitch_round:
        return ALLOWED
    return deny(_("This call has no pitch round."))


def pitch_done_if_required(app):
    if app.competition.pitch_round and app.status == Status.REVIEWED:
        return deny(_("In a call with a pitch round, only shortlisted applications can be recommended."))
    return ALLOWED


def publicity_ended(app):
    if app.publicity_ends_at and timezone.now() >= app.publicity_ends_at:
        return ALLOWED
    return deny(_("The public notice period has not ended yet."))


def no_open_or_upheld_objection(app):
    if app.objections.filter(state__in=["open", "investigating", "upheld"]).exists():
        return deny(_("An objection is open or was upheld; the award waits for its outcome."))
    return ALLOWED


def final_report_accepted(app):
    if app.reports.filter(kind="final", state="accepted").exists():
        return ALLOWED
    return deny(_("The final report has not been accepted yet."))


# ----- after the award: tranches and reports ---------------------------------------------------------


def project_in_progress(report):
    """A report is submitted, returned or accepted only while its project runs."""
    app = report.application
    if app.status != Status.CONTRACTED:
        return deny(
            _("The project is “%(status)s”: its reports can no longer be submitted or decided.")
            % {"status": app.get_status_display()}
        )
    return ALLOWED


def project_payable(disbursement):
    # The last tranche is paid on the final report, that is after the project completed.
    app = disbursement.application
    if app.status not in (Status.CONTRACTED, Status.COMPLETED):
        return deny(_("Tranches are not paid to a project that is “%(status)s”.") % {"status": app.get_status_display()})
    return ALLOWED


def tranche_trigger_met(disbursement):
    if disbursement.trigger == TrancheTrigger.ON_CONTRACT:
        return ALLOWED
    if disbursement.application.reports.filter(kind=disbursement.trigger, state="accepted").exists():
        return ALLOWED
    return deny(
        _("This tranche is paid “%(trigger)s”: that has not happened yet.") % {"trigger": disbursement.get_trigger_display()}
    )
