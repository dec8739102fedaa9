"""Dispatch and tracking: a parcel leaves the merchant's hands and its timeline fills in by itself.

Checkpoints are stored once (unique key per shipment) and the shipment's status is always the
status of its latest checkpoint by the checkpoint's own time, never by arrival: an older
checkpoint that arrives late is stored but never overwrites newer news. News travels leftwards as
an outbox event ("logistics.shipment_updated"), which gifts consumes for the claim's milestones.
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from giftshop.errors import InvalidInput
from giftshop.outbox import outbox_put
from giftshop.transitions import Transitions, transition
from logistics.carriers import get_carrier
from logistics.carriers.base import CarrierUnavailable, TrackingUpdate
from logistics.errors import ShipmentNotPending
from logistics.events import event_shipment_updated
from logistics.models import Shipment, TrackingEvent
from stores.selectors import ensure_store_member

logger = logging.getLogger(__name__)

TOPIC_REGISTER = "logistics.register_tracking"
TOPIC_APPLY = "logistics.apply_tracking"
TOPIC_UPDATED = "logistics.shipment_updated"
TRACKING_NUMBER_RE = re.compile(r"[A-Za-z0-9-]{4,40}")

# A parcel is on its way from its dispatch until its final status: everything else is excluded with this.
NOT_ON_ITS_WAY = [*Shipment.FINAL, Shipment.Status.PENDING]
# Canonical progression, to order checkpoints that share a timestamp.
RANK = {s: i for i, s in enumerate([
    "pending", "info_received", "in_transit", "exception", "delivery_failed", "out_for_delivery",
    "available_for_pickup", "returning", "delivered", "returned", "expired", "cancelled",
])}


def shipment_dispatch(*, shipment: Shipment, carrier: str, tracking_number: str, actor) -> Shipment:
    """A member of the shipment's store hands the parcel to a carrier: pending → info_received, once.
    NotFound for anyone else (a parcel of another store is never told apart from none)."""
    ensure_store_member(store_id=shipment.store_id, actor=actor)
    carrier = (carrier or "").strip()
    tracking_number = (tracking_number or "").strip() if isinstance(tracking_number, str) else ""
    errors = {}
    if carrier not in settings.DISPATCH_CARRIERS:
        errors["carrier"] = [_("Choose one of the carriers offered.")]
    if not TRACKING_NUMBER_RE.fullmatch(tracking_number):
        errors["tracking_number"] = [_("Enter the tracking number: 4 to 40 letters, digits or dashes.")]
    elif not errors and _in_use_by_another_store(shipment, carrier, tracking_number):
        errors["tracking_number"] = [_("This tracking number is already on a parcel on its way with this "
                                       "carrier. Check the number on the label.")]
    if errors:
        raise InvalidInput(fields=errors)
    if shipment.status != Shipment.Status.PENDING:
        raise ShipmentNotPending()
    with transaction.atomic():
        moved = transition(
            shipment, Shipment.Status.INFO_RECEIVED, reason="dispatched", actor=actor,
            extra={"carrier": carrier, "tracking_number": tracking_number, "shipped_at": Now(),
                   "last_event_at": Now()},
        )
        if not moved:  # refunded or dispatched by someone else a moment ago
            raise ShipmentNotPending()
        outbox_put(topic=TOPIC_REGISTER, key=f"register:{shipment.id}", payload={"shipment_id": shipment.id})
        _announce(shipment, f"dispatch:{shipment.id}")
    return shipment


def _in_use_by_another_store(shipment: Shipment, carrier: str, tracking_number: str) -> bool:
    """A carrier's tracking number is one store's while a parcel of it is on its way: the carrier's
    news is found by that number (_shipment_for), so another store's parcel must not take it too
    (it would get the first store's timeline, and the first store none). The same store may give
    one number to several parcels (one box); a number whose parcels all ended may be used again,
    as carriers recycle them. Which store holds it is never said."""
    return (
        Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number)
        .exclude(store_id=shipment.store_id)
        .exclude(status__in=NOT_ON_ITS_WAY)
        .exists()
    )


def _announce(shipment: Shipment, key: str) -> None:
    outbox_put(topic=TOPIC_UPDATED, key=f"shipment-updated:{key}",
               payload={"shipment_id": shipment.id, "status": shipment.status})
    event_shipment_updated(shipment=shipment, key=key)


def tracking_register(*, shipment_id: int) -> None:
    """Subscribe the parcel at its carrier (outbox consumer), then pull what it already knows."""
    shipment = Shipment.objects.get(id=shipment_id)
    carrier = get_carrier(shipment.carrier)
    carrier.register(tracking_number=shipment.tracking_number)
    tracking_apply(update=carrier.fetch(tracking_number=shipment.tracking_number))


def _shipment_for(update: TrackingUpdate) -> Shipment | None:
    """The parcel a carrier's news is about: its own carrier's, by tracking number, the newest. Never
    another carrier's parcel with the same number (each carrier's pushes are signed with its own
    secret; the sandbox's has a development default), nor another store's while this one's is on
    its way (shipment_dispatch refuses it). An older parcel of the same store in the same box
    follows by the quiet-parcel sync, which pulls each parcel by its own id."""
    rows = Shipment.objects.filter(carrier=update.carrier, tracking_number=update.tracking_number)
    return rows.exclude(status=Shipment.Status.CANCELLED).order_by("-id").first()


def _replay(events) -> tuple[str, TrackingEvent | None]:
    """The status the checkpoints lead to, taken in their own time order from the dispatch
    (info_received), each followed only where the table allows the move (so a stray older-looking
    scan after a newer one changes nothing). Returns it and the checkpoint that led there."""
    status, decider = Shipment.Status.INFO_RECEIVED, None
    for event in sorted(events, key=lambda e: (e.occurred_at, RANK.get(e.status, 0), e.key)):
        if event.status != status and Shipment.TRANSITIONS.allowed(status, event.status):
            status, decider = event.status, event
    return status, decider


# A checkpoint that arrives late can change what the earlier ones lead to (out_for_delivery, then a
# late delivery_failed makes the later in_transit scan count): the replayed status may then be one
# the current status does not lead to directly. Such a re-derived move is allowed from any status
# that is not final, to any status a carrier can report.
REPLAYED = Transitions({
    current: {s for s in Shipment.TRANSITIONS.table if s not in (Shipment.Status.PENDING, Shipment.Status.CANCELLED)}
    - {current}
    for current in Shipment.TRANSITIONS.table if current not in Shipment.FINAL
})


def tracking_apply(*, update: TrackingUpdate) -> Shipment | None:
    """Store new checkpoints once; the status is what all stored checkpoints lead to, replayed in
    their own time order (never arrival order), so any order and chunking of a timeline ends the same."""
    found = _shipment_for(update)
    if found is None:
        logger.warning("tracking: %s update for an unknown parcel", update.carrier)
        return None
    return _apply(shipment_id=found.id, update=update)


def _apply(*, shipment_id: int, update: TrackingUpdate) -> Shipment:
    """tracking_apply for a parcel already found. The checkpoints it does not have yet are read and
    written under the shipment's row lock, which every writer of its checkpoints takes, so a key
    is stored once (the unique constraint on (shipment, key) stays the last net)."""
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(id=shipment_id)
        have = set(shipment.events.values_list("key", flat=True))
        new = {}
        for c in update.checkpoints:
            key = c.key[:128]
            if key not in have and key not in new:  # the first of a key wins, as it is stored
                new[key] = TrackingEvent(
                    shipment=shipment, key=key, occurred_at=c.occurred_at, status=c.status,
                    raw_status=c.raw_status[:64], location=c.location[:120], description=c.description[:300])
        if not new:
            return shipment
        TrackingEvent.objects.bulk_create(new.values())
        events = list(shipment.events.all())
        latest = max(events, key=lambda e: (e.occurred_at, RANK.get(e.status, 0), e.key))
        status, decider = _replay(events)
        if latest.status != status:
            logger.warning("tracking: shipment %s: the latest checkpoint says %s; its timeline leads to %s",
                           shipment.id, latest.status, status)
        extra = {"carrier_status": latest.raw_status, "last_event_at": timezone.now()}
        if status == Shipment.Status.DELIVERED and decider is not None:
            extra["delivered_at"] = decider.occurred_at
        if status == shipment.status or shipment.status in Shipment.FINAL:
            Shipment.objects.filter(id=shipment.id).update(**extra)
            return shipment
        before = shipment.status
        table = Shipment.TRANSITIONS if Shipment.TRANSITIONS.allowed(before, status) else REPLAYED
        reason = f"carrier: {decider.raw_status}" if decider else "carrier: timeline replayed"
        if status in Shipment.FINAL:  # once: a final status never moves again (the address purge counts from here)
            extra["ended_at"] = Now()
        transition(shipment, status, reason=reason, extra=extra, table=table)
        _announce(shipment, f"{shipment.id}:{before}:{status}:{decider.key if decider else ''}")
    return shipment


def shipments_sync_quiet(*, quiet_seconds: int | None = None, limit: int = 500, clock=None, after_id: int = 0) -> dict:
    """Pull parcels that have gone quiet (no news for `quiet_seconds`) from their carrier: up to
    `limit` of them, in id order after `after_id`. `last_id` in the answer is where the next call
    goes on (None: no quiet parcel is left after this batch), so calls in a row make a full pass,
    and parcels the carrier has nothing new about never hide the others (their last_event_at does
    not move, so an oldest-first order would pull the same ones every time)."""
    quiet = timedelta(seconds=settings.SHIPMENT_SYNC_QUIET_SECONDS if quiet_seconds is None else quiet_seconds)
    active = (
        Shipment.objects.exclude(status__in=NOT_ON_ITS_WAY)
        .exclude(tracking_number="")
        .filter(Q(last_event_at__isnull=True) | Q(last_event_at__lte=Now() - quiet), id__gt=after_id)
        .order_by("id")
        .only("id", "status", "carrier", "tracking_number", "reference")
    )
    done = {"pulled": 0, "moved": 0, "unavailable": 0}
    batch = list(active[:limit])
    # The checkpoints each already has, in one query: a parcel with nothing new costs its fetch only.
    have = {}
    for shipment_id, key in TrackingEvent.objects.filter(shipment_id__in=[s.id for s in batch]).values_list(
            "shipment_id", "key"):
        have.setdefault(shipment_id, set()).add(key)
    for shipment in batch:
        kwargs = {"clock": clock} if clock and shipment.carrier == "sandbox" else {}
        try:
            update = get_carrier(shipment.carrier, **kwargs).fetch(tracking_number=shipment.tracking_number)
        except CarrierUnavailable as exc:
            logger.info("tracking: cannot pull %s: %s", shipment.reference, exc)
            done["unavailable"] += 1
            continue
        done["pulled"] += 1
        known = have.get(shipment.id, set())
        if all(c.key[:128] in known for c in update.checkpoints):
            continue  # nothing new (a checkpoint stored since is found again by _apply's own read)
        before = shipment.status
        # The parcel is the one we asked about: no lookup by tracking number.
        after = _apply(shipment_id=shipment.id, update=update)
        if after.status != before:
            done["moved"] += 1
    done["last_id"] = batch[-1].id if len(batch) == limit else None
    return done
