"""立项通知书 (award notice): issued once per awarded application, with a QR code to the public
verification page so that anyone holding the paper can check it is genuine. The PDF is rendered
by ``applications.pdf`` (``notice_render``), in a task after the notice is committed.
"""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import AwardNotice, Status


def notice_issue(*, application):
    """Create the notice of an awarded application unless it exists; render its PDF after commit.

    Returns (notice, created). Two workers issuing together create one notice: the second
    insert hits the one-notice-per-application constraint and returns the first.
    """
    from .tasks import render_award_notice

    if application.status != Status.AWARDED and not AwardNotice.objects.filter(application=application).exists():
        raise ValueError("only an awarded application gets an award notice")
    try:
        with transaction.atomic():
            notice = AwardNotice.objects.create(
                application=application,
                code=secrets.token_urlsafe(18),
                amount=application.awarded_amount or 0,
                issued_at=timezone.now(),
            )
    except IntegrityError:
        return AwardNotice.objects.get(application=application), False
    # Robust: with the broker down the award still stands and the request still succeeds; the
    # beat job (applications.jobs.requeue_missing_work) renders the notice later.
    transaction.on_commit(lambda: render_award_notice.delay(notice.pk), robust=True)
    return notice, True


def notice_for_code(code):
    """The notice a verification code belongs to, or None (unknown, altered or malformed)."""
    if not code or len(code) > 40:
        return None
    return (
        AwardNotice.objects.select_related(
            "application", "application__organization", "application__competition",
            "application__competition__bureau",
        )
        .filter(code=code)
        .first()
    )

