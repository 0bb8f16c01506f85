"""The award at the end of the 公示, the 立项通知书 and its public verification."""

import datetime as dt
import subprocess
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from applications.models import Application, AwardNotice, Status, TransitionLog
from applications.pdf import notice_pdf, verification_url
from applications.publicity import objection_file, publicity_award_due
from applications.jobs import award_due_publicity
from tests.factories import application_in_state


def _after_window(app):
    return time_machine.travel(app.publicity_ends_at + dt.timedelta(minutes=1), tick=False)


@pytest.mark.django_db
def test_award_job_run_twice_awards_once_with_one_notice(publicity, django_capture_on_commit_callbacks):
    _page, app, _staff = publicity
    with _after_window(app), django_capture_on_commit_callbacks(execute=True):
        first = award_due_publicity.apply().get()
        second = award_due_publicity.apply().get()
    app.refresh_from_db()
    assert first == [app.pk] and second == []
    assert app.status == Status.AWARDED
    assert TransitionLog.objects.filter(application=app, to_state="awarded").count() == 1
    notice = AwardNotice.objects.get(application=app)
    assert notice.file and len(notice.sha256) == 64
    assert len(notice.code) >= 20


@pytest.mark.django_db
def test_no_award_before_the_window_ends_or_with_an_open_objection(publicity):
    _page, app, _staff = publicity
    assert publicity_award_due() == []
    objection_file(application=app, objector_kind="person", name="王五", phone="139", reason="理由")
    with _after_window(app):
        assert publicity_award_due() == []
    app.refresh_from_db()
    assert app.status == Status.PUBLICIZING
    assert not AwardNotice.objects.exists()


@pytest.mark.django_db
def test_notice_pdf_has_the_particulars_embedded_fonts_and_qr(publicity, tmp_path):
    _page, app, _staff = publicity
    with _after_window(app):
        publicity_award_due()
    notice = AwardNotice.objects.get()
    path = tmp_path / "notice.pdf"
    path.write_bytes(notice_pdf(notice))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "立项通知书" in text
    assert app.reference in text
    assert app.organization.name in text
    assert "50,000.00" in text and "人民币伍万元整" in text
    issued = timezone.localtime(notice.issued_at)
    assert f"{issued.year}年{issued.month}月{issued.day}日" in text  # dates as Chinese documents write them
    assert verification_url(notice.code) in text.replace("\n", "").replace(" ", "")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), fonts
    assert "Noto-Sans-CJK-SC" in fonts and "Type 3" not in fonts
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert len(images.splitlines()) >= 3  # header, rule, the QR code


@pytest.mark.django_db
def test_verification_page_genuine_unknown_altered(client, publicity):
    _page, app, _staff = publicity
    with _after_window(app):
        publicity_award_due()
    notice = AwardNotice.objects.get()

    genuine = client.get(f"/verify/{notice.code}/")
    assert genuine.status_code == 200
    text = genuine.content.decode()
    assert "Genuine" in text and app.reference in text and app.organization.name in text and "50,000.00" in text

    altered = notice.code[:-1] + ("A" if notice.code[-1] != "A" else "B")
    for code in (altered, "unknown-code", "x" * 300, "%E4%B8%AD"):
        response = client.get(f"/verify/{code}/")
        assert response.status_code == 404
        assert "Not genuine" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_workers_award_together_one_transition(require_postgres, django_capture_on_commit_callbacks):
    apps = [application_in_state(Status.PUBLICIZING) for _ in range(3)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(publicity_award_due())
        except Exception as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    awarded = sorted(pk for run in results for pk in run)
    assert awarded == sorted(a.pk for a in apps)  # each awarded by exactly one worker
    for app in apps:
        assert Application.objects.get(pk=app.pk).status == Status.AWARDED
        assert TransitionLog.objects.filter(application=app, to_state="awarded").count() == 1
        assert AwardNotice.objects.filter(application=app).count() == 1


def test_beat_runs_the_award_job():
    from config.celery import app
    from config.schedule import BEAT_SCHEDULE

    app.loader.import_default_modules()  # Celery's autodiscovery, as the worker does it
    entry = BEAT_SCHEDULE["award-due-publicity"]
    assert entry["task"] == award_due_publicity.name
    assert entry["task"] in app.tasks
