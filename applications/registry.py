"""The registry of community social organizations that a bureau keeps, imported and exported.

A bureau's staff upload the registry they keep (XLSX or CSV, one organization a row: name, credit
code or filing number, category, community, registration status, date, head). ``registry_preview``
classifies every row as new, update, unchanged or refused (with the reason and the row number)
without writing; ``registry_import`` applies the same classification in one transaction, so
importing the same file twice changes nothing the second time. ``registry_export`` writes the
bureau's organizations in the same format, so an export imported again is all "unchanged".

Reading and writing the files uses openpyxl (already pinned for the staff exports; read-only mode
streams a 10,000-row sheet) and the standard csv module; the classification is ours because its
rules (the five categories, the bureau's own communities, credit-code normalization) are the
domain's.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc

from competitions.models import OrganizationCategory, Region, RegistrationStatus

from .models import Organization, normalize_credit_code
from .spreadsheets import safe_row

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

NEW, UPDATE, UNCHANGED, REFUSED = "new", "update", "unchanged", "refused"
ACTION_LABELS = {
    NEW: pgettext_lazy("registry row", "new"),
    UPDATE: pgettext_lazy("registry row", "update"),
    UNCHANGED: pgettext_lazy("registry row", "unchanged"),
    REFUSED: pgettext_lazy("registry row", "refused"),
}

# The column order of the file we write and expect; headers are accepted in Chinese or English.
COLUMNS = ("name", "code", "category", "community", "registration_status", "founded", "head_name")
HEADERS = {
    "name": ("名称", "name"),
    "code": ("统一社会信用代码或备案号", "credit code or filing number"),
    "category": ("类别", "category"),
    "community": ("社区", "community"),
    "registration_status": ("登记状态", "registration status"),
    "founded": ("日期", "date"),
    "head_name": ("负责人", "head"),
}
# The registry's Chinese names of the five categories, known whether or not a catalog is compiled.
CATEGORY_CHINESE_NAMES = {
    "社区服务类": OrganizationCategory.COMMUNITY_SERVICE,
    "促进社区和谐类": OrganizationCategory.COMMUNITY_HARMONY,
    "公益慈善和居民互助类": OrganizationCategory.CHARITY_MUTUAL_AID,
    "文体教育类": OrganizationCategory.CULTURE_SPORTS_EDUCATION,
    "农村社区社会组织": OrganizationCategory.RURAL,
}
# The short words a registry uses for the registration status (登记 / 备案 / 未登记).
STATUS_SHORT_NAMES = {
    "登记": RegistrationStatus.REGISTERED, "已登记": RegistrationStatus.REGISTERED,
    "备案": RegistrationStatus.FILED, "已备案": RegistrationStatus.FILED,
    "未登记": RegistrationStatus.UNREGISTERED,
}


class RegistryError(Exception):
    """A file the import cannot read at all (type, size, header); rows are refused one by one."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class RowResult:
    row: int  # the row number as the spreadsheet shows it (the header is row 1)
    action: str
    values: dict
    reason: str = ""
    organization_id: int | None = None
    fields: dict = field(default_factory=dict)

    @property
    def action_label(self):
        return ACTION_LABELS[self.action]


@dataclass
class Preview:
    rows: list

    def count(self, action):
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self):
        return {a: self.count(a) for a in (NEW, UPDATE, UNCHANGED, REFUSED)}


