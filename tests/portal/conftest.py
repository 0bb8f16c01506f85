"""Applicants who have verified their email, signed in; the portal's pages need both."""

import pytest
from allauth.account.models import EmailAddress

from tests.factories import ApplicationFactory, OrganizationFactory, UserFactory, member_of


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def applicant(db):
    """A verified user who owns an organization."""
    org = OrganizationFactory()
    return verified(member_of(org))


@pytest.fixture
def organization(applicant):
    return applicant.organizations.get()


@pytest.fixture
def app_client(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def draft(organization, applicant):
    """A complete draft that passes every rule (the call is open)."""
    return ApplicationFactory(organization=organization, created_by=applicant)


@pytest.fixture
def other_application(db):
    """Someone else's application, with a verified owner."""
    app = ApplicationFactory()
    verified(member_of(app.organization))
    return app


@pytest.fixture
def stranger(db):
    return verified(UserFactory())


@pytest.fixture(autouse=True)
def _empty_cache():
    """Ids repeat between tests (rolled back), so nothing cached may outlive a test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
