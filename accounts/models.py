from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person: applicant, reviewer, bureau staff or site admin.

    Bureau staff have ``bureau`` set and ``is_staff`` true; they see only their bureau's calls.
    Reviewers have a ``review.ReviewerProfile``. Applicants are members of organizations.
    """

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    bureau = models.ForeignKey(
        "competitions.Bureau",
        verbose_name=_("bureau"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Set for civil-affairs bureau staff: they see only this bureau's calls."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def is_bureau_staff(self):
        return self.is_active and self.is_staff and self.bureau_id is not None


class Notification(models.Model):
    """A message to one user, shown in the site and (once) sent by mail; or a mail to an address
    with no account behind it yet (an invitation), kept here so that every mail the system sends
    is on record.

    ``key`` makes each notification unique per recipient and occasion, so that a job or a
    transition that runs twice creates, and mails, one notification.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    email = models.EmailField(_("email address"), blank=True, help_text="Only when there is no user to write to.")
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)
    # Who is sending the mail now, and since when (see accounts.mail.notification_send_mail).
    mail_claim = models.CharField(max_length=60, blank=True, editable=False)
    mail_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.subject


class OrganizationInvitation(models.Model):
    """An owner's invitation, by email, to join an organization as owner or editor.

    The token in the mailed link is the only key; accepting it creates the Membership once.
    """

    organization = models.ForeignKey(
        "applications.Organization", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, default="editor")
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return self.email


def user_display(user):
    """How allauth names a person in its messages: the name they gave, else the user name."""
    return user.display_name
