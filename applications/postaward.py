"""After the award: the agreement, tranche payments, mid-term and final reports, holds, termination.

Services only (keyword-only ``<noun>_<verb>``): views and tasks call them; a refusal raises
``ApplicationError`` with a message the person can act on. Workflow transitions of the
application (contracted, completed, terminated) go through ``applications.services``.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from competitions.models import ReportKind
from competitions.selectors import bureau_staff_users

from . import chain
from . import permissions as perms
from . import services
from .models import (
    Agreement,
    Application,
    Attachment,
    Disbursement,
    Report,
    ReportExpenditure,
    ReportIndicator,
    Status,
    TransitionLog,
)
from .selectors import members_of
from .services import ApplicationError
from .uploads import store_attachment

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def variance_share():
    """Per budget line, spending off the expected amount by more than this share (%) needs an explanation."""
    return Decimal(str(getattr(settings, "REPORT_VARIANCE_PERCENT", 20)))


def _require_member(actor, application):
    if not perms.is_member(actor, application.organization):
        raise ApplicationError(_("Only members of the organization can do this."), code="forbidden")


def _require_staff(actor, application):
    if not perms.is_bureau_staff_for(actor, application.competition):
        raise ApplicationError(_("Only staff of the bureau that runs this call can do this."), code="forbidden")


# ----- the agreement (资助协议书) -----------------------------------------------------------------


def tranche_amounts(award, percents):
    """Split ``award`` yuan by ``percents`` (summing to 100) into cent amounts that add up exactly.

    Largest remainder: each tranche gets its share rounded down to the cent, and the cents left
    over go one each to the tranches with the largest remainders (earlier tranches first on ties).
    """
    award = Decimal(award)
    percents = [Decimal(p) for p in percents]
    if sum(percents, Decimal("0")) != HUNDRED:
        raise ApplicationError(
            _("The call's tranche plan adds up to %(total)s%%, not 100%%: staff must correct the plan first.")
            % {"total": sum(percents, Decimal("0"))},
            code="invalid",
        )
    total_cents = int((award / CENT).to_integral_value())
    exact = [Decimal(total_cents) * p / HUNDRED for p in percents]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    left = total_cents - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(c) * CENT for c in floors]


def agreement_context(application):
    call = application.competition
    plan = list(call.tranches.all())
    amounts = tranche_amounts(application.awarded_amount or 0, [t.percent for t in plan]) if plan else []
    return {
        "app": application,
        "org": application.organization,
        "call": call,
        "bureau": call.bureau,
        "tranches": list(zip(plan, amounts)),
        "requirements": list(call.report_requirements.all()),
        "lines": list(application.budget_lines.all()),
        "today": timezone.localdate(),
    }


def agreement_pdf(application, *, language=None):
    """The PDF bytes of the agreement of ``application`` (WeasyPrint, Noto Sans CJK SC)."""
    from weasyprint import HTML

    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string("pdf/agreement.html", agreement_context(application))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def agreement_generate(*, application, actor):
    """Create (or regenerate while unsigned) the agreement PDF of an awarded application."""
    if not (perms.is_member(actor, application.organization) or perms.is_bureau_staff_for(actor, application.competition)):
        raise ApplicationError(_("You do not have access to this application."), code="forbidden")
    agreement, _created = Agreement.objects.get_or_create(application=application)
    if agreement.file:
        return agreement  # the award and the call's terms do not change after the award
    if application.status != Status.AWARDED:
        raise ApplicationError(_("An agreement is drawn up only for an awarded project."), code="invalid")
    data = agreement_pdf(application)
    old = agreement.file.name if agreement.file else ""
    agreement.file.save(f"{application.reference or application.pk}-agreement.pdf", ContentFile(data), save=False)
    agreement.sha256 = hashlib.sha256(data).hexdigest()
    agreement.generated_at = timezone.now()
    agreement.save()
    if old and old != agreement.file.name:
        agreement.file.storage.delete(old)
    return agreement


def _store_file(*, actor, uploaded, kind, application, report=None):
    """Store a file with the same checks as application attachments (content sniffed, sizes)."""
    used = Attachment.objects.filter(application=application).aggregate(total=Sum("size"))["total"] or 0
    return store_attachment(
        uploaded=uploaded, already_used=used, application=application, report=report, kind=kind,
        uploaded_by=actor,
    )


def agreement_upload_scan(*, application, actor, uploaded):
    """The organization uploads the signed and stamped agreement (PDF or image)."""
    _require_member(actor, application)
    if application.status != Status.AWARDED:
        raise ApplicationError(_("The signed agreement can be uploaded only while the project is awarded and not yet contracted."), code="invalid")
    agreement = agreement_generate(application=application, actor=actor)
    attachment = _store_file(actor=actor, uploaded=uploaded, kind=Attachment.Kind.AGREEMENT, application=application)
    agreement.signed_scan = attachment
    agreement.scan_uploaded_at = timezone.now()
    agreement.save(update_fields=["signed_scan", "scan_uploaded_at"])
    _notify_staff(
        application, key=f"staff:agreement:{agreement.pk}:scan:{attachment.pk}",
        subject=lambda: _("The signed agreement of %(ref)s is uploaded: confirm it") % {"ref": application.reference},
    )
    return agreement


@services.outermost
def agreement_confirm(*, application, actor):
    """Staff confirm the signed scan: the application becomes contracted, tranches and reports are planned.

    One transaction: a project is never contracted without its tranches and report schedule.
    """
    _require_staff(actor, application)
    agreement = Agreement.objects.filter(application=application).first()
    if agreement is None or agreement.signed_scan_id is None:
        raise ApplicationError(_("The organization has not uploaded the signed and stamped agreement yet."), code="invalid")
    _check_plan(application.competition)
    if not application.competition.report_requirements.filter(kind=ReportKind.FINAL).exists():
        raise ApplicationError(
            _("The call's report schedule has no final report, so the project could never be completed: staff must add one first."),
            code="invalid",
        )
    services.application_sign_agreement.joined(application=application, actor=actor, note=_("Signed agreement confirmed"))
    Agreement.objects.filter(pk=agreement.pk).update(confirmed_at=timezone.now(), confirmed_by=actor)
    application.refresh_from_db()
    tranches_create(application=application)
    reports_create(application=application)
    return application


# ----- tranches --------------------------------------------------------------------------------------


def _check_plan(call):
    plan = list(call.tranches.all())
    if not plan:
        raise ApplicationError(_("The call has no tranche plan: staff must add one before agreements are confirmed."), code="invalid")
    tranche_amounts(Decimal("0"), [t.percent for t in plan])
    return plan


def tranches_create(*, application):
    """The disbursements of a contracted project from the call's plan (once; amounts add up to the award)."""
    with transaction.atomic():
        app = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if app.disbursements.exists():
            return list(app.disbursements.all())
        plan = _check_plan(app.competition)
        amounts = tranche_amounts(app.awarded_amount or 0, [t.percent for t in plan])
        tranches = Disbursement.objects.bulk_create(
            Disbursement(application=app, position=i, trigger=item.trigger, amount=amount)
            for i, (item, amount) in enumerate(zip(plan, amounts))
        )
        for tranche in tranches:
            chain.chain_append(
                application=app, subject=TransitionLog.Subject.DISBURSEMENT, subject_id=tranche.pk,
                transition="disbursement.plan", to_state=tranche.state, data=_tranche_data(tranche),
                note=_("Tranche %(n)s planned from the call's tranche plan") % {"n": tranche.position + 1},
            )
        return tranches


