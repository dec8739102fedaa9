from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The custom user, in place from the first migration. `display_name` is what other people see
    (a gift's sender, the friend who accepted): never the username or email."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True, default="")

    def __str__(self):
        return self.username

    @property
    def public_name(self):
        return self.display_name or self.first_name or self.username
