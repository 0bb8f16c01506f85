"""Claiming an organization of a bureau's registry (申请认领).

An organization imported from a bureau's registry has no members. A person who signs up and gives
its credit code (or filing number) asks to claim it, with evidence (a letter stamped by the
organization, its registration certificate or filing record); staff of a bureau whose region holds
its community approve (the person becomes its owner) or refuse with a reason. Each step is a
transition of ``OrganizationClaim`` chained into the organization's own audit chain. At most one
claim of an organization is pending at a time: the organization row is locked while a claim is
made, and a partial unique index stops a second pending claim even if that lock were bypassed.

An organization that already has members is not claimed: whoever asks is told how to join it
(its owner's contact, masked, and the bureau that can help), never just "ask a member".
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from competitions.models import Bureau
from competitions.selectors import bureau_staff_users

from . import chain
from .errors import ApplicationError
from .models import Attachment, Membership, Organization, OrganizationClaim, TransitionLog, normalize_credit_code
from .uploads import store_attachment

CLAIM = TransitionLog.Subject.CLAIM


def find_organization(code):
    """The organization whose credit code, or (without one) filing number, is ``code``; or None."""
    code = normalize_credit_code(code or "")
    if not code:
        return None
    return (
        Organization.objects.filter(Q(credit_code=code) | Q(credit_code__isnull=True, filing_record=code))
        .select_related("community").first()
    )


def mask_email(email):
    """``zhang.san@example.org`` → ``z***@example.org``: enough to recognize, not to harvest."""
    local, _at, domain = (email or "").partition("@")
    return f"{local[:1]}***@{domain}" if local and domain else ""


def mask_phone(phone):
    """``13812345678`` → ``138****5678``."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else ""


def keeping_bureau(organization):
    """The bureau nearest to the organization's community among those whose region holds it."""
    path = organization.community.path
    ancestors = [path[:i] for i, c in enumerate(path) if c == "/"] + [path]
    return Bureau.objects.filter(region__path__in=ancestors).order_by("-region__level", "pk").select_related("region").first()


def owner_contact(organization):
    """The first owner's masked mail address and phone, as a short text (empty if there is no owner)."""
    owner = (
        Membership.objects.filter(organization=organization).select_related("user")
        .order_by("-role", "created_at").first()  # "owner" sorts after "editor": owners first
    )
    if owner is None:
        return ""
    parts = [mask_email(owner.user.email), mask_phone(owner.user.phone)]
    return "、".join(p for p in parts if p)


def how_to_join(organization):
    """What a person who is not a member of an organization with members can do to join it."""
    bureau = keeping_bureau(organization)
    contact = owner_contact(organization)
    message = _("%(org)s is already registered here and has members, so it is not claimed again: ask its owner "
                "to invite you (owner's contact: %(contact)s).") % {"org": organization.name, "contact": contact or _("not given")}
    if bureau is not None:
        message += " " + _("If you cannot reach the owner, %(bureau)s can help: call %(phone)s.") % {
            "bureau": bureau.name, "phone": bureau.contact_phone or _("the bureau's office")}
    return message


def code_taken_message(organization):
    """For a person who gives the code of an organization already here: claim it (no members yet), or join it."""
    if not Membership.objects.filter(organization=organization).exists():
        return _("%(org)s is already in the bureau's registry and has no members here yet. If it is yours, "
                 "ask to claim it instead of adding it again.") % {"org": organization.name}
    return how_to_join(organization)


def pending_claim_message(claim, actor):
    if claim.claimant_id == actor.pk:
        return _("You already asked to claim %(org)s on %(day)s; the bureau has not decided yet.") % {
            "org": claim.organization.name, "day": timezone.localtime(claim.created_at).date()}
    bureau = keeping_bureau(claim.organization)
    return _(
        "Someone else asked to claim %(org)s on %(day)s and the bureau has not decided yet; only one claim is "
        "considered at a time. If the organization is yours, tell %(bureau)s."
    ) % {"org": claim.organization.name, "day": timezone.localtime(claim.created_at).date(),
         "bureau": bureau.name if bureau else _("the bureau")}


def why_not_claimable(organization, actor):
    """Why ``actor`` cannot claim ``organization`` now (it has members, or a claim is pending), or ""."""
    if Membership.objects.filter(organization=organization).exists():
        return how_to_join(organization)
    pending = (
        OrganizationClaim.objects.filter(organization=organization, state=OrganizationClaim.State.PENDING)
        .select_related("organization").first()
    )
    return pending_claim_message(pending, actor) if pending is not None else ""


