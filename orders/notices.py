"""Who is told what about a purchase, as in-app notices (accounts.notices.notice_send, one business
key each, so a re-run tells nobody twice): its parcel's news, and its refunds, to the buyer; a refund
the provider keeps refusing, to the store."""

from django.urls import reverse

from accounts.notices import notice_send
from logistics.notices import RECIPIENT_PARCEL_KINDS
from orders.models import Order, Refund
from stores.models import StoreMember


def _order_link(order: Order) -> str:
    return reverse("orders:detail", kwargs={"order_id": order.id})


def notify_purchase_parcel(*, shipment_id: int) -> None:
    """A purchase's parcel moved: tell its buyer, with a link to the order's timeline."""
    order = Order.objects.select_related("shipment", "buyer").filter(
        shipment_id=shipment_id, kind=Order.Kind.PURCHASE
    ).first()
    if order is None or order.shipment is None:
        return
    kind = RECIPIENT_PARCEL_KINDS.get(order.shipment.status)
    if not kind:
        return
    titles = [line.get("product_title", "") for line in order.shipment.lines or []]
    notice_send(
        user=order.buyer, kind=kind, key=f"{kind}:shipment:{shipment_id}:recipient",
        params={"product": ", ".join(t for t in titles if t), "order_id": order.id},
        link=_order_link(order),
    )


def notify_purchase_refunded(*, refund_id: int) -> None:
    """A refund of a purchase landed: its buyer is told how much and why. (A gift's: gifts.notices.)"""
    refund = Refund.objects.select_related("payment__order__buyer").filter(id=refund_id).first()
    if refund is None or refund.status != Refund.Status.SUCCEEDED or refund.payment.order.kind != Order.Kind.PURCHASE:
        return
    order = refund.payment.order
    notice_send(
        user=order.buyer, kind="order_refunded", key=f"refunded:{refund.id}",
        params={"amount": refund.amount_minor, "currency": refund.payment.currency, "reason": refund.reason,
                "order_id": order.id},
        link=_order_link(order),
    )


def notify_purchase_return_resolved(*, order: Order, outcome: str) -> None:
    """The store shipped the buyer's returned parcel again ("resent") or refunded it ("refunded")."""
    titles = [line.get("product_title", "") for line in (order.shipment.lines if order.shipment else [])]
    notice_send(
        user=order.buyer, kind="parcel_return_resolved", key=f"return:order:{order.id}:{outcome}",
        params={"outcome": outcome, "role": "buyer", "product": ", ".join(t for t in titles if t),
                "order_id": order.id},
        link=_order_link(order),
    )


def notify_refund_stuck(*, refund_id: int) -> None:
    """A refund failed at the provider on its last try: every member of the order's store is told
    (the platform's staff retry it from the admin). Gifts and purchases alike."""
    refund = Refund.objects.select_related("payment__order__store").filter(id=refund_id).first()
    if refund is None or refund.status != Refund.Status.FAILED:
        return
    order = refund.payment.order
    params = {"amount": refund.amount_minor, "currency": refund.payment.currency, "order_id": order.id,
              "attempts": refund.attempts}
    for member in StoreMember.objects.filter(store_id=order.store_id).select_related("user").order_by("id"):
        notice_send(user=member.user, kind="refund_stuck", key=f"refund-stuck:{refund.id}:{member.user_id}",
                    params=params)
