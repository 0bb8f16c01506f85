"""Review tasks are thin: they take ids, load, and call a service or render a document."""

from celery import shared_task


@shared_task
def render_score_summary(competition_id):
    """Render the call's score summary (评审汇总表); returns the PDF size (for logs)."""
    from competitions.models import Competition

    from .pdf import score_summary_pdf

    return len(score_summary_pdf(Competition.objects.get(pk=competition_id)))
