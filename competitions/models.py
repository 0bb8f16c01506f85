"""Bureaus, regions and calls (Competition) with their rubric, tranche plan and report schedule."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class OrganizationCategory(models.TextChoices):
    """The five kinds of community social organization named in the source policy."""

    COMMUNITY_SERVICE = "community_service", _("Community service")  # 社区服务类
    COMMUNITY_HARMONY = "community_harmony", _("Community harmony")  # 促进社区和谐类
    CHARITY_MUTUAL_AID = "charity_mutual_aid", _("Charity and mutual aid")  # 公益慈善和居民互助类
    CULTURE_SPORTS_EDUCATION = "culture_sports_education", _("Culture, sports and education")  # 文体教育类
    RURAL = "rural", _("Rural community organization")  # 农村社区社会组织


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered with civil affairs")  # 已登记
    FILED = "filed", _("Filed with a street office or township")  # 备案
    UNREGISTERED = "unregistered", _("Not registered")


class ServiceArea(models.TextChoices):
    ELDERLY = "elderly", _("Support for the elderly")  # 扶老
    DISABILITY = "disability", _("Support for people with disabilities")  # 助残
    ORPHANS = "orphans", _("Support for orphans")  # 救孤
    POVERTY = "poverty", _("Relief of hardship")  # 济困
    COMMUNITY_GOVERNANCE = "community_governance", _("Community governance")
    CULTURE_EDUCATION = "culture_education", _("Culture and education")
    HEALTH = "health", _("Health")
    ENVIRONMENT = "environment", _("Environment")
    VOLUNTEERING = "volunteering", _("Volunteering and mutual aid")
    OTHER = "other", _("Other")


# The lottery fund supports these four areas only (扶老、助残、救孤、济困).
LOTTERY_FUND_SERVICE_AREAS = (
    ServiceArea.ELDERLY,
    ServiceArea.DISABILITY,
    ServiceArea.ORPHANS,
    ServiceArea.POVERTY,
)


class FundSource(models.TextChoices):
    LOTTERY_FUND = "lottery_fund", _("Welfare lottery fund")  # 彩票公益金
    CENTRAL_FINANCE = "central_finance", _("Central finance social service")  # 中央财政
    GOVERNMENT_PURCHASE = "government_purchase", _("Government purchase of services")
    VENTURE_CONTEST = "venture_contest", _("Public-welfare venture contest")  # 公益创投

    @property
    def code(self):
        return {
            "lottery_fund": "LF",
            "central_finance": "CF",
            "government_purchase": "GP",
            "venture_contest": "VC",
        }[self.value]


class AggregationMethod(models.TextChoices):
    MEAN = "mean", _("Mean")
    MEDIAN = "median", _("Median")
    TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean (drop highest and lowest)")
    ZSCORE = "zscore", _("Per-reviewer z-score, rescaled to 100")


class Region(models.Model):
    """Province → city/prefecture → county → street/township → community/village."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        CITY = 2, _("City or prefecture")
        COUNTY = 3, _("County or district")
        STREET = 4, _("Street or township")
        COMMUNITY = 5, _("Community or village")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Codes of the ancestors and self joined by '/', to test "within region" with one query.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    is_rural = models.BooleanField(_("rural"), default=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path}/{self.code}" if self.parent_id else self.code
        super().save(*args, **kwargs)

    def is_within(self, other):
        """True if this region is ``other`` or lies inside it."""
        return self.path == other.path or self.path.startswith(other.path + "/")


