"""Reads of applications and organizations that several pages share.

The staff back office (Wagtail admin) and any other staff page take their querysets from here,
so that bureau scoping and the ``select_related`` that keeps list pages at a fixed number of
queries live in one place.
"""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .models import Application, Attachment, Organization, Status, TransitionLog


def _is_site_admin(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def _bureau_id(user):
    """The bureau whose data ``user`` works on, or None when they are not bureau staff."""
    if user and user.is_authenticated and user.is_active and user.is_staff and user.bureau_id:
        return user.bureau_id
    return None


def staff_applications(*, user) -> QuerySet:
    """Applications a staff member may see: their bureau's calls (site admins: every call).

    Drafts belong to the organization until submitted, so staff never see them.
    """
    queryset = Application.objects.exclude(status=Status.DRAFT)
    if _is_site_admin(user):
        return queryset
    bureau_id = _bureau_id(user)
    if bureau_id is None:
        return queryset.none()
    return queryset.filter(competition__bureau_id=bureau_id)


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
    queryset = Organization.objects.all()
    if _is_site_admin(user):
        return queryset
    bureau_id = _bureau_id(user)
    if bureau_id is None:
        return queryset.none()
    applied = Application.objects.filter(
        organization=OuterRef("pk"), competition__bureau_id=bureau_id
    ).exclude(status=Status.DRAFT)
    return queryset.filter(Exists(applied))


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

    from competitions.models import Competition

    calls = Competition.objects.order_by("-opens_at")
    if not _is_site_admin(user):
        bureau_id = _bureau_id(user)
        if bureau_id is None:
            return []
        calls = calls.filter(bureau_id=bureau_id)
    calls = list(calls.select_related("bureau")[:limit])
    counts = {}
    rows = (
        Application.objects.filter(competition__in=calls).exclude(status=Status.DRAFT)
        .values_list("competition_id", "status").annotate(n=Count("id")).order_by()
    )
    for competition_id, status, n in rows:
        counts.setdefault(competition_id, {})[status] = n
    return [(call, counts.get(call.pk, {}), sum(counts.get(call.pk, {}).values())) for call in calls]
