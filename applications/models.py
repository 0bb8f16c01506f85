"""Organizations, their applications (the workflow), budgets, the audit log and post-award records."""

import datetime as dt
import hashlib
import json
import secrets
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from pypinyin import lazy_pinyin
from stdnum.cn import uscc

from competitions.models import (
    Competition,
    OrganizationCategory,
    Region,
    RegistrationStatus,
    ReportKind,
    ServiceArea,
    TrancheTrigger,
)

from . import permissions as perms
from . import rules
from .status import Status


# Codes read aloud or typed from paper: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(length=8):
    """A random code for looking up a case without an account (办件查询)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# Amounts are never negative; the DecimalField's own validator keeps them within max_digits and
# IntegerField's within the column's range, so a 20-digit number is a form error, not a 500.
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


def field_clean(model, name, value):
    """``value`` checked by the model field's own rules (type, range, digits, validators): the one
    check that forms and services both run. Raises ValidationError naming the field."""
    field = model._meta.get_field(name)
    if value is None or value == "" or value == []:
        return value  # a draft may leave a field empty; completeness is checked at submit
    try:
        return field.clean(value, None)
    except ValidationError as exc:
        raise ValidationError(
            "%s: %s" % (str(field.verbose_name).capitalize(), " ".join(exc.messages)), code="invalid"
        ) from None


def normalize_credit_code(value):
    """The compact canonical form of a credit code: full-width characters folded (NFKC), spaces and
    dashes removed, capital letters. Applied before validation and uniqueness, so ``５２５２…`` and
    ``5252…`` are one organization."""
    if value is None:
        return None
    value = unicodedata.normalize("NFKC", str(value))
    return "".join(c for c in value if not (c.isspace() or c in "-‐‑–—")).upper()


class CreditCodeField(models.CharField):
    """Stores every credit code in its canonical form, whichever path writes it."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_credit_code(value) or None if value is not None else None

    def get_prep_value(self, value):
        return self.to_python(value)

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


def validate_credit_code(value):
    """统一社会信用代码: 18 characters with a check character (GB 32100-2015)."""
    # python-stdnum would quietly drop spaces and dashes and fold case; we store the code as
    # printed on the certificate, so refuse such input with a message instead of a length error.
    if value != value.upper() or any(c.isspace() or c == "-" for c in value):
        raise ValidationError(
            _("Type the unified social credit code in capital letters without spaces."),
            code="credit_code_case",
        )
    if not uscc.is_valid(value):
        raise ValidationError(
            _(
                "%(value)s is not a valid unified social credit code: it has 18 characters and "
                "ends with a check character. Copy it from the registration certificate."
            ),
            params={"value": value},
            code="credit_code_invalid",
        )


def pinyin_key(name):
    """(sort key, initial letter) of a Chinese name as a Chinese reader looks it up: by its pinyin
    (``lazy_pinyin`` reads words, so 重庆 sorts under C), letters and digits kept as they are; the
    initial is A–Z, or # for a name that starts with neither."""
    syllables = lazy_pinyin((name or "").strip(), errors=lambda text: list(text.lower()))
    key = " ".join(s.lower() for s in syllables if s.strip())[:400]
    initial = key[:1].upper()
    return key, initial if "A" <= initial <= "Z" else "#"


def pinyin_initials(key):
    """The first letter of each syllable of a ``pinyin_key`` (邻里帮助服务中心 → llbzfwzx): what a
    reader types to find a name by its initials."""
    return "".join(syllable[0] for syllable in key.split())[:200]


