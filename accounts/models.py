from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower, Now
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The custom user, in place from the first migration. `display_name` is what other people see
    (a gift's sender, the friend who accepted): never the username or email."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True, default="")
    # Notices also go by email unless switched off (the profile page, or the one-click link in
    # every notice email); they are written in the language the user last used the shop in.
    email_notices = models.BooleanField(_("email me my notices"), default=True)
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    # A mobile number, normalized (giftshop.sms.phone_normalized): how a guest who accepted a gift
    # with their phone gets a sign-in link by text message. Never shown to anyone else.
    phone = models.CharField(_("mobile number"), max_length=16, blank=True, default="", db_index=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # "Bob" and "bob" are one person: the service checks first, this is the net under races.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self):
        return self.username

    @property
    def public_name(self):
        """What others see: the display name, else the first name, else a neutral "a friend" (a
        username may be an email address, and goes on cards, link previews and packing slips)."""
        return self.display_name or self.first_name or str(_("A friend"))


class Notice(models.Model):
    """An in-app notice on "Orders & Cards": what happened (kind + params), rendered in the reader's
    language when shown, with a link to where to look."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True, default="")
    # Business key: the same event never notifies twice.
    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(db_default=Now())
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notice_user_recent_idx")]

    def __str__(self):
        return f"{self.kind} for {self.user_id}"
