"""Review tasks are thin: they take ids, load, and call a service or render a document."""

from celery import shared_task


@shared_task
def render_score_summary(competition_id):
    """Render the call's score summary (评审汇总表) and store it, replacing the last one."""
    from competitions.models import Competition

    from .pdf import score_summary_store

    return score_summary_store(Competition.objects.get(pk=competition_id))
