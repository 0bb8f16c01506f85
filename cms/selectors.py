"""Reads shared by the public pages and the open-data views.

Each function runs a fixed number of queries whatever the number of rows (joins, annotations
and one prefetch each), so the public pages stay fast as calls and grants accumulate.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum
from django.urls import reverse
from wagtail.models import Page

from applications.models import Application, Objection, Organization, Report, Status, TransitionLog
from competitions.models import (
    Competition,
    OrganizationCategory,
    RegistrationStatus,
    ServiceArea,
)
from competitions.selectors import open_competitions

# An application counts as a grant from its award on, whatever happened to it later.
GRANTED = [Status.AWARDED, Status.CONTRACTED, Status.COMPLETED, Status.TERMINATED]


def _share(part, whole):
    if not whole:
        return Decimal("0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ----- calls ------------------------------------------------------------------------------------


def _attach_pages(competitions):
    from .models import CallPage

    ids = [c.pk for c in competitions]
    pages = {p.competition_id: p for p in CallPage.objects.live().filter(competition_id__in=ids)}
    for competition in competitions:
        competition.page = pages.get(competition.pk)
    return competitions


def open_calls(*, now, limit=None):
    """Open calls, soonest closing first, each with ``.page`` (its live CallPage, or None)."""
    qs = open_competitions(now=now)
    if limit is not None:
        qs = qs[:limit]
    return _attach_pages(list(qs))


def call_pages(*, parent):
    from .models import CallPage

    return (
        CallPage.objects.live().child_of(parent)
        .select_related("competition", "competition__bureau")
        .order_by("-competition__opens_at", "-pk")
    )


def apply_url(competition_id):
    """Where the call page's apply button leads: the applicant portal's start of an application."""
    return reverse("applications:apply", args=[competition_id])


def countdown(target, now):
    """(days, hours, minutes) left until ``target``; zeros once it has passed."""
    seconds = max(0, int((target - now).total_seconds()))
    return seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60


def _labels(values, choices):
    return [str(choices(v).label) for v in values or [] if v in choices.values]


def call_details(competition_id, *, now):
    """Everything a call page shows about its call, read from the call (4 queries)."""
    competition = (
        Competition.objects.select_related("bureau", "eligible_region")
        .annotate(application_count=Count("applications", filter=~Q(applications__status=Status.DRAFT)))
        .get(pk=competition_id)
    )
    criteria = list(competition.criteria.all())
    phase = competition.phase(now)
    target = competition.opens_at if phase == "upcoming" else competition.closes_at
    days, hours, minutes = countdown(target, now)
    from .models import PublicityPage, ResultsPage

    announcements = list(
        Page.objects.live().filter(
            Q(pk__in=PublicityPage.objects.filter(competition_id=competition_id).values("pk"))
            | Q(pk__in=ResultsPage.objects.filter(competition_id=competition_id).values("pk"))
        ).order_by("-first_published_at")
    )
    return {
        "call": competition,
        "phase": phase,
        "countdown": {"days": days, "hours": hours, "minutes": minutes, "target": target},
        "categories": _labels(competition.allowed_categories, OrganizationCategory),
        "service_areas": _labels(competition.allowed_service_areas, ServiceArea),
        "registration_statuses": _labels(competition.allowed_registration_statuses, RegistrationStatus),
        "review_criteria": [c for c in criteria if c.stage == "review"],
        "pitch_criteria": [c for c in criteria if c.stage == "pitch"],
        "apply_url": apply_url(competition.pk),
        "call_announcements": announcements,
    }


# ----- news and announcements ---------------------------------------------------------------------


def latest_news(*, limit):
    from .models import NewsPage

    return list(NewsPage.objects.live().order_by("-date", "-pk")[:limit])


def latest_announcements(*, limit):
    from .models import PublicityPage, ResultsPage

    return list(
        Page.objects.live().type(PublicityPage, ResultsPage).order_by("-first_published_at", "-pk")[:limit]
    )


# ----- headline figures ---------------------------------------------------------------------------


def headline_figures(*, now):
    """The home page's figures, each computed from the records (3 queries)."""
    grants = Application.objects.filter(status__in=GRANTED).aggregate(
        count=Count("pk"),
        total=Sum("awarded_amount"),
        rural=Sum("awarded_amount", filter=Q(organization__community__is_rural=True)),
        organizations=Count("organization", distinct=True),
    )
    total = grants["total"] or Decimal("0")
    organizations = listed_organizations().count()
    calls = Competition.objects.filter(opens_at__lte=now, closes_at__gte=now).count()
    return {
        "grant_count": grants["count"],
        "grant_total": total,
        "rural_share": _share(grants["rural"] or 0, total),
        "funded_organizations": grants["organizations"],
        "organizations": organizations,
        "open_calls": calls,
    }


# ----- 公示 ---------------------------------------------------------------------------------------


