from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class Address(models.Model):
    """A saved address in a user's book. Shipments copy it (a snapshot), never link to it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    recipient_name = models.CharField(_("recipient name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=24)
    country = models.CharField(_("country"), max_length=2, default="CN", help_text=_("ISO 3166 alpha-2 code"))
    region = models.CharField(_("province / state"), max_length=60)
    city = models.CharField(_("city"), max_length=60)
    district = models.CharField(_("district"), max_length=60, blank=True, default="")
    street = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True, default="")
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-is_default", "id"]
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_default=True), name="address_one_default_per_user"
            )
        ]

    def __str__(self):
        return f"{self.recipient_name}, {self.city}"

    def one_line(self):
        parts = [self.street, self.district, self.city, self.region, self.postal_code, self.country]
        return ", ".join(p for p in parts if p)
