"""Backups that restore: ``manage.py backup`` then ``manage.py restore`` into another database, as an
operator runs them (real processes), with the manifest and the audit chain checked on the way back."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from applications.models import Application, Status, TransitionLog
from tests.factories import application_in_state

BASE_DIR = Path(settings.BASE_DIR)


def _url(settings_dict, name):
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{settings_dict['USER']}{password}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{name}"


def _psql(settings_dict, sql):
    import psycopg

    with psycopg.connect(_url(settings_dict, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_with_files_and_an_intact_audit_chain(require_postgres, tmp_path):
    db = require_postgres.settings_dict
    submitted = application_in_state(Status.ELIGIBLE, title="社区长者助餐")
    application_in_state(Status.SUBMITTED)
    evidence = Path(settings.PRIVATE_MEDIA_ROOT) / "attachments" / "evidence.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4 evidence of registration")

    call_command("backup", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["applications.Application"] == 2
    assert manifest["counts"]["applications.TransitionLog"] == TransitionLog.objects.count() == 3
    assert manifest["audit"]["chains"] == 2
    assert {"database", "private", "media"} <= set(manifest["files"])

    scratch = f"restore_{uuid.uuid4().hex[:10]}"
    _psql(db, f'CREATE DATABASE "{scratch}"')
    env = {**os.environ, "DATABASE_URL": _url(db, scratch), "DJANGO_ENV": "development",
           "PRIVATE_MEDIA_ROOT": str(tmp_path / "restored-private"), "MEDIA_ROOT": str(tmp_path / "restored-media")}
    try:
        done = _manage("restore", str(folder), env=env)
        assert done.returncode == 0, done.stderr
        assert "counts and audit heads match the manifest (2 chains)" in done.stdout
        assert "Audit log intact: 3 rows over 2 applications." in done.stdout
        assert (tmp_path / "restored-private" / "attachments" / "evidence.pdf").read_bytes() == evidence.read_bytes()

        again = _manage("restore", str(folder), env=env)  # the restored database is no longer empty
        assert again.returncode != 0
        assert "already holds applications; pass --replace" in again.stderr

        # A row changed by SQL in the restored copy is named by the operator's check.
        first = TransitionLog.objects.filter(application=submitted).order_by("seq").first()
        import psycopg

        with psycopg.connect(_url(db, scratch), autocommit=True) as conn:
            conn.execute("UPDATE applications_transitionlog SET note = 'changed' WHERE id = %s", [first.pk])
        check = _manage("verify_audit_log", env=env)
        assert check.returncode != 0
        assert f"TransitionLog row id={first.pk} " in check.stderr

        replaced = _manage("restore", "--replace", str(folder), env=env)
        assert replaced.returncode == 0, replaced.stderr
        assert "Audit log intact: 3 rows over 2 applications." in replaced.stdout
    finally:
        _psql(db, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    assert Application.objects.count() == 2  # the live database was never touched


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path):
    application_in_state(Status.SUBMITTED)
    call_command("backup", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    with open(damaged / "private.tar.gz", "ab") as archive:
        archive.write(b"garbage")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'target.sqlite3'}", "DJANGO_ENV": "development",
           "PRIVATE_MEDIA_ROOT": str(tmp_path / "target-private"), "MEDIA_ROOT": str(tmp_path / "target-media")}
    refused = _manage("restore", str(damaged), env=env)
    assert refused.returncode != 0
    assert "private.tar.gz (private) does not match its SHA-256 in the manifest" in refused.stderr
    assert not (tmp_path / "target-private").exists()

    (damaged / "manifest.json").unlink()
    missing = _manage("restore", str(damaged), env=env)
    assert "has no manifest.json: not a Commonweal backup folder" in missing.stderr

    from django.db import connection

    if connection.vendor == "sqlite":  # the embedded default restores too
        restored = _manage("restore", str(folder), env=env)
        assert restored.returncode == 0, restored.stderr
        assert "Audit log intact: 1 rows over 1 applications." in restored.stdout
