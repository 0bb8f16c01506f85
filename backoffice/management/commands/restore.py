"""``manage.py restore FOLDER``: load a backup made by ``manage.py backup`` and check it."""

from django.core.management.base import BaseCommand, CommandError

from backoffice.backups import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup folder into the configured database and file roots, then check the row counts "
            "and audit heads against its manifest and walk the audit chain (verify_audit_log).")

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a folder written by manage.py backup")
        parser.add_argument("--replace", action="store_true",
                            help="overwrite a database that already holds applications, and the file roots")

    def handle(self, *args, folder, replace, **options):
        try:
            report = restore(folder, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        chain = report["chain"]
        rows = sum(report["counts"].values())
        if report["problems"]:
            raise CommandError("\n".join([*report["problems"], f"{len(report['problems'])} problem(s): the restore does not match its backup."]))
        self.stdout.write(self.style.SUCCESS(
            f"Restored {rows} rows in {len(report['counts'])} tables from {folder}; counts and audit heads match the manifest "
            f"({report['manifest']['audit']['chains']} chains). Audit log intact: {chain.rows} rows over {chain.chains}."
        ))
