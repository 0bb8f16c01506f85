"""Every write to organizations and applications, and every step of the application workflow.

Each workflow service locks the application row, asks the transition's permission and
conditions for a reason to refuse, runs the transition, appends to the hash-chained audit log
and queues mail for after the commit. A refusal raises ``ApplicationError`` with a message the
person can act on.
"""

import functools
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition

from accounts import services as account_services
from accounts.links import absolute_url
from competitions.workdays import publicity_window, working_days_after

from . import chain
from . import permissions as perms
from .errors import ApplicationError
from .models import (
    field_clean,
    Application,
    BudgetLine,
    Membership,
    Organization,
    ReferenceCounter,
)


# ----- explaining what is possible -------------------------------------------------------------

explain = chain.explain  # None if the user may take the transition now, else the reason they may not


def available_transitions(application, user):
    """Names of the transitions ``user`` may take now, for pages to show as actions."""
    names = []
    for transition in application.get_all_status_transitions():
        if transition.source in (application.status, "*") and explain(application, transition.name, user) is None:
            names.append(transition.name)
    return sorted(set(names))


# ----- the transition runner ---------------------------------------------------------------------

# Transitions whose outcome the applicant must hear about, with the subject of the mail.
APPLICANT_MESSAGES = {
    "submit": gettext_lazy("Your application %(ref)s has been submitted"),
    "resubmit": gettext_lazy("Your revised application %(ref)s has been submitted"),
    "accept_eligible": gettext_lazy("Your application %(ref)s passed the eligibility check"),
    "reject_ineligible": gettext_lazy("Your application %(ref)s is not eligible"),
    "return_for_revision": gettext_lazy("Your application %(ref)s was returned for revision"),
    "shortlist": gettext_lazy("Your application %(ref)s is shortlisted for the pitch round"),
    "decline": gettext_lazy("Your application %(ref)s will not be funded"),
    "publicize": gettext_lazy("Your application %(ref)s is in public notice"),
    "cancel_after_objection": gettext_lazy("The award to your application %(ref)s is cancelled"),
    "award": gettext_lazy("Your application %(ref)s is awarded"),
    "sign_agreement": gettext_lazy("The agreement for %(ref)s is confirmed"),
    "complete": gettext_lazy("Your project %(ref)s is completed"),
    "terminate": gettext_lazy("Your project %(ref)s is terminated"),
    "withdraw": gettext_lazy("Your application %(ref)s was withdrawn"),
}


def _lock(application, *, with_budget=False):
    # of=("self",): lock the application row only, not the call every applicant shares.
    rows = (
        Application.objects.select_for_update(of=("self",))
        .select_related("competition", "competition__eligible_region", "organization", "organization__community")
    )
    if with_budget:
        # Read once for the check and again by django-fsm when it takes the transition.
        rows = rows.prefetch_related("budget_lines")
    return rows.get(pk=application.pk)


def _append_log(app, *, from_state, name, actor, note, at):
    # ``app`` is locked by _run, which saves the new head with the transition.
    return chain.chain_append(
        application=app, transition=f"application.{name}", from_state=from_state, to_state=app.status,
        actor=actor, note=note, at=at, locked=True,
    )


def _copy_state(source, target):
    """``target`` reads as ``source`` (the same row, just saved) without reading the row again.

    Written to ``__dict__``: django-fsm forbids setting a protected state through the attribute,
    and its refresh_from_db toggles that protection for every instance at once (see FSMRefreshMixin).
    """
    target.__dict__.update({field.attname: source.__dict__[field.attname] for field in Application._meta.concrete_fields
                            if field.attname in source.__dict__})
    target.__dict__.pop("_prefetched_objects_cache", None)  # as refresh_from_db: related rows may have changed
    target._update_initial_state()


