"""The ship-by promise, enforced: the periodic job behind gifts.tasks.enforce_ship_by and the
`enforce_ship_by` command.

A shipment still `pending` after its `ship_by` (database clock) is overdue. Once, its store's members
and the person who paid (the gift's sender, or the buyer of a purchase) get a "shipment_overdue"
notice, keyed per shipment and person so that a re-run notifies nobody twice. SHIP_BY_GRACE_HOURS
later, a shipment still pending is refunded automatically, exactly once:
- a gift claim's parcel through gifts.services.overdue.claim_refund_not_shipped (the same service as
  the sender's one-click refund request);
- a purchase's parcel by cancelling it, releasing its stock and refunding what is left of the
  order's payment (reason `not_shipped`, scope the order).

Each pass takes due shipments in batches with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL), so
overlapping runs split the work; the conditional moves (pending → cancelled, the claim → refunded)
and the unique notice keys and refund references are what guarantee "once" (SQLite ignores the row
lock and serialises writers instead). The dispatch of a shipment locks the same row and needs it
`pending`, so a parcel that left first is never refunded, and one refunded first cannot be dispatched.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, Now
from django.urls import reverse

from accounts.models import Notice
from accounts.notices import notice_send
from gifts.models import Claim
from gifts.services.overdue import claim_refund_not_shipped
from giftshop.errors import DomainError
from logistics.models import Shipment
from orders.models import Order, Refund
from orders.services.refunds import order_refund_before_dispatch
from stores.models import StoreMember

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
NOTICE_KIND = "shipment_overdue"


def overdue_notice_key(shipment_id: int) -> str:
    """The key of the notice to whoever paid for the parcel: its presence marks the shipment as
    noticed (all of a shipment's notices are written in one transaction)."""
    return f"{NOTICE_KIND}:{shipment_id}"


def _take(queryset, size: int) -> list:
    """Lock up to `size` due rows for this run, skipping rows another run holds (PostgreSQL)."""
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset[:size])


def _in_batches(queryset, *, limit: int, handle) -> None:
    """Call `handle(batch)` on up to `limit` rows of `queryset`, each batch locked in its own
    transaction. A row is offered once per run, even if handling it changed nothing."""
    seen = []
    while len(seen) < limit:
        with transaction.atomic():
            batch = _take(queryset.exclude(id__in=seen).order_by("ship_by", "id"), min(BATCH_SIZE, limit - len(seen)))
            if not batch:
                return
            seen += [shipment.id for shipment in batch]
            handle(batch)


# --- notices ------------------------------------------------------------------------------------

def _payer_of(shipment: Shipment):
    """(user, link, params) for whoever paid for the parcel, or None for a parcel of neither kind."""
    product = shipment.lines[0]["product_title"] if shipment.lines else ""
    common = {"product": product, "ship_by": shipment.ship_by.isoformat(),
              "refund_after_hours": settings.SHIP_BY_GRACE_HOURS}
    try:
        claim = shipment.claim
    except Claim.DoesNotExist:
        claim = None
    if claim is not None:
        gift = claim.gift
        return gift.sender, reverse("gifts:detail", kwargs={"gift_id": gift.id}), {
            **common, "role": "sender", "gift_id": gift.id}
    try:
        order = shipment.purchase_order
    except Order.DoesNotExist:
        return None
    if order is not None:
        return order.buyer, reverse("orders:detail", kwargs={"order_id": order.id}), {
            **common, "role": "buyer", "order_id": order.id}
    return None


