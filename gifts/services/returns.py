"""A parcel came back to the store (its shipment is `returned`): the merchant ships it again or
refunds it, and the gift's sender and recipient are told which (DESIGN §2, a claim's lifecycle).

A shipment knows neither its claim nor its order, so, as for the merchant's refund, gifts tells a
claim's parcel from a purchase's (orders.services.returns). For a claim, one transaction:
- "resend": a new pending shipment to the same address snapshot (logistics.services.shipments.
  shipment_resend, once per returned parcel), and the claim returned → accepted, on the new one;
- "refund": the claim returned → refunded, its units back on sale (the goods are back in the store),
  and the sender refunded at the unit price paid (reason `returned`, scope the claim).
The claim's conditional move is what makes either happen once."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gifts.models import Claim
from gifts.notices import notify_claim_parcel, notify_return_resolved
from giftshop.errors import InvalidInput, NotFound
from giftshop.transitions import transition
from logistics.errors import ParcelNotReturned, ReturnAlreadyResolved
from logistics.models import Shipment
from logistics.services.shipments import shipment_resend
from orders.models import Order, Refund
from orders.services.refunds import refund_units
from orders.services.returns import order_resolve_return
from stores.selectors import ensure_store_member
from stores.stock import stock_release

ACTIONS = ("resend", "refund")


def shipment_resolve_return(*, shipment: Shipment, actor, action: str) -> str:
    """Ship a returned parcel again ("resend") or refund it ("refund"); returns what was done.
    NotFound unless the actor is a member of its store; 409 `parcel_not_returned`, or
    `return_already_resolved` the second time."""
    ensure_store_member(store_id=shipment.store_id, actor=actor)
    if action not in ACTIONS:
        raise InvalidInput(_("Choose to ship it again or to refund it."), field="action")
    if shipment.status != Shipment.Status.RETURNED:
        raise ParcelNotReturned()
    mine = Q(shipment=shipment) | Q(shipment__resent_from=shipment)  # sent again: the claim moved on
    claim = Claim.objects.select_related("gift__order", "gift__sender", "recipient", "variant__product").filter(
        mine
    ).first()
    if claim is None:
        order = Order.objects.filter(mine, kind=Order.Kind.PURCHASE).first()
        if order is None:
            raise NotFound()
        return order_resolve_return(order=order, shipment=shipment, actor=actor, action=action)
    if claim.shipment_id != shipment.id or claim.status == Claim.Status.REFUNDED:
        raise ReturnAlreadyResolved()
    with transaction.atomic():
        if claim.status != Claim.Status.RETURNED:  # the parcel's news has not reached the claim yet:
            transition(claim, Claim.Status.RETURNED, reason="parcel returned")  # catch up, and tell them,
            notify_claim_parcel(claim=claim)  # as claim_follow_shipment would have (once: keyed notices)
        if action == "resend":
            again = shipment_resend(shipment=shipment, actor=actor)
            if not transition(claim, Claim.Status.ACCEPTED, reason="returned: sent again", actor=actor,
                              extra={"shipment": again}):
                raise ReturnAlreadyResolved()
        else:
            if not transition(claim, Claim.Status.REFUNDED, reason="returned: refunded", actor=actor):
                raise ReturnAlreadyResolved()
            stock_release(variant_id=claim.variant_id, quantity=claim.quantity)
            refund_units(order=claim.gift.order, units=claim.quantity, reason=Refund.Reason.RETURNED, scope=claim.id)
        notify_return_resolved(claim=claim, outcome="resent" if action == "resend" else "refunded")
    return "resent" if action == "resend" else "refunded"
