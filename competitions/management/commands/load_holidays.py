"""Copy chinese-calendar's public holidays and make-up working days into the working-day calendar."""

from django.core.management.base import BaseCommand

from competitions.services import load_library_days
from competitions.workdays import LIBRARY_VERSION, library_years, years_to_warn


class Command(BaseCommand):
    help = "Load the official holidays and make-up working days that chinese-calendar knows (idempotent)."

    def handle(self, *args, **options):
        result = load_library_days()
        years = sorted(library_years())
        self.stdout.write(
            f"{LIBRARY_VERSION} knows {years[0]}-{years[-1]}: {result.created} days added, "
            f"{result.updated} updated, {result.unchanged} unchanged."
        )
        for day in result.kept_admin:
            self.stdout.write(f"  {day}: an admin's entry differs from the library's and is kept.")
        for year in years_to_warn():
            self.stdout.write(self.style.WARNING(
                f"No official holiday schedule for {year} yet: enter the State Council's 放假安排 in the admin "
                "(Settings → Working-day calendar); until then windows in that year count weekends only."
            ))