def _notify_applicant(app, entry, name):
    subject_template = APPLICANT_MESSAGES.get(name)
    if subject_template is None:
        return

    def body():
        lines = [
            _("Project: %(title)s") % {"title": app.title},
            _("Call: %(call)s") % {"call": app.competition.title},
            _("Status now: %(status)s") % {"status": app.get_status_display()},
        ]
        if entry.note:
            lines.append(_("Note: %(note)s") % {"note": entry.note})
        if name in ("submit", "resubmit") and app.tracking_code:
            lines.append(
                _("Query code: %(code)s. With it and the reference number anyone can follow the case at %(url)s")
                % {"code": app.tracking_code, "url": absolute_url(reverse("cms:track"))}
            )
        if name == "return_for_revision" and app.revision_deadline:
            lines.append(
                _("Revise and resubmit before %(at)s (Beijing time).")
                % {"at": timezone.localtime(app.revision_deadline).strftime("%Y-%m-%d %H:%M")}
            )
        return "\n".join(lines)

    account_services.notify(
        users=[m.user for m in Membership.objects.filter(organization=app.organization).select_related("user")],
        key=f"transition:{entry.pk}", subject=lambda: str(subject_template) % {"ref": app.reference or app.title},
        body=body, url=reverse("applications:application_detail", args=[app.pk]),
    )


def outermost(service):
    """Run ``service`` in a durable transaction of its own (nobody can nest it by accident).

    ``service.joined`` is the same service inside the caller's transaction: a service that makes
    several steps (confirm the agreement and plan its tranches, decide an objection and cancel the
    award) calls the ``joined`` steps within its own outermost transaction, so a failure anywhere
    leaves nothing written.
    """

    @functools.wraps(service)
    def durable(**kwargs):
        with transaction.atomic(durable=True):
            return service(**kwargs)

    durable.joined = service
    return durable


def _enqueue_submitted_pdf(entry):
    from .tasks import generate_application_pdf

    # The submission is kept whatever happens to the queue: if the broker is down the enqueue is
    # logged and skipped (robust), the receipt says the PDF will follow, and the periodic
    # requeue_missing_work job renders it once the broker is back.
    transaction.on_commit(lambda: generate_application_pdf.delay(entry.pk), robust=True)


def _run(application, name, *, actor, note="", expected_version=None, before=None, **kwargs):
    """Lock, check, transition, log and notify, inside the caller's transaction (see ``outermost``).

    No savepoint of its own: a refusal or failure fails the caller's transaction, or the caller's
    own savepoint where it goes on with other applications (review's bulk steps).
    """
    with transaction.atomic(savepoint=False):
        app = _lock(application, with_budget=name in ("submit", "resubmit"))
        if expected_version is not None and app.version != expected_version:
            raise ApplicationError(
                _("Someone else changed this application a moment ago. Reload the page and try again."),
                code="stale",
            )
        reason = explain(app, name, actor)
        if reason:
            raise ApplicationError(reason, code="not_allowed")
        if before is not None:
            before(app)
        from_state = app.status
        now = timezone.now()
        getattr(app, name)(**kwargs)
        app.version += 1
        entry = _append_log(app, from_state=from_state, name=name, actor=actor, note=note, at=now)
        try:
            app.save()
        except ConcurrentTransition:
            raise ApplicationError(
                _("Someone else acted on this application at the same moment. Reload the page to see what happened."),
                code="concurrent",
            ) from None
        _notify_applicant(app, entry, name)
        if name in ("submit", "resubmit"):
            # Every submit keeps its 申报书, whichever path it came by (portal, seed, admin).
            _enqueue_submitted_pdf(entry)
    if application is not app:
        _copy_state(app, application)
    return app


# ----- organizations -----------------------------------------------------------------------------


def organization_create(*, actor, **fields):
    """Create an organization with ``actor`` as its owner. Validates the credit code and uniqueness."""
    organization = Organization(**fields)
    if organization.credit_code == "":
        organization.credit_code = None
    try:
        organization.full_clean()
    except ValidationError as exc:
        errors = exc.error_dict
        if any(e.code == "unique" for e in errors.get("credit_code", [])):
            raise ApplicationError(_code_taken(organization.credit_code), code="invalid", field="credit_code") from exc
        raise ApplicationError(" ".join(m for msgs in exc.message_dict.values() for m in msgs), code="invalid") from exc
    try:
        with transaction.atomic():
            organization.save()
            Membership.objects.create(organization=organization, user=actor, role=Membership.Role.OWNER)
    except IntegrityError:
        # Someone registered the same code between our check and our insert.
        raise ApplicationError(_code_taken(organization.credit_code), code="invalid", field="credit_code") from None
    return organization


