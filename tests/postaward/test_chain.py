"""Every step that moves public money is a transition in the project's audit chain: tranches
(planned → approved → paid; held and released), reports (submitted → returned or accepted) and
objections (received → under investigation → upheld or dismissed). Each is allowed or refused with
a reason, leaves one chained row with its actor, and ``verify_audit_log`` names a payment changed
behind the workflow's back."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from applications import postaward, publicity
from applications.models import Application, Disbursement, Objection, Report, Status, TransitionLog
from applications.services import ApplicationError
from tests.applications.test_audit_log import BASE_DIR, _database_url, verify, verify_fails
from tests.applications.test_concurrency import race
from tests.cms.conftest import admin_staff
from tests.factories import StaffFactory, application_in_state

from .conftest import contracted, pay

pytestmark = pytest.mark.django_db


def steps(app, subject, subject_id):
    return list(
        TransitionLog.objects.filter(application=app, subject=subject, subject_id=subject_id)
        .order_by("seq").values_list("transition", "from_state", "to_state", "actor_id")
    )


def submitted_report(project, kind="midterm"):
    report = project.reports.get(kind=kind)
    postaward.report_save(report=report, actor=project.member, narrative="开展邻里互助活动十二场。")
    return postaward.report_submit(report=report, actor=project.member)


# ----- tranches ---------------------------------------------------------------------------------------


def test_a_payment_is_chained_with_who_approved_who_paid_and_the_figures(project):
    first = project.disbursements.get(position=0)
    paid_on = timezone.localdate()
    pay(first, project.staff, voucher="PZ-2026-031")
    assert steps(project, "disbursement", first.pk) == [
        ("disbursement.plan", "", "planned", None),
        ("disbursement.approve", "planned", "approved", project.staff.pk),
        ("disbursement.pay", "approved", "paid", project.staff.pk),
    ]
    paid = TransitionLog.objects.get(subject="disbursement", subject_id=first.pk, transition="disbursement.pay")
    assert paid.data == {"position": 0, "amount": "20000.00", "paid_on": paid_on.isoformat(), "voucher": "PZ-2026-031"}
    assert "Audit log intact" in verify()


@pytest.mark.parametrize("case", ["twice", "no voucher", "not approved", "other bureau", "terminated"])
def test_payments_refused_with_a_reason_and_nothing_written(project, case):
    first = project.disbursements.get(position=0)
    today = timezone.localdate()
    if case == "twice":
        pay(first, project.staff, voucher="PZ-1")
        call, match = dict(actor=project.staff, voucher="PZ-2"), "already paid on .* \\(voucher PZ-1\\); it cannot be paid twice"
    elif case == "no voucher":
        postaward.disbursement_approve(disbursement=first, actor=project.staff)
        call, match = dict(actor=project.staff, voucher="  "), "Give the voucher number"
    elif case == "not approved":
        call, match = dict(actor=project.staff, voucher="PZ-1"), "Approve the tranche before recording its payment"
    elif case == "other bureau":
        postaward.disbursement_approve(disbursement=first, actor=project.staff)
        call, match = dict(actor=StaffFactory(), voucher="PZ-1"), "Only staff of the bureau that runs this call"
    else:
        postaward.disbursement_approve(disbursement=first, actor=project.staff)
        postaward.project_terminate(application=project, actor=project.staff, reason="严重违约", return_amount="0")
        call, match = dict(actor=project.staff, voucher="PZ-1"), "Tranches are not paid to a project that is “Terminated”"
    rows_before = TransitionLog.objects.count()
    state_before = Disbursement.objects.get(pk=first.pk).state
    with pytest.raises(ApplicationError, match=match):
        postaward.disbursement_pay(disbursement=first, paid_on=today, **call)
    assert TransitionLog.objects.count() == rows_before
    assert Disbursement.objects.get(pk=first.pk).state == state_before


def test_approving_a_tranche_before_its_report_is_refused_with_the_trigger(project):
    second = project.disbursements.get(position=1)
    with pytest.raises(ApplicationError, match="That has not happened yet|that has not happened yet"):
        postaward.disbursement_approve(disbursement=second, actor=project.staff)
    assert steps(project, "disbursement", second.pk) == [("disbursement.plan", "", "planned", None)]


def test_a_paid_tranche_cannot_be_edited_through_the_orm(project):
    first = pay(project.disbursements.get(position=0), project.staff)
    first.refresh_from_db()
    first.amount = first.amount + 1
    with pytest.raises(ValidationError, match="paid"):
        first.save()
    assert Disbursement.objects.get(pk=first.pk).amount == first.amount - 1


def test_a_state_field_cannot_be_set_by_hand(project):
    first = project.disbursements.get(position=0)
    with pytest.raises(AttributeError):
        first.state = Disbursement.State.PAID


@pytest.mark.parametrize("change, named", [
    ({"amount": "99999.00"}, "its amount is 99999.00 but TransitionLog row id={row} (application {app}, seq {seq}) records 20000.00"),
    ({"voucher": "PZ-FAKE"}, "with voucher PZ-FAKE but TransitionLog row id={row} (application {app}, seq {seq}) records"),
    ({"state": "planned"}, "it is “planned” but TransitionLog row id={row} (application {app}, seq {seq}) leaves it “paid”"),
])
def test_a_payment_changed_by_sql_is_named(project, change, named):
    first = pay(project.disbursements.get(position=0), project.staff, voucher="PZ-7")
    paid = TransitionLog.objects.get(subject="disbursement", subject_id=first.pk, transition="disbursement.pay")
    Disbursement.objects.filter(pk=first.pk).update(**change)
    message = verify_fails()
    assert f"Tranche id={first.pk} (application {project.pk}): " in message
    assert named.format(row=paid.pk, app=project.pk, seq=paid.seq) in message
    assert "1 problem(s) in 1 application(s)" in message


def test_the_chained_payment_row_itself_edited_is_named(project):
    first = pay(project.disbursements.get(position=0), project.staff)
    paid = TransitionLog.objects.get(subject="disbursement", subject_id=first.pk, transition="disbursement.pay")
    TransitionLog.objects.filter(pk=paid.pk).update(data={**paid.data, "amount": "1.00"})
    message = verify_fails()
    assert f"TransitionLog row id={paid.pk} (application {project.pk}, seq {paid.seq}): its content does not match its hash" in message


def test_a_deleted_tranche_row_is_named(project):
    first = project.disbursements.get(position=2)
    Disbursement.objects.filter(pk=first.pk).delete()
    # Its chained rows remain: the chain still says it was planned.
    assert TransitionLog.objects.filter(subject="disbursement", subject_id=first.pk).exists()
    assert "Audit log intact" in verify()  # a planned tranche removed is visible in the chain, not an error
    Disbursement.objects.create(application=project, position=2, trigger="final", amount="1.00")
    assert "has no row in its application's chain; it was made or changed outside the workflow" in verify_fails()


# ----- reports ----------------------------------------------------------------------------------------


def test_report_steps_are_chained_and_a_second_decision_is_refused(project):
    pay(project.disbursements.get(position=0), project.staff)
    report = submitted_report(project)
    postaward.report_return(report=report, actor=project.staff, reason="请补充活动照片")
    postaward.report_submit(report=report, actor=project.member)
    postaward.report_accept(report=report, actor=project.staff)
    with pytest.raises(ApplicationError, match="Only a submitted report can be accepted"):
        postaward.report_accept(report=report, actor=project.staff)
    with pytest.raises(ApplicationError, match="Only a submitted report can be returned"):
        postaward.report_return(report=report, actor=project.staff, reason="再改")
    assert steps(project, "report", report.pk) == [
        ("report.submit", "draft", "submitted", project.member.pk),
        ("report.send_back", "submitted", "returned", project.staff.pk),
        ("report.submit", "returned", "submitted", project.member.pk),
        ("report.accept", "submitted", "accepted", project.staff.pk),
    ]
    returned = TransitionLog.objects.get(subject="report", subject_id=report.pk, transition="report.send_back")
    assert returned.note == "请补充活动照片"


def test_a_report_state_changed_by_sql_is_named(project):
    pay(project.disbursements.get(position=0), project.staff)
    report = submitted_report(project)
    Report.objects.filter(pk=report.pk).update(state="accepted")
    assert f"Report id={report.pk} (application {project.pk}): it is “accepted” but TransitionLog row id=" in verify_fails()


def test_the_final_report_completes_the_project_in_the_same_chain(project):
    for position in (0,):
        pay(project.disbursements.get(position=position), project.staff)
    postaward.report_accept(report=submitted_report(project, "midterm"), actor=project.staff)
    pay(project.disbursements.get(position=1), project.staff, voucher="PZ-2")
    final = submitted_report(project, "final")
    postaward.report_accept(report=final, actor=project.staff, grade="good")
    project.refresh_from_db()
    assert project.status == Status.COMPLETED
    last_two = list(project.log.order_by("-seq").values_list("transition", flat=True)[:2])
    assert last_two == ["application.complete", "report.accept"]
    accepted = TransitionLog.objects.get(subject="report", subject_id=final.pk, transition="report.accept")
    assert accepted.data == {"grade": "good"}
    assert "Audit log intact" in verify()


# ----- objections -------------------------------------------------------------------------------------


@pytest.fixture
def objection(db):
    app = application_in_state(Status.PUBLICIZING)
    Application.objects.filter(pk=app.pk).update(publicity_ends_at=timezone.now() + dt.timedelta(days=5))
    app.refresh_from_db()
    return publicity.objection_file(application=app, objector_kind="person", name="王五", phone="13912345678",
                                    reason="该机构去年项目未结项。")


def test_an_objection_is_received_investigated_and_decided_in_the_chain(objection):
    app = objection.application
    staff = StaffFactory(bureau=app.competition.bureau)
    publicity.objection_investigate(objection=objection, actor=staff, note="调取去年结项材料")
    publicity.objection_decide(objection=objection, actor=staff, upheld=False, investigation="去年项目已按期结项。")
    with pytest.raises(ApplicationError, match="already decided"):
        publicity.objection_decide(objection=objection, actor=staff, upheld=True, investigation="再议")
    assert steps(app, "objection", objection.pk) == [
        ("objection.file", "", "open", None),
        ("objection.investigate", "open", "investigating", staff.pk),
        ("objection.dismiss", "investigating", "dismissed", staff.pk),
    ]
    filed = TransitionLog.objects.get(subject="objection", transition="objection.file")
    assert "王五" not in filed.content() and "13912345678" not in filed.content()  # no personal data in the chain
    objection.refresh_from_db()
    assert (objection.state, objection.decided_by) == (Objection.State.DISMISSED, staff)
    assert "Audit log intact" in verify()


def test_an_upheld_objection_cancels_the_award_in_one_chain(objection):
    app = objection.application
    staff = StaffFactory(bureau=app.competition.bureau)
    publicity.objection_decide(objection=objection, actor=staff, upheld=True, investigation="查实重复申报。")
    transitions = list(app.log.order_by("seq").values_list("transition", flat=True))
    assert transitions[-2:] == ["objection.uphold", "application.cancel_after_objection"]
    app.refresh_from_db()
    assert app.status == Status.DECLINED


def test_an_investigation_holds_the_award(objection, time_machine):
    app = objection.application
    staff = StaffFactory(bureau=app.competition.bureau)
    publicity.objection_investigate(objection=objection, actor=staff, note="核实中")
    time_machine.move_to(app.publicity_ends_at + dt.timedelta(minutes=1), tick=False)
    assert publicity.publicity_award_due() == []
    app.refresh_from_db()
    assert app.status == Status.PUBLICIZING


# ----- review decisions, notifications ----------------------------------------------------------------


def test_a_payment_mail_links_with_the_route_and_is_on_record(project, mailoutbox, django_capture_on_commit_callbacks):
    first = project.disbursements.get(position=0)
    postaward.disbursement_approve(disbursement=first, actor=project.staff)
    with django_capture_on_commit_callbacks(execute=True):
        postaward.disbursement_pay(disbursement=first, actor=project.staff, paid_on=timezone.localdate(), voucher="PZ-9")
    note = Notification.objects.get(key__startswith=f"tranche:{first.pk}:paid")
    assert note.url == reverse("applications:project_detail", args=[project.pk])
    assert note.mailed_at is not None
    assert any(note.url in m.body for m in mailoutbox)


def test_an_invitation_to_a_stranger_is_a_recorded_mail(db, mailoutbox, django_capture_on_commit_callbacks):
    from applications import org_services
    from tests.factories import MembershipFactory

    owner = MembershipFactory(role="owner")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = org_services.invitation_create(organization=owner.organization, actor=owner.user, email="New@Example.org")
    note = Notification.objects.get(email="new@example.org")
    assert note.user is None and note.mailed_at is not None
    assert note.url == reverse("applications:invitation_accept", args=[invitation.token])
    assert [m.to for m in mailoutbox] == [["new@example.org"]]


def test_no_service_writes_a_path_by_hand():
    """Links in notifications come from ``reverse()``: a renamed route fails loudly, not silently."""
    from pathlib import Path

    offenders = []
    for app in ("accounts", "applications", "review", "competitions", "cms"):
        for path in (BASE_DIR / app).glob("*.py"):
            text = path.read_text()
            for needle in ('"/portal/', "'/portal/", 'f"/portal/', '"/admin/', 'f"/admin/', '"/review/"'):
                if needle in text:
                    offenders.append(f"{path.relative_to(BASE_DIR)}: {needle}")
    assert offenders == [] or all("pagecache" in o for o in offenders), offenders


# ----- the pages that show the payments ------------------------------------------------------------------


def test_public_and_staff_pages_show_the_payments_from_the_chain(project, client):
    pay(project.disbursements.get(position=0), project.staff, voucher="PZ-2026-031")
    page = client.get(reverse("project_disclosure", args=[project.reference])).content.decode()
    assert "20,000.00" in page and "PZ-2026-031" not in page  # voucher numbers stay in the office
    assert page.count("<tr><td>1</td><td>20,000.00</td>") == 1
    history = postaward.payment_history(project)
    assert postaward.paid_total(history) == postaward.disbursed_total(project)

    client.force_login(admin_staff(project.competition.bureau))
    staff_page = client.get(reverse("postaward_admin:project", args=[project.pk])).content.decode()
    assert "PZ-2026-031" in staff_page
    assert project.staff.display_name in staff_page


# ----- two staff at once, on PostgreSQL -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_paying_one_tranche_at_once_pay_it_once(require_postgres):
    project = contracted()
    first = project.disbursements.get(position=0)
    postaward.disbursement_approve(disbursement=first, actor=project.staff)
    colleague = StaffFactory(bureau=project.competition.bureau)
    today = timezone.localdate()
    results = race(
        lambda: postaward.disbursement_pay(disbursement=Disbursement(pk=first.pk), actor=project.staff, paid_on=today, voucher="PZ-A"),
        lambda: postaward.disbursement_pay(disbursement=Disbursement(pk=first.pk), actor=colleague, paid_on=today, voucher="PZ-B"),
    )
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(refused) == 1 and "cannot be paid twice" in refused[0].message, results
    assert TransitionLog.objects.filter(subject="disbursement", subject_id=first.pk, transition="disbursement.pay").count() == 1
    assert Disbursement.objects.get(pk=first.pk).voucher in ("PZ-A", "PZ-B")
    assert "Audit log intact" in verify()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_verify_audit_log_names_a_changed_payment_in_a_real_process(require_postgres):
    project = contracted()
    first = pay(project.disbursements.get(position=0), project.staff)
    env = {**os.environ, "DATABASE_URL": _database_url(require_postgres), "DJANGO_ENV": "development"}
    command = [sys.executable, "manage.py", "verify_audit_log"]
    ok = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "disbursement 5" in ok.stdout  # three planned, one approved, one paid

    Disbursement.objects.filter(pk=first.pk).update(amount="99999.00")
    bad = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    assert f"Tranche id={first.pk} (application {project.pk}): its amount is 99999.00" in bad.stderr