class Bureau(models.Model):
    """A civil-affairs bureau (主办单位) that runs its own calls."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Provincial")
        CITY = "city", _("City or prefecture")
        COUNTY = "county", _("County")

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")

    def __str__(self):
        return self.name


class Competition(models.Model):
    """A call for applications: a lottery-fund grant round or a venture contest."""

    bureau = models.ForeignKey(
        Bureau, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="competitions"
    )
    fund_source = models.CharField(_("fund source"), max_length=30, choices=FundSource.choices)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    summary = models.TextField(_("summary"), blank=True)
    total_budget = models.DecimalField(_("total budget (yuan)"), max_digits=14, decimal_places=2)
    min_amount = models.DecimalField(_("minimum per project (yuan)"), max_digits=12, decimal_places=2)
    max_amount = models.DecimalField(_("maximum per project (yuan)"), max_digits=12, decimal_places=2)
    admin_cost_cap = models.DecimalField(
        # xgettext:no-python-format
        _("cap on administrative costs (% of request)"),
        max_digits=5, decimal_places=2, default=Decimal("10"), validators=PERCENT,
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    revision_days = models.PositiveSmallIntegerField(
        _("working days allowed to answer a return for revision"), default=7,
        help_text=_("Counted in Chinese working days from the return; the deadline is midnight after the last one."),
    )
    # Eligibility. An empty list means any.
    allowed_categories = models.JSONField(_("eligible organization categories"), default=list, blank=True)
    allowed_service_areas = models.JSONField(_("eligible service areas"), default=list, blank=True)
    allowed_registration_statuses = models.JSONField(
        _("eligible registration statuses"), default=list, blank=True
    )
    eligible_region = models.ForeignKey(
        Region, verbose_name=_("eligible region"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("Only organizations whose community lies in this region may apply."),
    )
    # Review.
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=3, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    blind_review = models.BooleanField(_("blind review"), default=False)
    aggregation_method = models.CharField(
        _("aggregation method"), max_length=20, choices=AggregationMethod.choices,
        default=AggregationMethod.MEAN,
    )
    half_points = models.BooleanField(_("half points allowed"), default=False)
    spread_threshold = models.DecimalField(
        # xgettext:no-python-format
        _("spread flag threshold (% of maximum)"), max_digits=5, decimal_places=2,
        default=Decimal("20"), validators=PERCENT,
    )
    review_deadline = models.DateTimeField(_("review deadline"), null=True, blank=True)
    show_other_sheets = models.BooleanField(
        _("reviewers see other sheets after submitting their own"), default=False
    )
    community_bonus = models.DecimalField(
        _("bonus points for community organizations"), max_digits=5, decimal_places=2,
        default=Decimal("0"), help_text=_("同等条件下优先: added to the final score of community organizations."),
    )
    pitch_round = models.BooleanField(_("pitch round (路演)"), default=False)
    pitch_weight = models.DecimalField(
        _("weight of the pitch in the final score (%)"), max_digits=5, decimal_places=2,
        default=Decimal("0"), validators=PERCENT,
    )
    rural_min_share = models.DecimalField(
        _("minimum share of funds for rural organizations (%)"), max_digits=5, decimal_places=2,
        default=Decimal("0"), validators=PERCENT,
    )
    # Award.
    publicity_working_days = models.PositiveSmallIntegerField(_("公示 length (working days)"), default=5)
    show_panel_names = models.BooleanField(_("show expert names in the 公示"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The closing time must be after the opening time.")
        if self.min_amount is not None and self.max_amount is not None and self.min_amount > self.max_amount:
            errors["max_amount"] = _("The maximum per project must not be below the minimum.")
        if self.max_amount is not None and self.total_budget is not None and self.max_amount > self.total_budget:
            errors["max_amount"] = _("The maximum per project must not exceed the total budget.")
        if self.fund_source == FundSource.LOTTERY_FUND:
            others = [a for a in self.allowed_service_areas if a not in LOTTERY_FUND_SERVICE_AREAS]
            if others or not self.allowed_service_areas:
                errors["allowed_service_areas"] = _(
                    "The lottery fund supports only support for the elderly, people with "
                    "disabilities, orphans and relief of hardship: choose among these four."
                )
        if self.pitch_round and not self.pitch_weight:
            errors["pitch_weight"] = _("A call with a pitch round needs the pitch's weight.")
        if not self.pitch_round and self.pitch_weight:
            errors["pitch_weight"] = _("Set the pitch weight to 0 or turn the pitch round on.")
        for name, choices in (
            ("allowed_categories", OrganizationCategory.values),
            ("allowed_service_areas", ServiceArea.values),
            ("allowed_registration_statuses", RegistrationStatus.values),
        ):
            unknown = [v for v in getattr(self, name) or [] if v not in choices]
            if unknown:
                errors[name] = _("Unknown values: %(values)s") % {"values": ", ".join(map(str, unknown))}
        if errors:
            raise ValidationError(errors)

    @property
    def fund_code(self):
        return FundSource(self.fund_source).code

    def phase(self, now=None):
        """'upcoming', 'open' or 'closed', by the call's window in Asia/Shanghai."""
        now = now or timezone.now()
        if now < self.opens_at:
            return "upcoming"
        if now <= self.closes_at:
            return "open"
        return "closed"

    def is_open(self, now=None):
        return self.phase(now) == "open"


