"""A label's colon in Chinese is the full-width ：, with no space after it (GB/T 15834); English keeps
": ". Both the templates' labels and Django's form labels (gettext(":"), which Django's own zh_Hans
catalog leaves as the ASCII colon) go through our catalog."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_publicity_page_and_the_track_form_write_the_chinese_colon(client, publicity):
    page, _application, _staff = publicity
    zh = client.get(page.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "公示期：</strong>" in zh and "公示期:" not in zh
    track = client.get(reverse("cms:track"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "申报编号：</label>" in track and "申报编号:" not in track
    en = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Public notice period:</strong>" in en
    assert "Reference number:</label>" in client.get(reverse("cms:track"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