class Organization(models.Model):
    """A community social organization (社区社会组织)."""

    name = models.CharField(_("name"), max_length=200)
    # The directory's order and letter index (pinyin_key), and the initials search matches
    # (pinyin_initials); kept by save() and the registry import (SORT_KEY_FIELDS).
    name_pinyin = models.CharField(max_length=400, blank=True, editable=False, db_index=True)
    name_initial = models.CharField(max_length=1, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(max_length=200, blank=True, editable=False)
    credit_code = CreditCodeField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True,
        validators=[validate_credit_code],
    )
    registration_status = models.CharField(
        _("registration status"), max_length=20, choices=RegistrationStatus.choices
    )
    filing_record = models.CharField(
        _("filing record"), max_length=200, blank=True,
        help_text=_("For filed organizations: the street office or township and the filing number."),
    )
    category = models.CharField(_("category"), max_length=30, choices=OrganizationCategory.choices)
    community = models.ForeignKey(
        Region, verbose_name=_("community"), on_delete=models.PROTECT, related_name="organizations"
    )
    founded = models.DateField(_("founded"), null=True, blank=True)
    head_name = models.CharField(_("head"), max_length=100)
    head_is_party_member = models.BooleanField(_("head is a Communist Party member"), default=False)
    staff_count = models.PositiveIntegerField(_("full-time staff"), default=0)
    social_worker_count = models.PositiveIntegerField(_("licensed social workers"), default=0)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    description = models.TextField(_("about the organization"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # A bureau vouched for it (its registry import, or staff who checked the registration evidence):
    # only then is it in the public directory and the figures. It may apply before that.
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
                                    on_delete=models.PROTECT, related_name="+")
    # The newest row of the organization's own audit chain (claims of an imported organization).
    log_head = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    SORT_KEY_FIELDS = ("name_pinyin", "name_initial", "name_initials")

    def set_sort_key(self):
        self.name_pinyin, self.name_initial = pinyin_key(self.name)
        self.name_initials = pinyin_initials(self.name_pinyin)

    def save(self, *args, **kwargs):
        self.set_sort_key()
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.SORT_KEY_FIELDS}
        super().save(*args, **kwargs)

    def clean(self):
        if self.registration_status == RegistrationStatus.REGISTERED and not self.credit_code:
            raise ValidationError(
                {"credit_code": _("A registered organization must give its unified social credit code.")}
            )
        if self.registration_status == RegistrationStatus.FILED and not self.filing_record:
            raise ValidationError(
                {"filing_record": _("A filed organization must give the office it is filed with and the filing number.")}
            )

    @property
    def is_rural(self):
        return self.community.is_rural


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        EDITOR = "editor", _("Editor")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_membership")]
        verbose_name = _("member")
        verbose_name_plural = _("members")


class FSMRefreshMixin:
    """django-fsm's own refresh_from_db switches ``protected`` off and on for the field object
    that every instance shares, which races between threads (a 500 under concurrent requests).
    Dropping the cached state from this instance lets the reload set it instead."""

    STATE_FIELD = "state"

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        if fields is None or self.STATE_FIELD in fields:
            self.__dict__.pop(self.STATE_FIELD, None)
        models.Model.refresh_from_db(self, using=using, fields=fields, from_queryset=from_queryset)
        self._update_initial_state()


# Withdrawal is possible from every state before the award that is not already final.
WITHDRAWABLE = [
    Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.ELIGIBLE, Status.UNDER_REVIEW,
    Status.REVIEWED, Status.SHORTLISTED, Status.RECOMMENDED, Status.PUBLICIZING,
]


