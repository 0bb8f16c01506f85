"""Chinese is the site's default language: the catalog is complete and pages speak it."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from applications.models import Status

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs gettext's msgfmt (apt-get install gettext)")
def test_the_zh_hans_catalog_is_complete_and_compiles(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", str(tmp_path / "django.mo"), str(PO)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    # e.g. "1208 translated messages." — any fuzzy or untranslated entry would be shown in English.
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


def test_workflow_words_are_chinese_by_default():
    with translation.override("zh-hans"):
        assert str(Status.SUBMITTED.label) == "已提交"
        assert str(Status.RETURNED.label) == "退回补正"


@pytest.mark.django_db
def test_a_visitor_without_a_language_preference_gets_chinese():
    from django.test import Client

    page = Client().get("/accounts/login/").content.decode()  # no Accept-Language: the default applies
    assert '<html lang="zh-hans">' in page
    assert "贵州省民政部门" in page  # the footer, translated
