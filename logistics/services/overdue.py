"""The ship-by promise, watched by the app that holds it (`Shipment.ship_by`): the periodic job behind
logistics.tasks.enforce_ship_by and the `enforce_ship_by` command.

A shipment is **overdue** while it is `pending` after its `ship_by` on the database clock
(`logistics.selectors.shipments.OVERDUE`: the one definition the job, the console queue, the
statistics and Orders & Cards use). A shipment knows neither its claim nor its order, so the news
travels leftwards as outbox events, each written once per shipment (the message key is the marker):

- `TOPIC_OVERDUE` when it becomes overdue. The app that owns the parcel (gifts for a claim, orders
  for a purchase) answers with `shipment_announce_overdue`, naming who paid; the payer and the store's
  members then get one "shipment_overdue" notice each.
- `TOPIC_REFUND_DUE` when it is still pending SHIP_BY_GRACE_HOURS later. The owner refunds it
  (gifts: the claim, at the unit price paid; orders: the purchase, parcel cancelled, stock back).

Each pass takes due shipments in batches with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL), so
overlapping runs split the work; the unique outbox keys, the unique notice keys and the refunds'
deterministic references are what guarantee "once". A run counts only what it wrote itself: once it
holds a row's lock it looks again (a new statement sees what a run that held the lock before it
committed), so overlapping runs add up to the number of parcels. Dispatch locks the same row and needs it
`pending`, so a parcel that left first is never refunded, and one refunded first cannot leave.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, Now
from django.urls import reverse

from accounts.notices import notice_send
from giftshop.models import OutboxMessage
from giftshop.outbox import outbox_put
from logistics.models import Shipment
from logistics.selectors.shipments import OVERDUE
from stores.models import StoreMember

TOPIC_OVERDUE = "logistics.shipment_overdue"  # consumed by gifts and orders: tell the payer
TOPIC_REFUND_DUE = "logistics.shipment_refund_due"  # consumed by gifts and orders: refund the parcel
NOTICE_KIND = "shipment_overdue"
BATCH_SIZE = 50


def overdue_notice_key(shipment_id: int) -> str:
    """The key of the payer's notice (a member's is this key plus `:<user id>`)."""
    return f"{NOTICE_KIND}:{shipment_id}"


def _not_yet(topic: str):
    """Shipments for which `topic` has not been written yet (its outbox key is the marker)."""
    key = Concat(Value(f"{topic}:"), Cast(OuterRef("id"), output_field=CharField()), output_field=CharField())
    return ~Exists(OutboxMessage.objects.filter(key=key))


def _emit_due(queryset, topic: str, *, limit: int) -> int:
    """Write `topic` once for each shipment of `queryset` that has not had it, in locked batches."""
    emitted = 0
    due = queryset.filter(_not_yet(topic)).order_by("ship_by", "id")
    while emitted < limit:
        with transaction.atomic():
            batch = due
            if connection.features.has_select_for_update_skip_locked:
                batch = batch.select_for_update(skip_locked=True, of=("self",))
            ids = list(batch.values_list("id", flat=True)[: min(BATCH_SIZE, limit - emitted)])
            if not ids:
                break
            # The lock was taken on a snapshot from before another run's commit: look again.
            keys = {shipment_id: f"{topic}:{shipment_id}" for shipment_id in ids}
            written = set(OutboxMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
            for shipment_id, key in keys.items():
                if key not in written:
                    outbox_put(topic=topic, key=key, payload={"shipment_id": shipment_id})
                    emitted += 1
    return emitted


def ship_by_enforce(*, limit: int = 500) -> dict:
    """The whole job: announce newly overdue shipments, then ask for the refund of those past the
    grace period (a parcel refunded in this run has been announced first: the relay keeps order)."""
    grace = timedelta(hours=settings.SHIP_BY_GRACE_HOURS)
    overdue = _emit_due(Shipment.objects.filter(OVERDUE), TOPIC_OVERDUE, limit=limit)
    refund_due = _emit_due(
        Shipment.objects.filter(status=Shipment.Status.PENDING, ship_by__lt=Now() - grace), TOPIC_REFUND_DUE,
        limit=limit,
    )
    return {"overdue": overdue, "refund_due": refund_due}


def overdue_params(shipment: Shipment) -> dict:
    """What every overdue notice says (the payer's adds its role and its own link)."""
    return {
        "product": shipment.lines[0]["product_title"] if shipment.lines else "",
        "ship_by": shipment.ship_by.isoformat(),
        "refund_after_hours": settings.SHIP_BY_GRACE_HOURS,
    }


def shipment_announce_overdue(*, shipment: Shipment, payer, link: str, params: dict) -> int:
    """Tell the payer (the app that owns the parcel names them, with their link and role) and the
    store's members, once each, that `shipment` missed its promise. A member who paid hears it once,
    as the payer. Returns how many notices were sent now."""
    sent = 0
    if notice_send(user=payer, kind=NOTICE_KIND, key=overdue_notice_key(shipment.id), params=params, link=link):
        sent += 1
    merchant_params = {**overdue_params(shipment), "role": "merchant", "reference": shipment.reference,
                       "store": shipment.store.name}
    merchant_link = reverse("shipping:detail", kwargs={"shipment_id": shipment.id})
    members = StoreMember.objects.filter(store_id=shipment.store_id).exclude(user_id=payer.pk).select_related("user")
    for member in members.order_by("id"):
        key = f"{overdue_notice_key(shipment.id)}:{member.user_id}"
        if notice_send(user=member.user, kind=NOTICE_KIND, key=key, params=merchant_params, link=merchant_link):
            sent += 1
    return sent
