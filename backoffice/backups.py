"""Backups that restore: the database and the uploaded files together, with a manifest to check.

A backup is one folder::

    commonweal-backup-20261203-163000/
        database.dump      PostgreSQL custom format (pg_dump -Fc), or database.sqlite3 on SQLite
        private.tar.gz     applicants' files (PRIVATE_MEDIA_ROOT: attachments, 申报书, agreements)
        media.tar.gz       public media (MEDIA_ROOT: images of pages)
        manifest.json      row counts per model, the audit chain's heads, a SHA-256 of every file

The database is dumped first (one snapshot), then the files: every file a row of the dump points at
was written before its row committed, so it is in the archive; a file written later is an orphan
that nothing refers to. ``restore`` checks every file's hash before it touches anything, loads the
database and the files, then compares the counts and the audit heads with the manifest and walks
the audit chain (``verify_audit_log``): a restore that does not hold says so and exits non-zero.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from applications.audit import verify_chain
from applications.models import Application, Organization

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
OWN_APPS = ("accounts", "competitions", "applications", "review", "cms")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def row_counts():
    """Rows per model of the product's own apps (``app_label.Model``)."""
    counts = {}
    for label in OWN_APPS:
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model._default_manager.count()
    return counts


def audit_heads():
    """The audit chain's heads: how many chains (applications', then organizations') and one digest over every head."""
    digest = hashlib.sha256()
    chains = 0
    for pk, head in Application.objects.exclude(log_head="").order_by("pk").values_list("pk", "log_head"):
        digest.update(f"{pk}:{head}\n".encode())
        chains += 1
    # Organizations' own chains (claims of registry organizations), after the applications' ones.
    for pk, head in Organization.objects.exclude(log_head="").order_by("pk").values_list("pk", "log_head"):
        digest.update(f"organization:{pk}:{head}\n".encode())
        chains += 1
    return {"chains": chains, "heads_sha256": digest.hexdigest()}


def _pg_env(db):
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db):
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def _run(command, env=None):
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)") from exc
    if done.returncode != 0:
        raise BackupError(f"{' '.join(command[:1])} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done


def _dump_database(folder):
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        _run(["pg_dump", "-Fc", "--no-owner", "--no-acl", "-f", str(target), *_pg_args(db), str(db["NAME"])], env=_pg_env(db))
        return target.name
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return target.name
    raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")


def _archive(root, target):
    with tarfile.open(target, "w:gz") as tar:
        if Path(root).is_dir():
            tar.add(root, arcname=".")
    return target.name


def backup(destination):
    """Write a backup folder under ``destination`` and return its path."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder = Path(destination) / f"commonweal-backup-{stamp}"
    if folder.exists():
        raise BackupError(f"{folder} exists already; wait a second or choose another folder")
    folder.mkdir(parents=True)
    files = {"database": _dump_database(folder)}
    counts, heads = row_counts(), audit_heads()  # after the dump: equal unless someone wrote meanwhile
    files["private"] = _archive(settings.PRIVATE_MEDIA_ROOT, folder / "private.tar.gz")
    files["media"] = _archive(settings.MEDIA_ROOT, folder / "media.tar.gz")
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": timezone.localtime().isoformat(),
        "database_vendor": connection.vendor,
        "files": {kind: {"name": name, "sha256": _sha256(folder / name)} for kind, name in files.items()},
        "counts": counts,
        "audit": heads,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True))
    return folder


def read_manifest(folder):
    """The manifest, after checking that every file it lists is there with its hash."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(f"{folder} has no {MANIFEST}: not a Commonweal backup folder") from exc
    except json.JSONDecodeError as exc:
        raise BackupError(f"{folder / MANIFEST} is damaged ({exc})") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT_VERSION}")
    for kind, entry in manifest["files"].items():
        path = folder / entry["name"]
        if not path.is_file():
            raise BackupError(f"{entry['name']} ({kind}) is missing from {folder}")
        if _sha256(path) != entry["sha256"]:
            raise BackupError(f"{entry['name']} ({kind}) does not match its SHA-256 in the manifest: the file is damaged")
    return manifest


def _load_database(folder, manifest):
    db = settings.DATABASES["default"]
    if manifest["database_vendor"] != connection.vendor:
        raise BackupError(f"the backup is of a {manifest['database_vendor']} database; this site runs on {connection.vendor}")
    source = folder / manifest["files"]["database"]["name"]
    connection.close()
    if connection.vendor == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
              *_pg_args(db), "-d", str(db["NAME"]), str(source)], env=_pg_env(db))
    else:
        with sqlite3.connect(source) as backup_db, sqlite3.connect(db["NAME"]) as live:
            backup_db.backup(live)


def _extract(archive, root):
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(root, filter="data")  # refuses absolute paths, "..", devices and links out


def restore(folder, *, replace=False):
    """Restore the backup in ``folder`` into the configured database and file roots; return a report.

    Refuses a site that already holds applications unless ``replace``. Raises ``BackupError`` when
    the backup is damaged or the restored data does not match the manifest.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if not replace and _holds_applications():
        raise BackupError("this database already holds applications; pass --replace to overwrite it with the backup")
    _load_database(folder, manifest)
    for kind, root in (("private", settings.PRIVATE_MEDIA_ROOT), ("media", settings.MEDIA_ROOT)):
        if replace and Path(root).is_dir():
            shutil.rmtree(root)
        _extract(folder / manifest["files"][kind]["name"], root)
    problems = []
    counts = row_counts()
    for label, expected in sorted(manifest["counts"].items()):
        if counts.get(label) != expected:
            problems.append(f"{label}: {counts.get(label)} rows restored, the manifest says {expected}")
    heads = audit_heads()
    if heads != manifest["audit"]:
        problems.append(f"audit heads differ from the manifest: {heads} != {manifest['audit']}")
    chain = verify_chain()
    problems += chain.problems
    return {"manifest": manifest, "counts": counts, "chain": chain, "problems": problems}


def _holds_applications():
    try:
        return Application.objects.exists()
    except Exception:  # noqa: BLE001  no tables yet: an empty database, fine to restore into
        connection.close()
        return False
