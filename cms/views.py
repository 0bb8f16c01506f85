"""Public views outside the page tree: objections, verification, search and open data (thin)."""

import csv
import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.models import Page

from applications import selectors as app_selectors
from applications.notices import notice_for_code
from applications.publicity import objection_file
from applications.services import ApplicationError
from applications.spreadsheets import safe_row
from competitions.typography import inner_quotes

from . import antispam, opendata, pagecache, selectors
from . import search as site_search
from .forms import ObjectionForm, TrackForm
from .models import PublicityPage, paginate


def _refuse(request, message, *, status=400, page=None):
    return render(request, "cms/refused.html", {"message": message, "back": page}, status=status)


@require_http_methods(["GET", "POST"])
def objection_create(request, page_id):
    """File an objection to a project of a 公示, on a page of its own.

    The 公示 page links here instead of carrying the form: the form holds a CSRF token and a
    single-use token, so a page with it could never come from the page cache, and a 公示 is read by
    many more people (results day) than object to it."""
    page = Page.objects.live().filter(pk=page_id).first()
    if page is None:
        raise Http404(_("No such page."))
    page = page.specific
    if not isinstance(page, PublicityPage):
        return _refuse(
            request,
            _("“%(title)s” is not a public notice (公示): objections are filed on the 公示 page of the project.")
            % {"title": inner_quotes(page.title)},
            page=page,
        )
    context = page.get_context(request)
    if request.method == "GET":
        chosen = request.GET.get("application", "")
        initial = {"application": int(chosen)} if chosen.isascii() and chosen.isdigit() else {}
        context["objection_form"] = ObjectionForm(page=page, entries=context["entries"], initial=initial)
        return TemplateResponse(request, "cms/objection_form.html", context)
    refusal = antispam.hit_rate_limit(request)
    if refusal:
        return _refuse(request, refusal, status=429, page=page)
    if request.POST.get(antispam.HONEYPOT_FIELD):
        return _refuse(request, _("The form could not be accepted. Reload the page and fill it in again."), page=page)
    form = ObjectionForm(request.POST, request.FILES, page=page, entries=context["entries"])
    error = antispam.check_token(request.POST.get("started"))
    if error is None and form.is_valid():
        error = antispam.spend_token(request.POST["started"])
    if error is None and form.is_valid():
        data = form.cleaned_data
        application = next(e.application for e in context["entries"] if e.application_id == data["application"])
        try:
            objection = objection_file(
                application=application, objector_kind=data["objector_kind"], name=data["name"],
                phone=data["phone"], organization=data["organization"], reason=data["reason"],
                letter=data.get("letter"),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Your objection was received; its case number is %(case)s. Keep it: with it you can follow the "
                  "objection at %(where)s. The bureau will investigate it; the outcome will be shown on this page.")
                % {"case": objection.case_number, "where": reverse("cms:track")},
            )
            return HttpResponseRedirect(page.url + "#objections")
    if error:
        form.add_error(None, error)
        if error and "started" in form.data:
            # A fresh timestamp: the person may correct and resend after reading the message.
            form.data = form.data.copy()
            form.data["started"] = antispam.form_token()
    context["objection_form"] = form
    return TemplateResponse(request, "cms/objection_form.html", context, status=400)


@require_GET
def verify(request, code):
    """Public check of a 立项通知书: genuine (with its particulars) or clearly not genuine."""
    notice = notice_for_code(code)
    status = 200 if notice is not None else 404
    return render(request, "cms/verify.html", {"notice": notice, "code": code[:60]}, status=status)