def _choice_lookup(choices):
    """Every spelling a clerk may type for a choice: its value, its Chinese and its English label."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                lookup[str(label).strip().lower()] = value
    return lookup


def _clean(text):
    if text is None:
        return ""
    if isinstance(text, (dt.date, dt.datetime)):
        return text
    return " ".join(str(text).replace("\u3000", " ").split())


# Reading -------------------------------------------------------------------------------------


def read_rows(upload):
    """The file's data rows as dicts keyed by COLUMNS, with their row numbers.

    Refuses (RegistryError) a file over MAX_BYTES, one that is neither XLSX nor CSV by its content,
    and one whose header lacks a column."""
    name = (getattr(upload, "name", "") or "").lower()
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise RegistryError(_("The file is larger than %(mb)d MB; split the registry into several files.") % {"mb": MAX_BYTES // (1024 * 1024)})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise RegistryError(_("The file is larger than %(mb)d MB; split the registry into several files.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if name.endswith(".xlsx") and data[:4] == b"PK\x03\x04":
        table = _xlsx_table(data)
    elif name.endswith(".csv") and b"\x00" not in data[:4096]:
        table = _csv_table(data)
    else:
        raise RegistryError(_("Upload the registry as an XLSX or CSV file."))
    header = next(table, None)
    if header is None:
        raise RegistryError(_("The file is empty."))
    positions = _header_positions(header)
    rows = []
    for number, cells in enumerate(table, start=2):
        cells = list(cells)
        if not any(_clean(c) for c in cells):
            continue
        rows.append((number, {col: _clean(cells[i]) if i < len(cells) else "" for col, i in positions.items()}))
        if len(rows) > MAX_ROWS:
            raise RegistryError(_("The file has more than %(n)d rows; split it into several files.") % {"n": MAX_ROWS})
    return rows


def _xlsx_table(data):
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several types for a damaged or disguised file
        raise RegistryError(_("The XLSX file cannot be read; save it again from Excel or WPS.")) from None
    return workbook.worksheets[0].iter_rows(values_only=True)


def _csv_table(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegistryError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    return iter(csv.reader(io.StringIO(text)))


def _header_positions(header):
    names = [str(_clean(h)).lower() for h in header]
    positions = {}
    for col, spellings in HEADERS.items():
        for i, h in enumerate(names):
            if h in spellings:
                positions[col] = i
                break
        else:
            raise RegistryError(_("The header row has no column “%(column)s”.") % {"column": spellings[0]})
    return positions


# Classifying ---------------------------------------------------------------------------------


def _scope_regions(bureau):
    """The communities a bureau's registry may hold: those under its region (all for None)."""
    communities = Region.objects.filter(level=Region.Level.COMMUNITY)
    return communities, (bureau.region.path if bureau is not None else None)


def _in_scope(region, scope_path):
    return scope_path is None or region.path == scope_path or region.path.startswith(scope_path + "/")


def _parse_date(value):
    if value in ("", None):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        return False


def registry_preview(*, rows, bureau):
    """Classify each row without writing. ``bureau`` None means the whole province (site admin)."""
    categories = _choice_lookup(OrganizationCategory) | CATEGORY_CHINESE_NAMES
    statuses = _choice_lookup(RegistrationStatus) | STATUS_SHORT_NAMES
    communities, scope_path = _scope_regions(bureau)
    by_code, by_name = {}, {}
    for region in communities.only("id", "code", "name", "path"):
        by_code[region.code] = region
        by_name.setdefault(region.name, []).append(region)

    codes = {normalize_credit_code(v["code"]) for _, v in rows if v["code"]}
    existing = {}
    for org in Organization.objects.filter(credit_code__in=codes).select_related("community"):
        existing[org.credit_code] = org
    for org in Organization.objects.filter(credit_code__isnull=True, filing_record__in=codes).select_related("community"):
        existing.setdefault(org.filing_record, org)

    seen = {}
    results = []
    for number, values in rows:
        result = _classify(number, values, categories, statuses, by_code, by_name, scope_path, existing, seen)
        results.append(result)
    return Preview(rows=results)


