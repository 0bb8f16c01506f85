"""The cultivation figures a bureau reports every year, for the back-office dashboard, the annual
report PDF and the public figures page (one source, so the three never disagree).

Every figure comes from grouped queries: the number of queries is fixed (about a dozen) whatever
the number of organizations, applications or payments. Organizations are counted as the policy
counts them (registered or filed, verified by a bureau, see ``cultivation.COUNTED``); their number
is today's, the year filter applies to the money (the call's year).

Funds are placed where they go: an application counts in the county and city of its
organization's community, whichever bureau ran the call. Requested is what applications past
draft (and not withdrawn) asked for; awarded is what grants (awarded and later) received; paid is
the tranches paid. The rural share of a call is over all of that call's grants, against the
minimum the call set.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from competitions.models import FundSource, OrganizationCategory, Region, RegistrationStatus, ServiceArea

from . import charts
from .cultivation import COUNTED, RURAL_TARGET, URBAN_TARGET, CountyFigures, county_figures, within
from .models import Application, Disbursement, Organization, Report, Status

GRANTED = (Status.AWARDED, Status.CONTRACTED, Status.COMPLETED, Status.TERMINATED)
NOT_REQUESTED = (Status.DRAFT, Status.WITHDRAWN)
LOTTERY_AREAS = ("elderly", "disability", "orphans", "poverty")  # 扶老、助残、救孤、济困


def share(part, whole):
    """``part`` as a percentage of ``whole`` to one decimal (0 when there is no whole)."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ----- tables ------------------------------------------------------------------------------------


@dataclass
class Column:
    title: str
    kind: str = "text"  # text, int, money, decimal, percent, yesno


@dataclass
class Table:
    """One table of the dashboard, the report and the XLSX export: raw values in ``rows``."""

    key: str
    title: str
    columns: list
    rows: list
    chart: str = ""
    note: str = ""

    def display(self, value, kind):
        if value is None or value == "":
            return "—"
        if kind == "money":
            return floatformat(value, "2g")
        if kind == "percent":
            return f"{value}%"
        if kind == "yesno":
            return str(_("yes")) if value else str(_("below target"))
        return str(value)

    @property
    def display_rows(self):
        return [[(self.display(v, c.kind), c.kind) for v, c in zip(row, self.columns)] for row in self.rows]

    def sheet_rows(self):
        """Rows for the spreadsheet: numbers as numbers, yes/no and labels as text."""
        out = []
        for row in self.rows:
            cells = []
            for value, column in zip(row, self.columns):
                if column.kind == "yesno":
                    value = self.display(value, "yesno")
                elif column.kind in ("money", "decimal", "percent") and value is not None:
                    value = float(value)
                elif value is not None and not isinstance(value, (int, float)):
                    value = str(value)
                cells.append(value)
            out.append(cells)
        return out


@dataclass
class Figures:
    region: object
    year: object
    counties: list
    cities: list
    below: list
    tables: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)

    def table(self, key):
        return next(t for t in self.tables if t.key == key)


# ----- scope ---------------------------------------------------------------------------------------


def region_choices(scope):
    """The cities and counties a person scoped to ``scope`` (None: the province) may filter by."""
    qs = Region.objects.filter(level__in=[Region.Level.CITY, Region.Level.COUNTY])
    if scope is not None:
        qs = qs.filter(within("", scope))
    return list(qs.order_by("path"))


def year_choices():
    from competitions.models import Competition

    return sorted(set(Competition.objects.values_list("year", flat=True)), reverse=True)


# ----- the figures -------------------------------------------------------------------------------


def _city_figures(counties):
    cities = {}
    for c in counties:
        city = c.county.parent if c.county.parent and c.county.parent.level == Region.Level.CITY else c.county
        total = cities.setdefault(city.pk, CountyFigures(county=city))
        total.urban_communities += c.urban_communities
        total.urban_organizations += c.urban_organizations
        total.rural_communities += c.rural_communities
        total.rural_organizations += c.rural_organizations
    return list(cities.values())


def communities_below_target(*, region=None):
    """Communities with fewer counted organizations than their own target (one query)."""
    target = Case(When(is_rural=True, then=Value(RURAL_TARGET)), default=Value(URBAN_TARGET), output_field=IntegerField())
    return list(
        Region.objects.filter(within("", region), level=Region.Level.COMMUNITY)
        .annotate(n=Count("organizations", filter=COUNTED), target=target)
        .filter(n__lt=target)
        .select_related("parent", "parent__parent")
        .order_by("path")
    )