def reports_create(*, application):
    """The reports the call's schedule asks for, due so many days after the agreement (once)."""
    start = timezone.localdate()
    for requirement in application.competition.report_requirements.all():
        Report.objects.get_or_create(
            application=application, kind=requirement.kind,
            defaults={"due_date": start + dt.timedelta(days=requirement.days_after_contract)},
        )


def _tranche_data(d):
    """What a tranche's chained row vouches for: its amount, and once paid the date and voucher."""
    data = {"position": d.position, "amount": str(d.amount)}
    if d.paid_on:
        data.update(paid_on=d.paid_on.isoformat(), voucher=d.voucher)
    return data


def _lock_disbursement(disbursement):
    return Disbursement.objects.select_for_update(of=("self",)).select_related(
        "application", "application__competition"
    ).get(pk=disbursement.pk)


HELD_MESSAGE = gettext_lazy("This tranche is held because a report of the project is overdue; it is released when the report is accepted.")


@services.outermost
def disbursement_approve(*, disbursement, actor):
    """Staff approve a planned tranche whose trigger has happened (a chained row with the amount)."""
    d = _lock_disbursement(disbursement)
    _require_staff(actor, d.application)
    if d.state == Disbursement.State.HELD:
        raise ApplicationError(HELD_MESSAGE, code="held")
    if d.state != Disbursement.State.PLANNED:
        raise ApplicationError(_("This tranche is already approved."), code="invalid")
    chain.run(d, "approve", actor=actor, data=_tranche_data(d), now=timezone.now())
    disbursement.refresh_from_db()
    return d


