"""Open data: every grant as 360Giving-style records (JSON and CSV) and the open calls.

Identifiers start with ``settings.OPEN_DATA_ID_PREFIX`` and are stable: a grant's id is built
from its reference number, an organization's from its unified social credit code (or, for a
filed organization without one, from our record number).
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.links import absolute_url
from applications.cultivation import RURAL_TARGET, URBAN_TARGET
from competitions.models import ServiceArea

from . import selectors


def _prefix():
    return settings.OPEN_DATA_ID_PREFIX


def _date(value):
    """A date for the CSV (YYYY-MM-DD)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date().isoformat()
    return value.isoformat()


def _datetime(value):
    """A full date-time for the JSON.

    The schema accepts "a date-time or YYYY-MM-DD" through ``oneOf``; validators that do not
    check the date-time format count a plain date as matching both and reject it, so the JSON
    always gives the full date-time (a day is given as its midnight in Beijing).
    """
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = timezone.make_aware(dt.datetime.combine(value, dt.time.min))
    return timezone.localtime(value).isoformat()


def _number(value):
    """Amounts as JSON numbers: integers when whole (360Giving: no commas or symbols)."""
    if value is None:
        return 0
    return int(value) if value == value.to_integral_value() else float(value)


def organization_id(org):
    return f"{_prefix()}-org-{org.credit_code}" if org.credit_code else f"{_prefix()}-org-local-{org.pk}"


def grant_queryset():
    return selectors.grants().annotate(
        paid=Sum("disbursements__amount", filter=Q(disbursements__state="paid"))
    )


def page_url(page, request=None):
    """A Wagtail page's address: on the request's host and port (a Wagtail Site's own hostname
    and port are not necessarily where the site is served), else under ``SITE_URL``."""
    parts = page.get_url_parts(request)
    if not parts or parts[2] is None:
        return None
    return absolute_url(parts[2], request)


def grant_record(app, request=None):
    """One grant; its addresses on the request's host (``SITE_URL`` without a request)."""
    org, call = app.organization, app.competition
    community = org.community
    record = {
        "id": f"{_prefix()}-{app.reference or app.pk}",
        "title": app.title[:140],
        "description": app.summary or app.title,
        "currency": "CNY",
        "amountAppliedFor": _number(app.requested_amount),
        "amountAwarded": _number(app.awarded_amount),
        "amountDisbursed": _number(app.paid),
        "awardDate": _datetime(app.awarded_at or app.publicity_ends_at or app.updated_at),
        **({"url": absolute_url(reverse("project_disclosure", args=[app.reference]), request)} if app.reference else {}),
        "recipientOrganization": [{
            "id": organization_id(org),
            "name": org.name,
            **({"companyNumber": org.credit_code} if org.credit_code else {}),
            "addressLocality": community.name,
            "addressCountry": "CN",
        }],
        "fundingOrganization": [{"id": f"{_prefix()}-bureau-{call.bureau_id}", "name": call.bureau.name}],
        "grantProgramme": [{"code": f"{_prefix()}-call-{call.pk}", "title": call.title}],
        "beneficiaryLocation": [{"name": app.place or community.name, "countryCode": "CN"}],
        "fromOpenCall": "Yes",
        "classifications": [
            {"vocabulary": f"{_prefix()}-fund-source", "code": call.fund_source, "title": call.get_fund_source_display()},
            {"vocabulary": f"{_prefix()}-rural", "code": "rural" if community.is_rural else "urban",
             "title": str(_("Rural community") if community.is_rural else _("Urban community"))},
        ],
        "dateModified": timezone.localtime(app.updated_at).isoformat(),
    }
    if app.service_area:
        record["classifications"].insert(0, {
            "vocabulary": f"{_prefix()}-service-area", "code": app.service_area,
            "title": str(ServiceArea(app.service_area).label),
        })
    if app.start_date and app.end_date:
        record["plannedDates"] = [{"startDate": _datetime(app.start_date), "endDate": _datetime(app.end_date)}]
    return record


CSV_COLUMNS = [
    ("Identifier", lambda r: r["id"]),
    ("Title", lambda r: r["title"]),
    ("Description", lambda r: r["description"]),
    ("Currency", lambda r: r["currency"]),
    ("Amount Applied For", lambda r: r["amountAppliedFor"]),
    ("Amount Awarded", lambda r: r["amountAwarded"]),
    ("Amount Disbursed", lambda r: r["amountDisbursed"]),
    ("Award Date", lambda r: r["awardDate"][:10]),
    ("URL", lambda r: r.get("url", "")),
    ("Recipient Org:Identifier", lambda r: r["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda r: r["recipientOrganization"][0]["name"]),
    ("Recipient Org:City", lambda r: r["recipientOrganization"][0]["addressLocality"]),
    ("Funding Org:Identifier", lambda r: r["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda r: r["fundingOrganization"][0]["name"]),
    ("Grant Programme:Code", lambda r: r["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", lambda r: r["grantProgramme"][0]["title"]),
    ("Beneficiary Location:Name", lambda r: r["beneficiaryLocation"][0]["name"]),
    ("Planned Dates:Start Date", lambda r: (r.get("plannedDates") or [{}])[0].get("startDate", "")[:10]),
    ("Planned Dates:End Date", lambda r: (r.get("plannedDates") or [{}])[0].get("endDate", "")[:10]),
    ("From An Open Call?", lambda r: r["fromOpenCall"]),
    ("Last Modified", lambda r: r["dateModified"]),
]


def call_record(competition, request=None):
    """One open call; its addresses on the request's host (``SITE_URL`` without a request)."""
    page = getattr(competition, "page", None)
    return {
        "id": f"{_prefix()}-call-{competition.pk}",
        "title": competition.title,
        "bureau": competition.bureau.name,
        "fundSource": competition.fund_source,
        "fundSourceTitle": str(competition.get_fund_source_display()),
        "currency": "CNY",
        "totalBudget": _number(competition.total_budget),
        "minAmount": _number(competition.min_amount),
        "maxAmount": _number(competition.max_amount),
        "opensAt": timezone.localtime(competition.opens_at).isoformat(),
        "closesAt": timezone.localtime(competition.closes_at).isoformat(),
        "eligibleCategories": competition.allowed_categories,
        "eligibleServiceAreas": competition.allowed_service_areas,
        "url": page_url(page, request) if page is not None else None,
        "applyUrl": absolute_url(selectors.apply_url(competition.pk), request),
    }


def figures_record(figures):
    """The public figures as JSON: each table's column titles and rows, and the totals."""

    def plain(value):
        if isinstance(value, Decimal):
            return _number(value)
        return value

    totals = figures["totals"]
    return {
        "targets": {"perUrbanCommunity": URBAN_TARGET, "perRuralCommunity": RURAL_TARGET},
        "currency": "CNY",
        "totals": {
            "organizations": totals["organizations"], "communities": totals["communities"],
            "counties": totals["counties"], "countiesBelowTarget": totals["counties_below"],
            "communitiesBelowTarget": totals["communities_below"],
            "amountAppliedFor": _number(totals["requested"]), "amountAwarded": _number(totals["awarded"]),
            "amountDisbursed": _number(totals["paid"]), "grants": totals["grants"],
            "amountAwardedRural": _number(totals["rural_awarded"]), "ruralShare": _number(totals["rural_share"]),
        },
        "tables": [
            {"key": t.key, "title": t.title, "columns": [c.title for c in t.columns],
             "rows": [[plain(v) for v in row] for row in t.sheet_rows()]}
            for t in figures["tables"]
        ],
    }
