"""Scheduled and background jobs of the 公示 and the award (thin: they call services).

Imported by ``cms.tasks`` so that Celery's autodiscovery registers them.
"""

from celery import shared_task


@shared_task(name="applications.publicity_tasks.award_due_publicity")
def award_due_publicity():
    """Beat job: award every application whose 公示 ended with no open or upheld objection."""
    from .publicity import publicity_award_due

    return publicity_award_due()


@shared_task(name="applications.publicity_tasks.render_award_notice", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def render_award_notice(notice_id):
    from .notices import notice_render

    notice_render(notice_id=notice_id)
