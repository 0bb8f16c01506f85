"""公示 (public notice of proposed awards), objections, and the award when the window ends.

The workflow steps themselves are ``applications.services`` functions; this module decides which
applications they apply to, writes the objections, and makes the scheduled award safe to run
twice or on two workers at once. The announcement page is cms's (``cms.publicity``).
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import services as account_services
from competitions.selectors import bureau_staff_users
from competitions.workdays import publicity_window
from competitions.typography import inner_quotes

from . import chain, services, uploads
from .models import Application, Attachment, Objection, Status, TransitionLog, new_code
from .permissions import is_bureau_staff_for
from .services import ApplicationError

logger = logging.getLogger(__name__)

# Objection letters: a scan or photo of a stamped letter.
LETTER_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def letter_max_bytes():
    return getattr(settings, "OBJECTION_LETTER_MAX_BYTES", 10 * 1024 * 1024)


def _local(moment):
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


# ----- putting applications into 公示 --------------------------------------------------------------


def publicity_start(*, competition, actor, applications=None, now=None):
    """Move the call's recommended applications into 公示; returns ``(publicized, window)``.

    Only staff of the call's bureau may do it. The window runs to the end of the call's N-th
    Chinese working day after today; beyond the years the holiday calendar knows, weekends only
    are skipped and the window says so. The announcement page is written by
    ``cms.publicity.publicity_publish``, which calls this first.
    """
    if not is_bureau_staff_for(actor, competition):
        raise ApplicationError(_("Only staff of the bureau that runs this call can publish its 公示."), code="forbidden")
    now = now or timezone.now()
    candidates = Application.objects.filter(competition=competition, status=Status.RECOMMENDED)
    if applications is not None:
        candidates = candidates.filter(pk__in=[a.pk for a in applications])
    candidates = list(candidates.order_by("reference", "pk"))
    if not candidates:
        raise ApplicationError(
            _("This call has no application recommended for funding, so there is nothing to publish."),
            code="empty",
        )
    window = publicity_window(now, competition.publicity_working_days)
    publicized = []
    for application in candidates:
        try:
            services.application_publicize(application=application, actor=actor, start=now)
        except ApplicationError as exc:
            # Changed by someone else meanwhile (withdrawn, published by a colleague): skip it.
            logger.info("not publicized %s: %s", application.pk, exc.message)
            continue
        publicized.append(application)
    if not publicized:
        raise ApplicationError(
            _("None of the recommended applications could be put into 公示: reload the page to see their status."),
            code="empty",
        )
    return publicized, window


# ----- objections -------------------------------------------------------------------------------


def _check_letter(uploaded):
    if uploaded.size > letter_max_bytes():
        raise ApplicationError(
            _("“%(name)s” is %(size)s; a letter may be at most %(max)s. Scan it at a lower resolution and try again.")
            % {"name": uploaded.name, "size": filesizeformat(uploaded.size), "max": filesizeformat(letter_max_bytes())},
            code="too_large",
        )
    if not uploaded.size:
        raise ApplicationError(_("“%(name)s” is empty. Choose the file again.") % {"name": uploaded.name}, code="empty")
    content_type = uploads.sniff_content_type(uploaded)
    if content_type in (uploads.PDF, uploads.JPEG, uploads.PNG):
        uploads.check_structure(uploaded, content_type)
        return content_type
    raise ApplicationError(
        _("“%(name)s” is not a PDF, JPEG or PNG file, whatever its name says. Scan or photograph the stamped letter and upload that.")
        % {"name": uploaded.name},
        code="bad_type",
    )


def objection_file(*, application, objector_kind, name, reason, phone="", organization="", letter=None, now=None):
    """Record a real-name objection to an application in 公示, during the window only.

    A person gives name, phone and reason; an organization also uploads its stamped letter
    (PDF, JPEG or PNG, read from the bytes; size limited).
    """
    now = now or timezone.now()
    name, reason, phone, organization = (name or "").strip(), (reason or "").strip(), (phone or "").strip(), (organization or "").strip()
    if application.publicity_ends_at and now >= application.publicity_ends_at:
        raise ApplicationError(
            _("The public notice (公示) of “%(title)s” ended at %(end)s (Beijing time); objections were taken until then. It is %(now)s now.")
            % {"title": inner_quotes(application.title), "end": _local(application.publicity_ends_at), "now": _local(now)},
            code="closed",
        )
    if application.status != Status.PUBLICIZING:
        raise ApplicationError(
            _("“%(title)s” is not in public notice (公示) now (%(status)s), so objections to it are not taken.")
            % {"title": inner_quotes(application.title), "status": application.get_status_display()},
            code="not_publicizing",
        )
    if not name:
        raise ApplicationError(_("Objections are taken by real name: give your name."), code="invalid")
    if not reason:
        raise ApplicationError(_("Say what you object to and why."), code="invalid")
    if objector_kind == Objection.ObjectorKind.PERSON:
        if not phone:
            raise ApplicationError(_("Give a phone number so that the bureau can reach you about the objection."), code="invalid")
    elif objector_kind == Objection.ObjectorKind.ORGANIZATION:
        if not organization:
            raise ApplicationError(_("Give the name of the organization that objects."), code="invalid")
        if letter is None:
            raise ApplicationError(_("An organization objects with a stamped letter: upload a scan or photo of it."), code="invalid")
    else:
        raise ApplicationError(_("Say whether you object as a person or for an organization."), code="invalid")
    content_type = _check_letter(letter) if letter is not None else None
    with transaction.atomic():
        objection = Objection.objects.create(
            application=application, case_number=f"YY{timezone.localdate():%Y}-{new_code()}", objector_kind=objector_kind, objector_name=name[:100],
            objector_phone=phone[:30], objector_organization=organization[:200], reason=reason,
        )
        # The chain records that an objection came and how, not who made it: a chained row can
        # never be erased, and the objector's name and phone must be erasable.
        chain.chain_append(
            application=application, subject=TransitionLog.Subject.OBJECTION, subject_id=objection.pk,
            transition="objection.file", to_state=objection.state, data={"objector_kind": objector_kind},
        )
        if letter is not None:
            uploads.store_attachment(
                uploaded=letter, content_type=content_type, objection=objection, kind=Attachment.Kind.OBJECTION
            )
        _notify_bureau_of_objection(objection)
    return objection


def _notify_bureau_of_objection(objection):
    """Tell the staff of the call's bureau that an objection waits for their investigation."""
    application = objection.application
    account_services.notify(
        users=bureau_staff_users(application.competition.bureau_id), key=f"objection:{objection.pk}",
        subject=lambda: _("Objection to %(ref)s in public notice (公示)") % {"ref": application.reference or application.title},
        body=lambda: _("An objection was filed against “%(title)s” (%(org)s). Investigate it and record the decision before the award.")
        % {"title": inner_quotes(application.title), "org": application.organization.name},
        url=reverse("cms_objection_decide", args=[objection.pk]),
    )


def _lock_objection(objection, actor):
    """The application first (as every workflow step locks it, so the award job waits), then the objection."""
    application = objection.application
    if not is_bureau_staff_for(actor, application.competition):
        raise ApplicationError(_("Only staff of the bureau that runs this call can decide its objections."), code="forbidden")
    app = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    locked = Objection.objects.select_for_update(of=("self",)).select_related("application__competition").get(pk=objection.pk)
    if locked.state not in Objection.UNDECIDED:
        raise ApplicationError(
            _("This objection was already decided (%(state)s).") % {"state": locked.get_state_display()},
            code="decided",
        )
    return app, locked


@services.outermost
def objection_investigate(*, objection, actor, note):
    """Staff take up the objection: what they will look into (or have found so far) is kept with it."""
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Say what the investigation will look into; it is kept with the objection."), code="invalid")
    _app, locked = _lock_objection(objection, actor)
    chain.run(locked, "investigate", actor=actor, note=note, plan=note)
    objection.refresh_from_db()
    return objection


@services.outermost
def objection_decide(*, objection, actor, upheld, investigation):
    """Record the investigation and the decision. Upheld cancels the award (declined, logged,
    the organization notified); dismissed lets the 公示 run its course.

    One transaction: the decision and the cancellation it causes are written together or not at
    all. The application is locked first (as every workflow step locks it), so the award job
    cannot run between the decision and the cancellation.
    """
    investigation = (investigation or "").strip()
    if not investigation:
        raise ApplicationError(_("Record what the investigation found; it is kept with the decision."), code="invalid")
    app, locked = _lock_objection(objection, actor)
    chain.run(locked, "uphold" if upheld else "dismiss", actor=actor, note=investigation,
              investigation=investigation, decider=actor, now=timezone.now())
    if upheld and app.status == Status.PUBLICIZING:
        services.application_cancel_after_objection.joined(
            application=app, actor=actor,
            reason=_("Objection upheld after investigation: %(finding)s") % {"finding": investigation},
        )
    objection.refresh_from_db()
    objection.application.refresh_from_db()
    return objection


# ----- the award when the window has ended --------------------------------------------------------


def awards_due(*, now):
    """Applications in 公示 whose window has ended with no open or upheld objection."""
    blocking = Objection.objects.filter(
        application=OuterRef("pk"), state__in=[*Objection.UNDECIDED, Objection.State.UPHELD]
    )
    return (
        Application.objects.filter(status=Status.PUBLICIZING, publicity_ends_at__lte=now)
        .exclude(Exists(blocking))
        .order_by("publicity_ends_at", "pk")
    )


def publicity_award_due(*, now=None):
    """Award every application whose 公示 ended cleanly, then issue its 立项通知书.

    Safe to run twice or on two workers together: ``application_award`` locks the row and
    refuses a second transition, and the notice is unique per application. Returns the ids of
    the applications this run awarded.
    """
    from .notices import notice_issue

    now = now or timezone.now()
    awarded = []
    for pk in list(awards_due(now=now).values_list("pk", flat=True)):
        application = Application(pk=pk)
        try:
            services.application_award(application=application)
        except (ApplicationError, Application.DoesNotExist) as exc:
            logger.info("not awarded %s: %s", pk, getattr(exc, "message", exc))
            continue
        awarded.append(pk)
    # Notices for every awarded application without one (also those a crashed run left behind).
    missing = Application.objects.filter(status=Status.AWARDED, award_notice__isnull=True).values_list("pk", flat=True)
    for pk in list(missing):
        notice_issue(application=Application.objects.get(pk=pk))
    return awarded
