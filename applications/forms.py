"""Applicant forms. They check and convert input; the services in services.py and org_services.py write."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from competitions.models import Region, RegistrationStatus, ServiceArea

from .models import Application, BudgetLine, Membership, Organization, field_clean, normalize_credit_code, validate_credit_code


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# ----- organizations -------------------------------------------------------------------------------


class OrganizationForm(forms.ModelForm):
    community = forms.ModelChoiceField(
        label=_("community"), queryset=Region.objects.order_by("path"),
        help_text=_("The community or village where the organization works."),
    )

    class Meta:
        model = Organization
        fields = [
            "name", "registration_status", "credit_code", "filing_record", "category", "community", "founded",
            "head_name", "head_is_party_member", "staff_count", "social_worker_count", "contact_name",
            "contact_phone", "contact_email", "address", "description",
        ]
        widgets = {"founded": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set by the checks below when the code names an organization already here (the page then
        # offers to claim it, or says how to join it).
        self.existing_organization = self.claimable = None
        # The model's own validator runs on the cleaned value below; skip the field-level one that
        # would refuse lower case before we could tidy it.
        # Room for the spaces people type or paste between groups of characters; removed in clean.
        code = self.fields["credit_code"]
        code.validators = []
        code.max_length = 40
        code.widget.attrs.update({"maxlength": "40", "autocapitalize": "characters", "spellcheck": "false"})

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data.get("credit_code") or "")
        if not code:
            return None
        validate_credit_code(code)
        existing = Organization.objects.filter(credit_code=code)
        if self.instance.pk:
            existing = existing.exclude(pk=self.instance.pk)
        existing = existing.select_related("community").first()
        if existing is not None:
            raise forms.ValidationError(self._taken(existing))
        return code

    def _taken(self, organization):
        """The code is an organization's already: claim it if it has no members, else how to join it."""
        from .claims import code_taken_message

        self.existing_organization = organization
        if not organization.memberships.exists():
            self.claimable = organization
        return code_taken_message(organization)

    def clean(self):
        data = super().clean()
        status = data.get("registration_status")
        if status == RegistrationStatus.REGISTERED and not data.get("credit_code") and "credit_code" not in self.errors:
            self.add_error("credit_code", _("A registered organization must give its unified social credit code."))
        if status == RegistrationStatus.FILED and not data.get("filing_record"):
            self.add_error("filing_record", _("A filed organization must give the office it is filed with and the filing number."))
        if not data.get("credit_code") and data.get("filing_record") and "credit_code" not in self.errors:
            # A filed organization of the registry is known by its filing number alone.
            from .claims import find_organization

            existing = find_organization(data["filing_record"])
            if existing is not None and existing.credit_code is None and existing.pk != self.instance.pk:
                self.add_error("filing_record", self._taken(existing))
        return data

    def _post_clean(self):
        # Validation of the model runs in the service; the form only tidies and checks fields.
        pass


class ClaimLookupForm(forms.Form):
    code = forms.CharField(
        label=_("unified social credit code or filing number"), max_length=60,
        help_text=_("As printed on the registration certificate or the filing record."),
    )