def _code_taken(code):
    """What a person who gives a code already here can do: claim the organization if it has no
    members (the registry's), else ask its owner, whose contact is named (``claims.how_to_join``)."""
    from .claims import code_taken_message, find_organization

    existing = find_organization(code)
    if existing is None:  # the other organization is not committed yet (a race)
        return _("An organization with this unified social credit code is being registered here at this moment. "
                 "Try again in a minute.")
    return code_taken_message(existing)


# ----- drafts -----------------------------------------------------------------------------------

DRAFT_FIELDS = (
    "title", "summary", "service_area", "target_groups", "beneficiaries", "place", "start_date",
    "end_date", "requested_amount", "co_funding", "goals", "indicators", "team",
)


def application_create(*, organization, competition, actor, title):
    """Start a draft. One live application per organization and call."""
    if not perms.is_member(actor, organization):
        raise ApplicationError(_("Only members of the organization can apply for it."), code="forbidden")
    if competition.phase() == "closed":
        raise ApplicationError(_("This call has closed; new applications cannot be started."), code="closed")
    try:
        with transaction.atomic():
            return Application.objects.create(
                organization=organization, competition=competition, title=title, created_by=actor
            )
    except IntegrityError:
        raise ApplicationError(
            _("Your organization already has an application to this call: open it from your list."),
            code="duplicate",
        ) from None


def application_update(*, application, actor, expected_version=None, budget_lines=None, **fields):
    """Save draft fields and, if given, replace the budget lines. Allowed only while editable.

    ``budget_lines`` is a list of dicts with category, item and amount.
    """
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"not draft fields: {sorted(unknown)}")
    with transaction.atomic():
        app = _lock(application)
        verdict = perms.can_edit_application(actor, app)
        if not verdict:
            raise ApplicationError(verdict.reason, code="forbidden")
        if expected_version is not None and app.version != expected_version:
            raise ApplicationError(
                _("This application was changed elsewhere (another member or another tab). Reload to see the latest version."),
                code="stale",
            )
        for name, value in fields.items():
            setattr(app, name, _field(Application, name, value))
        app.version += 1
        app.save()
        if budget_lines is not None:
            app.budget_lines.all().delete()
            BudgetLine.objects.bulk_create(
                BudgetLine(application=app, position=i, category=line["category"], item=line["item"],
                           amount=_field(BudgetLine, "amount", _amount(line["amount"])))
                for i, line in enumerate(budget_lines)
            )
    application.refresh_from_db()
    return app


# ----- the workflow -------------------------------------------------------------------------------


def _assign_reference(app):
    if app.reference:
        return
    prefix = f"{settings.REFERENCE_PREFIX}-{app.competition.year}-{app.competition.fund_code}"
    app.reference = f"{prefix}-{_next_number(prefix):04d}"


def _next_number(prefix):
    """The next number of ``prefix``, gapless: its counter row stays locked until the transaction ends.

    One ``UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35) where the row exists: every submit of a
    call passes here, one at a time."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(ReferenceCounter._meta.db_table)} SET {quote('last')} = {quote('last')} + 1 "
            f"WHERE {quote('prefix')} = %s RETURNING {quote('last')}",
            [prefix],
        )
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(prefix=prefix)  # the first
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@outermost
def application_submit(*, application, actor, expected_version=None):
    """Submit a draft: only inside the call's window, for an eligible organization, with a valid budget."""
    return _run(application, "submit", actor=actor, expected_version=expected_version,
                before=_assign_reference, now=timezone.now())


@outermost
def application_resubmit(*, application, actor, expected_version=None):
    """Resubmit after a return: only before the revision deadline."""
    return _run(application, "resubmit", actor=actor, expected_version=expected_version, now=timezone.now())


@outermost
def application_accept_eligible(*, application, actor, note=""):
    return _run(application, "accept_eligible", actor=actor, note=note)


@outermost
def application_reject_ineligible(*, application, actor, reason):
    if not reason or not reason.strip():
        raise ApplicationError(_("Give the reason the application is not eligible; the applicant will read it."), code="invalid")
    return _run(application, "reject_ineligible", actor=actor, note=reason, reason=reason)


