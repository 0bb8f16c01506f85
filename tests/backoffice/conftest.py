"""Fixtures for the staff back office: bureau staff who may enter the Wagtail admin.

``bureau``, ``call``, ``staff`` and ``other_staff`` come from tests/conftest.py.
"""

import pytest

from applications.models import Status
from tests.factories import UserFactory, admin_access_group, application_in, staff_with_admin  # noqa: F401 (re-exported)


@pytest.fixture
def site_admin():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def submitted(call):
    return application_in(Status.SUBMITTED, competition=call)