def _notify_overdue(shipment: Shipment, members: dict, done: dict) -> None:
    payer = _payer_of(shipment)
    # The payer's notice carries the shipment's marker key; a parcel of neither kind (none exists by
    # construction) gives it to the first member instead, so every shipment is noticed once.
    recipients = []
    if payer is not None:
        user, link, params = payer
        recipients.append((user, overdue_notice_key(shipment.id), link, params))
    merchant_params = {"role": "merchant", "reference": shipment.reference, "store": shipment.store.name,
                       "product": shipment.lines[0]["product_title"] if shipment.lines else "",
                       "ship_by": shipment.ship_by.isoformat(), "refund_after_hours": settings.SHIP_BY_GRACE_HOURS}
    merchant_link = reverse("shipping:detail", kwargs={"shipment_id": shipment.id})
    for member in members.get(shipment.store_id, []):
        if payer is not None and member.id == payer[0].id:
            continue  # a member who bought from their own store hears it once, as the payer
        key = f"{overdue_notice_key(shipment.id)}:{member.id}" if recipients else overdue_notice_key(shipment.id)
        recipients.append((member, key, merchant_link, merchant_params))
    sent = 0
    for user, key, link, params in recipients:
        if notice_send(user=user, kind=NOTICE_KIND, key=key, params=params, link=link) is not None:
            sent += 1
    if sent:
        done["noticed"] += 1
        done["notices"] += sent


def shipments_notify_overdue(*, limit: int = 500) -> dict:
    """Tell the store's members and the payer, once, about each shipment past its ship-by time."""
    done = {"noticed": 0, "notices": 0}
    marker = Notice.objects.filter(
        key=Concat(Value(f"{NOTICE_KIND}:"), Cast(OuterRef("id"), output_field=CharField()),
                   output_field=CharField())
    )
    due = Shipment.objects.filter(status=Shipment.Status.PENDING, ship_by__lt=Now()).filter(~Exists(marker))
    due = due.select_related("store", "claim__gift__sender", "purchase_order__buyer")

    def handle(batch):
        members = {}  # store id → its members' users, one query per batch
        rows = StoreMember.objects.filter(store_id__in={s.store_id for s in batch}).select_related("user")
        for member in rows.order_by("id"):
            members.setdefault(member.store_id, []).append(member.user)
        for shipment in batch:
            _notify_overdue(shipment, members, done)

    _in_batches(due, limit=limit, handle=handle)
    return done


# --- refunds after the grace period ---------------------------------------------------------------

def _refund_overdue(shipment: Shipment, done: dict) -> None:
    claim = Claim.objects.select_related("gift__order").filter(shipment=shipment).first()
    order = None if claim else Order.objects.filter(shipment=shipment, kind=Order.Kind.PURCHASE).first()
    if claim is not None and claim.status == Claim.Status.REFUNDED:
        return  # refunded another way first (its sender asked): nothing to do, nothing to count
    try:
        if claim is not None:
            claim_refund_not_shipped(gift=claim.gift, claim_id=claim.id)
            done["refunded_gifts"] += 1
        elif order is not None:
            with transaction.atomic():  # a savepoint: a refusal undoes this parcel's steps only
                order_refund_before_dispatch(order=order, shipment=shipment, reason=Refund.Reason.NOT_SHIPPED,
                                             why="not shipped by the promised time and the grace period")
            done["refunded_purchases"] += 1
        else:
            logger.warning("enforce_ship_by: shipment %s belongs to no claim and no order", shipment.id)
            done["not_refunded"] += 1
    except DomainError as exc:
        logger.warning("enforce_ship_by: shipment %s not refunded: %s (%s)", shipment.id, exc.code, exc.detail)
        done["not_refunded"] += 1


def shipments_refund_overdue(*, limit: int = 500) -> dict:
    """Refund every shipment still pending SHIP_BY_GRACE_HOURS after its ship-by time."""
    done = {"refunded_gifts": 0, "refunded_purchases": 0, "not_refunded": 0}
    grace = timedelta(hours=settings.SHIP_BY_GRACE_HOURS)
    due = Shipment.objects.filter(status=Shipment.Status.PENDING, ship_by__lt=Now() - grace)

    def handle(batch):
        for shipment in batch:
            _refund_overdue(shipment, done)

    _in_batches(due, limit=limit, handle=handle)
    return done


def ship_by_enforce(*, limit: int = 500) -> dict:
    """The whole job: notices first (a parcel refunded in this run has been announced), then refunds."""
    return {**shipments_notify_overdue(limit=limit), **shipments_refund_overdue(limit=limit)}
