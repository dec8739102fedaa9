"""The ship-by promise, from the sender's side: a claim whose parcel the store never sent.

When a claim's shipment is still `pending` after its `ship_by` (on the database clock), the sender
may ask for that claim's refund. In one transaction, each step a conditional update: the shipment
moves pending → cancelled (dispatch needs `pending` too, so exactly one of them wins), the claim
moves to `refunded`, its units go back to stock, and the sender's payment is refunded at the unit
price paid, once (the refund's reference is deterministic: reason `not_shipped`, scope the claim).
Asking again is harmless: the same refund is returned.
"""

from django.db import transaction
from django.db.models.functions import Now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gifts.models import Claim, Gift
from giftshop.errors import Conflict, InvalidInput
from giftshop.transitions import transition
from logistics.errors import ShipmentNotPending
from logistics.models import Shipment
from logistics.shipments import shipment_cancel
from orders.models import Payment, Refund
from orders.services.refunds import refund_ref, refund_request
from stores.stock import stock_release

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


def _existing_refund(gift: Gift, claim: Claim) -> Refund | None:
    refs = [
        refund_ref(payment_id=payment_id, reason=Refund.Reason.NOT_SHIPPED, scope=claim.id)
        for payment_id in gift.order.payments.values_list("id", flat=True)
    ]
    return Refund.objects.filter(refund_ref__in=refs).first()


def claim_refund_not_shipped(*, gift: Gift, claim_id) -> Refund:
    """Refund one claim of `gift` whose shipment missed its ship-by promise. 409 `not_overdue`
    while the store still has time, `shipment_not_pending` once the parcel has left."""
    claim = _claim_of(gift, claim_id)
    if claim.status == Claim.Status.REFUNDED:
        existing = _existing_refund(gift, claim)
        if existing is not None:
            return existing  # asked before: the same refund, nothing moves twice
    shipment = claim.shipment
    if shipment is None:  # a lottery entry, or a winner who has not chosen an address
        raise NotOverdue()
    if shipment.status != Shipment.Status.PENDING:
        raise ShipmentNotPending()
    with transaction.atomic():
        overdue = Shipment.objects.filter(id=shipment.id, status=Shipment.Status.PENDING, ship_by__lt=Now())
        if not overdue.exists():
            shipment.refresh_from_db(fields=["status"])
            raise NotOverdue() if shipment.status == Shipment.Status.PENDING else ShipmentNotPending()
        refund = claim_refund_before_dispatch(
            gift=gift, claim=claim, reason=Refund.Reason.NOT_SHIPPED, why="not shipped by the promised time"
        )
    return refund


def claim_refund_before_dispatch(*, gift: Gift, claim: Claim, reason: str, why: str) -> Refund:
    """The steps every refund of a claim whose parcel has not left takes, inside the caller's
    transaction (shared by the sender's not-shipped refund and the merchant's console refund):
    the shipment pending → cancelled (dispatch needs `pending` too, so exactly one of them wins),
    the claim → refunded, its units back to stock, and the sender's payment refunded at the unit
    price paid, once per `reason` (scope: the claim). Raises ShipmentNotPending when the parcel
    left first; the caller's transaction then rolls everything back."""
    # Lock order: variant (stock), then shipment, then payment.
    stock_release(variant_id=claim.variant_id, quantity=claim.quantity)
    if not shipment_cancel(shipment=claim.shipment, reason=why):
        raise ShipmentNotPending()
    if not transition(claim, Claim.Status.REFUNDED, reason=why):
        raise ShipmentNotPending()
    line = gift.order.lines.get()
    payment = gift.order.payments.filter(
        status__in=Payment.REFUNDABLE
    ).first()
    if payment is None:
        raise Conflict(_("There is no payment left to refund."))
    return refund_request(
        payment=payment, amount_minor=line.unit_price_minor * claim.quantity, reason=reason, scope=claim.id
    )
