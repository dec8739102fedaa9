"""The merchant refunds a parcel before it leaves (the console's /merchant/shipments/<id>/refund/).

Which one a parcel is (a gift claim's or a purchase's) is gifts.selectors.parcels'; this module
hands over. A gift claim's parcel takes the same steps
as the sender's not-shipped refund (gifts.services.ship_by.claim_refund_before_dispatch: shipment
cancelled, claim refunded, stock back, the sender refunded at the unit price paid), with reason
`merchant`, scope the claim. A purchase's parcel is orders' to refund
(orders.services.refunds.order_refund_by_merchant).

Refund and dispatch both need the shipment `pending` (a conditional update), so exactly one of
them wins; the refund's reference is deterministic, so a second request refunds nothing more.
"""

from dataclasses import dataclass

from django.db import transaction

from gifts.selectors.parcels import shipment_claim, shipment_purchase
from gifts.services.ship_by import claim_refund_before_dispatch
from giftshop.errors import NotFound
from logistics.errors import ShipmentNotPending
from logistics.models import Shipment
from orders.errors import AlreadyRefunded
from orders.models import Refund
from orders.selectors import order_refund_left_minor, refund_find, units_refund_minor
from orders.services.refunds import order_refund_by_merchant
from stores.selectors import ensure_store_member


@dataclass(frozen=True)
class RefundPreview:
    """What a merchant refund of a parcel would give back, for the confirm step."""

    kind: str  # "gift" or "purchase"
    amount_minor: int
    currency: str
    payer_name: str  # the gift's sender or the buyer


def shipment_refund_preview(*, shipment: Shipment) -> RefundPreview:
    """The amount a merchant refund would give back, and to whom; NotFound for a parcel that
    belongs to no gift claim or purchase."""
    claim = shipment_claim(shipment)
    if claim is not None:
        order = claim.gift.order
        return RefundPreview(
            kind="gift", amount_minor=units_refund_minor(order=order, units=claim.quantity), currency=order.currency,
            payer_name=claim.gift.sender.public_name,
        )
    order = shipment_purchase(shipment)
    if order is None:
        raise NotFound()
    return RefundPreview(
        kind="purchase", amount_minor=order_refund_left_minor(order=order), currency=order.currency,
        payer_name=order.buyer.public_name,
    )


def shipment_refund_by_merchant(*, shipment: Shipment, actor) -> Refund:
    """Refund a parcel of the actor's store that has not left yet (see the module's docstring).

    404 unless the actor is a member of the shipment's store; 409 `already_refunded` when it was
    refunded this way before (nothing moves twice), `shipment_not_pending` once it has left or was
    cancelled otherwise.
    """
    ensure_store_member(store_id=shipment.store_id, actor=actor)
    claim = shipment_claim(shipment)
    if claim is not None:
        if refund_find(order=claim.gift.order, reason=Refund.Reason.MERCHANT, scope=claim.id):
            raise AlreadyRefunded()
        if shipment.status != Shipment.Status.PENDING:
            raise ShipmentNotPending()
        claim.shipment = shipment  # the same object: it sees the cancel
        with transaction.atomic():
            return claim_refund_before_dispatch(
                gift=claim.gift, claim=claim, reason=Refund.Reason.MERCHANT,
                why="refunded by the store", actor=actor,
            )
    order = shipment_purchase(shipment)
    if order is None:
        raise NotFound()
    order.shipment = shipment  # the same object the caller holds
    return order_refund_by_merchant(order=order, actor=actor)
