from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The custom user, in place from the first migration. `display_name` is what other people see
    (a gift's sender, the friend who accepted): never the username or email."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True, default="")

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
        return self.display_name or self.first_name or self.username
