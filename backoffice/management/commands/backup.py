"""``manage.py backup DEST``: dump the database and the uploaded files together, with a manifest."""

from django.core.management.base import BaseCommand, CommandError

from backoffice.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder under DEST, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("destination", help="folder that receives the backup (created if missing)")

    def handle(self, *args, destination, **options):
        try:
            folder = backup(destination)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = (folder / "manifest.json").read_text()
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
        self.stdout.write(manifest)
