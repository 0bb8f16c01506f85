"""The applicant portal: organizations, the application form, attachments, submit, status, notifications.

Views are thin: they check who may see what (another organization's data is a 404), turn input
into service calls, and turn ApplicationError into a message on the page.
"""

from allauth.account.decorators import verified_email_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.models import Notification, OrganizationInvitation
from competitions.models import Competition, RegistrationStatus
from competitions.typography import inner_quotes

from . import claims, confirm, org_services, rules, services
from .forms import (
    ClaimForm,
    ClaimLookupForm,
    FIELD_SECTION,
    FORM_OF_SECTION,
    SECTION_NAMES,
    SECTIONS,
    TITLE_OF_SECTION,
    AttachmentForm,
    EvidenceForm,
    InvitationForm,
    OrganizationForm,
    StartApplicationForm,
    budget_formset,
)
from .models import Application, Attachment, Membership, Organization, OrganizationClaim, Status, SubmittedDocument
from .services import ApplicationError
from .tasks import SUBMIT_TRANSITIONS
from .uploads import attachment_create, attachment_delete, can_download_attachment

portal_view = verified_email_required

EDITABLE = (Status.DRAFT, Status.RETURNED)


# ----- reads shared by the pages ---------------------------------------------------------------------


def _my_organizations(user):
    return (
        Organization.objects.filter(memberships__user=user)
        .select_related("community")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("name")
    )


def _my_applications(user):
    return (
        Application.objects.filter(organization__memberships__user=user)
        .select_related("competition", "organization")
        .order_by("-updated_at", "-id")
    )


def _member_application(request, pk):
    """The application if the user is a member of its organization; 404 otherwise (nothing leaked)."""
    return get_object_or_404(
        Application.objects.select_related("competition", "organization", "organization__community"),
        pk=pk,
        organization__memberships__user=request.user,
    )


def _reloaded(app):
    # A fresh copy rather than refresh_from_db(): django-fsm's refresh_from_db switches the
    # status field's protection off and on for the whole class, which races between threads.
    return Application.objects.select_related("competition", "organization", "organization__community").get(pk=app.pk)


def _member_organization(request, pk):
    return get_object_or_404(Organization.objects.select_related("community"), pk=pk, memberships__user=request.user)


def blockers(application):
    """What still stops submission: (reason, section to fix it in or None), from the workflow's rules."""
    found = []
    if application.status == Status.RETURNED:
        time_rule = rules.before_revision_deadline
    else:
        time_rule = rules.window_open
    complete = rules.application_complete(application)
    if not complete:
        if not application.title or not application.summary:
            section = "project"
        elif not application.service_area:
            section = "area"
        elif not application.start_date or not application.end_date or application.end_date < application.start_date:
            section = "place"
        else:
            section = "area"
        found.append((complete.reason, reverse("applications:section", args=[application.pk, section])))
    budget = rules.budget_valid(application)
    if not budget:
        found.append((budget.reason, reverse("applications:section", args=[application.pk, "budget"])))
    eligible = rules.organization_eligible(application)
    if not eligible:
        found.append((eligible.reason, reverse("applications:organization_edit", args=[application.organization_id])))
    timing = time_rule(application)
    if not timing:
        found.append((timing.reason, None))
    return found


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# ----- home and lists -----------------------------------------------------------------------------------


@portal_view
def home(request):
    now = timezone.now()
    return render(request, "portal/home.html", {
        "applications": _my_applications(request.user)[:10],
        "organizations": _my_organizations(request.user),
        # A claim still waiting or refused: an approved one is among the organizations.
        "claims": claims.claims_of(request.user).exclude(state=OrganizationClaim.State.APPROVED),
        "calls": Competition.objects.filter(opens_at__lte=now, closes_at__gte=now).select_related("bureau").order_by("closes_at")[:20],
        "unread": Notification.objects.filter(user=request.user, read_at__isnull=True).count(),
    })


