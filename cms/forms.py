"""Forms of the public site: the objection form of a 公示 and the directory filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Objection
from competitions.models import OrganizationCategory, Region

from . import antispam


class ObjectionForm(forms.Form):
    application = forms.TypedChoiceField(label=_("Project you object to"), coerce=int)
    objector_kind = forms.ChoiceField(
        label=_("You object as"), choices=Objection.ObjectorKind.choices, widget=forms.RadioSelect,
        initial=Objection.ObjectorKind.PERSON,
    )
    name = forms.CharField(label=_("Your real name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False,
                            help_text=_("Required when you object as a person."))
    organization = forms.CharField(label=_("Name of your organization"), max_length=200, required=False,
                                   help_text=_("Required when you object for an organization."))
    reason = forms.CharField(label=_("What you object to, and why"), widget=forms.Textarea(attrs={"rows": 5}))
    letter = forms.FileField(
        label=_("Stamped letter (PDF, JPEG or PNG)"), required=False,
        help_text=_("Required when you object for an organization."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    # Not shown to people (hidden by CSS and aria-hidden); automated posters fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, page, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        self.fields["application"].choices = [
            (e.application_id, f"{e.application.title} — {e.application.organization.name}") for e in entries
        ]
        if not self.is_bound:
            self.initial["started"] = antispam.form_token()
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})


INITIALS = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["#"]


class DirectoryFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, empty_label=_("All regions"),
        queryset=Region.objects.filter(level__lte=Region.Level.COUNTY).order_by("path"),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories"))] + OrganizationCategory.choices
    )
    initial = forms.ChoiceField(
        required=False, widget=forms.HiddenInput, choices=[("", "")] + [(c, c) for c in INITIALS],
    )


class TrackForm(forms.Form):
    """办件查询: a reference number with the query code on the receipt, or an objection's case number."""

    reference = forms.CharField(label=_("Reference number"), max_length=40, required=False,
                                widget=forms.TextInput(attrs={"autocapitalize": "characters", "placeholder": "GZ-2026-LF-0001"}))
    code = forms.CharField(label=_("Query code (on the receipt)"), max_length=12, required=False,
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}))
    case = forms.CharField(label=_("or an objection's case number"), max_length=20, required=False,
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "placeholder": "YY2026-XXXXXXXX"}))

    def clean(self):
        data = super().clean()
        if not data.get("case") and not (data.get("reference") and data.get("code")):
            raise forms.ValidationError(_("Give the reference number and the query code printed on the receipt, or an objection's case number."))
        return data
