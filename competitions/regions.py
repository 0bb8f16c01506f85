"""Loading the shipped region tree (Guizhou: province, cities/prefectures, counties) into Region.

The loader is idempotent: rows are matched by ``code``, created when missing, updated only when
a field differs, and never deleted (organizations point at regions). It computes ``path`` itself
because the data migration runs it with the historical model, which has no custom ``save()``.
"""

import json
from dataclasses import dataclass
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "guizhou_regions.json"


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def read_fixture(path=FIXTURE):
    """The fixture's rows, parents before children."""
    with open(path, encoding="utf-8") as handle:
        rows = json.load(handle)["regions"]
    return sorted(rows, key=lambda row: row["level"])


def load_regions(*, region_model=None, path=FIXTURE):
    """Create or update the regions of the fixture at ``path``; return what changed.

    ``region_model`` is the historical model inside a migration, the real one otherwise.
    """
    if region_model is None:
        from .models import Region as region_model

    rows = read_fixture(path)
    existing = {region.code: region for region in region_model.objects.filter(code__in=[r["code"] for r in rows])}
    result = LoadResult()
    for row in rows:
        parent = existing[row["parent"]] if row.get("parent") else None
        wanted = {
            "name": row["name"],
            "level": row["level"],
            "parent_id": parent.pk if parent else None,
            "path": f"{parent.path}/{row['code']}" if parent else row["code"],
            "is_rural": bool(row.get("is_rural", False)),
        }
        region = existing.get(row["code"])
        if region is None:
            region = region_model(code=row["code"], **wanted)
            region.save()
            existing[region.code] = region
            result.created += 1
            continue
        changed = [name for name, value in wanted.items() if getattr(region, name) != value]
        if changed:
            for name in changed:
                setattr(region, name, wanted[name])
            region.save()
            result.updated += 1
        else:
            result.unchanged += 1
    return result