@portal_view
def application_list(request):
    page = Paginator(_my_applications(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "portal/application_list.html", {"page": page})


@portal_view
def organization_list(request):
    return render(request, "portal/organization_list.html", {
        "organizations": _my_organizations(request.user), "claims": claims.claims_of(request.user),
    })


@portal_view
def notification_list(request):
    page = Paginator(Notification.objects.filter(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "portal/notification_list.html", {"page": page})


@portal_view
@require_POST
def notification_read(request, pk=None):
    account_services.notification_mark_read(user=request.user, notification_id=pk)
    return redirect(_safe_next(request, reverse("applications:notification_list")))


# ----- organizations ------------------------------------------------------------------------------------


@portal_view
def organization_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The organization %(name)s is created; you are its owner.") % {"name": org.name})
            return redirect(_safe_next(request, reverse("applications:organization_detail", args=[org.pk])))
    return render(request, "portal/organization_form.html", {
        "form": form, "next": request.GET.get("next", ""), "claimable": form.claimable,
    })


# ----- claiming an organization of the registry -------------------------------------------------------


@portal_view
def claim_create(request):
    """Give the credit code (or filing number); if the registry holds it and it has no members yet,
    upload the evidence and ask to claim it. Every other case says what to do instead."""
    code = (request.POST.get("code") or request.GET.get("code") or "").strip()
    lookup = ClaimLookupForm({"code": code} if code else None)
    organization = claims.find_organization(code) if code else None
    why_not = ""
    if code and organization is None:
        why_not = _("No organization with the code %(code)s is in the registry. Check the code against the "
                    "certificate, or add your organization.") % {"code": code}
    elif organization is not None:
        why_not = claims.why_not_claimable(organization, request.user)
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and organization is not None and not why_not and form.is_valid():
        try:
            claim = claims.claim_submit(organization=organization, actor=request.user,
                                        uploaded=form.cleaned_data["evidence"], note=form.cleaned_data["note"])
        except ApplicationError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                why_not = exc.message
        else:
            messages.success(request, _("Your claim of %(org)s is sent to the bureau; you will be told of its decision.")
                             % {"org": organization.name})
            return redirect("applications:claim_detail", pk=claim.pk)
    return render(request, "portal/claim_form.html", {
        "lookup": lookup, "code": code, "organization": organization, "why_not": why_not, "form": form,
    })


@portal_view
def claim_detail(request, pk):
    """A claim's state, and the bureau's reason when it refused; only the claimant's own (else 404)."""
    claim = get_object_or_404(OrganizationClaim.objects.select_related("organization", "evidence"),
                              pk=pk, claimant=request.user)
    return render(request, "portal/claim_detail.html", {"claim": claim})


@portal_view
def organization_edit(request, pk):
    org = _member_organization(request, pk)
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.organization_update(organization=org, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("applications:organization_detail", pk=org.pk)
    return render(request, "portal/organization_form.html", {"form": form, "organization": org})


@portal_view
def organization_detail(request, pk):
    org = _member_organization(request, pk)
    memberships = list(org.memberships.select_related("user").order_by("role", "created_at"))
    is_owner = any(m.user_id == request.user.pk and m.role == Membership.Role.OWNER for m in memberships)
    evidence_kind = {
        RegistrationStatus.REGISTERED: Attachment.Kind.REGISTRATION,
        RegistrationStatus.FILED: Attachment.Kind.FILING,
    }.get(org.registration_status)
    return render(request, "portal/organization_detail.html", {
        "organization": org,
        "memberships": memberships,
        "is_owner": is_owner,
        "invitations": org.invitations.filter(accepted_at__isnull=True) if is_owner else [],
        "evidence": org.attachments.filter(kind__in=[Attachment.Kind.REGISTRATION, Attachment.Kind.FILING]),
        "evidence_kind": evidence_kind,
        "evidence_form": EvidenceForm(),
        "invitation_form": InvitationForm(),
    })


@portal_view
@require_POST
def organization_evidence(request, pk):
    org = _member_organization(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    kind = {
        RegistrationStatus.REGISTERED: Attachment.Kind.REGISTRATION,
        RegistrationStatus.FILED: Attachment.Kind.FILING,
    }.get(org.registration_status)
    if kind is None:
        messages.error(request, _("An organization that is not registered or filed has no registration papers to upload."))
    elif not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            attachment_create(actor=request.user, uploaded=form.cleaned_data["file"], kind=kind, organization=org, identifying=True)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The file is uploaded."))
    return redirect("applications:organization_detail", pk=org.pk)


@portal_view
@require_POST
def organization_invite(request, pk):
    org = _member_organization(request, pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid email address and a role."))
    else:
        try:
            org_services.invitation_create(organization=org, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("applications:organization_detail", pk=org.pk)


@portal_view
def invitation_accept(request, token):
    invitation = OrganizationInvitation.objects.select_related("organization", "invited_by").filter(token=token).first()
    if request.method == "POST":
        try:
            invitation = org_services.invitation_accept(token=token, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You are now a member of %(org)s.") % {"org": invitation.organization.name})
            return redirect("applications:organization_detail", pk=invitation.organization_id)
    return render(request, "portal/invitation.html", {"invitation": invitation})


# ----- starting and filling an application -----------------------------------------------------------------


@portal_view
def application_start(request, call_id):
    call = get_object_or_404(Competition, pk=call_id)
    organizations = list(_my_organizations(request.user))
    if not organizations:
        messages.info(request, _("First describe the organization you apply for."))
        return redirect(reverse("applications:organization_create") + "?next=" + request.path)
    existing = Application.objects.filter(
        competition=call, organization__in=organizations
    ).exclude(status=Status.WITHDRAWN).first()
    form = StartApplicationForm(request.POST or None, organizations=Organization.objects.filter(pk__in=[o.pk for o in organizations]))
    if request.method == "POST" and form.is_valid():
        try:
            app = services.application_create(
                organization=form.cleaned_data["organization"], competition=call, actor=request.user,
                title=form.cleaned_data["title"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your draft is saved. Fill in each section; every field is kept as you go."))
            return redirect("applications:section", pk=app.pk, section="project")
    return render(request, "portal/apply.html", {"call": call, "form": form, "existing": existing})


def _section_context(app, section, form, **extra):
    index = SECTION_NAMES.index(section)
    context = {
        "app": app,
        "section": section,
        "section_title": TITLE_OF_SECTION[section],
        "sections": SECTIONS,
        "form": form,
        "next_section": SECTION_NAMES[index + 1] if index + 1 < len(SECTION_NAMES) else None,
        "blockers": blockers(app),
    }
    context.update(extra)
    return context


# Versions produced by a person's own autosaves, so that their section form (loaded earlier)
# is not refused as stale because of their own field-by-field saves. Kept in the shared cache.
def _own_versions_key(user, app):
    return f"portal:autosaved:{user.pk}:{app.pk}"


def _remember_own_version(user, app):
    key = _own_versions_key(user, app)
    versions = (cache.get(key) or [])[-50:]
    cache.set(key, versions + [app.version], 60 * 60 * 12)


def _expected_version(user, app, form_version):
    """The form's version, or the current one if only this person's autosaves came in between."""
    if form_version < app.version:
        own = set(cache.get(_own_versions_key(user, app)) or [])
        if all(v in own for v in range(form_version + 1, app.version + 1)):
            return app.version
    return form_version


def _stale_data(request, app):
    """The person's input with the current version, so a second save goes through deliberately."""
    data = request.POST.copy()
    data["version"] = str(app.version)
    return data


@portal_view
def application_section(request, pk, section):
    app = _member_application(request, pk)
    if section not in SECTION_NAMES:
        raise Http404
    if app.status not in EDITABLE:
        messages.info(request, _("This application can no longer be changed: it is “%(status)s”.") % {"status": app.get_status_display()})
        return redirect("applications:application_detail", pk=app.pk)
    if section == "attachments":
        return _attachments_section(request, app)
    form_class = FORM_OF_SECTION[section]
    lines = budget_formset(app, request.POST if request.method == "POST" else None) if section == "budget" else None
    if request.method != "POST":
        form = form_class(instance=app)
        return render(request, "portal/section.html", _section_context(app, section, form, lines=lines))
    form = form_class(request.POST, instance=app)
    valid = form.is_valid() and (lines is None or lines.is_valid())
    if valid:
        changes = form.changes()
        if lines is not None:
            changes["budget_lines"] = lines.lines()
        try:
            expected = _expected_version(request.user, app, form.cleaned_data["version"])
            services.application_update(application=app, actor=request.user, expected_version=expected, **changes)
        except ApplicationError as exc:
            app = _reloaded(app)
            form = form_class(_stale_data(request, app), instance=app)
            form.is_valid()
            form.add_error(None, exc.message + " " + _("What you typed is kept below: check it and save again to keep it."))
            status = 409 if exc.code == "stale" else 400
            return render(request, "portal/section.html", _section_context(app, section, form, lines=lines), status=status)
        messages.success(request, _("Saved."))
        if "continue" in request.POST and SECTION_NAMES.index(section) + 1 < len(SECTION_NAMES):
            return redirect("applications:section", pk=app.pk, section=SECTION_NAMES[SECTION_NAMES.index(section) + 1])
        return redirect("applications:section", pk=app.pk, section=section)
    return render(request, "portal/section.html", _section_context(app, section, form, lines=lines), status=400)


def _attachments_section(request, app):
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                attachment_create(
                    actor=request.user, uploaded=form.cleaned_data["file"], kind=form.cleaned_data["kind"],
                    application=app, identifying=form.cleaned_data["identifying"],
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, _("“%(name)s” is uploaded.") % {"name": form.cleaned_data["file"].name})
                return redirect("applications:section", pk=app.pk, section="attachments")
        status = 400
    else:
        status = 200
    return render(
        request, "portal/section.html",
        _section_context(
            app, "attachments", form, attachments=app.attachments.all(),
            max_file=settings.ATTACHMENT_MAX_BYTES, max_total=settings.APPLICATION_ATTACHMENTS_MAX_BYTES,
        ),
        status=status,
    )


@portal_view
@require_POST
def attachment_remove(request, pk, attachment_pk):
    app = _member_application(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, application=app)
    try:
        attachment_delete(actor=request.user, attachment=attachment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(name)s” is removed.") % {"name": attachment.original_name})
    return redirect("applications:section", pk=app.pk, section="attachments")


@portal_view
@require_POST
def application_autosave(request, pk, field):
    """Save one field as it changes (htmx). The section form's Save button does the same without JS."""
    app = _member_application(request, pk)
    section = "budget" if field == "budget_lines" else FIELD_SECTION.get(field)
    if section is None:
        raise Http404
    if not request.htmx:
        return redirect("applications:section", pk=app.pk, section=section)
    error = None
    pending = 0
    try:
        if field == "budget_lines":
            # Lines are saved as they become complete; a line still being typed waits for the rest.
            lines = budget_formset(app, request.POST)
            lines.is_valid()
            changes = {"budget_lines": lines.lines()}
            pending = sum(1 for f in lines.forms if not f.is_valid())
        else:
            form = FORM_OF_SECTION[section](instance=app)
            form_field = form.fields[field]
            raw = form_field.widget.value_from_datadict(request.POST, request.FILES, field)
            try:
                changes = {field: form_field.clean(raw)}
            except Exception as exc:  # ValidationError: shown next to the field
                messages_ = getattr(exc, "messages", [str(exc)])
                raise ApplicationError(" ".join(str(m) for m in messages_)) from None
        app = services.application_update(application=app, actor=request.user, **changes)
        _remember_own_version(request.user, app)
    except ApplicationError as exc:
        error = exc.message
        app = _reloaded(app)
    return render(request, "portal/_autosave.html", {
        "app": app, "field": field, "error": error, "saved_at": timezone.localtime(), "pending": pending,
        "blockers": blockers(app),
    })


# ----- status, submit, receipt, withdraw ------------------------------------------------------------


@portal_view
def application_detail(request, pk):
    app = _member_application(request, pk)
    log = list(app.log.select_related("actor").order_by("seq"))
    editable = app.status in EDITABLE
    withdrawable = services.explain(app, "withdraw", request.user) is None
    return render(request, "portal/application_detail.html", {
        "app": app,
        "log": log,
        "editable": editable,
        "withdrawable": withdrawable,
        "blockers": blockers(app) if editable else [],
        "sections": SECTIONS,
        "attachments": app.attachments.all(),
        "documents": app.documents.select_related("log_entry").order_by("-created_at"),
        "submit_summary": submit_summary(app) if editable else [],
    })


def submit_summary(app):
    """What submitting does, said before the applicant confirms (dialog and confirmation page)."""
    lines = [
        _("“%(title)s” of %(organization)s goes to the bureau for the call “%(call)s”, asking for %(amount)s yuan.") % {
            "title": inner_quotes(app.title), "organization": app.organization.name, "call": inner_quotes(app.competition.title),
            "amount": f"{app.requested_amount or 0:,.2f}",
        },
        _("The application form (申报书) is made into a PDF and kept as it is now; you get a reference number and a receipt."),
    ]
    if app.status == Status.RETURNED:
        lines.append(_("After you resubmit, the application can no longer be changed unless the bureau returns it again."))
    else:
        lines.append(_("After you submit, the application can no longer be changed unless the bureau returns it."))
    return lines


def _latest_submit_entry(app):
    return app.log.filter(transition__in=SUBMIT_TRANSITIONS).order_by("-seq").first()


@portal_view
@require_POST
def application_submit(request, pk):
    # The service reads the whole row under its lock; here only what decides what to answer
    # (the whole row is read again if a confirmation page is shown).
    app = get_object_or_404(Application.objects.only("pk", "status", "organization_id"),
                            pk=pk, organization__memberships__user=request.user)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest(_("The form was incomplete. Reload the page and submit again."))
    if app.status not in EDITABLE:
        return _already_submitted(request, app)
    if not confirm.confirmed(request):
        whole = _member_application(request, pk)
        if not blockers(whole):  # a blocked one is refused below, with the reasons
            return confirm.confirmation_page(
                request, summary=submit_summary(whole),
                title=_("Resubmit the application?") if whole.status == Status.RETURNED else _("Submit the application?"),
                action_label=(_("Yes, resubmit the application") if whole.status == Status.RETURNED
                              else _("Yes, submit the application")),
                back_url=reverse("applications:application_detail", args=[whole.pk]),
            )
    service = services.application_resubmit if app.status == Status.RETURNED else services.application_submit
    try:
        app = service(application=app, actor=request.user, expected_version=version)
    except ApplicationError as exc:
        app = _reloaded(app)
        if app.status not in EDITABLE:
            # A double click: the first click submitted; this one shows the same receipt.
            return _already_submitted(request, app)
        messages.error(request, exc.message)
        return redirect("applications:application_detail", pk=app.pk)
    # The service enqueued the 申报书 on commit.
    messages.success(request, _("Your application is submitted. Keep the reference number."))
    return redirect("applications:receipt", pk=app.pk)


def _already_submitted(request, app):
    if app.status == Status.SUBMITTED:
        messages.info(request, _("This application was already submitted; here is its receipt."))
        return redirect("applications:receipt", pk=app.pk)
    messages.info(request, _("This application is “%(status)s” and cannot be submitted now.") % {"status": app.get_status_display()})
    return redirect("applications:application_detail", pk=app.pk)


@portal_view
def receipt(request, pk):
    app = _member_application(request, pk)
    entry = _latest_submit_entry(app)
    if entry is None or not app.reference:
        messages.info(request, _("This application has not been submitted yet."))
        return redirect("applications:application_detail", pk=app.pk)
    document = SubmittedDocument.objects.filter(log_entry=entry).first()
    return render(request, "portal/receipt.html", {
        "app": app, "entry": entry, "document": document, "track_url": request.build_absolute_uri(reverse("cms:track")),
    })


@portal_view
def application_withdraw(request, pk):
    app = _member_application(request, pk)
    reason = services.explain(app, "withdraw", request.user)
    if request.method == "POST":
        if reason is None:
            try:
                services.application_withdraw(application=app, actor=request.user, note=request.POST.get("note", "")[:500])
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The application is withdrawn."))
        else:
            messages.error(request, reason)
        return redirect("applications:application_detail", pk=app.pk)
    return render(request, "portal/withdraw.html", {"app": app, "reason": reason})


@portal_view
def document_download(request, pk, document_pk):
    app = _member_application(request, pk)
    document = get_object_or_404(SubmittedDocument, pk=document_pk, application=app)
    name = f"{app.reference or app.pk}-{document.log_entry_id}.pdf"
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@login_required
def attachment_download(request, pk):
    """Served only to those allowed; others get a 404 that says nothing about the file."""
    attachment = get_object_or_404(
        Attachment.objects.select_related(
            "application__competition", "application__organization", "organization"
        ),
        pk=pk,
    )
    if not can_download_attachment(request.user, attachment):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response

