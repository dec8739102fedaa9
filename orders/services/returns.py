"""A purchase's parcel came back to the store: the merchant ships it again or refunds it, once.

Either way the returned shipment's row is locked first, so a resend and a refund of the same parcel
take turns, and the second one sees the first's outcome (409 `return_already_resolved`)."""

from django.db import transaction

from logistics.errors import ReturnAlreadyResolved
from logistics.models import Shipment
from logistics.services.shipments import shipment_resend
from orders.models import Order, Refund
from orders.notices import notify_purchase_return_resolved
from orders.selectors import refund_find
from orders.services.refunds import refund_rest
from stores.selectors import ensure_store_member
from stores.stock import stock_release


def _resolved(order: Order, shipment: Shipment) -> bool:
    return Shipment.objects.filter(resent_from=shipment).exists() or refund_find(
        order=order, reason=Refund.Reason.RETURNED, scope=order.id
    ) is not None


def order_resolve_return(*, order: Order, shipment: Shipment, actor, action: str) -> str:
    """`action` "resend": a new shipment to the same address (the order follows it); "refund":
    the units back on sale and what is left of the payment refunded (reason `returned`)."""
    ensure_store_member(store_id=shipment.store_id, actor=actor)
    with transaction.atomic():
        Shipment.objects.select_for_update().filter(id=shipment.id).values_list("id").first()
        if _resolved(order, shipment):
            raise ReturnAlreadyResolved()
        if action == "resend":
            again = shipment_resend(shipment=shipment, actor=actor)
            Order.objects.filter(id=order.id).update(shipment=again)
            notify_purchase_return_resolved(order=order, outcome="resent")
            return "resent"
        for line in order.lines.all():
            stock_release(variant_id=line.variant_id, quantity=line.quantity)
        refund_rest(order=order, reason=Refund.Reason.RETURNED, scope=order.id)
        notify_purchase_return_resolved(order=order, outcome="refunded")
        return "refunded"
