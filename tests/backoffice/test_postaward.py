"""Staff post-award pages in the Wagtail admin: bureau scoping, actions, query counts."""

from decimal import Decimal

from django.utils import timezone
import pytest
from django.contrib.auth.models import Group, Permission

from applications.models import Disbursement, Report, Status
from tests.factories import ApplicationFactory, BureauFactory, CompetitionFactory, StaffFactory, application_in_state

from tests.postaward.conftest import add_plan, contracted, pdf_file

pytestmark = pytest.mark.django_db


def admin_staff(bureau):
    user = StaffFactory(bureau=bureau)
    group, _ = Group.objects.get_or_create(name="Bureau staff")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user.groups.add(group)
    return user


def test_staff_confirm_approve_pay_through_pages(client):
    from applications import postaward

    app = application_in_state(Status.AWARDED)
    add_plan(app.competition)
    postaward.agreement_upload_scan(application=app, actor=app.member, uploaded=pdf_file())
    staff = admin_staff(app.competition.bureau)
    client.force_login(staff)
    base = f"/admin/postaward/projects/{app.pk}/"
    assert "Confirm the signed agreement" in client.get(base).content.decode()
    assert client.get(base + "agreement-scan/").status_code == 200
    page = client.post(base + "agreement/confirm/", {"confirmed": "1"}, follow=True)
    assert "The agreement is confirmed" in page.content.decode()
    app.refresh_from_db()
    assert app.status == Status.CONTRACTED
    first = app.disbursements.get(position=0)
    client.post(base + f"tranches/{first.pk}/approve/")
    page = client.post(base + f"tranches/{first.pk}/pay/", {"paid_on": timezone.localdate().isoformat(), "voucher": "记-0012", "confirmed": "1"}, follow=True)
    assert "The payment is recorded" in page.content.decode()
    page = client.post(base + f"tranches/{first.pk}/pay/", {"paid_on": timezone.localdate().isoformat(), "voucher": "记-0013", "confirmed": "1"}, follow=True)
    assert "cannot be paid twice" in page.content.decode()
    first.refresh_from_db()
    assert first.state == Disbursement.State.PAID and first.voucher == "记-0012"
    page = client.post(base + f"tranches/{first.pk}/pay/", {"paid_on": "not a date", "voucher": "x"}, follow=True)
    assert page.status_code == 200 and "YYYY-MM-DD" in page.content.decode()


def test_staff_accepts_final_with_grade_and_terminate_records_amount(client):
    from applications import postaward

    app = contracted()
    staff = admin_staff(app.competition.bureau)
    client.force_login(staff)
    final = app.reports.get(kind="final")
    postaward.report_save(report=final, actor=app.member, narrative="完成")
    postaward.report_submit(report=final, actor=app.member)
    base = f"/admin/postaward/projects/{app.pk}/"
    page = client.post(base + f"reports/{final.pk}/accept/", {"grade": ""}, follow=True)
    assert "Give the final report a grade" in page.content.decode()
    client.post(base + f"reports/{final.pk}/accept/", {"grade": "fail"})
    final.refresh_from_db()
    assert final.state == Report.State.ACCEPTED and final.grade == "fail"
    page = client.post(base + "terminate/", {"reason": "结项评估不合格", "return_amount": "abc"}, follow=True)
    assert "is not an amount" in page.content.decode()
    client.post(base + "terminate/", {"reason": "结项评估不合格", "return_amount": "8000.50", "confirmed": "1"})
    app.refresh_from_db()
    assert app.status == Status.TERMINATED and app.return_amount == Decimal("8000.50")


def test_other_bureau_gets_404(client):
    app = contracted()
    client.force_login(admin_staff(BureauFactory()))
    base = f"/admin/postaward/projects/{app.pk}/"
    assert client.get(base).status_code == 404
    first = app.disbursements.first()
    assert client.post(base + f"tranches/{first.pk}/approve/").status_code == 404
    first.refresh_from_db()
    assert first.state == Disbursement.State.PLANNED
    assert app.reference not in client.get("/admin/postaward/").content.decode()


def test_tranche_list_queries_do_not_grow(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bureau = BureauFactory()
    call = CompetitionFactory(bureau=bureau, rubric=False)
    staff = admin_staff(bureau)
    client.force_login(staff)
    client.get("/admin/postaward/")  # warm Wagtail's per-process caches
    counts = {}
    made = 0
    for n in (10, 200):
        apps = [ApplicationFactory(competition=call, status=Status.CONTRACTED, reference=f"GZ-T-{i:04d}", lines=False)
                for i in range(made // 2, n // 2)]
        made = n
        Disbursement.objects.bulk_create(
            Disbursement(application=a, position=p, trigger="contract", amount=Decimal("100")) for a in apps for p in (0, 1)
        )
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/admin/postaward/")
        assert page.status_code == 200
        assert page.content.decode().count("GZ-T-") >= min(n, 100)
        counts[n] = len(queries)
    print(counts)
    assert counts[10] == counts[200], counts


def test_terminate_and_pay_ask_for_confirmation_and_do_nothing_without_it(client):
    """A POST without confirmed=1 (a crafted one, or the first click without JavaScript) gets the
    confirmation page with what will happen, and the project and the tranche stay as they were."""
    app = contracted()
    client.force_login(admin_staff(app.competition.bureau))
    base = f"/admin/postaward/projects/{app.pk}/"
    response = client.post(base + "terminate/", {"reason": "项目负责人失联", "return_amount": "12000"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Terminate this project?" in page and "12,000.00" in page and "cannot be resumed" in page
    assert 'name="reason" value="项目负责人失联"' in page and 'name="confirmed" value="1"' in page
    app.refresh_from_db()
    assert app.status == Status.CONTRACTED

    first = app.disbursements.get(position=0)
    client.post(base + f"tranches/{first.pk}/approve/")
    response = client.post(base + f"tranches/{first.pk}/pay/", {"paid_on": timezone.localdate().isoformat(), "voucher": "记-0099"})
    assert response.status_code == 200 and "Record this payment?" in response.content.decode()
    first.refresh_from_db()
    assert first.state == Disbursement.State.APPROVED
