"""Load (or refresh) the shipped region tree; safe to run any number of times."""

from django.core.management.base import BaseCommand
from django.db import transaction

from competitions.regions import FIXTURE, load_regions


class Command(BaseCommand):
    help = "Create or update Guizhou's regions from competitions/fixtures/guizhou_regions.json."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(FIXTURE), help="A fixture in the same format.")

    def handle(self, *args, **options):
        with transaction.atomic():
            result = load_regions(path=options["file"])
        self.stdout.write(f"Regions: {result}.")