@require_GET
def publicity_pdf(request, page_id):
    """The 公示 as offices post it on paper: the list, the window, how to object, the bureau's phone
    and address (WeasyPrint, Noto Sans CJK SC). Kept in the cache until a public page changes."""
    page = PublicityPage.objects.live().filter(pk=page_id).first()
    if page is None:
        raise Http404(_("No such public notice (公示)."))
    language = translation.get_language()
    version = pagecache.version()
    # The PDF prints the page's address on the host it was asked on: the host is part of the key.
    key = f"publicity-pdf:{version}:{page.pk}:{language}:{request.get_host()}"
    data = cache.get(key) if version is not None else None
    if data is None:
        from weasyprint import HTML

        context = {**selectors.publicity_details(page), "page": page, "page_url": opendata.page_url(page, request),
                   "LANGUAGE_CODE": language}
        html = render_to_string("cms/pdf/publicity.html", context)
        data = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
        if version is not None:
            cache.set(key, data, timeout=pagecache.seconds())
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{page.title}.pdf")
    return response


@require_GET
def track(request):
    """办件查询: the stage and dates of an application (reference number and the query code on its
    receipt) or of an objection (its case number), for anyone, without an account; nothing personal."""
    form = TrackForm(request.GET or None)
    context = {"form": form}
    status = 200
    if request.GET:
        refusal = antispam.hit_lookup_limit(request)
        if refusal:
            form.is_valid()
            form.add_error(None, refusal)
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            if data["case"]:
                context["objection"] = app_selectors.objection_by_case(data["case"])
            else:
                app = app_selectors.case_by_code(data["reference"], data["code"])
                context.update(application=app, stages=app_selectors.case_stages(app) if app else [])
            context["searched"] = True
            if not (context.get("objection") or context.get("application")):
                status = 404
        else:
            status = 400
    return render(request, "cms/track.html", context, status=status)


@require_GET
def search(request):
    """Results grouped by kind (a few of each, or one kind a page at a time), the query's words marked."""
    query = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    groups = site_search.search(query) if query else {}
    labels = dict(site_search.KINDS)
    tabs = [(k, labels[k], len(hits), urlencode({"q": query, "kind": k})) for k, hits in groups.items()]
    context = {"query": query, "tabs": tabs, "kind": kind if kind in groups else "", "words": site_search.terms(query),
               "total": sum(len(h) for h in groups.values()), "all_url": urlencode({"q": query})}
    if context["kind"]:
        context["results"] = paginate(request, groups[kind], 20)
        context["extra"] = urlencode({"q": query, "kind": kind})
    else:
        context["groups"] = [(k, labels[k], hits[:5], len(hits), urlencode({"q": query, "kind": k})) for k, hits in groups.items()]
    return render(request, "cms/search.html", context)


def _json(data, filename):
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@cache_control(public=True, max_age=300)
def grants_json(request):
    """Every awarded grant as a 360Giving-style package: {"grants": [...]}."""
    grants = [opendata.grant_record(app, request) for app in opendata.grant_queryset()]
    return _json({"grants": grants}, "grants.json")


class _Echo:
    def write(self, value):
        return value


@require_GET
@cache_control(public=True, max_age=300)
def grants_csv(request):
    """The same grants as CSV with 360Giving column titles, one row per grant (UTF-8 with BOM for Excel)."""
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff" + writer.writerow([title for title, _get in opendata.CSV_COLUMNS])
        for app in opendata.grant_queryset().iterator(chunk_size=500):
            record = opendata.grant_record(app, request)
            yield writer.writerow(safe_row(get(record) for _title, get in opendata.CSV_COLUMNS))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="grants.csv"'
    return response


@require_GET
@cache_control(public=True, max_age=300)
def calls_json(request):
    """Feed of the calls open now (JSON)."""
    calls = selectors.open_calls(now=timezone.now())
    return _json({"calls": [opendata.call_record(c, request) for c in calls]}, "calls.json")




def figures(request):
    """The province's cultivation figures: organizations per community against the target, funds
    by service area and region, the rural share (aggregates only)."""
    from applications.cultivation import RURAL_TARGET, URBAN_TARGET

    context = selectors.public_figures()
    context.update({"urban_target": URBAN_TARGET, "rural_target": RURAL_TARGET, "yes_word": _("yes")})
    return render(request, "cms/figures.html", context)


@require_GET
@cache_control(public=True, max_age=300)
def figures_json(request):
    """The same figures as open data (JSON)."""
    return _json(opendata.figures_record(selectors.public_figures()), "figures.json")