@services.outermost
def disbursement_pay(*, disbursement, actor, paid_on, voucher):
    """Record the payment of an approved tranche (date and voucher number). Paying twice is refused."""
    voucher = (voucher or "").strip()
    if not voucher:
        raise ApplicationError(_("Give the voucher number of the payment."), code="invalid")
    if not isinstance(paid_on, dt.date):
        raise ApplicationError(_("Give the date of the payment."), code="invalid")
    if paid_on > timezone.localdate():
        raise ApplicationError(_("The payment date cannot be in the future."), code="invalid")
    d = _lock_disbursement(disbursement)
    _require_staff(actor, d.application)
    if d.state == Disbursement.State.PAID:
        raise ApplicationError(
            _("This tranche was already paid on %(day)s (voucher %(voucher)s); it cannot be paid twice.")
            % {"day": d.paid_on, "voucher": d.voucher},
            code="paid",
        )
    if d.state == Disbursement.State.HELD:
        raise ApplicationError(HELD_MESSAGE, code="held")
    if d.state != Disbursement.State.APPROVED:
        raise ApplicationError(_("Approve the tranche before recording its payment."), code="invalid")
    d.paid_on, d.voucher = paid_on, voucher[:60]  # what the chained row records
    chain.run(d, "pay", actor=actor, data=_tranche_data(d), paid_on=paid_on, voucher=voucher[:60])
    account_services.notify(
        users=members_of(d.application), key=f"tranche:{d.pk}:paid",
        subject=lambda: _("A tranche of %(amount)s yuan was paid to %(ref)s") % {"amount": d.amount, "ref": d.application.reference},
        body=lambda: _("Paid on %(day)s, voucher %(voucher)s.") % {"day": d.paid_on.isoformat(), "voucher": d.voucher},
        url=reverse("applications:project_detail", args=[d.application_id]),
    )
    disbursement.refresh_from_db()
    return d


@dataclass
class Payment:
    """One tranche's way to the bank as the audit chain tells it (one chained row per step)."""

    position: int
    amount: Decimal
    approved_at: dt.datetime = None
    approved_by: object = None
    paid_on: dt.date = None
    voucher: str = ""
    paid_by: object = None
    recorded_at: dt.datetime = None


def payment_history(application):
    """The approvals and payments of ``application``'s tranches, read from its audit chain (one
    query), oldest tranche first; only tranches that were approved or paid. What the public
    page discloses and what the staff page shows, so both say what the chain vouches for."""
    payments = {}
    rows = chain.history(application, subject=TransitionLog.Subject.DISBURSEMENT).filter(
        transition__in=["disbursement.approve", "disbursement.pay"]
    )
    for row in rows:
        data = row.data or {}
        payment = payments.setdefault(row.subject_id, Payment(position=data.get("position", 0), amount=Decimal(data["amount"])))
        if row.transition == "disbursement.approve":
            payment.approved_at, payment.approved_by = row.at, row.actor
        else:
            payment.amount = Decimal(data["amount"])
            payment.paid_on = dt.date.fromisoformat(data["paid_on"])
            payment.voucher, payment.paid_by, payment.recorded_at = data.get("voucher", ""), row.actor, row.at
    return sorted(payments.values(), key=lambda p: p.position)


def paid_total(history):
    return sum((p.amount for p in history if p.paid_on), Decimal("0"))