class Criterion(models.Model):
    """One line of a call's rubric, for the expert review or the pitch round."""

    class Stage(models.TextChoices):
        REVIEW = "review", _("Expert review")
        PITCH = "pitch", _("Pitch")

    competition = models.ForeignKey(Competition, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.REVIEW)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("criterion"), max_length=100)
    description = models.TextField(_("guidance"), blank=True)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=Decimal("1"))

    class Meta:
        ordering = ["competition", "stage", "position", "id"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self):
        return self.name


class TrancheTrigger(models.TextChoices):
    ON_CONTRACT = "contract", _("On signing the agreement")
    ON_MIDTERM = "midterm", _("On mid-term report accepted")
    ON_FINAL = "final", _("On final report accepted")


class TranchePlanItem(models.Model):
    """One tranche of the call's payment plan: a percentage paid on a trigger."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="tranches")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2, validators=PERCENT)
    trigger = models.CharField(_("paid"), max_length=10, choices=TrancheTrigger.choices)

    class Meta:
        ordering = ["competition", "position", "id"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranche plan")


class ReportKind(models.TextChoices):
    MIDTERM = "midterm", _("Mid-term report")  # 中期评估
    FINAL = "final", _("Final report")  # 结项评估


class ReportRequirement(models.Model):
    """A report the call asks of every funded project, due some days after the agreement."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="report_requirements"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    days_after_contract = models.PositiveSmallIntegerField(_("due, days after the agreement"))

    class Meta:
        ordering = ["competition", "days_after_contract"]
        verbose_name = _("report requirement")
        verbose_name_plural = _("report schedule")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")  # 法定节假日（放假）
    WORKDAY = "workday", _("Make-up working day")  # 调休上班


class OfficialDay(models.Model):
    """A day on which the State Council's schedule departs from Monday-Friday.

    Working days are counted from these rows (``competitions.workdays``); a year with no row at all
    is unknown, and every window that reaches into it says so. Loaded from chinese-calendar for the
    years it knows (``manage.py load_holidays``); site admins enter new years from the published
    放假安排, and their entry wins over the library's.
    """

    class Source(models.TextChoices):
        LIBRARY = "library", _("chinese-calendar package")
        ADMIN = "admin", _("Entered by a site admin")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("holiday"), max_length=40, help_text=_("e.g. 春节, 国庆节"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ADMIN)
    reference = models.CharField(
        _("published in"), max_length=200, blank=True,
        help_text=_("The notice that published the schedule, e.g. 国务院办公厅关于2027年部分节假日安排的通知"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("official holiday or working day")
        verbose_name_plural = _("working-day calendar")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name} ({self.get_kind_display()})"

    def clean(self):
        if self.kind == DayKind.WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError(
                {"kind": _("%(day)s is a weekday, so it is a working day already: only a Saturday or "
                           "Sunday can be a make-up working day.") % {"day": self.date.isoformat()}}
            )