class Application(FSMRefreshMixin, ConcurrentTransitionMixin, models.Model):
    """An organization's application to one call, moved through the workflow by services only.

    Transition bodies change this row and nothing else; ``applications.services`` calls them
    inside a transaction with the row locked, checks the reasons, and writes the audit log.
    """

    STATE_FIELD = "status"

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="applications"
    )
    competition = models.ForeignKey(
        Competition, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, protected=True, db_index=True)
    version = models.PositiveIntegerField(default=0, help_text="Bumped on every write, for optimistic locking.")
    reference = models.CharField(_("reference number"), max_length=40, unique=True, null=True, blank=True)
    # With the reference number, what anyone holding the receipt types to follow the case (办件查询).
    tracking_code = models.CharField(_("query code"), max_length=12, blank=True, editable=False)
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("project summary"), blank=True)
    service_area = models.CharField(_("service area"), max_length=30, choices=ServiceArea.choices, blank=True)
    target_groups = models.CharField(_("target groups"), max_length=300, blank=True)
    beneficiaries = models.PositiveIntegerField(_("people to be served"), null=True, blank=True)
    place = models.CharField(_("place of service"), max_length=200, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    requested_amount = models.DecimalField(_("amount requested (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"), validators=NOT_NEGATIVE)
    co_funding = models.DecimalField(_("co-funding (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"), validators=NOT_NEGATIVE)
    goals = models.TextField(_("goals"), blank=True)
    indicators = models.JSONField(_("indicators"), default=list, blank=True)
    team = models.TextField(_("project team"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    revision_deadline = models.DateTimeField(_("revision deadline"), null=True, blank=True)
    staff_note = models.TextField(_("latest note from staff"), blank=True)
    awarded_amount = models.DecimalField(_("amount awarded (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    publicity_ends_at = models.DateTimeField(_("公示 ends"), null=True, blank=True)
    return_amount = models.DecimalField(_("amount to be returned (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    # Hash of the newest TransitionLog row of this application: deleting the last row shows.
    log_head = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "competition"],
                condition=~models.Q(status=Status.WITHDRAWN),
                name="one_live_application_per_call",
            )
        ]
        indexes = [
            models.Index(fields=["competition", "status"]),
            # The staff listing: a call's applications newest first, counted and cut into pages
            # from this index alone (no visit to the wide rows; status is here for the count's
            # and the filter's "not a draft").
            models.Index(fields=["competition", "submitted_at", "id", "status"], name="application_listing_idx"),
        ]

    def planned_indicators(self):
        """The planned indicators as (name, target) pairs.

        The application form stores ``{"indicator", "target"}``; older rows (and imports) used
        ``{"name", "target"}`` or a bare string. Every reader goes through here so none sees a blank name.
        """
        pairs = []
        for item in self.indicators or []:
            if isinstance(item, dict):
                name = str(item.get("indicator") or item.get("name") or "").strip()
                target = item.get("target", item.get("planned", ""))
                pairs.append((name, "" if target is None else str(target)))
            elif str(item).strip():
                pairs.append((str(item).strip(), ""))
        return [(n, t) for n, t in pairs if n]

    def __str__(self):
        return self.reference or self.title

    # ----- transitions: each changes this row only; services do everything else --------------

    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED,
                permission=perms.for_transition(perms.can_submit_application),
                conditions=[rules.window_open, rules.organization_eligible, rules.application_complete, rules.budget_valid])
    def submit(self, *, now):
        self.submitted_at = now
        self.tracking_code = self.tracking_code or new_code()

    @transition(field=status, source=Status.RETURNED, target=Status.SUBMITTED,
                permission=perms.for_transition(perms.can_submit_application),
                conditions=[rules.before_revision_deadline, rules.organization_eligible, rules.application_complete, rules.budget_valid])
    def resubmit(self, *, now):
        self.submitted_at = now

    @transition(field=status, source=Status.SUBMITTED, target=Status.ELIGIBLE,
                permission=perms.for_transition(perms.can_manage_application))
    def accept_eligible(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.INELIGIBLE,
                permission=perms.for_transition(perms.can_manage_application))
    def reject_ineligible(self, *, reason):
        self.staff_note = reason

    @transition(field=status, source=Status.SUBMITTED, target=Status.RETURNED,
                permission=perms.for_transition(perms.can_manage_application))
    def return_for_revision(self, *, reason, deadline):
        self.staff_note = reason
        self.revision_deadline = deadline

    @transition(field=status, source=Status.ELIGIBLE, target=Status.UNDER_REVIEW,
                permission=perms.for_transition(perms.can_manage_application))
    def open_review(self):
        pass

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.REVIEWED,
                permission=perms.for_transition(perms.is_system), conditions=[rules.review_complete])
    def complete_review(self):
        pass

    @transition(field=status, source=Status.REVIEWED, target=Status.SHORTLISTED,
                permission=perms.for_transition(perms.can_manage_application), conditions=[rules.call_has_pitch_round])
    def shortlist(self):
        pass

    @transition(field=status, source=[Status.REVIEWED, Status.SHORTLISTED], target=Status.RECOMMENDED,
                permission=perms.for_transition(perms.can_manage_application), conditions=[rules.pitch_done_if_required])
    def recommend(self, *, amount):
        self.awarded_amount = amount

    @transition(field=status, source=[Status.REVIEWED, Status.SHORTLISTED], target=Status.DECLINED,
                permission=perms.for_transition(perms.can_manage_application))
    def decline(self, *, reason):
        self.staff_note = reason

    @transition(field=status, source=Status.RECOMMENDED, target=Status.PUBLICIZING,
                permission=perms.for_transition(perms.can_manage_application))
    def publicize(self, *, ends_at):
        self.publicity_ends_at = ends_at

    @transition(field=status, source=Status.PUBLICIZING, target=Status.DECLINED,
                permission=perms.for_transition(perms.can_manage_application))
    def cancel_after_objection(self, *, reason):
        self.staff_note = reason

    @transition(field=status, source=Status.PUBLICIZING, target=Status.AWARDED,
                permission=perms.for_transition(perms.is_system),
                conditions=[rules.publicity_ended, rules.no_open_or_upheld_objection])
    def award(self):
        pass

    @transition(field=status, source=Status.AWARDED, target=Status.CONTRACTED,
                permission=perms.for_transition(perms.can_manage_application))
    def sign_agreement(self):
        pass

    @transition(field=status, source=Status.CONTRACTED, target=Status.COMPLETED,
                permission=perms.for_transition(perms.can_manage_application), conditions=[rules.final_report_accepted])
    def complete(self):
        pass

    @transition(field=status, source=Status.CONTRACTED, target=Status.TERMINATED,
                permission=perms.for_transition(perms.can_manage_application))
    def terminate(self, *, reason, return_amount):
        self.staff_note = reason
        self.return_amount = return_amount

    @transition(field=status, source=WITHDRAWABLE, target=Status.WITHDRAWN,
                permission=perms.for_transition(perms.can_withdraw_application))
    def withdraw(self):
        pass

    # ----- reads ---------------------------------------------------------------------------

    @property
    def is_rural(self):
        return self.organization.community.is_rural

    @property
    def budget_total(self):
        return sum((line.amount for line in self.budget_lines.all()), Decimal("0"))


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        PERSONNEL = "personnel", _("Personnel")
        ACTIVITIES = "activities", _("Activities")
        MATERIALS = "materials", _("Materials and supplies")
        VENUE = "venue", _("Venue and equipment")
        TRAVEL = "travel", _("Travel")
        PUBLICITY = "publicity", _("Publicity and printing")
        ADMIN = "admin", _("Administration")  # capped by the call
        OTHER = "other", _("Other")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    position = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    item = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, validators=NOT_NEGATIVE)

    class Meta:
        ordering = ["application", "position", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget")


class ReferenceCounter(models.Model):
    """Next number for reference numbers of one prefix (e.g. GZ-2026-LF); locked while used."""

    prefix = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)


class TransitionLog(models.Model):
    """Append-only, hash-chained history of an application and of everything that hangs on it.

    One chain per application: its own workflow, and the tranches, reports, objections and review
    decisions (assignments, funding) that belong to it, each row naming its ``subject``. One chain
    per application rather than one per object because the questions asked of it are about a
    project ("who approved and who paid its tranches, after which report"), because every step
    already locks the application row (so appends never race), and because a deleted tranche row
    still leaves its chained history behind. ``data`` holds the figures a row vouches for (a
    payment's amount, date and voucher). ``hash`` is the SHA-256 of the row's content and
    ``prev_hash`` (the previous row's hash of the same application), so any edit or deletion
    breaks the chain; ``verify_audit_log`` finds it.
    """

    class Subject(models.TextChoices):
        APPLICATION = "application", _("Application")
        DISBURSEMENT = "disbursement", _("Tranche")
        REPORT = "report", _("Report")
        OBJECTION = "objection", _("Objection")
        REVIEW = "review", _("Review")
        CLAIM = "claim", _("Organization claim")

    # A row belongs to one application's chain, or (claims of an imported organization, which has
    # no application yet) to one organization's chain: exactly one of the two is set.
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.PROTECT, related_name="log")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="log")
    seq = models.PositiveIntegerField()
    subject = models.CharField(max_length=20, choices=Subject.choices, default=Subject.APPLICATION)
    subject_id = models.PositiveIntegerField(null=True, blank=True)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    transition = models.CharField(max_length=60)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["application_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["application", "seq"], name="unique_log_seq"),
            models.UniqueConstraint(fields=["organization", "seq"], name="unique_organization_log_seq"),
            models.CheckConstraint(
                condition=models.Q(application__isnull=False, organization__isnull=True)
                | models.Q(application__isnull=True, organization__isnull=False),
                name="log_row_in_one_chain",
            ),
        ]
        indexes = [models.Index(fields=["subject", "subject_id"])]
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")

    def content(self):
        content = {
            "application": self.application_id,
            "seq": self.seq,
            "from": self.from_state,
            "to": self.to_state,
            "transition": self.transition,
            "actor": self.actor_id,
            "at": self.at.astimezone(dt.timezone.utc).isoformat() if self.at else None,
            "note": self.note,
            "prev": self.prev_hash,
        }
        # Rows about the application itself hash as they always did, so older chains still verify.
        if self.subject != self.Subject.APPLICATION or self.subject_id is not None or self.data:
            content.update(subject=self.subject, subject_id=self.subject_id, data=self.data)
        if self.organization_id is not None:
            content["organization"] = self.organization_id
        return json.dumps(content, sort_keys=True, ensure_ascii=False)

    def compute_hash(self):
        return hashlib.sha256(self.content().encode("utf-8")).hexdigest()

    def save(self, *args, **kwargs):
        # Append-only: history is never rewritten through the ORM.
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("TransitionLog rows are append-only.")
        super().save(*args, **kwargs)


