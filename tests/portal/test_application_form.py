"""Starting a draft, the sections, autosave, optimistic locking, the budget and the checklist."""

import pytest
from django.urls import reverse

from applications.models import Application
from tests.factories import ApplicationFactory, CompetitionFactory

pytestmark = pytest.mark.django_db


def section_url(app, name):
    return reverse("applications:section", args=[app.pk, name])


def test_apply_creates_a_draft_and_opens_the_first_section(app_client, organization):
    call = CompetitionFactory()
    response = app_client.post(reverse("applications:apply", args=[call.pk]),
                               {"organization": organization.pk, "title": "邻里互助食堂"})
    app = Application.objects.get()
    assert app.status == "draft" and app.title == "邻里互助食堂"
    assert response["Location"] == section_url(app, "project")


def test_apply_twice_to_the_same_call_is_explained(app_client, draft):
    response = app_client.post(reverse("applications:apply", args=[draft.competition_id]),
                               {"organization": draft.organization_id, "title": "again"})
    assert "already has an application to this call" in response.content.decode()
    assert Application.objects.count() == 1


def test_apply_without_an_organization_goes_to_create_one(client, stranger):
    client.force_login(stranger)
    call = CompetitionFactory()
    response = client.get(reverse("applications:apply", args=[call.pk]))
    assert response.status_code == 302
    assert reverse("applications:organization_create") in response["Location"]


def test_saving_a_section_and_reloading_shows_what_was_saved(app_client, draft):
    response = app_client.post(section_url(draft, "project"), {
        "title": "新的项目名称", "summary": "第一行\n第二行", "version": draft.version, "continue": "1",
    })
    assert response["Location"] == section_url(draft, "area")
    page = app_client.get(section_url(draft, "project")).content.decode()
    assert "新的项目名称" in page and "第二行" in page


def test_a_stale_save_keeps_the_input_and_says_why(app_client, draft):
    old_version = draft.version
    from applications import services

    member = draft.organization.memberships.get().user
    services.application_update(application=draft, actor=member, place="别处")  # another tab
    response = app_client.post(section_url(draft, "project"), {
        "title": "我刚输入的标题", "summary": "我刚输入的摘要", "version": old_version,
    })
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed elsewhere" in html
    assert "我刚输入的标题" in html and "我刚输入的摘要" in html
    draft.refresh_from_db()
    assert draft.title != "我刚输入的标题"
    # The re-shown form carries the current version: saving again keeps the input.
    assert f'value="{draft.version}"' in html
    app_client.post(section_url(draft, "project"), {"title": "我刚输入的标题", "summary": "我刚输入的摘要", "version": draft.version})
    draft.refresh_from_db()
    assert draft.title == "我刚输入的标题"


