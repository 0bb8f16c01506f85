"""How far each county is from the policy's cultivation targets (the dashboard's first table).

The source policy asks for, on average, at least 10 community social organizations per urban
community and 5 per rural community, registered and filed organizations both counted. A county's
figure is the number of organizations in its urban (rural) communities divided by the number of
those communities; it meets the target when the average is at least the target, so 10.0 meets it
and 9.99 does not. The figures come from two grouped queries, whatever the number of
organizations.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from competitions.models import Region, RegistrationStatus

URBAN_TARGET = 10
RURAL_TARGET = 5
# The organizations the targets count (and the public figures show): registered or filed, and
# verified by a bureau (its registry import, or staff who checked the evidence).
COUNTED = Q(organizations__registration_status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.FILED],
            organizations__verified_at__isnull=False)


@dataclass
class CountyFigures:
    county: Region
    urban_communities: int = 0
    urban_organizations: int = 0
    rural_communities: int = 0
    rural_organizations: int = 0

    @staticmethod
    def _average(organizations, communities):
        if not communities:
            return None
        return (Decimal(organizations) / Decimal(communities)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def urban_average(self):
        return self._average(self.urban_organizations, self.urban_communities)

    @property
    def rural_average(self):
        return self._average(self.rural_organizations, self.rural_communities)

    @property
    def meets_target(self):
        """Both kinds of community meet their average (a kind the county lacks does not count)."""
        urban_ok = not self.urban_communities or self.urban_organizations >= URBAN_TARGET * self.urban_communities
        rural_ok = not self.rural_communities or self.rural_organizations >= RURAL_TARGET * self.rural_communities
        return urban_ok and rural_ok


def within(field_path, region):
    """A Q for rows whose region (at ``field_path``, a Region; "" for Region rows) is ``region`` or
    inside it; everything for None (the province)."""
    if region is None:
        return Q()
    prefix = f"{field_path}__" if field_path else ""
    return Q(**{f"{prefix}path": region.path}) | Q(**{f"{prefix}path__startswith": region.path + "/"})


def county_figures(*, region=None):
    """One CountyFigures per county under ``region`` (the whole province for None), in path order.

    Communities hang under a street or township under the county (Region.path is
    province/city/county/street/community), so the county is the community's grandparent."""
    communities = Region.objects.filter(within("", region), level=Region.Level.COMMUNITY)
    community_counts = communities.values("parent__parent_id", "is_rural").annotate(n=Count("id"))
    organization_counts = communities.values("parent__parent_id", "is_rural").annotate(n=Count("organizations", filter=COUNTED))
    counties = {c.pk: CountyFigures(county=c)
                for c in Region.objects.filter(within("", region), level=Region.Level.COUNTY).select_related("parent")}
    for row in community_counts:
        figures = counties.get(row["parent__parent_id"])
        if figures is not None:
            setattr(figures, "rural_communities" if row["is_rural"] else "urban_communities", row["n"])
    for row in organization_counts:
        figures = counties.get(row["parent__parent_id"])
        if figures is not None:
            setattr(figures, "rural_organizations" if row["is_rural"] else "urban_organizations", row["n"])
    return [f for f in counties.values() if f.urban_communities or f.rural_communities]
