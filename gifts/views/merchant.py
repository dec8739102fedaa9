"""Console pages that need gifts and orders, mounted at /merchant/ beside the shipping pages: the
merchant's refund of a parcel that has not left (gifts.services.merchant_refunds), what to do
with a parcel that came back (gifts.services.returns), and the payment and refunds behind a parcel
with the provider's references (gifts.selectors.parcels). Objects come
through access helpers: what is not yours is a 404, for POSTs too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gifts.selectors.parcels import parcel_payment
from gifts.services.merchant_refunds import shipment_refund_by_merchant, shipment_refund_preview
from gifts.services.returns import shipment_resolve_return
from giftshop.errors import DomainError, NotFound
from giftshop.views import or_404
from logistics.errors import ShipmentNotPending
from logistics.models import Shipment
from logistics.selectors.shipments import access_shipment_for_member, shipment_to_follow
from orders.payments import provider_name


@login_required
@require_http_methods(["GET", "POST"])
def refund(request, shipment_id):
    """GET: the confirm step (what will be refunded, to whom). POST with confirm=yes: refund."""
    shipment = or_404(access_shipment_for_member, user=request.user, shipment_id=shipment_id)
    preview = or_404(shipment_refund_preview, shipment=shipment)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            or_404(shipment_refund_by_merchant, shipment=shipment, actor=request.user)
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


@login_required
@require_POST
def resolve_return(request, shipment_id):
    """POST action=resend|refund: a returned parcel is shipped again, or refunded."""
    shipment = or_404(access_shipment_for_member, user=request.user, shipment_id=shipment_id)
    action = request.POST.get("action", "")
    try:
        outcome = shipment_resolve_return(shipment=shipment, actor=request.user, action=action)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.warning(request, exc.detail)
        return redirect("shipping:detail", shipment_id=shipment.id)
    if outcome == "resent":
        again = shipment_to_follow(shipment)
        messages.success(request, _("Parcel %(reference)s is back in your queue to ship again, as %(new)s. Whoever "
                                    "waits for it has been told.") % {"reference": shipment.reference,
                                                                            "new": again.reference})
        return redirect("shipping:detail", shipment_id=again.id)
    messages.success(request, _("Parcel %(reference)s is refunded and its stock is back on sale. Whoever waited for "
                                "it has been told.") % {"reference": shipment.reference})
    return redirect("shipping:detail", shipment_id=shipment.id)


@login_required
@require_GET
def payment(request, shipment_id):
    """The payment behind a parcel and every refund of it, with the provider's references (what
    the merchant looks up in the provider's dashboard, or quotes to a payer who asks)."""
    shipment = or_404(access_shipment_for_member, user=request.user, shipment_id=shipment_id)
    paid = or_404(parcel_payment, shipment=shipment)
    return render(request, "shipping/payment.html", {
        "store": shipment.store, "shipment": shipment, "paid": paid,
        "provider": provider_name(paid.payment.provider) if paid.payment else "",
    })
