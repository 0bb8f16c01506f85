"""Fixtures for the staff back office: bureau staff who may enter the Wagtail admin."""

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from applications.models import Status
from tests.factories import ApplicationFactory, BureauFactory, CompetitionFactory, StaffFactory, UserFactory

_refs = itertools.count(1)


def admin_access_group():
    group, _created = Group.objects.get_or_create(name="Bureau staff")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    return group


def staff_with_admin(bureau=None, **kwargs):
    """Bureau staff (is_staff, bureau set) in a group holding wagtailadmin.access_admin."""
    user = StaffFactory(**({"bureau": bureau} if bureau else {}), **kwargs)
    user.groups.add(admin_access_group())
    return user


def application_in(status, *, competition, **kwargs):
    """An application already in ``status`` (set at creation; the workflow is tested elsewhere)."""
    if status != Status.DRAFT:
        kwargs.setdefault("reference", f"GZ-2026-LF-{next(_refs):04d}")
        kwargs.setdefault("submitted_at", timezone.now() - dt.timedelta(days=1))
    return ApplicationFactory(status=status, competition=competition, **kwargs)


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
    """Staff of another bureau."""
    return staff_with_admin(BureauFactory())


@pytest.fixture
def site_admin():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def submitted(call):
    return application_in(Status.SUBMITTED, competition=call)
