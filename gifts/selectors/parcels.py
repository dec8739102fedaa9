"""What is behind a store's parcel: a gift's claim or a purchase, and the payment and refunds
behind it. A shipment knows neither its claim nor its order, so telling which needs gifts, the app
that knows both; the console's payment page and the merchant's refund (gifts.services.
merchant_refunds) both ask here."""

from dataclasses import dataclass

from gifts.models import Claim
from giftshop.errors import NotFound
from logistics.models import Shipment
from orders.models import Order, Payment, Refund


def shipment_claim(shipment: Shipment) -> Claim | None:
    return Claim.objects.select_related("gift__order", "gift__sender").filter(shipment=shipment).first()


def shipment_purchase(shipment: Shipment) -> Order | None:
    return Order.objects.select_related("buyer").filter(shipment=shipment, kind=Order.Kind.PURCHASE).first()


@dataclass(frozen=True)
class ParcelPayment:
    """The payment a parcel was paid by (a gift's, shared by all its claims), for its store."""

    kind: str  # "gift" or "purchase"
    payer_name: str  # the gift's sender or the buyer (public name: no email, no phone)
    payment: Payment | None  # None only for an order that never had one
    refunds: list[Refund]  # every refund of that payment, newest first, with the provider's reference


def parcel_payment(*, shipment: Shipment) -> ParcelPayment:
    """NotFound for a parcel of no gift claim or purchase. Call it with a shipment its store's member
    asked for (logistics.selectors.shipments.access_shipment_for_member)."""
    claim = shipment_claim(shipment)
    if claim is not None:
        order, kind, payer = claim.gift.order, "gift", claim.gift.sender
    else:
        order = shipment_purchase(shipment)
        if order is None:
            raise NotFound()
        kind, payer = "purchase", order.buyer
    # The payment that took the money (refunds go back to it), else the latest try.
    payment = order.payments.exclude(succeeded_at=None).order_by("id").first() or order.payments.order_by("-id").first()
    refunds = list(payment.refunds.order_by("-created_at", "-id")) if payment else []
    return ParcelPayment(kind=kind, payer_name=payer.public_name, payment=payment, refunds=refunds)
