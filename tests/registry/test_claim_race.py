"""Two people claim the same organization at the same moment, on PostgreSQL with real connections:
one claim is pending, the other person is told so (a message, not a database error)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import claims
from applications.audit import verify_chain
from applications.models import Attachment, OrganizationClaim, TransitionLog
from tests.applications.test_concurrency import race
from tests.factories import OrganizationFactory, UserFactory
from tests.files import PDF


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_claim_the_same_code_at_once(require_postgres):
    organization = OrganizationFactory(name="同时认领互助会")
    first, second = UserFactory(), UserFactory()

    def claim(user):
        return lambda: claims.claim_submit(
            organization=organization, actor=user, uploaded=SimpleUploadedFile("执照.pdf", PDF))

    results = race(claim(first), claim(second))

    made = [r for r in results if isinstance(r, OrganizationClaim)]
    told = [r for r in results if isinstance(r, claims.ApplicationError)]
    assert len(made) == 1 and len(told) == 1, results
    assert "Someone else asked to claim 同时认领互助会" in told[0].message
    assert OrganizationClaim.objects.filter(organization=organization, state="pending").count() == 1
    assert TransitionLog.objects.filter(organization=organization).count() == 1
    # The loser's evidence is not left behind.
    assert Attachment.objects.filter(kind=Attachment.Kind.CLAIM).count() == 1
    assert verify_chain().problems == []
