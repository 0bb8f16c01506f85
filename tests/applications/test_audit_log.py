"""The tamper-evident transition log: ``manage.py verify_audit_log`` finds any edit or deletion."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from applications.models import Status, TransitionLog
from tests.factories import application_in_state

BASE_DIR = Path(__file__).resolve().parents[2]


def verify():
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    return out.getvalue()


def verify_fails():
    with pytest.raises(CommandError) as excinfo:
        verify()
    return str(excinfo.value)


@pytest.fixture
def two_logs(db):
    """Two applications with several transitions each: 4 and 3 log rows."""
    first = application_in_state(Status.UNDER_REVIEW)  # submit, accept, open review, (no sheet yet)
    services_withdraw(first)
    second = application_in_state(Status.UNDER_REVIEW)
    return first, second


def services_withdraw(app):
    from applications import services

    services.application_withdraw(application=app, actor=app.member, note="项目负责人离职")


def rows(app):
    return list(TransitionLog.objects.filter(application=app).order_by("seq"))


def test_intact_log_verifies_and_prints_the_count(two_logs):
    first, second = two_logs
    assert [len(rows(first)), len(rows(second))] == [4, 3]
    assert "Audit log intact: 7 rows over 2 applications." in verify()


def test_each_row_holds_the_hash_of_the_previous_one(two_logs):
    first, _ = two_logs
    log = rows(first)
    assert log[0].prev_hash == "0" * 64
    assert [r.prev_hash for r in log[1:]] == [r.hash for r in log[:-1]]
    assert all(r.hash == r.compute_hash() for r in log)
    first.refresh_from_db()
    assert first.log_head == log[-1].hash


def test_rows_cannot_be_changed_through_the_orm(two_logs):
    entry = rows(two_logs[0])[1]
    entry.note = "改写"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


def test_an_edited_note_is_found(two_logs):
    first, _ = two_logs
    target = rows(first)[1]
    TransitionLog.objects.filter(pk=target.pk).update(note="已核实")
    message = verify_fails()
    assert f"TransitionLog row id={target.pk} " in message
    assert "the row was edited" in message


@pytest.mark.parametrize("field,value", [("actor", None), ("to_state", "awarded"), ("transition", "application.award")])
def test_other_edited_fields_are_found(two_logs, field, value):
    target = rows(two_logs[1])[0]
    TransitionLog.objects.filter(pk=target.pk).update(**{field: value})
    assert f"TransitionLog row id={target.pk} " in verify_fails()


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_row(two_logs):
    first, _ = two_logs
    target, following = rows(first)[1:3]
    target.note = "伪造"
    TransitionLog.objects.filter(pk=target.pk).update(note="伪造", hash=target.compute_hash())
    message = verify_fails()
    assert f"TransitionLog row id={following.pk} " in message
    assert "prev_hash does not match" in message


def test_a_deleted_middle_row_is_found(two_logs):
    first, _ = two_logs
    log = rows(first)
    TransitionLog.objects.filter(pk=log[1].pk).delete()
    message = verify_fails()
    assert f"TransitionLog row id={log[2].pk} " in message
    assert "a row before it was deleted" in message


def test_a_deleted_first_row_is_found(two_logs):
    _, second = two_logs
    log = rows(second)
    TransitionLog.objects.filter(pk=log[0].pk).delete()
    assert f"TransitionLog row id={log[1].pk} " in verify_fails()


def test_a_deleted_last_row_is_found(two_logs):
    first, _ = two_logs
    log = rows(first)
    TransitionLog.objects.filter(pk=log[-1].pk).delete()
    message = verify_fails()
    assert f"TransitionLog row id={log[-2].pk} " in message
    assert "rows after it were deleted" in message


def test_a_deleted_last_row_of_the_last_application_is_found(two_logs):
    _, second = two_logs
    log = rows(second)
    TransitionLog.objects.filter(pk=log[-1].pk).delete()
    assert f"TransitionLog row id={log[-2].pk} " in verify_fails()


def test_a_deleted_whole_log_is_found(two_logs):
    first, _ = two_logs
    TransitionLog.objects.filter(application=first).delete()
    message = verify_fails()
    assert f"Application {first.pk}: it records a log head but has no TransitionLog rows" in message


def test_every_problem_is_reported_in_one_run_with_a_count(two_logs):
    """An edited row in one application and a deleted row in another: both in one run (issue 13)."""
    first, second = two_logs
    edited = rows(first)[0]
    deleted, after_deleted = rows(second)[1:3]
    TransitionLog.objects.filter(pk=edited.pk).update(note="x")
    TransitionLog.objects.filter(pk=deleted.pk).delete()
    message = verify_fails()
    lines = message.splitlines()
    assert any(f"row id={edited.pk} " in line and "the row was edited" in line for line in lines)
    assert any(f"row id={after_deleted.pk} " in line and "a row before it was deleted" in line for line in lines)
    # One problem per damaged row, not one for every row after it.
    assert lines[-1] == "2 problem(s) in 2 application(s); 6 rows over 2 applications checked."


def test_two_edited_rows_in_one_application_are_both_named(two_logs):
    first, _ = two_logs
    a, b = rows(first)[0], rows(first)[2]
    TransitionLog.objects.filter(pk__in=[a.pk, b.pk]).update(note="x")
    message = verify_fails()
    assert f"row id={a.pk} " in message and f"row id={b.pk} " in message
    assert message.splitlines()[-1].startswith("2 problem(s) in 1 application(s);")


def test_reordered_rows_are_named_as_reordered(two_logs):
    first, _ = two_logs
    b, c = rows(first)[1:3]
    # Swap the two rows' places (through a free number, as the pair must stay unique).
    TransitionLog.objects.filter(pk=b.pk).update(seq=99)
    TransitionLog.objects.filter(pk=c.pk).update(seq=2)
    TransitionLog.objects.filter(pk=b.pk).update(seq=3)
    lines = verify_fails().splitlines()
    assert f"TransitionLog row id={c.pk} (application {first.pk}, seq 2): it was written as seq 3; the rows were reordered." in lines
    assert f"TransitionLog row id={b.pk} (application {first.pk}, seq 3): it was written as seq 2; the rows were reordered." in lines
    assert lines[-1].startswith("2 problem(s) in 1 application(s);")


def test_an_empty_log_verifies(db):
    assert "Audit log intact: 0 rows over 0 applications." in verify()


def _database_url(connection):
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_command_exit_code_in_a_real_process(require_postgres):
    """``manage.py verify_audit_log`` as an operator runs it, against committed data."""
    app = application_in_state(Status.ELIGIBLE)
    env = {**os.environ, "DATABASE_URL": _database_url(require_postgres), "DJANGO_ENV": "development"}
    command = [sys.executable, "manage.py", "verify_audit_log"]

    ok = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "Audit log intact: 2 rows over 1 applications." in ok.stdout

    second = rows(app)[1]
    TransitionLog.objects.filter(pk=second.pk).update(note="改写")
    bad = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    assert f"TransitionLog row id={second.pk} " in bad.stderr
    assert "1 problem(s) in 1 application(s);" in bad.stderr


def test_a_status_changed_outside_the_workflow_is_found(two_logs):
    from applications.models import Application

    _, second = two_logs
    Application.objects.filter(pk=second.pk).update(status="awarded")
    message = verify_fails()
    assert f"TransitionLog row id={rows(second)[-1].pk} " in message
    assert "the application is “awarded”" in message
    assert "changed outside the workflow" in message


def test_a_draft_pushed_forward_without_a_log_is_found(db):
    from applications.models import Application

    draft = application_in_state(Status.DRAFT)
    assert "Audit log intact: 0 rows over 0 applications." in verify()
    Application.objects.filter(pk=draft.pk).update(status="eligible")
    assert f"Application {draft.pk}: it is “eligible” but has no TransitionLog rows" in verify_fails()
