"""The ship-by promise, from the gift's side: a claim whose parcel the store never sent.

Logistics watches the promise (logistics.services.overdue) and tells gifts through the outbox:
- a claim's parcel is overdue: `claim_announce_overdue` names the sender as the payer, who then
  hears it once, with the store's members;
- it is still pending after the grace period: `claim_refund_overdue` refunds it, as the sender's
  one-click `claim_refund_not_shipped` would.

The sender may ask for that refund as soon as the parcel is overdue (on the database clock). In one
transaction, each step a conditional update: the shipment moves pending → cancelled (dispatch needs
`pending` too, so exactly one of them wins), the claim moves to `refunded`, its units go back to
stock, and the sender's payment is refunded at the unit price paid, once (the refund's reference is
deterministic: reason `not_shipped`, scope the claim). Asking again is harmless: the same refund is
returned.
"""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gifts.models import Claim, Gift
from gifts.selectors.gifts import ensure_gift_sender
from giftshop.errors import Conflict, DomainError, InvalidInput
from giftshop.transitions import transition
from logistics.errors import ShipmentNotPending
from logistics.models import Shipment
from logistics.selectors.shipments import OVERDUE
from logistics.services.overdue import overdue_params, shipment_announce_overdue
from logistics.services.shipments import shipment_cancel
from orders.errors import NothingToRefund
from orders.models import Refund
from orders.selectors import refund_find
from orders.services.refunds import refund_units
from stores.stock import stock_release

logger = logging.getLogger(__name__)

MAX_ID = 2**63 - 1


class NotOverdue(Conflict):
    code = "not_overdue"
    default_detail = gettext_lazy("The store still has time to ship this parcel.")


def _claim_of(gift: Gift, claim_id) -> Claim:
    claim = None
    if not isinstance(claim_id, bool) and isinstance(claim_id, int) and 1 <= claim_id <= MAX_ID:
        claim = Claim.objects.filter(gift=gift, id=claim_id).select_related("shipment").first()
    if claim is None:
        raise InvalidInput(_("Choose one of this gift's claims."), field="claim_id")
    return claim


def claim_refund_not_shipped(*, gift: Gift, claim_id, actor) -> Refund:
    """The sender asks for the refund of one claim of `gift` whose shipment missed its ship-by
    promise. NotFound unless the actor is the sender (or platform staff); 409 `not_overdue` while
    the store still has time, `shipment_not_pending` once the parcel has left."""
    ensure_gift_sender(gift=gift, actor=actor)
    return _refund_not_shipped(gift=gift, claim_id=claim_id, actor=actor)


def _refund_not_shipped(*, gift: Gift, claim_id, actor) -> Refund:
    """The not-shipped refund, for the sender (actor) or for the ship-by job (actor None)."""
    claim = _claim_of(gift, claim_id)
    if claim.status == Claim.Status.REFUNDED:
        existing = refund_find(order=gift.order, reason=Refund.Reason.NOT_SHIPPED, scope=claim.id)
        if existing is not None:
            return existing  # asked before: the same refund, nothing moves twice
    shipment = claim.shipment
    if shipment is None:  # a lottery entry, or a winner who has not chosen an address
        raise NotOverdue()
    if shipment.status != Shipment.Status.PENDING:
        raise ShipmentNotPending()
    with transaction.atomic():
        if not Shipment.objects.filter(OVERDUE, id=shipment.id).exists():
            shipment.refresh_from_db(fields=["status"])
            raise NotOverdue() if shipment.status == Shipment.Status.PENDING else ShipmentNotPending()
        refund = claim_refund_before_dispatch(
            gift=gift, claim=claim, reason=Refund.Reason.NOT_SHIPPED, why="not shipped by the promised time",
            actor=actor,
        )
    return refund


def claim_refund_before_dispatch(*, gift: Gift, claim: Claim, reason: str, why: str, actor=None) -> Refund:
    """The steps every refund of a claim whose parcel has not left takes, inside the caller's
    transaction (shared by the sender's not-shipped refund and the merchant's console refund):
    the shipment pending → cancelled (dispatch needs `pending` too, so exactly one of them wins),
    the claim → refunded, its units back to stock, and the sender's payment refunded at the unit
    price paid, once per `reason` (scope: the claim). Raises ShipmentNotPending when the parcel
    left first; the caller's transaction then rolls everything back. `actor`: whose request it is
    (recorded on the status changes; None for the system), checked by the caller."""
    # Lock order: variant (stock), then shipment, then payment.
    stock_release(variant_id=claim.variant_id, quantity=claim.quantity)
    if not shipment_cancel(shipment=claim.shipment, reason=why, actor=actor):
        raise ShipmentNotPending()
    if not transition(claim, Claim.Status.REFUNDED, reason=why, actor=actor):
        raise ShipmentNotPending()
    refund = refund_units(order=gift.order, units=claim.quantity, reason=reason, scope=claim.id)
    if refund is None:
        raise NothingToRefund()
    return refund


# --- news from logistics ---------------------------------------------------------------------------


def _claim_of_shipment(shipment_id: int) -> Claim | None:
    return Claim.objects.select_related("gift__sender", "gift__order", "shipment__store").filter(
        shipment_id=shipment_id
    ).first()


def claim_announce_overdue(*, shipment_id: int) -> bool:
    """A claim's parcel missed its promise: its sender (the payer) and the store's members hear it,
    once. False when the parcel is no claim's (a purchase: orders answers)."""
    claim = _claim_of_shipment(shipment_id)
    if claim is None:
        return False
    gift = claim.gift
    params = {**overdue_params(claim.shipment), "role": "sender", "gift_id": gift.id}
    link = reverse("gifts:detail", kwargs={"gift_id": gift.id})
    shipment_announce_overdue(shipment=claim.shipment, payer=gift.sender, link=link, params=params)
    return True


def claim_refund_overdue(*, shipment_id: int) -> Refund | None:
    """The grace period is over and a claim's parcel is still waiting: refund it (once). None when
    the parcel is no claim's, or was refunded or dispatched meanwhile."""
    claim = _claim_of_shipment(shipment_id)
    if claim is None or claim.status == Claim.Status.REFUNDED:
        return None
    try:
        return _refund_not_shipped(gift=claim.gift, claim_id=claim.id, actor=None)
    except DomainError as exc:  # it left (or was cancelled) first: nothing to refund, nothing to retry
        logger.warning("ship-by: shipment %s not refunded: %s (%s)", shipment_id, exc.code, exc.detail)
        return None
