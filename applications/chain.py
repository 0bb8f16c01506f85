"""The audit chain of each application (see ``TransitionLog``): appending a row, and running the
state machines of what hangs on an application (tranches, reports, objections) so that each of
their steps is checked, saved and chained in the caller's transaction.

Services lock the row they change before calling ``run``; ``chain_append`` locks the application
row, so rows of one chain are appended one at a time and their sequence has no gaps.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from .errors import ApplicationError
from .models import Application, Disbursement, Objection, Organization, OrganizationClaim, Report, TransitionLog

GENESIS_HASH = "0" * 64

SUBJECTS = {
    Disbursement: TransitionLog.Subject.DISBURSEMENT,
    Report: TransitionLog.Subject.REPORT,
    Objection: TransitionLog.Subject.OBJECTION,
    OrganizationClaim: TransitionLog.Subject.CLAIM,
}


def chain_append(*, application=None, organization=None, transition, actor=None, from_state="", to_state="",
                 note="", subject=TransitionLog.Subject.APPLICATION, subject_id=None, data=None, at=None,
                 locked=False):
    """Append one row to ``application``'s chain (or, for what happens to an organization before it
    has any application, ``organization``'s) and move the recorded head to it.

    ``locked=True`` is for a caller that holds ``application`` locked in this transaction (read
    with ``select_for_update``, so its ``log_head`` is current) and saves it afterwards: the row
    is chained to that head, and the new head is set on the instance for the caller's save
    instead of being written here (two queries fewer on every submit).
    """
    if (application is None) == (organization is None):
        raise ValueError("a chain row belongs to an application or to an organization")
    if locked and application is None:
        raise ValueError("locked=True is for an application its caller has locked and saves")
    model, owner, key = (
        (Application, application, "application_id") if application is not None
        else (Organization, organization, "organization_id")
    )
    # No savepoint: a failure here fails the caller's transaction, which no caller goes on with.
    with transaction.atomic(savepoint=False):
        if locked:
            head = owner.log_head
        else:
            head = model.objects.select_for_update(of=("self",)).filter(pk=owner.pk).values_list("log_head", flat=True).get()
        last = TransitionLog.objects.filter(**{key: owner.pk}).order_by("-seq").values_list("seq", flat=True).first()
        entry = TransitionLog(
            **{key: owner.pk}, seq=(last or 0) + 1, subject=subject, subject_id=subject_id,
            from_state=from_state, to_state=to_state, transition=transition, actor=actor,
            at=at or timezone.now(), note=note or "", data=data or {}, prev_hash=head or GENESIS_HASH,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        if locked:
            owner.log_head = entry.hash
        else:
            model.objects.filter(pk=owner.pk).update(log_head=entry.hash)
    return entry


def _state_field(instance, name):
    method = getattr(type(instance), name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise ValueError(f"{name} is not a transition of {type(instance).__name__}")
    field = meta.field if isinstance(meta.field, str) else meta.field.name
    return meta, field


def explain(instance, name, user):
    """None if ``user`` may take transition ``name`` of ``instance`` now, else the reason they may not."""
    meta, field = _state_field(instance, name)
    transition = meta.get_transition(getattr(instance, field))
    if transition is None:
        return _(
            "This cannot be done while the %(what)s is “%(state)s”. The page may be out of date: reload it "
            "to see the current status."
        ) % {"what": instance._meta.verbose_name, "state": getattr(instance, f"get_{field}_display")()}
    if transition.permission is not None:
        verdict = transition.permission(instance, user)
        if not verdict:
            return str(getattr(verdict, "reason", "")) or _("You are not allowed to do this.")
    for condition in transition.conditions:
        verdict = condition(instance)
        if not verdict:
            return str(verdict.reason)
    return None


def run(instance, name, *, actor, note="", data=None, **kwargs):
    """Check, take and save transition ``name`` of a locked tranche, report, objection or claim, and chain it.

    Refusals raise ``ApplicationError`` with the transition's reason. ``data`` is what the row
    vouches for besides the states (a payment's amount, date and voucher).
    """
    reason = explain(instance, name, actor)
    if reason:
        raise ApplicationError(reason, code="not_allowed")
    from_state = instance.state
    now = timezone.now()
    getattr(instance, name)(**kwargs)
    try:
        instance.save()
    except ConcurrentTransition:
        raise ApplicationError(
            _("Someone else acted on this at the same moment. Reload the page to see what happened."), code="concurrent"
        ) from None
    subject = SUBJECTS[type(instance)]
    owner = (
        {"organization": instance.organization} if isinstance(instance, OrganizationClaim)
        else {"application": instance.application}
    )
    return chain_append(
        **owner, subject=subject, subject_id=instance.pk,
        transition=f"{subject}.{name}", from_state=from_state, to_state=instance.state,
        actor=actor, note=note, data=data, at=now,
    )


def history(application, *, subject=None, subject_ids=None):
    """The chained rows of ``application`` (optionally of one subject kind), oldest first, with actors."""
    rows = TransitionLog.objects.filter(application=application).select_related("actor").order_by("seq")
    if subject is not None:
        rows = rows.filter(subject=subject)
    if subject_ids is not None:
        rows = rows.filter(subject_id__in=subject_ids)
    return rows


def history_of_organization(organization):
    """The rows of ``organization``'s own chain (its claims), oldest first, with actors."""
    return TransitionLog.objects.filter(organization=organization).select_related("actor").order_by("seq")
