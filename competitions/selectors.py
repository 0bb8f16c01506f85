from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from .models import Bureau, Competition
from .permissions import is_site_admin, staff_bureau_id


def open_competitions(*, now):
    return (
        Competition.objects.filter(opens_at__lte=now, closes_at__gte=now)
        .select_related("bureau")
        .annotate(application_count=Count("applications", filter=~Q(applications__status="draft")))
        .order_by("closes_at")
    )


def staff_scope(queryset, user, *, bureau_path="bureau"):
    """``queryset`` narrowed to what ``user`` may see as staff (``competitions.permissions``):
    everything for a site admin, their bureau's for bureau staff, nothing for anyone else.

    ``bureau_path`` leads from the queryset's model to the Bureau (e.g. ``competition__bureau``).
    """
    if is_site_admin(user):
        return queryset
    bureau_id = staff_bureau_id(user)
    if bureau_id is None:
        return queryset.none()
    return queryset.filter(**{f"{bureau_path}_id": bureau_id})


def staff_competitions(user):
    """The calls ``user`` runs as staff: every call for a site admin, none for a non-staff user."""
    return staff_scope(Competition.objects.all(), user)


def staff_bureaus(user):
    """The bureaus ``user`` acts for: every bureau for a site admin, their own for bureau staff."""
    if is_site_admin(user):
        return Bureau.objects.all()
    return Bureau.objects.filter(pk=staff_bureau_id(user) or 0)


def bureau_staff_users(bureau_id):
    """The active staff of a bureau (to be told of what happens in its calls)."""
    return get_user_model().objects.filter(bureau_id=bureau_id, is_staff=True, is_active=True)