def disbursed_total(application):
    return application.disbursements.filter(state=Disbursement.State.PAID).aggregate(t=Sum("amount"))["t"] or Decimal("0")


def _overdue_reports(today):
    return Report.objects.filter(
        due_date__lt=today, application__status=Status.CONTRACTED
    ).exclude(state=Report.State.ACCEPTED)


def holds_update(*, today=None):
    """Hold unpaid tranches of projects with an overdue report; release those with none. Returns (held, released).

    Each hold and release is a transition of its tranche, chained with the system as actor; each
    tranche is changed in its own transaction, so a job stopped halfway has done a consistent part.
    """
    today = today or timezone.localdate()
    overdue_apps = _overdue_reports(today).values("application_id")
    to_hold = Disbursement.objects.filter(
        application_id__in=overdue_apps, state__in=[Disbursement.State.PLANNED, Disbursement.State.APPROVED]
    ).values_list("pk", flat=True)
    to_release = Disbursement.objects.filter(state=Disbursement.State.HELD).exclude(
        application_id__in=overdue_apps
    ).values_list("pk", flat=True)
    held = sum(_hold_or_release(pk, "hold", today) for pk in list(to_hold))
    released = sum(_hold_or_release(pk, "release", today) for pk in list(to_release))
    return held, released


def _hold_or_release(pk, name, today):
    allowed = {"hold": (Disbursement.State.PLANNED, Disbursement.State.APPROVED), "release": (Disbursement.State.HELD,)}
    with transaction.atomic():
        d = _lock_disbursement(Disbursement(pk=pk))
        if d.state not in allowed[name]:
            return 0  # another run got here first
        note = (_("A report of the project is overdue (checked on %(day)s)") if name == "hold"
                else _("No report of the project is overdue any more (checked on %(day)s)")) % {"day": today.isoformat()}
        kwargs = {"now": timezone.now()} if name == "hold" else {}
        chain.run(d, name, actor=None, note=note, data=_tranche_data(d), **kwargs)
    return 1


# ----- reports ---------------------------------------------------------------------------------------------


def _lock_report(report):
    return Report.objects.select_for_update(of=("self",)).select_related(
        "application", "application__competition", "application__organization"
    ).get(pk=report.pk)


def _editable_report(report, actor):
    _require_member(actor, report.application)
    if report.application.status != Status.CONTRACTED:
        raise ApplicationError(
            _("Reports can no longer be written: the project is “%(status)s”.")
            % {"status": report.application.get_status_display()},
            code="closed",
        )
    if report.state not in (Report.State.DRAFT, Report.State.RETURNED):
        raise ApplicationError(_("This report is “%(state)s” and cannot be changed.") % {"state": report.get_state_display()}, code="invalid")


def _count(value, label, field=None):
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if number < 0:
        raise ApplicationError(_("%(label)s must be a whole number of 0 or more.") % {"label": label}, code="invalid", field=field)
    return number


