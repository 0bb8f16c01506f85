"""Back-office screens of the 公示: publish a call's 公示, and investigate and decide objections.

Each view checks that the user is staff of the call's bureau (or a site admin); the work is
done by ``applications.publicity`` services.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from applications.models import Application, Attachment, Objection, Status
from applications.permissions import is_bureau_staff_for
from applications.publicity import objection_decide, objection_investigate
from applications.services import ApplicationError
from competitions.models import Competition
from cms.publicity import publicity_publish
from competitions.permissions import is_back_office_user
from competitions.selectors import staff_competitions
from competitions.workdays import publicity_window

from .scoping import StaffMenuItem


def _forbidden(request, message):
    # A plain 403 page: Wagtail would turn PermissionDenied into a redirect to the dashboard.
    return render(request, "cms/admin/forbidden.html", {
        "page_title": _("Not allowed"), "header_icon": "warning", "message": message,
    }, status=403)


def _bureau_calls(user):
    return staff_competitions(user).select_related("bureau")


def publicity_index(request):
    if not is_back_office_user(request.user):
        return _forbidden(request, _("Only bureau staff publish 公示."))
    calls = _bureau_calls(request.user).annotate(
        recommended=Count("applications", filter=Q(applications__status=Status.RECOMMENDED)),
        publicizing=Count("applications", filter=Q(applications__status=Status.PUBLICIZING)),
    ).filter(Q(recommended__gt=0) | Q(publicizing__gt=0)).order_by("-opens_at")
    objections = (
        Objection.objects.filter(application__competition__in=_bureau_calls(request.user))
        .select_related("application", "application__organization")
        .order_by("state", "-created_at")[:200]
    )
    return render(request, "cms/admin/publicity_index.html", {
        "page_title": _("公示 and objections"), "header_icon": "doc-full", "calls": calls, "objections": objections,
    })


def publicity_publish_view(request, competition_id):
    competition = get_object_or_404(Competition.objects.select_related("bureau"), pk=competition_id)
    if not is_bureau_staff_for(request.user, competition):
        return _forbidden(request, _("Only staff of the bureau that runs this call can publish its 公示."))
    recommended = list(
        Application.objects.filter(competition=competition, status=Status.RECOMMENDED)
        .select_related("organization").order_by("reference", "pk")
    )
    window = publicity_window(timezone.now(), competition.publicity_working_days)
    error = None
    if request.method == "POST":
        try:
            page = publicity_publish(competition=competition, actor=request.user)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("The 公示 is published: %(title)s") % {"title": page.title})
            return redirect(page.url or reverse("cms_publicity_index"))
    return render(request, "cms/admin/publicity_publish.html", {
        "page_title": _("Publish the 公示"), "header_icon": "doc-full", "call": competition,
        "recommended": recommended, "window": window, "error": error,
    }, status=400 if error else 200)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), widget=forms.RadioSelect,
        choices=[("investigating", gettext_lazy("Not yet: record that it is under investigation and what is being looked into")),
                 ("upheld", gettext_lazy("Uphold: cancel this award")), ("dismissed", gettext_lazy("Dismiss: the award stands"))],
    )
    investigation = forms.CharField(label=gettext_lazy("What the investigation found (or will look into)"),
                                    widget=forms.Textarea(attrs={"rows": 6}))
    confirmed = forms.BooleanField(
        required=False,
        label=gettext_lazy("I understand that upholding or dismissing is final: upholding cancels the award and the "
                           "project is not funded; dismissing lets the award go ahead. The objector is told."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("upheld", "dismissed") and not data.get("confirmed"):
            self.add_error("confirmed", gettext_lazy("Tick the box to confirm: this decision cannot be undone."))
        return data


def _objection_for(request, objection_id):
    """(objection, None) or (None, a 403 response) for staff of another bureau."""
    objection = get_object_or_404(
        Objection.objects.select_related("application", "application__organization", "application__competition"),
        pk=objection_id,
    )
    if not is_bureau_staff_for(request.user, objection.application.competition):
        return None, _forbidden(request, _("Only staff of the bureau that runs this call can see its objections."))
    return objection, None


def objection_decide_view(request, objection_id):
    objection, refused = _objection_for(request, objection_id)
    if refused:
        return refused
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision, text = form.cleaned_data["decision"], form.cleaned_data["investigation"]
        try:
            if decision == "investigating":
                objection_investigate(objection=objection, actor=request.user, note=text)
            else:
                objection_decide(objection=objection, actor=request.user, upheld=decision == "upheld", investigation=text)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The objection is under investigation.") if decision == "investigating"
                             else _("The decision is recorded."))
            return redirect("cms_publicity_index")
    return render(request, "cms/admin/objection_decide.html", {
        "page_title": _("Objection"), "header_icon": "warning", "objection": objection, "form": form,
        "letters": list(objection.attachments.all()),
    }, status=400 if form.errors else 200)


def objection_letter(request, objection_id, attachment_id):
    objection, refused = _objection_for(request, objection_id)
    if refused:
        return refused
    attachment = Attachment.objects.filter(pk=attachment_id, objection=objection).first()
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                        as_attachment=True, filename=attachment.original_name)


@hooks.register("register_admin_urls")
def register_publicity_urls():
    return [
        path("publicity/", publicity_index, name="cms_publicity_index"),
        path("publicity/<int:competition_id>/publish/", publicity_publish_view, name="cms_publicity_publish"),
        path("publicity/objections/<int:objection_id>/", objection_decide_view, name="cms_objection_decide"),
        path("publicity/objections/<int:objection_id>/letters/<int:attachment_id>/", objection_letter,
             name="cms_objection_letter"),
    ]


@hooks.register("register_admin_menu_item")
def register_publicity_menu_item():
    return StaffMenuItem(gettext_lazy("公示 and objections"), reverse("cms_publicity_index"), icon_name="doc-full", order=250)