def test_field_autosave_then_reload_shows_it(app_client, draft):
    url = reverse("applications:autosave", args=[draft.pk, "target_groups"])
    response = app_client.post(url, {"target_groups": "留守儿童", "version": draft.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Saved at" in response.content.decode()
    draft.refresh_from_db()
    assert f'value="{draft.version}"' in response.content.decode()  # the form's version follows
    assert "留守儿童" in app_client.get(section_url(draft, "area")).content.decode()


def test_autosave_of_a_bad_value_is_refused_and_nothing_else_changes(app_client, draft):
    url = reverse("applications:autosave", args=[draft.pk, "start_date"])
    response = app_client.post(url, {"start_date": "2027-13-45"}, HTTP_HX_REQUEST="true")
    assert "Not saved" in response.content.decode()
    draft.refresh_from_db()
    assert str(draft.start_date) == "2027-01-01"


def test_autosave_of_an_unknown_field_is_404(app_client, draft):
    url = reverse("applications:autosave", args=[draft.pk, "status"])
    assert app_client.post(url, {"status": "awarded"}, HTTP_HX_REQUEST="true").status_code == 404


def test_only_the_calls_service_areas_can_be_chosen(app_client, draft):
    page = app_client.get(section_url(draft, "area")).content.decode()
    assert 'value="elderly"' in page and 'value="environment"' not in page
    response = app_client.post(section_url(draft, "area"), {"service_area": "environment", "version": draft.version})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = app_client.post(reverse("applications:autosave", args=[draft.pk, "service_area"]),
                               {"service_area": "environment"}, HTTP_HX_REQUEST="true")
    assert "Not saved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.service_area == "elderly"


def _budget_post(app, lines, requested="50000", **extra):
    data = {
        "requested_amount": requested, "co_funding": "0", "version": app.version,
        "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
    }
    for i, (category, item, amount) in enumerate(lines):
        data.update({f"lines-{i}-category": category, f"lines-{i}-item": item, f"lines-{i}-amount": amount})
    data.update(extra)
    return data


def test_budget_lines_are_saved_and_checked_on_the_server(app_client, draft):
    data = _budget_post(draft, [("activities", "上门探访", "30000"), ("materials", "助餐耗材", "15000"), ("", "", "")])
    response = app_client.post(section_url(draft, "budget"), data, follow=True)
    html = response.content.decode()
    assert [(l.item, l.amount) for l in draft.budget_lines.all()] == [("上门探访", 30000), ("助餐耗材", 15000)]
    # The server adds the lines again and says what is wrong.
    assert "add up to 45000.00 yuan but the request is 50000.00 yuan" in html
    assert 'id="budget-total"' in html and "45000.00" in html


def test_half_filled_budget_line_is_refused_with_the_input_kept(app_client, draft):
    data = _budget_post(draft, [("activities", "", "300")])
    response = app_client.post(section_url(draft, "budget"), data)
    assert response.status_code == 400
    assert "Give the category, the item and the amount" in response.content.decode()
    assert 'value="300"' in response.content.decode()


def test_budget_autosave_replaces_the_lines_and_refreshes_the_checklist(app_client, draft):
    data = _budget_post(draft, [("activities", "活动", "45000"), ("admin", "管理", "5000"), ("travel", "", "")])
    response = app_client.post(reverse("applications:autosave", args=[draft.pk, "budget_lines"]), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Saved at" in html
    assert "A line is saved once its category, item and amount are all filled in." in html
    assert sorted(l.item for l in draft.budget_lines.all()) == ["活动", "管理"]
    assert 'id="checklist" aria-labelledby="checklist-h" hx-swap-oob="true"' in html
    assert "Nothing blocks submission" in html


def test_indicators_one_a_line(app_client, draft):
    app_client.post(section_url(draft, "goals"), {"goals": "改善", "indicators": "上门探访：240\n满意度: 90%\n", "version": draft.version})
    draft.refresh_from_db()
    assert draft.indicators == [{"indicator": "上门探访", "target": "240"}, {"indicator": "满意度", "target": "90%"}]
    assert "上门探访: 240" in app_client.get(section_url(draft, "goals")).content.decode()


def test_checklist_lists_what_blocks_submission_with_links(app_client, organization):
    app = ApplicationFactory(organization=organization, summary="", service_area="", lines=False, requested_amount=0)
    html = app_client.get(reverse("applications:application_detail", args=[app.pk])).content.decode()
    assert "Fill in before submitting" in html and "project summary" in html
    assert "Add at least one budget line." in html
    assert section_url(app, "project") in html and section_url(app, "budget") in html


def test_complete_draft_has_nothing_blocking(app_client, draft):
    html = app_client.get(reverse("applications:application_detail", args=[draft.pk])).content.decode()
    assert "Nothing blocks submission" in html


def test_submitted_application_sections_cannot_be_edited(app_client, draft):
    from applications import services

    services.application_submit(application=draft, actor=draft.organization.memberships.get().user)
    response = app_client.post(section_url(draft, "project"), {"title": "x", "summary": "y", "version": draft.version})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title != "x"


def test_own_autosaves_do_not_make_the_section_form_stale(app_client, draft):
    loaded_at = draft.version
    app_client.post(reverse("applications:autosave", args=[draft.pk, "summary"]), {"summary": "自动保存的摘要"}, HTTP_HX_REQUEST="true")
    response = app_client.post(section_url(draft, "project"), {"title": "标题", "summary": "自动保存的摘要", "version": loaded_at})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "标题"


def test_another_members_autosave_still_makes_the_form_stale(app_client, draft, client):
    from tests.factories import UserFactory
    from tests.portal.conftest import verified
    from applications.models import Membership

    loaded_at = draft.version
    colleague = verified(UserFactory())
    Membership.objects.create(organization=draft.organization, user=colleague, role="editor")
    from django.test import Client

    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(colleague)
    other.post(reverse("applications:autosave", args=[draft.pk, "summary"]), {"summary": "同事写的"}, HTTP_HX_REQUEST="true")
    response = app_client.post(section_url(draft, "project"), {"title": "我的标题", "summary": "我的摘要", "version": loaded_at})
    assert response.status_code == 409
    assert "我的摘要" in response.content.decode()


def test_saving_the_same_lines_twice_keeps_them(app_client, draft):
    data = _budget_post(draft, [("activities", "活动", "45000"), ("admin", "管理", "5000")])
    url = reverse("applications:autosave", args=[draft.pk, "budget_lines"])
    app_client.post(url, data, HTTP_HX_REQUEST="true")
    app_client.post(url, data, HTTP_HX_REQUEST="true")
    assert draft.budget_lines.count() == 2
    draft.refresh_from_db()
    data["version"] = draft.version
    app_client.post(section_url(draft, "budget"), data)
    assert draft.budget_lines.count() == 2


def test_clearing_a_saved_line_removes_it(app_client, draft):
    page = app_client.get(section_url(draft, "budget")).content.decode()
    assert 'name="lines-INITIAL_FORMS" value="2"' in page
    data = _budget_post(draft, [("activities", "助餐服务", "50000"), ("", "", "")], **{"lines-INITIAL_FORMS": "2"})
    app_client.post(section_url(draft, "budget"), data)
    assert [l.item for l in draft.budget_lines.all()] == ["助餐服务"]


def test_closed_call_cannot_be_started(app_client, organization):
    import datetime as dt

    from django.utils import timezone

    call = CompetitionFactory(opens_at=timezone.now() - dt.timedelta(days=20), closes_at=timezone.now() - dt.timedelta(days=1))
    response = app_client.post(reverse("applications:apply", args=[call.pk]), {"organization": organization.pk, "title": "迟到"})
    assert "This call has closed" in response.content.decode()
    assert not Application.objects.exists()


def test_first_organization_then_back_to_the_call(client, stranger):
    from tests.factories import RegionFactory

    client.force_login(stranger)
    call = CompetitionFactory()
    start = reverse("applications:apply", args=[call.pk])
    create = client.get(start)["Location"]
    assert "next=" in create
    page = client.get(create).content.decode()
    assert f'name="next" value="{start}"' in page
    response = client.post(create, {
        "name": "新组织", "registration_status": "unregistered", "category": "community_service",
        "community": RegionFactory().pk, "head_name": "甲", "contact_name": "乙", "contact_phone": "1",
        "staff_count": "0", "social_worker_count": "0", "next": start,
    })
    assert response["Location"] == start


def test_unknown_section_is_404(app_client, draft):
    assert app_client.get(section_url(draft, "nonsense")).status_code == 404