def report_save(*, report, actor, narrative=None, beneficiaries_reached=None, indicators=None, expenditures=None):
    """Save a draft report. ``indicators``: dicts name/planned/achieved; ``expenditures``: budget_line (id)/amount/explanation."""
    with transaction.atomic():
        r = _lock_report(report)
        _editable_report(r, actor)
        if narrative is not None:
            r.narrative = narrative
        if beneficiaries_reached is not None:
            r.beneficiaries_reached = services._field(
                Report, "beneficiaries_reached",
                _count(beneficiaries_reached, _("People served"), field="beneficiaries_reached"),
                field="beneficiaries_reached",
            )
        r.save()
        if indicators is not None:
            for number, row in enumerate(indicators, start=1):
                if not (row.get("name") or "").strip() and any(str(row.get(k) or "").strip() for k in ("planned", "achieved")):
                    # A row without a name used to be dropped silently, losing what was typed.
                    raise ApplicationError(_("Indicator %(n)s has values but no name: name it or clear the row.") % {"n": number},
                                           code="invalid", field=f"ind-{number}")
            r.indicators.all().delete()
            ReportIndicator.objects.bulk_create(
                ReportIndicator(report=r, position=i, name=row["name"][:200], planned=str(row.get("planned", ""))[:100],
                                achieved=str(row.get("achieved", ""))[:100])
                for i, row in enumerate(x for x in indicators if (x.get("name") or "").strip())
            )
        if expenditures is not None:
            lines = {line.pk: line for line in r.application.budget_lines.all()}
            rows = []
            for row in expenditures:
                line = lines.get(int(row["budget_line"])) if str(row.get("budget_line", "")).isdigit() else None
                if line is None:
                    raise ApplicationError(_("Spending must be reported against the project's budget lines."), code="invalid")
                if str(row.get("amount", "")).strip() == "":
                    continue
                try:
                    amount = services._amount(row["amount"])
                except ApplicationError as exc:
                    raise ApplicationError(exc.message, code="invalid", field=f"exp-{line.pk}-amount") from exc
                if amount < 0:
                    raise ApplicationError(_("The amount spent on “%(item)s” cannot be negative.") % {"item": line.item},
                                           code="invalid", field=f"exp-{line.pk}-amount")
                try:
                    amount = amount.quantize(CENT)
                except InvalidOperation:
                    pass  # more digits than any amount has: the field's rule below says so
                amount = services._field(ReportExpenditure, "amount", amount, field=f"exp-{line.pk}-amount")
                rows.append(ReportExpenditure(report=r, budget_line=line, amount=amount,
                                              explanation=(row.get("explanation") or "").strip()))
            r.expenditures.all().delete()
            ReportExpenditure.objects.bulk_create(rows)
    report.refresh_from_db()
    return r


def report_attach(*, report, actor, uploaded, kind=Attachment.Kind.REPORT):
    """Photos and evidence of a report, with the same upload rules as applications."""
    with transaction.atomic():
        r = _lock_report(report)
        _editable_report(r, actor)
        if kind not in (Attachment.Kind.REPORT, Attachment.Kind.PHOTO):
            kind = Attachment.Kind.REPORT
        return _store_file(actor=actor, uploaded=uploaded, kind=kind, application=r.application, report=r)


def budget_line_figures(application, disbursed=None):
    """Per budget line id: (awarded, expected so far).

    Budget lines are written against the requested amount; the award may be smaller, so each
    line's awarded budget is its share of the awarded amount. What a line is expected to have spent
    by now is its awarded budget times the share of the award disbursed so far. The report form
    shows these two figures on each row and the variance check quotes the same ones.
    """
    lines = list(application.budget_lines.all())
    requested = sum((line.amount for line in lines), Decimal("0"))
    awarded_total = application.awarded_amount if application.awarded_amount is not None else requested
    disbursed = disbursed_total(application) if disbursed is None else disbursed
    figures = {}
    for line in lines:
        awarded = (line.amount * awarded_total / requested).quantize(CENT) if requested else Decimal("0")
        expected = (awarded * disbursed / awarded_total).quantize(CENT) if awarded_total else Decimal("0")
        figures[line.pk] = (awarded, expected)
    return figures


def expenditure_problems(report):
    """Reasons the report's spending cannot be submitted: (field or None, message) pairs."""
    app = report.application
    disbursed = disbursed_total(app)
    rows = list(report.expenditures.select_related("budget_line"))
    spent = sum((row.amount for row in rows), Decimal("0"))
    problems = []
    if spent > disbursed:
        problems.append((None,
            _("The spending reported (%(spent)s yuan) exceeds what was disbursed to the project (%(disbursed)s yuan).")
            % {"spent": spent, "disbursed": disbursed}
        ))
    figures = budget_line_figures(app, disbursed)
    share = variance_share()
    for row in rows:
        awarded, expected = figures.get(row.budget_line_id, (Decimal("0"), Decimal("0")))
        off = abs(row.amount - expected)
        if off * HUNDRED > share * expected and not row.explanation:
            problems.append((f"exp-{row.budget_line_id}-explanation",
                _("Spending on “%(item)s” is %(spent)s yuan; with %(awarded)s yuan awarded to this line and "
                  "%(disbursed)s yuan disbursed so far, %(expected)s yuan is expected (more than %(share)s%% off): "
                  "explain why.")
                % {"item": row.budget_line.item, "spent": row.amount, "awarded": awarded, "disbursed": disbursed,
                   "expected": expected, "share": share}
            ))
    return problems


