"""The merchant refunds a parcel from the console, before it leaves: /merchant/shipments/<id>/refund/.

It lives in gifts because it needs gifts and orders (a shipment knows neither: the claim and the
order link to it). For a gift claim's parcel it takes the same steps as the sender's not-shipped
refund (gifts.services.overdue.claim_refund_before_dispatch: shipment cancelled, claim refunded,
stock back, the sender refunded at the unit price paid), with reason `merchant`, scope the claim.
For a purchase's parcel: shipment cancelled, stock back, the order's payment refunded in full
(reason `merchant`, scope the order); the order becomes `refunded` when the refund lands
(orders.services.refunds.refund_execute).

Refund and dispatch both need the shipment `pending` (a conditional update), so exactly one of
them wins; the refund's reference is deterministic, so a second request refunds nothing more.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gifts.models import Claim
from gifts.services.overdue import claim_refund_before_dispatch
from giftshop.errors import Conflict, DomainError, NotFound
from logistics.errors import ShipmentNotPending
from logistics.models import Shipment
from logistics.shipment_selectors import access_shipment_for_member
from orders.models import Order, Refund
from orders.services.refunds import order_refund_before_dispatch, refund_ref
from stores.models import StoreMember


class AlreadyRefunded(Conflict):
    code = "already_refunded"
    default_detail = gettext_lazy("This parcel has already been refunded.")


@dataclass(frozen=True)
class RefundPreview:
    """What a merchant refund of a parcel would give back, for the confirm step."""

    kind: str  # "gift" or "purchase"
    amount_minor: int
    currency: str
    payer_name: str  # the gift's sender or the buyer


def _claim_of(shipment: Shipment) -> Claim | None:
    return Claim.objects.select_related("gift__order", "gift__sender").filter(shipment=shipment).first()


def _order_of(shipment: Shipment) -> Order | None:
    return Order.objects.select_related("buyer").filter(shipment=shipment, kind=Order.Kind.PURCHASE).first()


def _already_refunded(order: Order, scope) -> bool:
    refs = [
        refund_ref(payment_id=payment_id, reason=Refund.Reason.MERCHANT, scope=scope)
        for payment_id in order.payments.values_list("id", flat=True)
    ]
    return Refund.objects.filter(refund_ref__in=refs).exists()


def shipment_refund_preview(*, shipment: Shipment) -> RefundPreview:
    """The amount a merchant refund would give back, and to whom; NotFound for a parcel that
    belongs to no gift claim or purchase."""
    claim = _claim_of(shipment)
    if claim is not None:
        line = claim.gift.order.lines.get()
        return RefundPreview(
            kind="gift", amount_minor=line.unit_price_minor * claim.quantity, currency=line.currency,
            payer_name=claim.gift.sender.public_name,
        )
    order = _order_of(shipment)
    if order is None:
        raise NotFound()
    # A paid purchase's payment is its total (checked when it was paid).
    return RefundPreview(
        kind="purchase", amount_minor=order.total_minor, currency=order.currency, payer_name=order.buyer.public_name,
    )


def shipment_refund_by_merchant(*, shipment: Shipment, actor) -> Refund:
    """Refund a parcel of the actor's store that has not left yet (see the module's docstring).

    404 unless the actor is a member of the shipment's store; 409 `already_refunded` when it was
    refunded this way before (nothing moves twice), `shipment_not_pending` once it has left or was
    cancelled otherwise.
    """
    if not StoreMember.objects.filter(store_id=shipment.store_id, user_id=actor.pk).exists():
        raise NotFound()
    why = f"refunded by the store (member {actor.pk})"
    claim = _claim_of(shipment)
    if claim is not None:
        if _already_refunded(claim.gift.order, claim.id):
            raise AlreadyRefunded()
        if shipment.status != Shipment.Status.PENDING:
            raise ShipmentNotPending()
        claim.shipment = shipment  # the same object: it sees the cancel
        with transaction.atomic():
            return claim_refund_before_dispatch(gift=claim.gift, claim=claim, reason=Refund.Reason.MERCHANT, why=why)
    order = _order_of(shipment)
    if order is None:
        raise NotFound()
    if _already_refunded(order, order.id):
        raise AlreadyRefunded()
    if shipment.status != Shipment.Status.PENDING:
        raise ShipmentNotPending()
    return order_refund_before_dispatch(order=order, shipment=shipment, reason=Refund.Reason.MERCHANT, why=why)


# --- the console page ------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def refund(request, shipment_id):
    """GET: the confirm step (what will be refunded, to whom). POST with confirm=yes: refund."""
    try:
        shipment = access_shipment_for_member(user=request.user, shipment_id=shipment_id)
        preview = shipment_refund_preview(shipment=shipment)
    except NotFound:
        raise Http404 from None
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            shipment_refund_by_merchant(shipment=shipment, actor=request.user)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.warning(request, exc.detail)
        else:
            messages.success(
                request,
                _("Parcel %(reference)s is cancelled and refunded: the money goes back to %(name)s's payment and "
                  "the stock is back on sale.") % {"reference": shipment.reference, "name": preview.payer_name},
            )
        return redirect("shipping:detail", shipment_id=shipment.id)
    if shipment.status != Shipment.Status.PENDING:
        messages.warning(request, str(ShipmentNotPending.default_detail))
        return redirect("shipping:detail", shipment_id=shipment.id)
    return render(
        request,
        "shipping/refund_confirm.html",
        {"store": shipment.store, "shipment": shipment, "preview": preview},
    )
