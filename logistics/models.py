from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from giftshop.transitions import Transitions


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


class Shipment(models.Model):
    """A parcel a store must send. It knows its store and carries a snapshot of what to pack and
    print (address, lines, gift note); it does not link back to the order or the claim (those
    link to it), so logistics stays ignorant of orders and gifts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be dispatched")
        INFO_RECEIVED = "info_received", _("label created")
        IN_TRANSIT = "in_transit", _("in transit")
        OUT_FOR_DELIVERY = "out_for_delivery", _("out for delivery")
        AVAILABLE_FOR_PICKUP = "available_for_pickup", _("ready for pickup")
        DELIVERY_FAILED = "delivery_failed", _("delivery attempt failed")
        DELIVERED = "delivered", _("delivered")
        RETURNING = "returning", _("returning to sender")
        RETURNED = "returned", _("returned")
        EXCEPTION = "exception", _("needs attention")
        EXPIRED = "expired", _("tracking expired")
        CANCELLED = "cancelled", _("cancelled")

    S = Status
    _moving = {S.INFO_RECEIVED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.AVAILABLE_FOR_PICKUP, S.DELIVERY_FAILED,
               S.DELIVERED, S.RETURNING, S.RETURNED, S.EXCEPTION, S.EXPIRED}
    TRANSITIONS = Transitions(
        {
            S.PENDING: _moving | {S.CANCELLED},
            S.INFO_RECEIVED: _moving - {S.INFO_RECEIVED},
            S.IN_TRANSIT: _moving - {S.INFO_RECEIVED, S.IN_TRANSIT},
            S.OUT_FOR_DELIVERY: {S.DELIVERED, S.DELIVERY_FAILED, S.AVAILABLE_FOR_PICKUP, S.RETURNING, S.RETURNED,
                                 S.EXCEPTION, S.EXPIRED},
            S.AVAILABLE_FOR_PICKUP: {S.DELIVERED, S.RETURNING, S.RETURNED, S.EXCEPTION, S.EXPIRED},
            S.DELIVERY_FAILED: {S.OUT_FOR_DELIVERY, S.IN_TRANSIT, S.DELIVERED, S.AVAILABLE_FOR_PICKUP, S.RETURNING,
                                S.RETURNED, S.EXCEPTION, S.EXPIRED},
            S.EXCEPTION: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNING, S.RETURNED, S.EXPIRED},
            S.RETURNING: {S.RETURNED, S.EXCEPTION, S.EXPIRED},
            S.DELIVERED: set(),
            S.RETURNED: set(),
            S.EXPIRED: set(),
            S.CANCELLED: set(),
        }
    )
    FINAL = {S.DELIVERED, S.RETURNED, S.EXPIRED, S.CANCELLED}

    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="shipments")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shipments")
    reference = models.CharField(max_length=24, unique=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.PENDING)
    # Ship-to snapshot (purged some time after delivery).
    ship_to_name = models.CharField(max_length=60)
    ship_to_phone = models.CharField(max_length=24)
    ship_to_country = models.CharField(max_length=2)
    ship_to_region = models.CharField(max_length=60)
    ship_to_city = models.CharField(max_length=60)
    ship_to_district = models.CharField(max_length=60, blank=True, default="")
    ship_to_street = models.CharField(max_length=200)
    ship_to_postal_code = models.CharField(max_length=16, blank=True, default="")
    # What to pack: [{"product_title", "variant_name", "sku", "quantity"}]; never prices.
    lines = models.JSONField(default=list)
    # The packing note: a gift card to print.
    is_gift = models.BooleanField(default=False)
    giver_name = models.CharField(max_length=50, blank=True, default="")
    gift_message = models.CharField(max_length=200, blank=True, default="")
    # A returned parcel the store ships again: the new shipment names it (once: the column is unique).
    resent_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="resent_as"
    )
    carrier = models.CharField(max_length=32, blank=True, default="")
    tracking_number = models.CharField(max_length=64, blank=True, default="")
    carrier_status = models.CharField(max_length=64, blank=True, default="")
    ship_by = models.DateTimeField()
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    # When the parcel reached a final status (FINAL), on the database clock: the address retention
    # period counts from here (logistics.services.purge). Not delivered_at, the carrier's own time of
    # the delivery scan, which may be long before we heard of it; not last_event_at, which later scans move.
    ended_at = models.DateTimeField(null=True, blank=True)
    # When the ship-to snapshot and the gift note were redacted (ADDRESS_RETENTION_DAYS after ended_at).
    address_purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["ship_by", "id"]
        indexes = [
            models.Index(fields=["store", "status", "ship_by"], name="shipment_store_queue_idx"),
            # The queue's "all" and the shipments API: a store's parcels by promise, read in order
            # (a store of 200,000: 300 ms sorting them all → an index scan; bench/plans/).
            models.Index(fields=["store", "ship_by", "id"], name="shipment_store_ship_by_idx"),
            # The queue's gifts-or-purchases filter and its counts, index-only (a store of 200,000
            # gifts and no purchase: its capped count scanned all of them, 230 ms → under 0.1 ms).
            models.Index(fields=["store", "is_gift", "status", "ship_by"], name="shipment_store_kind_idx"),
            # Carrier pushes find their parcel by tracking number (bench: 1.2 ms → 0.02 ms).
            models.Index(fields=["tracking_number"], name="shipment_tracking_idx"),
            # The ship-by job scans what is still pending by deadline.
            models.Index(
                fields=["ship_by", "id"], condition=models.Q(status="pending"), name="shipment_pending_due_idx"
            ),
            # The purge job scans ended parcels whose address is still kept.
            models.Index(
                fields=["ended_at", "id"], condition=models.Q(address_purged_at__isnull=True, ended_at__isnull=False),
                name="shipment_purge_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["pending", "info_received", "in_transit", "out_for_delivery", "available_for_pickup",
                                "delivery_failed", "delivered", "returning", "returned", "exception", "expired",
                                "cancelled"]
                ),
                name="shipment_status_valid",
            )
        ]

    def __str__(self):
        return self.reference

    def ship_to_lines(self):
        return [
            self.ship_to_name,
            self.ship_to_phone,
            ", ".join(p for p in [self.ship_to_street, self.ship_to_district] if p),
            ", ".join(p for p in [self.ship_to_city, self.ship_to_region, self.ship_to_postal_code] if p),
            self.ship_to_country,
        ]


class TrackingEvent(models.Model):
    """One carrier checkpoint, stored once (unique key), applied in event-time order."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=128)
    occurred_at = models.DateTimeField()
    status = models.CharField(max_length=24, choices=Shipment.Status.choices)
    raw_status = models.CharField(max_length=64, blank=True, default="")
    location = models.CharField(max_length=120, blank=True, default="")
    description = models.CharField(max_length=300, blank=True, default="")
    raw = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "key"], name="tracking_event_unique_key"),
            models.CheckConstraint(
                condition=models.Q(status__in=Shipment.Status.values), name="tracking_event_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.shipment} {self.status} @ {self.occurred_at:%Y-%m-%d %H:%M}"

    def _shown(self, text):
        """The sandbox carrier's texts in the reader's language; a real carrier's as they came."""
        if self.shipment.carrier != "sandbox":
            return text
        from logistics.carriers.sandbox import speak  # the carrier module imports these models

        return speak(text)

    @property
    def shown_location(self):
        return self._shown(self.location)

    @property
    def shown_description(self):
        return self._shown(self.description)


class SandboxParcel(models.Model):
    """The sandbox carrier's own books (it stands in for a courier's tracking system): when a parcel
    was registered, and how many of its checkpoints the carrier has pushed to us so far."""

    tracking_number = models.CharField(max_length=64, unique=True)
    registered_at = models.DateTimeField()
    pushed = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.tracking_number