@outermost
def application_return_for_revision(*, application, actor, reason, deadline=None):
    """Return for 补正 with the reason and the deadline for resubmission (default: the call's days)."""
    if not reason or not reason.strip():
        raise ApplicationError(_("Say what must be revised; the applicant will read it."), code="invalid")
    if deadline is None:
        deadline = working_days_after(timezone.now(), application.competition.revision_days).ends_at
    if deadline <= timezone.now():
        raise ApplicationError(_("The revision deadline must be in the future."), code="invalid")
    return _run(application, "return_for_revision", actor=actor, note=reason, reason=reason, deadline=deadline)


@outermost
def application_open_review(*, application, actor):
    return _run(application, "open_review", actor=actor)


@outermost
def application_complete_review(*, application):
    """Moves to reviewed by itself once the last score sheet is in (called by review services)."""
    return _run(application, "complete_review", actor=None)


@outermost
def application_shortlist(*, application, actor, note=""):
    return _run(application, "shortlist", actor=actor, note=note)


def _field(model, name, value, field=None):
    """The model field's rules (models.field_clean) as a refusal the person can act on."""
    try:
        return field_clean(model, name, value)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="invalid", field=field or name) from None


def _amount(value):
    """A yuan amount from a number or a string; bad input is a refusal, never a crash."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ApplicationError(
            _("“%(value)s” is not an amount: enter yuan as a number, such as 12000.50.") % {"value": value},
            code="invalid",
        )
    return amount


def _require_reason(reason, message):
    if not reason or not str(reason).strip():
        raise ApplicationError(message, code="invalid")


@outermost
def application_recommend(*, application, actor, amount, note=""):
    amount = _amount(amount)
    if amount <= 0:
        raise ApplicationError(_("The amount to fund must be more than zero."), code="invalid")
    if amount > application.competition.max_amount:
        raise ApplicationError(
            _("The amount exceeds the call's maximum per project (%(max)s yuan).") % {"max": application.competition.max_amount},
            code="invalid",
        )
    if amount > application.requested_amount:
        raise ApplicationError(_("The amount to fund cannot exceed the amount requested."), code="invalid")
    return _run(application, "recommend", actor=actor, note=note or _("Amount: %(amount)s yuan") % {"amount": amount}, amount=amount)


@outermost
def application_decline(*, application, actor, reason):
    """Not funded; the applicant reads the reason."""
    _require_reason(reason, _("Give the reason the application is not funded; the applicant will read it."))
    return _run(application, "decline", actor=actor, note=reason, reason=reason)


@outermost
def application_publicize(*, application, actor, start=None):
    """Put a recommended application into 公示 for the call's number of Chinese working days."""
    window = publicity_window(start or timezone.now(), application.competition.publicity_working_days)
    note = _("公示 until %(day)s") % {"day": window.last_day.isoformat()}
    if window.approximate:
        note += " " + window.warning
    return _run(application, "publicize", actor=actor, note=note, ends_at=window.ends_at)


@outermost
def application_cancel_after_objection(*, application, actor, reason):
    _require_reason(reason, _("Give the finding of the objection that cancels the award; the applicant will read it."))
    return _run(application, "cancel_after_objection", actor=actor, note=reason, reason=reason)


@outermost
def application_award(*, application):
    """The 公示 ended with no open or upheld objection (run by the scheduled job)."""
    return _run(application, "award", actor=None)


@outermost
def application_sign_agreement(*, application, actor, note=""):
    return _run(application, "sign_agreement", actor=actor, note=note)


@outermost
def application_complete(*, application, actor, note=""):
    return _run(application, "complete", actor=actor, note=note)


@outermost
def application_terminate(*, application, actor, reason, return_amount=Decimal("0")):
    """End a contracted project early; what must be paid back is between 0 and the award."""
    _require_reason(reason, _("Give the reason for terminating the project."))
    return_amount = _amount(return_amount)
    if return_amount < 0:
        raise ApplicationError(_("The amount to be returned cannot be negative."), code="invalid")
    if application.awarded_amount is not None and return_amount > application.awarded_amount:
        raise ApplicationError(
            _("The amount to be returned cannot exceed the %(awarded)s yuan awarded.")
            % {"awarded": application.awarded_amount},
            code="invalid",
        )
    return _run(application, "terminate", actor=actor, note=reason, reason=reason, return_amount=return_amount)


@outermost
def application_withdraw(*, application, actor, note=""):
    return _run(application, "withdraw", actor=actor, note=note)
