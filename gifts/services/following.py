"""A claim's milestones follow its parcel (news from logistics through the outbox)."""

from gifts.models import Claim
from gifts.notices import notify_claim_parcel
from giftshop.transitions import transition
from logistics.models import Shipment

S = Shipment.Status
MILESTONE = {
    S.INFO_RECEIVED: Claim.Status.SHIPPED,
    S.IN_TRANSIT: Claim.Status.SHIPPED,
    S.EXCEPTION: Claim.Status.SHIPPED,
    S.RETURNING: Claim.Status.SHIPPED,
    S.OUT_FOR_DELIVERY: Claim.Status.OUT_FOR_DELIVERY,
    S.AVAILABLE_FOR_PICKUP: Claim.Status.OUT_FOR_DELIVERY,
    S.DELIVERY_FAILED: Claim.Status.OUT_FOR_DELIVERY,
    S.DELIVERED: Claim.Status.DELIVERED,
    S.RETURNED: Claim.Status.RETURNED,
}


def claim_follow_shipment(*, shipment_id: int) -> Claim | None:
    """Set the claim's milestone from its shipment's current status (idempotent, order-free)."""
    claim = Claim.objects.select_related("shipment").filter(shipment_id=shipment_id).first()
    if claim is None:
        return None  # a purchase's parcel: orders tells its buyer
    target = MILESTONE.get(claim.shipment.status)
    if target and target != claim.status and Claim.TRANSITIONS.allowed(claim.status, target):
        transition(claim, target, reason=f"parcel {claim.shipment.status}")
    notify_claim_parcel(claim=claim)  # once per milestone (business keys): a re-run tells nobody twice
    return claim