class ClaimForm(forms.Form):
    evidence = forms.FileField(
        label=_("evidence"),
        help_text=_("The registration certificate or filing record, or a letter stamped by the organization that "
                    "names you: PDF, JPEG or PNG."),
    )
    note = forms.CharField(
        label=_("note to the bureau"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your role in the organization and a phone number the bureau can call."),
    )


class ClaimDecisionForm(forms.Form):
    reason = forms.CharField(label=_("reason for refusing"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("file"), help_text=_("PDF, JPEG or PNG scan or photo."))


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("email address"))
    role = forms.ChoiceField(label=_("role"), choices=Membership.Role.choices, initial=Membership.Role.EDITOR)


# ----- starting an application ----------------------------------------------------------------------


class StartApplicationForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("organization"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("project title"), max_length=200)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk


# ----- the application sections ---------------------------------------------------------------------


class IndicatorsField(forms.CharField):
    """One indicator a line, "what : target"; stored as a list of {"indicator", "target"}."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        if isinstance(value, list):
            lines = []
            for item in value:
                if isinstance(item, dict):
                    text = item.get("indicator") or item.get("name") or ""
                    if item.get("target"):
                        text = f"{text}: {item['target']}"
                    lines.append(text)
                else:
                    lines.append(str(item))
            return "\n".join(lines)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        items = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            name, sep, target = line.replace("：", ":").partition(":")
            items.append({"indicator": name.strip(), "target": target.strip() if sep else ""})
        return items


class VersionedForm(forms.ModelForm):
    """A section form; ``version`` carries the version the page was loaded at (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self):
        # The service validates and writes; the form runs the same field rules (ranges, no negative
        # amounts) so the person sees them next to the field.
        model = self._meta.model
        for name in self._meta.fields:
            if name in self.cleaned_data and name not in self.errors:
                try:
                    field_clean(model, name, self.cleaned_data[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc.messages)

    def changes(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ProjectForm(VersionedForm):
    class Meta:
        model = Application
        fields = ["title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}


class AreaForm(VersionedForm):
    class Meta:
        model = Application
        fields = ["service_area", "target_groups", "beneficiaries"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = self.instance.competition.allowed_service_areas or ServiceArea.values
        field = self.fields["service_area"]
        field.choices = [("", "---------")] + [(v, ServiceArea(v).label) for v in allowed]
        field.help_text = _("Only the service areas this call funds are listed.")


class PlaceForm(VersionedForm):
    class Meta:
        model = Application
        fields = ["place", "start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}


class BudgetForm(VersionedForm):
    class Meta:
        model = Application
        fields = ["requested_amount", "co_funding"]
        widgets = {
            "requested_amount": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "co_funding": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        }


class GoalsForm(VersionedForm):
    indicators = IndicatorsField(
        label=_("indicators"), required=False,
        help_text=_("One a line, what you will measure and the target, e.g. “home visits: 240”."),
    )

    class Meta:
        model = Application
        fields = ["goals", "indicators"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 6})}


class TeamForm(VersionedForm):
    class Meta:
        model = Application
        fields = ["team"]
        widgets = {"team": forms.Textarea(attrs={"rows": 6})}


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=[("", "---------")] + BudgetLine.Category.choices, required=False)
    item = forms.CharField(label=_("item"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("amount (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal", "class": "budget-amount"}),
    )

    def clean(self):
        data = super().clean()
        filled = [bool(data.get("category")), bool(data.get("item")), data.get("amount") is not None]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give the category, the item and the amount of each line, or leave the whole line empty."))
        return data

    def is_empty(self):
        return not any(self.cleaned_data.get(k) not in (None, "") for k in ("category", "item", "amount"))


class BaseBudgetLineFormSet(forms.BaseFormSet):
    def lines(self):
        return [
            {"category": f.cleaned_data["category"], "item": f.cleaned_data["item"], "amount": f.cleaned_data["amount"]}
            for f in self.forms
            if f.is_valid() and not f.is_empty()
        ]


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, formset=BaseBudgetLineFormSet, extra=2, max_num=60, validate_max=True)


def budget_formset(application, data=None):
    """The lines as saved, or as posted. Posted lines are read as they are, without the saved ones as
    ``initial``: otherwise a line equal to the saved one would count as unchanged and be dropped."""
    if data is not None:
        return BudgetLineFormSet(data=data, prefix="lines")
    initial = [
        {"category": line.category, "item": line.item, "amount": line.amount}
        for line in application.budget_lines.all()
    ]
    return BudgetLineFormSet(initial=initial, prefix="lines")


class AttachmentForm(forms.Form):
    KINDS = [
        (k, label) for k, label in
        [("project", _("Project annex")), ("budget", _("Budget annex")), ("photo", _("Photo")), ("other", _("Other"))]
    ]
    file = forms.FileField(label=_("file"))
    kind = forms.ChoiceField(label=_("kind"), choices=KINDS, initial="project")
    identifying = forms.BooleanField(
        label=_("This file names or shows the organization"), required=False,
        help_text=_("Hidden from reviewers when the call uses blind review."),
    )


# name, title, form class (None: a page of its own)
SECTIONS = [
    ("project", _("Project"), ProjectForm),
    ("area", _("Service area and target groups"), AreaForm),
    ("place", _("Place and dates"), PlaceForm),
    ("budget", _("Budget"), BudgetForm),
    ("goals", _("Goals and indicators"), GoalsForm),
    ("team", _("Team"), TeamForm),
    ("attachments", _("Attachments"), None),
]
SECTION_NAMES = [s[0] for s in SECTIONS]
FORM_OF_SECTION = {name: form for name, _title, form in SECTIONS}
TITLE_OF_SECTION = {name: title for name, title, _form in SECTIONS}
# The field each autosave endpoint may write, with the section form that knows how to clean it.
FIELD_SECTION = {
    field: name for name, _title, form in SECTIONS if form is not None for field in form._meta.fields
}
