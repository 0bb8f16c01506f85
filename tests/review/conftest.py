"""Fixtures for the review: a call, its reviewer pool, applications in review, scored sheets."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from review.models import Assignment, Score, ScoreSheet
from tests.factories import (
    ApplicationFactory,
    BureauFactory,
    CompetitionFactory,
    ReviewerFactory,
    StaffFactory,
    UserFactory,
    with_totp,
)

_refs = itertools.count(1)


def staff_with_admin(bureau):
    user = StaffFactory(bureau=bureau)
    group, _created = Group.objects.get_or_create(name="Bureau staff")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user.groups.add(group)
    return user


def reviewer(bureau, *, totp=True, **kwargs):
    """A reviewer user in ``bureau``'s pool (with an authenticator unless ``totp=False``)."""
    profile = ReviewerFactory(bureaus=[bureau], **kwargs)
    if totp:
        with_totp(profile.user)
    return profile.user


def application_in(status, *, competition, **kwargs):
    """An application already in ``status`` (set at creation; the workflow is tested elsewhere)."""
    kwargs.setdefault("reference", f"GZ-2026-RV-{next(_refs):05d}")
    kwargs.setdefault("submitted_at", timezone.now() - dt.timedelta(days=1))
    return ApplicationFactory(status=status, competition=competition, **kwargs)


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
def bureau():
    return BureauFactory()


@pytest.fixture
def call(bureau):
    return CompetitionFactory(bureau=bureau)


@pytest.fixture
def staff(bureau):
    return staff_with_admin(bureau)


@pytest.fixture
def other_staff():
    return staff_with_admin(BureauFactory())


@pytest.fixture
def plain_user():
    return UserFactory()