def _classify(number, values, categories, statuses, by_code, by_name, scope_path, existing, seen):
    def refuse(reason):
        return RowResult(row=number, action=REFUSED, values=values, reason=_("Row %(row)d: %(reason)s") % {"row": number, "reason": reason})

    code = normalize_credit_code(values["code"]) if values["code"] else ""
    if not values["name"]:
        return refuse(_("the name is missing."))
    if not code:
        return refuse(_("the credit code or filing number is missing."))
    status = statuses.get(str(values["registration_status"]).lower())
    if status is None:
        return refuse(_("“%(value)s” is not a registration status (registered, filed, not registered).") % {"value": values["registration_status"]})
    category = categories.get(str(values["category"]).lower())
    if category is None:
        return refuse(_("“%(value)s” is not one of the five categories of community social organizations.") % {"value": values["category"]})
    looks_like_credit_code = len(code) == 18
    if status == RegistrationStatus.REGISTERED or looks_like_credit_code:
        if not uscc.is_valid(code):
            return refuse(_("“%(value)s” is not a valid unified social credit code.") % {"value": values["code"]})
        credit_code, filing_record = code, ""
    else:
        credit_code, filing_record = None, code
    community = by_code.get(str(values["community"]))
    if community is None:
        matches = by_name.get(str(values["community"]), [])
        if len(matches) > 1:
            return refuse(_("several communities are called “%(value)s”; give the community's code.") % {"value": values["community"]})
        community = matches[0] if matches else None
    if community is None:
        return refuse(_("the community “%(value)s” is not known.") % {"value": values["community"]})
    if not _in_scope(community, scope_path):
        return refuse(_("the community “%(value)s” belongs to another bureau's region.") % {"value": values["community"]})
    founded = _parse_date(values["founded"])
    if founded is False:
        return refuse(_("“%(value)s” is not a date (write it as 2024-05-01).") % {"value": values["founded"]})
    if code in seen:
        return refuse(_("the same code as row %(other)d.") % {"other": seen[code]})
    seen[code] = number

    fields = {
        "name": values["name"][:200], "credit_code": credit_code, "filing_record": filing_record,
        "category": category, "community_id": community.pk, "registration_status": status,
        "founded": founded, "head_name": values["head_name"][:100],
    }
    org = existing.get(code)
    if org is None:
        return RowResult(row=number, action=NEW, values=values, fields=fields)
    if not _in_scope(org.community, scope_path):
        return refuse(_("this organization is in another bureau's registry."))
    changed = {k: v for k, v in fields.items() if getattr(org, k) != v}
    action = UPDATE if changed else UNCHANGED
    return RowResult(row=number, action=action, values=values, organization_id=org.pk, fields=changed)


# Writing -------------------------------------------------------------------------------------


@transaction.atomic
def registry_import(*, rows, bureau, actor):
    """Apply the rows in one transaction: new organizations created, changed ones updated, unchanged
    and refused rows left alone. Re-importing the same rows therefore changes nothing. Imported
    organizations have no members until someone claims them. Returns the Preview it applied."""
    preview = registry_preview(rows=rows, bureau=bureau)
    new = [Organization(contact_name="", contact_phone="", **r.fields) for r in preview.rows if r.action == NEW]
    now = timezone.now()
    for organization in new:
        organization.set_sort_key()  # bulk_create does not call save()
        organization.verified_at = now  # the bureau's own registry vouches for it
    Organization.objects.bulk_create(new, batch_size=1000)
    updates = [r for r in preview.rows if r.action == UPDATE]
    if updates:
        orgs = Organization.objects.select_for_update().in_bulk([r.organization_id for r in updates])
        touched = set()
        for r in updates:
            org = orgs[r.organization_id]
            for k, v in r.fields.items():
                setattr(org, k, v)
            org.set_sort_key()
            org.verified_at = org.verified_at or now
            touched.update(r.fields)
            touched.add("verified_at")
        if "name" in touched:
            touched.update(Organization.SORT_KEY_FIELDS)
        Organization.objects.bulk_update(list(orgs.values()), sorted(touched), batch_size=1000)
    return preview


def registry_organizations(*, bureau):
    """The organizations in a bureau's registry (its region's communities); all for None."""
    qs = Organization.objects.select_related("community").order_by("community__path", "name")
    if bureau is not None:
        path = bureau.region.path
        qs = qs.filter(community__path__startswith=path + "/") | qs.filter(community__path=path)
    return qs


def export_rows(*, bureau):
    status_labels = dict(RegistrationStatus.choices)
    category_labels = dict(OrganizationCategory.choices)
    yield [HEADERS[c][0] for c in COLUMNS]
    for org in registry_organizations(bureau=bureau).iterator(chunk_size=2000):
        yield safe_row([
            org.name, org.credit_code or org.filing_record, str(category_labels[org.category]),
            org.community.code, str(status_labels[org.registration_status]),
            org.founded.isoformat() if org.founded else "", org.head_name,
        ])


def registry_export_xlsx(*, bureau):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Registry"))
    for row in export_rows(bureau=bureau):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def registry_export_csv(*, bureau):
    out = io.StringIO()
    writer = csv.writer(out)
    for row in export_rows(bureau=bureau):
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")
