"""Check the hash chain of the transition log; list every bad row and exit non-zero if any."""

from django.core.management.base import BaseCommand, CommandError

from applications.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the tamper-evident transition log (exit 0 when intact; otherwise every problem is listed)."

    def handle(self, *args, **options):
        result = verify_chain()
        if result.problems:
            summary = (
                f"{len(result.problems)} problem(s) in {len(result.damaged_applications)} application(s); "
                f"{result.rows} rows over {result.chains} checked."
            )
            raise CommandError("\n".join([*result.problems, summary]))
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(result.by_subject.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {result.rows} rows over {result.chains}.\n"
                f"Rows per subject: {kinds or 'none'}."
            )
        )
