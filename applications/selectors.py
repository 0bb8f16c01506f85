"""Reads of applications and organizations that several pages share.

The staff back office (Wagtail admin) and any other staff page take their querysets from here,
so that bureau scoping and the ``select_related`` that keeps list pages at a fixed number of
queries live in one place.
"""

import hmac

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat

from competitions.models import Bureau
from competitions.permissions import is_site_admin, staff_bureau_id
from competitions.selectors import staff_competitions, staff_scope

from .models import Application, Attachment, Objection, Organization, OrganizationClaim, Status, TransitionLog


def members_of(application):
    """The people who act for the organization of ``application`` (they hear of its every step)."""
    return list(get_user_model().objects.filter(memberships__organization_id=application.organization_id).order_by("pk"))


def staff_applications(*, user) -> QuerySet:
    """Applications a staff member may see: their bureau's calls (site admins: every call).

    Drafts belong to the organization until submitted, so staff never see them.
    """
    return staff_scope(Application.objects.exclude(status=Status.DRAFT), user, bureau_path="competition__bureau")


# What a row of the staff listing shows; loading only these keeps a 50-row page cheap.
LISTING_FIELDS = (
    "id", "status", "reference", "title", "requested_amount", "submitted_at", "competition_id",
    "organization__name", "organization__category", "organization__community__is_rural",
)


def staff_application_listing(*, user, full=False) -> QuerySet:
    """``staff_applications`` with what a listing row shows joined in (one query per page).

    ``full`` loads whole rows and the call too, for exports that read more columns.
    """
    queryset = staff_applications(user=user)
    if full:
        return queryset.select_related("organization", "organization__community", "competition")
    return queryset.select_related("organization", "organization__community").only(*LISTING_FIELDS)


def staff_organizations(*, user) -> QuerySet:
    """Organizations that have applied (beyond a draft) to a call the staff member runs."""
    if is_site_admin(user):
        return Organization.objects.all()
    return Organization.objects.filter(Exists(staff_applications(user=user).filter(organization=OuterRef("pk"))))


def application_for_staff_page(*, user, pk) -> Application:
    """One application with what its staff page shows; DoesNotExist outside the user's scope."""
    return (
        staff_applications(user=user)
        .select_related(
            "organization", "organization__community", "competition", "competition__bureau",
            "competition__eligible_region",
        )
        .prefetch_related(
            "budget_lines",
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "id")),
        )
        .get(pk=pk)
    )


def application_timeline(*, application):
    """The application's transition log, oldest first, with the actors."""
    return TransitionLog.objects.filter(application=application).select_related("actor").order_by("seq")


# Columns of the staff dashboard: how many applications of a call wait at each stage.
DASHBOARD_STAGES = (
    Status.SUBMITTED, Status.RETURNED, Status.ELIGIBLE, Status.UNDER_REVIEW, Status.REVIEWED,
    Status.SHORTLISTED, Status.RECOMMENDED, Status.PUBLICIZING, Status.CONTRACTED,
)


def staff_call_overview(*, user, limit=10):
    """The user's newest calls, each with its application count per status (2 queries).

    Returns a list of ``(competition, {status: count}, total)``.
    """
    from django.db.models import Count

    calls = list(staff_competitions(user).order_by("-opens_at").select_related("bureau")[:limit])
    counts = {}
    rows = (
        Application.objects.filter(competition__in=calls).exclude(status=Status.DRAFT)
        .values_list("competition_id", "status").annotate(n=Count("id")).order_by()
    )
    for competition_id, status, n in rows:
        counts.setdefault(competition_id, {})[status] = n
    return [(call, counts.get(call.pk, {}), sum(counts.get(call.pk, {}).values())) for call in calls]


# ----- 办件查询: following a case without an account ----------------------------------------------------


def case_by_code(reference, code):
    """The application with this reference number whose query code is ``code``, else None (the same
    None for a wrong code as for an unknown number, so the page tells nobody which numbers exist)."""
    reference, code = (reference or "").strip().upper(), (code or "").strip().upper()
    if not reference or not code:
        return None
    app = (
        Application.objects.filter(reference=reference).exclude(tracking_code="")
        .select_related("competition", "competition__bureau").first()
    )
    if app is None or not hmac.compare_digest(app.tracking_code, code):
        return None
    return app


def case_stages(application):
    """(stage label, when) for each step of the application itself, oldest first: no notes, no names."""
    rows = TransitionLog.objects.filter(application=application, subject=TransitionLog.Subject.APPLICATION).order_by("seq")
    return [(Status(to_state).label, at) for to_state, at in rows.values_list("to_state", "at")]


def objection_by_case(case_number):
    case_number = (case_number or "").strip().upper()
    if not case_number:
        return None
    return Objection.objects.filter(case_number=case_number).select_related("application").first()


def staff_claims(*, user) -> QuerySet:
    """Claims of registry organizations that ``user`` decides on: those whose community lies in the
    region of the user's bureau (the registry's rule); every claim for a site admin, none otherwise."""
    claims = OrganizationClaim.objects.all()
    if is_site_admin(user):
        return claims
    bureau_id = staff_bureau_id(user)
    if bureau_id is None:
        return claims.none()
    # The bureau's region path as a subquery: one query for the listing or the count, not two.
    path = Subquery(Bureau.objects.filter(pk=bureau_id).values("region__path")[:1])
    return claims.filter(Q(organization__community__path=path)
                         | Q(organization__community__path__startswith=Concat(path, Value("/"))))


def staff_claim_listing(*, user) -> QuerySet:
    """``staff_claims`` with what a listing row shows joined in (one query per page)."""
    return staff_claims(user=user).select_related("organization__community", "claimant").order_by("-created_at", "-id")
