from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giftshop.money import DEFAULT_CURRENCY, MAX_PRICE_MINOR
from giftshop.transitions import Transitions

MAX_STOCK = 1_000_000


class Store(models.Model):
    slug = models.SlugField(_("address"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), max_length=2000, blank=True, default="")
    logo = models.ImageField(_("logo"), upload_to="stores/", blank=True)
    ship_within_hours = models.PositiveIntegerField(
        _("ships within (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("The promise to buyers and gift senders: dispatch within this many hours."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The event types that at least one of the store's active webhook endpoints listens to, kept by
    # stores.webhooks.services in the endpoints' transaction: telling the news of a store that
    # listens to nothing costs no query (the store row is already loaded with the gift or order).
    webhook_events = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ship_within_hours__gte=1, ship_within_hours__lte=720),
                name="store_ship_within_hours_range",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stores:store", kwargs={"slug": self.slug})


class StoreMember(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        STAFF = "staff", _("staff")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "user"], name="store_member_unique"),
            models.CheckConstraint(condition=models.Q(role__in=["owner", "staff"]), name="store_member_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.store} ({self.role})"


class Product(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="products")
    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("address"), max_length=140, allow_unicode=True)
    description = models.TextField(_("description"), max_length=5000, blank=True, default="")
    giftable = models.BooleanField(_("can be sent as a gift"), default=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["store", "slug"], name="product_slug_unique_in_store")]
        indexes = [
            # "Latest products" on the home page: the newest on sale, read in order (bench/plans/).
            models.Index(
                F("created_at").desc(), F("id").desc(), condition=models.Q(is_active=True), name="product_recent_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("stores:product", kwargs={"store_slug": self.store.slug, "product_id": self.pk})

    # What a product tile shows, from its variants (prefetched by the catalog's selectors, so no
    # query each): the lowest price, "from" when the options' prices differ, "Sold out" when none
    # is in stock.
    @property
    def min_price_minor(self) -> int | None:
        return min((v.price_minor for v in self.variants.all()), default=None)

    @property
    def price_varies(self) -> bool:
        return len({v.price_minor for v in self.variants.all()}) > 1

    @property
    def sold_out(self) -> bool:
        return not any(v.in_stock for v in self.variants.all())


def product_image_path(instance, filename):
    return f"products/{filename}"


class ProductImage(models.Model):
    """A photo, verified and re-encoded without metadata by stores.images (never stored raw)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=product_image_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=product_image_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.product} photo {self.position}"


class Variant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(_("name"), max_length=80)
    sku = models.CharField(_("SKU"), max_length=64)
    price_minor = models.BigIntegerField(
        _("price (minor units)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PRICE_MINOR)]
    )
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    stock = models.IntegerField(_("stock"), default=0, validators=[MinValueValidator(0), MaxValueValidator(MAX_STOCK)])
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "sku"], name="variant_sku_unique_in_product"),
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="variant_stock_not_negative"),
            models.CheckConstraint(
                condition=models.Q(price_minor__gte=1, price_minor__lte=MAX_PRICE_MINOR), name="variant_price_range"
            ),
        ]

    def __str__(self):
        return f"{self.product} / {self.name}"

    @property
    def in_stock(self):
        return self.stock > 0


class WebhookEndpoint(models.Model):
    """Where a store wants to hear of its gifts, orders and parcels (stores.webhooks). The secret
    is the Standard Webhooks `whsec_…` form, shown once; after a rotation the previous one still
    signs, beside the new one, until `previous_secret_until`."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(pgettext_lazy("webhook endpoint", "active"), default=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.store} → {self.url}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: its body, and how sending it went. Written in the business
    transaction that made the news, with its outbox row; one per event and endpoint."""

    class Status(models.TextChoices):
        # With a context: a parcel's "delivered" (signed for) is another word in Chinese.
        PENDING = "pending", pgettext_lazy("webhook delivery", "sending")
        SUCCEEDED = "succeeded", pgettext_lazy("webhook delivery", "delivered")
        FAILED = "failed", pgettext_lazy("webhook delivery", "failed")

    TRANSITIONS = Transitions(
        {
            Status.PENDING: {Status.SUCCEEDED, Status.FAILED},
            Status.SUCCEEDED: {Status.PENDING},  # sent again from the console
            Status.FAILED: {Status.PENDING},
        }
    )

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_key = models.CharField(max_length=200)  # the business key of the news, e.g. gift.claimed:<claim id>
    event_id = models.CharField(max_length=40)  # the webhook-id header: the same on every attempt
    event_type = models.CharField(max_length=40)
    body = models.JSONField(default=dict)  # {type, timestamp, data}
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    resends = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log_idx")]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_key"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "succeeded", "failed"]), name="webhook_delivery_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"