def _applications(region, year):
    qs = Application.objects.filter(within("organization__community", region))
    if year:
        qs = qs.filter(competition__year=year)
    return qs


def _fund_rows(region, year):
    """Requested, awarded and paid grouped by fund source, service area, county, city and year (two queries)."""
    dims = ("competition__fund_source", "service_area", "organization__community__parent__parent__name",
            "organization__community__parent__parent__parent__name", "competition__year")
    apps = (
        _applications(region, year).exclude(status__in=NOT_REQUESTED).values(*dims)
        .annotate(requested=Sum("requested_amount"), awarded=Sum("awarded_amount", filter=Q(status__in=GRANTED)),
                  rural=Sum("awarded_amount", filter=Q(status__in=GRANTED, organization__community__is_rural=True)),
                  grants=Count("pk", filter=Q(status__in=GRANTED)))
        .order_by()
    )
    paid_qs = Disbursement.objects.filter(state=Disbursement.State.PAID, application__in=_applications(region, year))
    paid = paid_qs.values(*(f"application__{d}" for d in dims)).annotate(paid=Sum("amount")).order_by()
    rows = defaultdict(lambda: {"requested": Decimal("0"), "awarded": Decimal("0"), "paid": Decimal("0"),
                                "rural": Decimal("0"), "grants": 0})
    for row in apps:
        key = tuple(row[d] for d in dims)
        for name in ("requested", "awarded", "rural"):
            rows[key][name] += row[name] or Decimal("0")
        rows[key]["grants"] += row["grants"]
    for row in paid:
        rows[tuple(row[f"application__{d}"] for d in dims)]["paid"] += row["paid"] or Decimal("0")
    return rows


def _group(fund_rows, index, order, label):
    totals = defaultdict(lambda: [Decimal("0"), Decimal("0"), Decimal("0")])
    for key, sums in fund_rows.items():
        entry = totals[key[index]]
        entry[0] += sums["requested"]
        entry[1] += sums["awarded"]
        entry[2] += sums["paid"]
    keys = [k for k in order if k in totals] + sorted((k for k in totals if k not in order), key=lambda k: str(k))
    return [[label(k), *totals[k]] for k in keys]


def _area_label(value):
    if not value:
        return str(_("Not given"))
    area = str(ServiceArea(value).label) if value in ServiceArea.values else value
    return area


def _funds_chart(table, title):
    labels = [row[0] for row in table.rows]
    series = [(table.columns[i].title, [row[i] for row in table.rows]) for i in (1, 2, 3)]
    return charts.bar_chart(labels, series, title=title, fmt=charts.money_text)


def rural_shares(*, region=None, year=None):
    """Each call with grants in ``region``: its grants in total, to rural organizations, the share
    and the call's minimum (two queries)."""
    calls = _applications(region, year).filter(status__in=GRANTED).values("competition_id")
    return list(
        Application.objects.filter(status__in=GRANTED, competition_id__in=calls)
        .values("competition_id", "competition__title", "competition__year", "competition__rural_min_share")
        .annotate(total=Sum("awarded_amount"),
                  rural=Sum("awarded_amount", filter=Q(organization__community__is_rural=True)))
        .order_by("-competition__year", "competition__title")
    )


def beneficiaries(*, region=None, year=None):
    """People to be served (planned in the grants) and served (reported in final reports) by service area (two queries)."""
    planned = dict(
        _applications(region, year).filter(status__in=GRANTED).values_list("service_area")
        .annotate(n=Sum("beneficiaries")).order_by()
    )
    reported = dict(
        Report.objects.filter(kind="final", state__in=[Report.State.SUBMITTED, Report.State.ACCEPTED],
                              application__in=_applications(region, year).filter(status__in=GRANTED))
        .values_list("application__service_area").annotate(n=Sum("beneficiaries_reached")).order_by()
    )
    keys = [a for a in ServiceArea.values if a in planned or a in reported]
    keys += [k for k in {**planned, **reported} if k not in keys]
    return [(k, planned.get(k) or 0, reported.get(k) or 0) for k in keys]


def awarded_projects(*, region=None, year=None):
    """The grants in scope with their organization and call (one query), for the annual report."""
    return list(
        _applications(region, year).filter(status__in=GRANTED)
        .select_related("organization", "organization__community", "organization__community__parent__parent",
                        "competition")
        .order_by("-competition__year", "competition__title", "reference", "pk")
    )


