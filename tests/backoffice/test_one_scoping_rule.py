"""One bureau-scoping rule (competitions.permissions): every back-office URL asks it.

A person whose staff flag was switched off keeps their bureau and the admin group (so Wagtail
still lets them in), but they are nobody's staff: every back-office screen refuses them, and
the dashboard and menu show them none of the bureau's work. The URLs are read from the URL
resolver, so a new back-office screen is checked without being listed here.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from applications.models import Disbursement, Objection, Report, SubmittedDocument
from competitions.models import Criterion
from tests.factories import staff_with_admin
from tests.postaward.conftest import contracted

pytestmark = pytest.mark.django_db

# Viewsets and URL namespaces of the back office whose views come from Wagtail's generic classes.
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (entry.namespace or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "view_class", entry.callback)
            yield prefix + str(entry.pattern), namespace, view.__module__


def back_office_urls():
    """Every admin URL pattern that a back-office module (or one of its viewsets) serves."""
    rows = [row for row in _walk(get_resolver().url_patterns) if row[0].startswith("admin/")]
    ours = {ns for _path, ns, module in rows if module.startswith("backoffice.") and ns}
    patterns = sorted({path for path, ns, module in rows if module.startswith("backoffice.") or (ns and ns in ours)})
    return [p for p in patterns if not p.endswith(("chooser/", "results/"))] + [
        p for p in patterns if p.endswith("results/")
    ]


def _fill(pattern, ids):
    namespace = pattern.split("/")[1]

    def value(match):
        name = match.group(1)
        if name == "pk":
            return str(ids.get(namespace, ids["application"]))
        return str(ids[name])

    return "/" + _PARAM.sub(value, pattern)


@pytest.fixture
def bureau_work():
    """A funded project of one bureau with something behind every back-office screen."""
    app = contracted()
    call = app.competition
    scan = app.attachments.first()
    objection = Objection.objects.create(application=app, objector_name="张三", objector_phone="13800000000",
                                         reason="理由")
    document = SubmittedDocument.objects.filter(application=app).first()
    ids = {
        "application": app.pk, "organization": app.organization_id, "competition": call.pk,
        "criterion": Criterion.objects.filter(competition=call).first().pk, "bureau": call.bureau_id,
        "region": app.organization.community_id, "review": call.pk, "postaward": app.pk,
        "publicity": call.pk, "official_day": 1,
        "competition_id": call.pk, "objection_id": objection.pk, "attachment_id": scan.pk if scan else 1,
        "tranche_pk": Disbursement.objects.filter(application=app).first().pk,
        "report_pk": (Report.objects.filter(application=app).first() or app).pk, "assignment_pk": 1,
        "document_pk": document.pk if document else 1, "action": "approve", "name": "accept_eligible",
    }
    return app, ids


@pytest.fixture
def switched_off(bureau_work):
    """Was staff of the project's bureau: flag off, bureau and admin group kept."""
    app, _ids = bureau_work
    person = staff_with_admin(app.competition.bureau)
    person.is_staff = False
    person.save(update_fields=["is_staff"])
    return person


def _refused(response):
    if response.status_code in (403, 404):
        return True
    # Wagtail answers PermissionDenied with a redirect to the dashboard (or the login page).
    return response.status_code == 302 and response["Location"].split("?")[0] in ("/admin/", "/admin/login/")


@pytest.mark.parametrize("pattern", back_office_urls())
def test_a_person_whose_staff_flag_was_switched_off_is_refused(client, bureau_work, switched_off, pattern):
    _app, ids = bureau_work
    url = _fill(pattern, ids)
    client.force_login(switched_off)
    response = client.get(url)
    if response.status_code == 405:  # a POST-only action
        response = client.post(url, {})
    assert _refused(response), f"{url} answered {response.status_code} to a person who is no longer staff"


def test_the_url_list_covers_every_back_office_screen():
    patterns = back_office_urls()
    for expected in ("admin/review/calls/<int:pk>/funding/", "admin/postaward/", "admin/publicity/",
                     "admin/application/inspect/<int:pk>/", "admin/competition/", "admin/official_day/enter/"):
        assert expected in patterns
    assert len(patterns) > 60


def test_the_same_person_with_the_flag_on_opens_the_pages(client, bureau_work, switched_off):
    app, ids = bureau_work
    switched_off.is_staff = True
    switched_off.save(update_fields=["is_staff"])
    client.force_login(switched_off)
    for url in ("/admin/application/", f"/admin/application/inspect/{app.pk}/", "/admin/competition/",
                f"/admin/review/calls/{app.competition_id}/", "/admin/postaward/", f"/admin/postaward/projects/{app.pk}/",
                "/admin/publicity/", "/admin/review/"):
        assert client.get(url).status_code == 200, url


def test_the_dashboard_and_menu_show_nothing_of_the_bureau(client, bureau_work, switched_off):
    app, _ids = bureau_work
    client.force_login(switched_off)
    page = client.get("/admin/").content.decode()
    for text in ("/admin/review/", "/admin/postaward/", "/admin/publicity/", "/admin/application/", app.competition.title):
        assert text not in page
