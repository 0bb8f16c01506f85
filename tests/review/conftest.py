"""Fixtures for the review: a call, its reviewer pool, applications in review, scored sheets.

``bureau``, ``call``, ``staff`` and ``other_staff`` come from tests/conftest.py.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from review.models import Assignment, Score, ScoreSheet
from tests.factories import ReviewerFactory, UserFactory, application_in, staff_with_admin, with_totp  # noqa: F401


def reviewer(bureau, *, totp=True, **kwargs):
    """A reviewer user in ``bureau``'s pool (with an authenticator unless ``totp=False``)."""
    profile = ReviewerFactory(bureaus=[bureau], **kwargs)
    if totp:
        with_totp(profile.user)
    return profile.user


def scored(application, reviewer_user, points, *, stage="review", submitted=True, comment="", recommendation="fund"):
    """An assignment with a sheet holding ``points`` (a list in rubric order)."""
    criteria = [c for c in application.competition.criteria.all() if c.stage == stage]
    assignment = Assignment.objects.create(
        application=application, reviewer=reviewer_user, stage=stage,
        state="submitted" if submitted else "assigned",
    )
    sheet = ScoreSheet.objects.create(
        assignment=assignment, recommendation=recommendation,
        submitted_at=timezone.now() if submitted else None,
    )
    Score.objects.bulk_create(
        Score(sheet=sheet, criterion=c, points=Decimal(str(p)), comment=comment) for c, p in zip(criteria, points)
    )
    return sheet


@pytest.fixture
def plain_user():
    return UserFactory()
