"""Check the hash chain of the transition log; exit non-zero naming the first bad row."""

from django.core.management.base import BaseCommand, CommandError

from applications.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the tamper-evident transition log (exit 0 when intact)."

    def handle(self, *args, **options):
        result = verify_chain()
        if result.problem:
            raise CommandError(result.problem)
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {result.rows} rows over {result.applications} applications."
            )
        )
