"""Back office: the registry of community social organizations, imported and exported by a bureau.

Upload a file, read the preview (every row new, update, unchanged or refused with its reason),
then confirm. Between the two steps the file is kept in the shared cache (Redis in production, so
any web node can confirm) under a random token bound to the person who uploaded it; confirming
classifies the rows again against the registry as it is then, in one transaction.
"""

import secrets

from django import forms
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.components import Component

from applications import cultivation, registry
from cms import pagecache
from competitions.permissions import is_back_office_user

from .scoping import StaffMenuItem, staff_bureau

UPLOAD_SECONDS = 3600
SHOWN_ROWS = 1000


def _rows_to_show(preview):
    """Refused rows first, then updates and new ones, unchanged last; a page of at most SHOWN_ROWS."""
    if preview is None:
        return []
    order = {registry.REFUSED: 0, registry.UPDATE: 1, registry.NEW: 2, registry.UNCHANGED: 3}
    return sorted(preview.rows, key=lambda r: (order[r.action], r.row))[:SHOWN_ROWS]


class RegistryUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Registry file (XLSX or CSV)"),
        help_text=gettext_lazy(
            "Columns: 名称, 统一社会信用代码或备案号, 类别, 社区 (code or name), 登记状态, 日期, 负责人. "
            "Export the registry below for a file in this format."
        ),
    )


def _cache_key(token):
    return f"registry-upload:{token}"


def registry_import_view(request):
    bureau = staff_bureau(request.user)
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    preview, token, error = None, "", ""
    if request.method == "POST" and request.POST.get("token"):
        kept = cache.get(_cache_key(request.POST["token"]))
        if kept is None or kept[0] != request.user.pk:
            error = _("The uploaded file has expired; upload it again.")
        else:
            rows = registry.read_rows(SimpleUploadedFile(kept[1], kept[2]))
            applied = registry.registry_import(rows=rows, bureau=bureau, actor=request.user)
            cache.delete(_cache_key(request.POST["token"]))
            pagecache.bump()  # bulk writes send no signal: the public directory and figures are stale now
            messages.success(request, _("Registry imported: %(new)d new, %(update)d updated, %(unchanged)d unchanged, "
                                        "%(refused)d refused.") % applied.counts)
            return redirect("registry_import")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload.read(registry.MAX_BYTES + 1)
            rows = registry.read_rows(SimpleUploadedFile(upload.name, data))
        except registry.RegistryError as exc:
            error = exc.message
        else:
            preview = registry.registry_preview(rows=rows, bureau=bureau)
            token = secrets.token_urlsafe(24)
            cache.set(_cache_key(token), (request.user.pk, upload.name, data), UPLOAD_SECONDS)
    return TemplateResponse(request, "backoffice/registry_import.html", {
        "page_title": _("Organization registry"), "header_icon": "group", "form": form, "preview": preview,
        "token": token, "error": error, "bureau": bureau, "shown": _rows_to_show(preview),
        "shown_limit": SHOWN_ROWS,
    }, status=400 if error else 200)


def registry_export_view(request, fmt):
    bureau = staff_bureau(request.user)
    if fmt == "xlsx":
        data = registry.registry_export_xlsx(bureau=bureau)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = registry.registry_export_csv(bureau=bureau)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="registry.{fmt}"'
    return response


@hooks.register("register_admin_urls")
def register_registry_urls():
    return [
        path("registry/", registry_import_view, name="registry_import"),
        path("registry/export.xlsx", registry_export_view, {"fmt": "xlsx"}, name="registry_export_xlsx"),
        path("registry/export.csv", registry_export_view, {"fmt": "csv"}, name="registry_export_csv"),
    ]


@hooks.register("register_admin_menu_item")
def register_registry_menu_item():
    return StaffMenuItem(gettext_lazy("Organization registry"), reverse("registry_import"), icon_name="group",
                               order=330)


class CultivationPanel(Component):
    """On the staff dashboard: each county of the bureau's region against the 10 / 5 targets."""

    name = "cultivation_targets"
    order = 120
    template_name = "backoffice/cultivation_panel.html"

    def __init__(self, counties):
        self.counties = counties

    def get_context_data(self, parent_context):
        return {"counties": self.counties, "urban_target": cultivation.URBAN_TARGET,
                "rural_target": cultivation.RURAL_TARGET}


@hooks.register("construct_homepage_panels")
def add_cultivation_panel(request, panels):
    if not is_back_office_user(request.user):
        return
    bureau = staff_bureau(request.user)
    counties = cultivation.county_figures(region=bureau.region if bureau else None)
    if counties:
        panels.append(CultivationPanel(counties))
