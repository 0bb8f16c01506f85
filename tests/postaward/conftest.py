from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from competitions.models import ReportRequirement, TranchePlanItem
from tests.files import PDF as PDF_BYTES


def pdf_file(name="签字盖章协议.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def add_plan(call, percents=(("40", "contract"), ("40", "midterm"), ("20", "final")), reports=(("midterm", 90), ("final", 180))):
    for i, (percent, trigger) in enumerate(percents):
        TranchePlanItem.objects.create(competition=call, position=i, percent=Decimal(percent), trigger=trigger)
    for kind, days in reports:
        ReportRequirement.objects.create(competition=call, kind=kind, days_after_contract=days)


def contracted(**kwargs):
    """An awarded application taken through agreement upload and staff confirmation."""
    from applications import postaward
    from applications.models import Status
    from tests.factories import application_in_state

    app = application_in_state(Status.AWARDED, **kwargs)
    add_plan(app.competition)
    postaward.agreement_upload_scan(application=app, actor=app.member, uploaded=pdf_file())
    postaward.agreement_confirm(application=app, actor=app.staff)
    app.refresh_from_db()
    return app


@pytest.fixture
def project(db):
    return contracted()


def pay(d, staff, voucher="PZ-001"):
    from applications import postaward

    postaward.disbursement_approve(disbursement=d, actor=staff)
    return postaward.disbursement_pay(disbursement=d, actor=staff, paid_on=timezone.localdate(), voucher=voucher)