def _county_rows(items, *, parent=False):
    rows = []
    for c in items:
        row = [c.county.name]
        if parent:
            row.append(c.county.parent.name if c.county.parent else "")
        row += [c.urban_communities, c.urban_organizations, c.urban_average,
                c.rural_communities, c.rural_organizations, c.rural_average, c.meets_target]
        rows.append(row)
    return rows


def _county_columns(first, *, parent=False):
    columns = [Column(first)]
    if parent:
        columns.append(Column(str(Region.Level.CITY.label)))
    return columns + [
        Column(str(_("Urban communities")), "int"), Column(str(_("Organizations in them")), "int"),
        Column(str(_("Per urban community")), "decimal"),
        Column(str(_("Rural communities")), "int"), Column(str(_("Organizations in them")), "int"),
        Column(str(_("Per rural community")), "decimal"), Column(str(_("Target met")), "yesno"),
    ]


def _average_chart(items, title):
    """Organizations per urban (rural) community, with the target as a dashed line when one kind shows."""
    labels = [c.county.name for c in items]
    series, targets = [], []
    if any(c.urban_communities for c in items):
        series.append((str(_("Per urban community")), [c.urban_average for c in items]))
        targets.append(URBAN_TARGET)
    if any(c.rural_communities for c in items):
        series.append((str(_("Per rural community")), [c.rural_average for c in items]))
        targets.append(RURAL_TARGET)
    if not series:
        return ""
    target = targets[0] if len(targets) == 1 else None
    return charts.bar_chart(labels, series, title=title, target=target,
                            target_label=str(_("target %(n)d") % {"n": target}) if target else "")


