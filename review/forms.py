"""Forms of the review pages. Validation of scores is the service's; forms only carry the input."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from competitions.models import Region

from .aggregation import plain
from .models import ScoreSheet


class ScoreSheetForm(forms.Form):
    """One points field and one comment per criterion, then the overall comment and recommendation."""

    overall_comment = forms.CharField(label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), required=False,
        choices=[("", "---------")] + list(ScoreSheet.Recommendation.choices),
    )

    def __init__(self, *args, criteria, half_points=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        step = "0.5" if half_points else "1"
        for criterion in criteria:
            self.fields[f"points_{criterion.pk}"] = forms.CharField(
                label=criterion.name, required=False,
                help_text=_("0 to %(max)s points") % {"max": plain(criterion.max_points)},
                widget=forms.NumberInput(attrs={"min": "0", "max": str(criterion.max_points), "step": step, "inputmode": "decimal"}),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on %(name)s") % {"name": criterion.name}, required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def initial_for(sheet):
        initial = {"overall_comment": sheet.overall_comment, "recommendation": sheet.recommendation}
        for score in sheet.scores.all():
            initial[f"points_{score.criterion_id}"] = plain(score.points) if score.points is not None else ""
            initial[f"comment_{score.criterion_id}"] = score.comment
        return initial

    def scores(self):
        data = self.cleaned_data
        return {c.pk: (data.get(f"points_{c.pk}", ""), data.get(f"comment_{c.pk}", "")) for c in self.criteria}

    def rows(self):
        """(criterion, points field, comment field) for the template."""
        return [(c, self[f"points_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def add_service_errors(self, exc):
        """A ``ReviewError``'s errors each at its field; its general line ("correct the marked
        fields") only when no field carries one, since the error summary's heading says it."""
        if not exc.errors:
            self.add_error(None, exc.message)
        for name, message in exc.errors.items():
            self.add_error(name if name in self.fields else None, message)


class DeclineForm(forms.Form):
    declaration = forms.CharField(
        label=_("Your conflict of interest"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say who you are tied to and how (member, relative, former employee, same community…)."),
    )


class InviteReviewerForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    title = forms.CharField(label=_("Professional title"), max_length=100, required=False)
    employer = forms.CharField(label=_("Employer"), max_length=200, required=False)
    expertise = forms.CharField(label=_("Areas of expertise (comma-separated)"), required=False)
    home_community = forms.ModelChoiceField(
        label=_("Community of residence"), required=False,
        queryset=Region.objects.filter(level=Region.Level.COMMUNITY),
    )

    def expertise_list(self):
        return [e.strip() for e in self.cleaned_data.get("expertise", "").replace("，", ",").split(",") if e.strip()]


class FundingForm(forms.Form):
    """For each candidate: fund or not, and the amount."""

    decline_reason = forms.CharField(
        label=_("Reason given to applications not funded"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirmed = forms.BooleanField(
        label=_("I have checked the table: the ticked applications are recommended with these amounts and every "
                "other one is declined and told so. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm: the funding decision cannot be undone.")},
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            pk = row.item.key.pk
            self.fields[f"fund_{pk}"] = forms.BooleanField(required=False, initial=row.funded, label=_("Fund"))
            self.fields[f"amount_{pk}"] = forms.DecimalField(
                required=False, min_value=Decimal("0"), decimal_places=2, max_digits=12,
                initial=row.amount if row.funded else None, label=_("Amount (yuan)"),
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "style": "min-width:10rem"}),
            )

    def clean(self):
        data = super().clean()
        for row in self.rows:
            pk = row.item.key.pk
            if data.get(f"fund_{pk}") and not data.get(f"amount_{pk}"):
                self.add_error(f"amount_{pk}", _("Give the amount for an application you fund."))
        return data

    def decisions(self):
        data = self.cleaned_data
        return [
            (row.item.key, data.get(f"amount_{row.item.key.pk}") if data.get(f"fund_{row.item.key.pk}") else None)
            for row in self.rows
        ]

    def table(self):
        return [(row, self[f"fund_{row.item.key.pk}"], self[f"amount_{row.item.key.pk}"]) for row in self.rows]


class AffiliationForm(forms.Form):
    """A tie of the last three years, to an organization (by credit code or exact name) or a community."""

    organization = forms.CharField(
        label=_("Organization (unified social credit code or full name)"), required=False, max_length=200,
    )
    community = forms.ModelChoiceField(
        label=_("Community or village"), required=False, queryset=Region.objects.filter(level=Region.Level.COMMUNITY),
    )
    description = forms.CharField(label=_("Nature of the tie"), max_length=200,
                                  help_text=_("e.g. board member until 2025, former employee, relative of the head"))
    ended = forms.DateField(label=_("Ended (leave empty if it continues)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        from django.db.models import Q

        from applications.models import Organization

        data = super().clean()
        text = (data.get("organization") or "").strip()
        data["organization_obj"] = None
        if text:
            org = Organization.objects.filter(Q(credit_code=text.upper()) | Q(name=text)).first()
            if org is None:
                self.add_error("organization", _("No organization with this credit code or name is registered here."))
            data["organization_obj"] = org
        if not text and not data.get("community"):
            raise forms.ValidationError(_("Name the organization or choose the community of the tie."))
        return data