class Report(FSMRefreshMixin, ConcurrentTransitionMixin, models.Model):
    """A mid-term or final report of a funded project: written by the organization, submitted,
    then returned for changes or accepted by staff (``applications.postaward`` runs the steps)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")  # 优秀
        GOOD = "good", _("Good")  # 良好
        PASS = "pass", _("Pass")  # 合格
        FAIL = "fail", _("Fail")  # 不合格

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    due_date = models.DateField(_("due"))
    state = FSMField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT, protected=True)
    narrative = models.TextField(_("narrative"), blank=True)
    beneficiaries_reached = models.PositiveIntegerField(_("people served"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    staff_note = models.TextField(_("note from staff"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "due_date"]
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="one_report_per_kind")]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    @transition(field=state, source=[State.DRAFT, State.RETURNED], target=State.SUBMITTED,
                permission=perms.for_transition(perms.can_write_report), conditions=[rules.project_in_progress])
    def submit(self, *, now):
        self.submitted_at = now

    @transition(field=state, source=State.SUBMITTED, target=State.RETURNED,
                permission=perms.for_transition(perms.can_manage_project_item), conditions=[rules.project_in_progress])
    def send_back(self, *, reason):
        self.staff_note = reason

    @transition(field=state, source=State.SUBMITTED, target=State.ACCEPTED,
                permission=perms.for_transition(perms.can_manage_project_item), conditions=[rules.project_in_progress])
    def accept(self, *, now, grade, staff_note):
        self.grade = grade
        self.accepted_at = now
        self.staff_note = staff_note or self.staff_note


class Disbursement(FSMRefreshMixin, ConcurrentTransitionMixin, models.Model):
    """One tranche of an award: planned from the call's tranche plan, approved, then paid; held
    while a report of the project is overdue and released when it is accepted."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        APPROVED = "approved", _("Approved")
        HELD = "held", _("Held: a report is overdue")
        PAID = "paid", _("Paid")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="disbursements")
    position = models.PositiveSmallIntegerField(default=0)
    trigger = models.CharField(_("trigger"), max_length=10, choices=TrancheTrigger.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, validators=NOT_NEGATIVE)
    state = FSMField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED, protected=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    voucher = models.CharField(_("voucher number"), max_length=60, blank=True)
    # Post-award (applications.postaward): when staff approved it, and since when it is held
    # because a report of the project is overdue (empty: not held).
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    held_at = models.DateTimeField(_("held since"), null=True, blank=True)

    class Meta:
        ordering = ["application", "position"]
        constraints = [models.UniqueConstraint(fields=["application", "position"], name="unique_tranche")]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")

    @transition(field=state, source=State.PLANNED, target=State.APPROVED,
                permission=perms.for_transition(perms.can_manage_project_item),
                conditions=[rules.project_payable, rules.tranche_trigger_met])
    def approve(self, *, now):
        self.approved_at = now

    @transition(field=state, source=State.APPROVED, target=State.PAID,
                permission=perms.for_transition(perms.can_manage_project_item), conditions=[rules.project_payable])
    def pay(self, *, paid_on, voucher):
        self.paid_on = paid_on
        self.voucher = voucher

    @transition(field=state, source=[State.PLANNED, State.APPROVED], target=State.HELD,
                permission=perms.for_transition(perms.is_system))
    def hold(self, *, now):
        self.held_at = now

    @transition(field=state, source=State.HELD, target=RETURN_VALUE(State.PLANNED, State.APPROVED),
                permission=perms.for_transition(perms.is_system))
    def release(self):
        self.held_at = None
        return self.State.APPROVED if self.approved_at else self.State.PLANNED

    def save(self, *args, **kwargs):
        # A paid tranche's figures are what the chain vouches for: no screen or script rewrites them.
        if self.pk is not None:
            stored = Disbursement.objects.filter(pk=self.pk, state=self.State.PAID).values_list("amount", "paid_on", "voucher").first()
            if stored is not None and stored != (self.amount, self.paid_on, self.voucher):
                raise ValidationError(_("This tranche is paid; its amount, date and voucher can no longer be changed."))
        super().save(*args, **kwargs)