def publicity_details(page):
    """Entries of a 公示 with organization, amount, score and objection outcomes (3-4 queries).

    Objections are loaded without the objector's name, phone or organization: the public page
    shows outcomes only.
    """
    objections = Prefetch(
        "application__objections",
        queryset=Objection.objects.only("pk", "application_id", "state", "created_at", "decided_at").order_by("created_at"),
    )
    entries = list(
        page.entries.select_related(
            "application", "application__organization", "application__organization__community"
        ).prefetch_related(objections)
    )
    panel = []
    competition = Competition.objects.select_related("bureau").get(pk=page.competition_id)
    if competition.show_panel_names and entries:
        from review.models import Assignment

        rows = (
            Assignment.objects.filter(application__in=[e.application_id for e in entries])
            .exclude(state=Assignment.State.DECLINED)
            .values_list("reviewer__full_name", "reviewer__username")
            .distinct()
            .order_by("reviewer__full_name", "reviewer__username")
        )
        panel = sorted({full or username for full, username in rows})
    total = sum((e.application.awarded_amount or Decimal("0") for e in entries), Decimal("0"))
    return {
        "call": competition,
        "entries": entries,
        "panel_names": panel,
        "entries_total": total,
        "scores_available": any(e.final_score is not None for e in entries),
    }


# ----- grants, results, showcase -----------------------------------------------------------------


def _award_time():
    return Subquery(
        TransitionLog.objects.filter(application=OuterRef("pk"), to_state=Status.AWARDED)
        .order_by("seq").values("at")[:1]
    )


def grants(*, competition_id=None):
    """Awarded (and later) applications with what the results page and open data show."""
    qs = Application.objects.filter(status__in=GRANTED)
    if competition_id is not None:
        qs = qs.filter(competition_id=competition_id)
    return (
        qs.select_related(
            "organization", "organization__community", "competition", "competition__bureau"
        )
        .annotate(awarded_at=_award_time())
        .order_by("-competition__year", "competition_id", "reference", "pk")
    )


def grant_totals(*, competition_id=None):
    qs = Application.objects.filter(status__in=GRANTED)
    if competition_id is not None:
        qs = qs.filter(competition_id=competition_id)
    totals = qs.aggregate(
        count=Count("pk"),
        total=Sum("awarded_amount"),
        rural=Sum("awarded_amount", filter=Q(organization__community__is_rural=True)),
        rural_count=Count("pk", filter=Q(organization__community__is_rural=True)),
    )
    total = totals["total"] or Decimal("0")
    rural = totals["rural"] or Decimal("0")
    return {
        "count": totals["count"],
        "total": total,
        "rural_total": rural,
        "rural_count": totals["rural_count"],
        "rural_share": _share(rural, total),
    }


def showcase_projects():
    """Completed projects whose final report was accepted with the grade excellent (优秀)."""
    final = Report.objects.filter(application=OuterRef("pk"), kind="final", grade=Report.Grade.EXCELLENT)
    return (
        Application.objects.filter(
            status=Status.COMPLETED, reports__kind="final", reports__grade=Report.Grade.EXCELLENT
        )
        .select_related("organization", "organization__community", "competition")
        .annotate(
            final_narrative=Subquery(final.values("narrative")[:1]),
            people_reached=Subquery(final.values("beneficiaries_reached")[:1]),
        )
        .order_by("-competition__year", "title", "pk")
    )


# ----- organization directory ---------------------------------------------------------------------


def listed_organizations():
    """Organizations the public sees (directory, figures, search): registered or filed, and verified
    by a bureau (its registry import, or staff who checked the registration evidence)."""
    return Organization.objects.filter(
        registration_status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.FILED], verified_at__isnull=False
    )


def _listed(*, region=None, category=None, initial=None):
    qs = listed_organizations()
    if region is not None:
        qs = qs.filter(Q(community__path=region.path) | Q(community__path__startswith=region.path + "/"))
    if category:
        qs = qs.filter(category=category)
    if initial:
        qs = qs.filter(name_initial=initial)
    return qs


def directory(*, region=None, category=None, initial=None):
    """The directory's organizations in pinyin order (see ``pinyin_key``), with their grant counts."""
    qs = _listed(region=region, category=category, initial=initial).select_related("community", "community__parent")
    return qs.annotate(grant_count=Count("applications", filter=Q(applications__status__in=GRANTED))).order_by(
        "name_pinyin", "pk"
    )


def directory_counts(*, region=None, category=None, initial=None):
    """How many organizations each letter and each category would show, the other filters kept
    (two queries): ``{"initials": {"A": 3, ...}, "categories": {"life_service": 5, ...}}``."""
    initials = _listed(region=region, category=category).values_list("name_initial").annotate(n=Count("pk"))
    categories = _listed(region=region, initial=initial).values_list("category").annotate(n=Count("pk"))
    return {"initials": dict(initials.order_by()), "categories": dict(categories.order_by())}



# ----- public figures -----------------------------------------------------------------------------

PUBLIC_TABLES = ("cities", "counties", "service_area", "city_funds", "rural_share")


def public_figures():
    """The province-wide cultivation figures the public sees (aggregates only: no person, no
    organization named), from the same selector as the back-office dashboard."""
    from applications.figures import cultivation_figures

    figures = cultivation_figures(region=None, year=None)
    tables = [figures.table(key) for key in PUBLIC_TABLES]
    return {"figures": figures, "tables": tables, "totals": figures.totals}