def _refuse_if_not_claimable(organization, actor):
    reason = why_not_claimable(organization, actor)
    if reason:
        raise ApplicationError(reason, code="not_claimable")


def claim_submit(*, organization, actor, uploaded, note=""):
    """Ask to claim ``organization``: store the evidence, make the pending claim, chain it, tell the bureau."""
    if uploaded is None:
        raise ApplicationError(
            _("Upload the evidence that the organization is yours: its registration certificate or filing record, "
              "or a letter stamped by it."), code="invalid", field="evidence")
    _refuse_if_not_claimable(organization, actor)  # before storing a file for nothing
    evidence = store_attachment(uploaded=uploaded, kind=Attachment.Kind.CLAIM, identifying=True, uploaded_by=actor)
    try:
        with transaction.atomic():
            org = Organization.objects.select_for_update().select_related("community").get(pk=organization.pk)
            _refuse_if_not_claimable(org, actor)  # again, under the lock: the other claim may just have committed
            try:
                with transaction.atomic():
                    claim = OrganizationClaim.objects.create(organization=org, claimant=actor, evidence=evidence,
                                                             note=(note or "").strip())
            except IntegrityError:
                raise ApplicationError(
                    pending_claim_message(OrganizationClaim.objects.get(organization=org, state=OrganizationClaim.State.PENDING), actor),
                    code="pending") from None
            chain.chain_append(organization=org, subject=CLAIM, subject_id=claim.pk, transition="claim.submit",
                               to_state=claim.state, actor=actor, note=claim.note,
                               data={"claimant": actor.pk, "evidence_sha256": evidence.sha256})
            bureau = keeping_bureau(org)
            if bureau is not None:
                account_services.notify(
                    users=list(bureau_staff_users(bureau.pk)), key=f"claim:{claim.pk}:submitted",
                    subject=lambda: _("%(who)s asks to claim %(org)s") % {"who": actor.display_name, "org": org.name},
                    body=lambda: _("Check the evidence and approve or refuse the claim.") ,
                    url=reverse("claim_decide", args=[claim.pk]),
                )
    except BaseException:
        evidence.file.delete(save=False)
        Attachment.objects.filter(pk=evidence.pk).delete()
        raise
    return claim


def _locked(claim):
    return OrganizationClaim.objects.select_for_update(of=("self",)).select_related(
        "organization__community", "claimant", "evidence").get(pk=claim.pk)


def claim_approve(*, claim, actor):
    """The claimant becomes the organization's owner; the evidence becomes the organization's file."""
    with transaction.atomic():
        claim = _locked(claim)
        org = Organization.objects.select_for_update().get(pk=claim.organization_id)
        if claim.state == OrganizationClaim.State.PENDING and Membership.objects.filter(organization=org).exists():
            raise ApplicationError(_("%(org)s has gained members since the claim was made; refuse the claim and tell "
                                     "the person to ask its owner.") % {"org": org.name}, code="has_members")
        now = timezone.now()
        chain.run(claim, "approve", actor=actor, decider=actor, now=now, data={"owner": claim.claimant_id})
        Membership.objects.create(organization=org, user=claim.claimant, role=Membership.Role.OWNER)
        if claim.evidence_id:
            Attachment.objects.filter(pk=claim.evidence_id).update(organization=org)
        account_services.notify(
            users=[claim.claimant], key=f"claim:{claim.pk}:approved",
            subject=lambda: _("Your claim of %(org)s is approved") % {"org": org.name},
            body=lambda: _("You are now the owner of %(org)s: complete its profile, invite your colleagues and apply "
                           "for grants.") % {"org": org.name},
            url=reverse("applications:organization_detail", args=[org.pk]),
        )
    return claim


def claim_refuse(*, claim, actor, reason):
    """Refuse with a reason the claimant reads in the notification and on the claim's page."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for refusing: the person reads it and can act on it."),
                               code="invalid", field="reason")
    with transaction.atomic():
        claim = _locked(claim)
        chain.run(claim, "refuse", actor=actor, note=reason, decider=actor, now=timezone.now(), reason=reason)
        org = claim.organization
        account_services.notify(
            users=[claim.claimant], key=f"claim:{claim.pk}:refused",
            subject=lambda: _("Your claim of %(org)s is refused") % {"org": org.name},
            body=lambda: _("The bureau's reason: %(reason)s") % {"reason": reason},
            url=reverse("applications:claim_detail", args=[claim.pk]),
        )
    return claim


def claims_of(user):
    """A person's own claims, newest first."""
    return OrganizationClaim.objects.filter(claimant=user).select_related("organization").order_by("-created_at", "-id")
