from django.db.models import Count, Q

from .models import Competition


def open_competitions(*, now):
    return (
        Competition.objects.filter(opens_at__lte=now, closes_at__gte=now)
        .select_related("bureau")
        .annotate(application_count=Count("applications", filter=~Q(applications__status="draft")))
        .order_by("closes_at")
    )
