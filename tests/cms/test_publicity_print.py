"""A 公示 printed as offices post it on paper: a PDF with the list, the window, how to object and
the bureau's phone and address, in real Chinese glyphs; and the web page names the same contact."""

import subprocess

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(publicity):
    page, app, staff = publicity
    bureau = app.competition.bureau
    bureau.contact_phone, bureau.address = "0851-86812345", "贵阳市观山湖区林城东路1号"
    bureau.save()
    return page, app


def test_the_pdf_has_the_list_the_window_and_the_contact_in_chinese(client, posted, tmp_path):
    page, app = posted
    with translation.override("zh-hans"):
        response = client.get(f"/publicity/{page.pk}/notice.pdf", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "publicity.pdf"
    path.write_bytes(response.content)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert page.title in text
    assert app.title in text and app.organization.name in text and app.reference in text
    assert f"{app.awarded_amount:,.2f}" in text
    assert page.last_day.isoformat() in text  # the window
    assert "0851-86812345" in text and "贵阳市观山湖区林城东路1号" in text
    assert app.competition.bureau.name in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJK" in fonts.replace("-", "") and all(" yes " in row for row in fonts.splitlines()[2:]), fonts


def test_the_pdf_comes_from_the_cache_until_the_notice_changes(client, posted, django_assert_max_num_queries):
    page, _app = posted
    first = client.get(f"/publicity/{page.pk}/notice.pdf").content
    with django_assert_max_num_queries(3):
        again = client.get(f"/publicity/{page.pk}/notice.pdf").content
    assert again == first


def test_a_page_that_is_not_a_notice_has_no_pdf(client, home):
    assert client.get(f"/publicity/{home.pk}/notice.pdf").status_code == 404
    assert client.get("/publicity/999999/notice.pdf").status_code == 404


def test_the_notice_page_names_the_contact_and_links_the_pdf(client, posted):
    page, _app = posted
    text = client.get(page.url).content.decode()
    assert '<a href="tel:0851-86812345">0851-86812345</a>' in text
    assert "贵阳市观山湖区林城东路1号" in text
    assert f'href="/publicity/{page.pk}/notice.pdf"' in text