@services.outermost
def report_submit(*, report, actor):
    r = _lock_report(report)
    _editable_report(r, actor)
    if not r.narrative.strip():
        raise ApplicationError(_("Describe what the project did (the narrative) before submitting."), code="invalid", field="narrative")
    problems = expenditure_problems(r)
    if problems:
        raise ApplicationError(" ".join(message for _field, message in problems), code="invalid", field=problems[0][0])
    chain.run(r, "submit", actor=actor, now=timezone.now())
    _notify_staff(
        r.application, key=f"staff:report:{r.pk}:submitted:{r.submitted_at:%Y%m%d%H%M%S%f}",
        subject=lambda: _("The %(kind)s of %(ref)s is submitted for review") % {"kind": r.get_kind_display(), "ref": r.application.reference},
    )
    report.refresh_from_db()
    return r


def _notify_staff(app, *, key, subject):
    """A notification (and mail) to the staff of the bureau that runs the project's call."""
    account_services.notify(
        users=bureau_staff_users(app.competition.bureau_id), key=key, subject=subject,
        body=lambda: _("Project: %(title)s (%(org)s)") % {"title": app.title, "org": app.organization.name},
        url=reverse("postaward_admin:project", args=[app.pk]),
    )


def _notify_report(r, occasion):
    app = r.application
    ref = app.reference or app.title
    subjects = {
        "returned": lambda: _("The %(kind)s of %(ref)s was returned") % {"kind": r.get_kind_display(), "ref": ref},
        "accepted": lambda: _("The %(kind)s of %(ref)s is accepted") % {"kind": r.get_kind_display(), "ref": ref},
    }
    account_services.notify(
        users=members_of(app), key=f"report:{r.pk}:{occasion}:{timezone.now():%Y%m%d%H%M%S%f}", subject=subjects[occasion],
        body=lambda: (_("Note from the bureau: %(note)s") % {"note": r.staff_note}) if r.staff_note else _("Project: %(title)s") % {"title": app.title},
        url=reverse("applications:report_edit", args=[r.pk]),
    )


@services.outermost
def report_return(*, report, actor, reason):
    if not reason or not reason.strip():
        raise ApplicationError(_("Say what must be changed in the report; the organization will read it."), code="invalid")
    r = _lock_report(report)
    _require_staff(actor, r.application)
    if r.state != Report.State.SUBMITTED:
        raise ApplicationError(_("Only a submitted report can be returned."), code="invalid")
    chain.run(r, "send_back", actor=actor, note=reason.strip(), reason=reason.strip())
    _notify_report(r, "returned")
    report.refresh_from_db()
    return r


@services.outermost
def report_accept(*, report, actor, grade="", note=""):
    """Accept a submitted report; the final one needs a grade. Releases holds; a final report
    accepted with a passing grade completes the project (a failing grade leaves it for staff to
    terminate). One transaction: the report, the completion and the released tranches together."""
    r = _lock_report(report)
    _require_staff(actor, r.application)
    if r.state != Report.State.SUBMITTED:
        raise ApplicationError(_("Only a submitted report can be accepted."), code="invalid")
    if r.kind == ReportKind.FINAL and grade not in Report.Grade.values:
        raise ApplicationError(_("Give the final report a grade."), code="invalid")
    grade = grade if r.kind == ReportKind.FINAL else ""
    chain.run(r, "accept", actor=actor, note=note or "", data={"grade": grade} if grade else None,
              now=timezone.now(), grade=grade, staff_note=note)
    _notify_report(r, "accepted")
    if r.kind == ReportKind.FINAL and r.grade != Report.Grade.FAIL:
        services.application_complete.joined(application=r.application, actor=actor, note=_("Final report accepted"))
    holds_update()
    report.refresh_from_db()
    return r


def project_terminate(*, application, actor, reason, return_amount):
    """Terminate a contracted project (failing grade or breach), recording the amount to return."""
    return services.application_terminate(application=application, actor=actor, reason=reason, return_amount=return_amount)
