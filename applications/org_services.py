"""Organization profile edits and membership by invitation (the applicant side of organizations)."""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import OrganizationInvitation

from . import permissions as perms
from .models import Membership, Organization
from .selectors import staff_organizations
from .services import ApplicationError

PROFILE_FIELDS = (
    "name", "credit_code", "registration_status", "filing_record", "category", "community", "founded",
    "head_name", "head_is_party_member", "staff_count", "social_worker_count", "contact_name",
    "contact_phone", "contact_email", "address", "description",
)


def _validation_message(exc):
    return " ".join(str(m) for msgs in exc.message_dict.values() for m in msgs)


def organization_update(*, organization, actor, **fields):
    """Change the profile. Members may edit; the credit code stays valid and unique."""
    if not perms.is_member(actor, organization):
        raise ApplicationError(_("Only members of the organization can change its profile."), code="forbidden")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        before = [getattr(org, name) for name in VOUCHED_FIELDS]
        for name, value in fields.items():
            setattr(org, name, value)
        if org.credit_code == "":
            org.credit_code = None
        if [getattr(org, name) for name in VOUCHED_FIELDS] != before:
            org.verified_at = org.verified_by = None  # the bureau vouched for the old particulars
        try:
            org.full_clean()
        except ValidationError as exc:
            raise ApplicationError(_validation_message(exc), code="invalid") from exc
        org.save()
    return org


# What a bureau checks when it verifies an organization: changing any of them needs a new check.
VOUCHED_FIELDS = ("name", "credit_code", "registration_status", "filing_record", "category", "community_id")


def organization_verify(*, organization, actor):
    """Bureau staff vouch for an organization after checking its registration evidence: from now on
    it is listed in the public directory and counted in the figures."""
    if not staff_organizations(user=actor).filter(pk=organization.pk).exists():
        raise ApplicationError(_("Only staff of a bureau whose calls this organization applied to can verify it."), code="forbidden")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        if org.verified_at is not None:
            raise ApplicationError(
                _("This organization was already verified on %(day)s.") % {"day": timezone.localtime(org.verified_at).date()},
                code="verified",
            )
        org.verified_at, org.verified_by = timezone.now(), actor
        org.save(update_fields=["verified_at", "verified_by"])
    organization.refresh_from_db()
    return org


def invitation_create(*, organization, actor, email, role=Membership.Role.EDITOR):
    """An owner invites someone by email; the mail goes out after commit."""
    if not perms.is_member(actor, organization, owner=True):
        raise ApplicationError(_("Only an owner of the organization can invite members."), code="forbidden")
    if role not in Membership.Role.values:
        raise ApplicationError(_("Choose owner or editor as the role."), code="invalid")
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ApplicationError(_("%(email)s is already a member of this organization.") % {"email": email}, code="duplicate")
    invitation = OrganizationInvitation.objects.create(
        organization=organization, email=email, role=role, token=secrets.token_urlsafe(32), invited_by=actor
    )
    account_services.notify(
        emails=[email], key=f"invitation:{invitation.pk}",
        subject=lambda: _("Invitation to join %(org)s on Commonweal") % {"org": organization.name},
        body=lambda: _(
            "%(who)s invites you to apply for grants together as a member of %(org)s.\n\n"
            "Open this link, sign in or create an account with this email address, and accept:"
        ) % {"who": actor.display_name, "org": organization.name},
        url=reverse("applications:invitation_accept", args=[invitation.token]),
    )
    return invitation


def invitation_accept(*, token, actor):
    """Accepting creates the membership once. The signed-in address must be the invited one."""
    with transaction.atomic():
        try:
            invitation = (
                OrganizationInvitation.objects.select_for_update().select_related("organization").get(token=token)
            )
        except OrganizationInvitation.DoesNotExist:
            raise ApplicationError(
                _("This invitation link is not valid. Ask the organization's owner to invite you again."),
                code="not_found",
            ) from None
        if invitation.accepted_at is not None:
            if invitation.accepted_by_id == actor.pk:
                return invitation
            raise ApplicationError(_("This invitation has already been used."), code="used")
        if actor.email.strip().lower() != invitation.email:
            raise ApplicationError(
                _("This invitation was sent to %(email)s; you are signed in as %(you)s. Sign in with the invited address.")
                % {"email": invitation.email, "you": actor.email},
                code="wrong_user",
            )
        try:
            with transaction.atomic():
                Membership.objects.create(organization=invitation.organization, user=actor, role=invitation.role)
        except IntegrityError:
            pass  # already a member: accepting again changes nothing
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = actor
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation
