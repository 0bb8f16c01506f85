"""Plain words for the application's history and small display helpers of the portal."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.status import Status

register = template.Library()

# What each logged transition means to the applicant. %(who)s is the member who acted.
TIMELINE = {
    "application.submit": gettext_lazy("%(who)s submitted the application."),
    "application.resubmit": gettext_lazy("%(who)s submitted the revised application."),
    "application.accept_eligible": gettext_lazy("The bureau checked the application: it is eligible."),
    "application.reject_ineligible": gettext_lazy("The bureau checked the application: it is not eligible."),
    "application.return_for_revision": gettext_lazy("The bureau returned the application for revision."),
    "application.open_review": gettext_lazy("Expert review started."),
    "application.complete_review": gettext_lazy("Expert review finished."),
    "application.shortlist": gettext_lazy("The project is shortlisted for the pitch round."),
    "application.recommend": gettext_lazy("The project is recommended for funding."),
    "application.decline": gettext_lazy("The project will not be funded this time."),
    "application.publicize": gettext_lazy("The award is in public notice (公示)."),
    "application.cancel_after_objection": gettext_lazy("The award was cancelled after an objection was upheld."),
    "application.award": gettext_lazy("The project is awarded."),
    "application.sign_agreement": gettext_lazy("The grant agreement is signed."),
    "application.complete": gettext_lazy("The project is completed."),
    "application.terminate": gettext_lazy("The project was terminated."),
    "application.withdraw": gettext_lazy("%(who)s withdrew the application."),
}


@register.simple_tag
def timeline_text(entry):
    text = TIMELINE.get(entry.transition)
    who = entry.actor.display_name if entry.actor_id else _("The system")
    if text is None:
        return _("Status changed to “%(status)s”.") % {"status": entry.to_state}
    return str(text) % {"who": who}


@register.filter
def status_class(status):
    if status in (Status.DRAFT, Status.RETURNED):
        return "status-todo"
    if status in (Status.INELIGIBLE, Status.DECLINED, Status.WITHDRAWN, Status.TERMINATED):
        return "status-end"
    if status in (Status.AWARDED, Status.CONTRACTED, Status.COMPLETED):
        return "status-good"
    return "status-wait"
