"""Celery autodiscovery looks for ``<app>.tasks``: this registers the 公示 and award jobs."""

from applications.publicity_tasks import award_due_publicity, render_award_notice  # noqa: F401