def cultivation_figures(*, region=None, year=None):
    """Every table of the dashboard (and of the annual report) for ``region`` (None: the province)
    and ``year`` (None: all years)."""
    counties = county_figures(region=region)
    cities = _city_figures(counties)
    below = communities_below_target(region=region)
    scope = Organization.objects.filter(within("community", region)).filter(
        registration_status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.FILED], verified_at__isnull=False
    )
    categories = dict(scope.values_list("category").annotate(n=Count("pk")).order_by())
    statuses = dict(
        Organization.objects.filter(within("community", region)).values_list("registration_status")
        .annotate(n=Count("pk")).order_by()
    )
    fund_rows = _fund_rows(region, year)
    calls = rural_shares(region=region, year=year)
    people = beneficiaries(region=region, year=year)

    figures = Figures(region=region, year=year, counties=counties, cities=cities, below=below)
    tables = figures.tables

    city_table = Table("cities", str(_("Organizations per community by city")), _county_columns(str(Region.Level.CITY.label)),
                       _county_rows(cities))
    city_table.chart = _average_chart(cities, city_table.title)
    county_table = Table("counties", str(_("Organizations per community by county")),
                         _county_columns(str(Region.Level.COUNTY.label), parent=True), _county_rows(counties, parent=True))
    county_table.chart = _average_chart(counties, county_table.title)
    tables += [city_table, county_table]
    tables.append(Table(
        "below", str(_("Communities below target")),
        [Column(str(_("Community"))), Column(str(_("Street or township"))), Column(str(Region.Level.COUNTY.label)),
         Column(str(_("Urban or rural"))), Column(str(_("Organizations")), "int"), Column(str(_("Target")), "int")],
        [[c.name, c.parent.name if c.parent else "", c.parent.parent.name if c.parent and c.parent.parent else "",
          str(_("Rural") if c.is_rural else _("Urban")), c.n, c.target] for c in below],
    ))
    category_rows = [[str(label), categories.get(value, 0)] for value, label in OrganizationCategory.choices]
    tables.append(Table("categories", str(_("Organizations by category")),
                        [Column(str(_("Category"))), Column(str(_("Organizations")), "int")], category_rows,
                        chart=charts.bar_chart([r[0] for r in category_rows], [(str(_("Organizations")), [r[1] for r in category_rows])],
                                               title=str(_("Organizations by category")))))
    status_rows = [[str(label), statuses.get(value, 0)] for value, label in RegistrationStatus.choices]
    tables.append(Table("statuses", str(_("Organizations by registration status")),
                        [Column(str(_("Registration status"))), Column(str(_("Organizations")), "int")], status_rows,
                        chart=charts.bar_chart([r[0] for r in status_rows], [(str(_("Organizations")), [r[1] for r in status_rows])],
                                               title=str(_("Organizations by registration status"))),
                        note=str(_("Unregistered organizations are not counted against the target."))))
    money = [Column(str(_("Requested (yuan)")), "money"), Column(str(_("Awarded (yuan)")), "money"),
             Column(str(_("Paid (yuan)")), "money")]
    for key, title, index, order, label, first in (
        ("fund_source", _("Funds by fund source"), 0, FundSource.values,
         lambda v: str(FundSource(v).label) if v in FundSource.values else str(v), _("Fund source")),
        ("service_area", _("Funds by service area"), 1, ServiceArea.values, _area_label, _("Service area")),
        ("county_funds", _("Funds by county"), 2, [c.county.name for c in counties], lambda v: v or "—", Region.Level.COUNTY.label),
        ("city_funds", _("Funds by city"), 3, [c.county.name for c in cities], lambda v: v or "—", Region.Level.CITY.label),
        ("year_funds", _("Funds by year"), 4, [], lambda v: str(v), _("Year")),
    ):
        table = Table(key, str(title), [Column(str(first)), *money], _group(fund_rows, index, order, label))
        table.chart = _funds_chart(table, table.title) if table.rows else ""
        tables.append(table)
    tables[-4].note = str(_("扶老、助残、救孤、济困 are the four areas the welfare lottery fund supports."))
    share_rows = []
    for c in calls:
        part = share(c["rural"] or 0, c["total"] or 0)
        share_rows.append([c["competition__title"], c["competition__year"], c["total"] or Decimal("0"),
                           c["rural"] or Decimal("0"), part, c["competition__rural_min_share"],
                           part >= c["competition__rural_min_share"]])
    tables.append(Table(
        "rural_share", str(_("Rural share of awards against the call's minimum")),
        [Column(str(_("Call"))), Column(str(_("Year"))), Column(str(_("Awarded (yuan)")), "money"),
         Column(str(_("To rural organizations (yuan)")), "money"), Column(str(_("Rural share")), "percent"),
         Column(str(_("Call's minimum")), "percent"), Column(str(_("Minimum met")), "yesno")],
        share_rows,
        chart=charts.bar_chart([r[0] for r in share_rows], [(str(_("Rural share")), [r[4] for r in share_rows]),
                                                           (str(_("Call's minimum")), [r[5] for r in share_rows])],
                               title=str(_("Rural share of awards against the call's minimum")),
                               fmt=lambda v: f"{v}%") if share_rows else "",
    ))
    people_rows = [[_area_label(k), planned, reported] for k, planned, reported in people]
    tables.append(Table(
        "beneficiaries", str(_("People served: planned and reported")),
        [Column(str(_("Service area"))), Column(str(pgettext_lazy("people served", "Planned")), "int"), Column(str(_("Reported in final reports")), "int")],
        people_rows,
        chart=charts.bar_chart([r[0] for r in people_rows], [(str(pgettext_lazy("people served", "Planned")), [r[1] for r in people_rows]),
                                                            (str(_("Reported in final reports")), [r[2] for r in people_rows])],
                               title=str(_("People served: planned and reported"))) if people_rows else "",
    ))
    requested = sum((s["requested"] for s in fund_rows.values()), Decimal("0"))
    awarded = sum((s["awarded"] for s in fund_rows.values()), Decimal("0"))
    rural = sum((s["rural"] for s in fund_rows.values()), Decimal("0"))
    figures.totals = {
        "organizations": sum(categories.values()),
        "communities": sum(c.urban_communities + c.rural_communities for c in counties),
        "counties": len(counties), "counties_below": sum(1 for c in counties if not c.meets_target),
        "communities_below": len(below),
        "requested": requested, "awarded": awarded,
        "paid": sum((s["paid"] for s in fund_rows.values()), Decimal("0")),
        "grants": sum(s["grants"] for s in fund_rows.values()),
        "rural_awarded": rural, "rural_share": share(rural, awarded),
        "lottery_areas_awarded": sum((s["awarded"] for k, s in fund_rows.items() if k[1] in LOTTERY_AREAS), Decimal("0")),
    }
    return figures


def figures_xlsx(figures, *, key=None):
    """The tables (or the one named ``key``) as an XLSX workbook, a sheet each; text cells go
    through ``spreadsheets.safe_row`` like every spreadsheet the product writes."""
    import io
    import re

    from openpyxl import Workbook

    from .spreadsheets import safe_row

    tables = [t for t in figures.tables if key is None or t.key == key]
    workbook = Workbook(write_only=True)
    for table in tables:
        # A sheet name: at most 31 characters, none of []:*?/\ and no apostrophe (it would be quoted).
        sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\']", " ", table.title)[:31].strip())
        sheet.append(safe_row([c.title for c in table.columns]))
        for row in table.sheet_rows():
            sheet.append(safe_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