class Objection(FSMRefreshMixin, ConcurrentTransitionMixin, models.Model):
    """A written, real-name objection filed during the 公示: received, investigated by the
    bureau, then upheld (the award is cancelled) or dismissed."""

    class State(models.TextChoices):
        OPEN = "open", _("Received")
        INVESTIGATING = "investigating", _("Under investigation")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    UNDECIDED = (State.OPEN, State.INVESTIGATING)

    class ObjectorKind(models.TextChoices):
        PERSON = "person", _("A person")
        ORGANIZATION = "organization", _("An organization (stamped letter)")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="objections")
    # Given to the objector on filing: with it anyone follows the objection without an account.
    case_number = models.CharField(_("case number"), max_length=20, unique=True, null=True, editable=False)
    objector_kind = models.CharField(_("objector"), max_length=20, choices=ObjectorKind.choices, default=ObjectorKind.PERSON)
    objector_name = models.CharField(_("name"), max_length=100)
    objector_phone = models.CharField(_("phone"), max_length=30, blank=True)
    objector_organization = models.CharField(_("organization"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    state = FSMField(_("state"), max_length=15, choices=State.choices, default=State.OPEN, protected=True)
    investigation = models.TextField(_("investigation"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    @transition(field=state, source=State.OPEN, target=State.INVESTIGATING,
                permission=perms.for_transition(perms.can_manage_project_item))
    def investigate(self, *, plan):
        self.investigation = plan

    @transition(field=state, source=[State.OPEN, State.INVESTIGATING], target=State.UPHELD,
                permission=perms.for_transition(perms.can_manage_project_item))
    def uphold(self, *, investigation, decider, now):
        self.investigation, self.decided_by, self.decided_at = investigation, decider, now

    @transition(field=state, source=[State.OPEN, State.INVESTIGATING], target=State.DISMISSED,
                permission=perms.for_transition(perms.can_manage_project_item))
    def dismiss(self, *, investigation, decider, now):
        self.investigation, self.decided_by, self.decided_at = investigation, decider, now


def private_storage():
    """Uploaded files live outside MEDIA_ROOT and are served only through permission checks."""
    from django.core.files.storage import storages

    return storages["private"]


def attachment_path(instance, filename):
    # The stored name is random; the person's own name (Chinese characters and all) is kept in
    # ``original_name`` for display and download.
    import uuid

    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file uploaded by an organization: evidence, application annex, report photo, letter."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration certificate")
        FILING = "filing", _("Filing record from the street office or township")
        PROJECT = "project", _("Project annex")
        BUDGET = "budget", _("Budget annex")
        REPORT = "report", _("Report evidence")
        PHOTO = "photo", _("Photo")
        AGREEMENT = "agreement", _("Signed agreement")
        OBJECTION = "objection", _("Objection letter")
        CLAIM = "claim", _("Evidence for claiming an organization")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    objection = models.ForeignKey(Objection, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    identifying = models.BooleanField(
        _("reveals the organization's identity"), default=False,
        help_text=_("Hidden from reviewers when the call uses blind review."),
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class SubmittedDocument(models.Model):
    """The PDF of an application as submitted (申报书): the record, never regenerated from later data."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30, default="application_form")
    log_entry = models.OneToOneField(TransitionLog, on_delete=models.PROTECT, related_name="document")
    file = models.FileField(storage=private_storage, upload_to="documents/%Y/%m", max_length=200)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)


class AwardNotice(models.Model):
    """立项通知书: issued once per awarded application; ``code`` backs the public verification page."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award_notice")
    code = models.CharField(max_length=40, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    issued_at = models.DateTimeField()
    file = models.FileField(storage=private_storage, upload_to="notices/%Y/%m", max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)


# ----- post-award (applications.postaward) ------------------------------------------------------


class Agreement(models.Model):
    """资助协议书: generated from the award and the call's terms, signed and stamped, confirmed by staff."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="agreement")
    file = models.FileField(storage=private_storage, upload_to="agreements/%Y/%m", max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    signed_scan = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scan_uploaded_at = models.DateTimeField(_("signed scan uploaded"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")


class ReportIndicator(models.Model):
    """One indicator of a report: what was planned and what was achieved."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("indicator"), max_length=200)
    planned = models.CharField(_("planned"), max_length=100, blank=True)
    achieved = models.CharField(_("achieved"), max_length=100, blank=True)

    class Meta:
        ordering = ["report", "position", "id"]
        verbose_name = _("report indicator")
        verbose_name_plural = _("report indicators")


class ReportExpenditure(models.Model):
    """Money spent on one budget line up to the report, with an explanation of a large variance."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="expenditures")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("spent (yuan)"), max_digits=12, decimal_places=2, validators=NOT_NEGATIVE)
    explanation = models.TextField(_("explanation of the variance"), blank=True)

    class Meta:
        ordering = ["report", "budget_line__position", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "budget_line"], name="one_expenditure_per_line")]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")


# ----- claiming an organization of the registry (applications.claims) -----------------------------


class OrganizationClaim(FSMRefreshMixin, ConcurrentTransitionMixin, models.Model):
    """A person asks to become the owner of an organization the bureau imported from its registry
    (which has no members); staff of a bureau over its community approve or refuse with a reason.
    At most one claim of an organization is pending at a time (a partial unique index)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the bureau")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     related_name="claims")
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("claimant"), on_delete=models.PROTECT,
                                 related_name="organization_claims")
    evidence = models.ForeignKey(Attachment, verbose_name=_("evidence"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)
    state = FSMField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, protected=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization"], condition=models.Q(state="pending"),
                                    name="one_pending_claim_per_organization"),
        ]
        verbose_name = _("organization claim")
        verbose_name_plural = _("organization claims")

    @transition(field=state, source=State.PENDING, target=State.APPROVED,
                permission=perms.for_transition(perms.can_decide_claim))
    def approve(self, *, decider, now):
        self.decided_by, self.decided_at = decider, now

    @transition(field=state, source=State.PENDING, target=State.REFUSED,
                permission=perms.for_transition(perms.can_decide_claim))
    def refuse(self, *, decider, now, reason):
        self.decided_by, self.decided_at, self.reason = decider, now, reason
class AnnualReport(models.Model):
    """年度社区社会组织培育发展情况报告: a bureau's figures for one year as a PDF, rendered by the
    worker (``applications.tasks.render_annual_report``) and kept; each request is a new row, so a
    report sent upwards stays as it was."""

    bureau = models.ForeignKey("competitions.Bureau", verbose_name=_("bureau"), on_delete=models.PROTECT,
                               related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    file = models.FileField(storage=private_storage, upload_to="annual-reports/%Y", max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")

    def __str__(self):
        return f"{self.bureau} {self.year}"
