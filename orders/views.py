"""Pages: buy for yourself, my orders, one order; and the sandbox provider's hosted checkout
(it stands in for Stripe's or WeChat's page)."""

import base64
import io
import re

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from giftshop import paging
from giftshop.errors import DomainError, NotFound
from giftshop.forms import form_add_domain_error
from giftshop.views import or_404
from logistics.selectors.addresses import address_list
from orders import selectors
from orders.forms import BuyForm
from orders.models import Order, SandboxCharge
from orders.payments.base import ProviderError, payer_from_request
from orders.payments.sandbox import WEBHOOK_MODES, sandbox_charge_complete
from orders.services.checkout import order_create_purchase, payment_resume, variant_for_sale
from stores.selectors import product_get_public

_ID_RE = re.compile(r"[0-9]{1,18}")
PAGE_SIZE = 20
MAX_ADDRESSES_SHOWN = 50
# While the payment is not confirmed the order page reloads itself (no script: the CSP forbids
# inline JavaScript, and a refresh works everywhere).
PENDING_REFRESH_SECONDS = 3
# The WeChat Pay QR page looks again less often: a reload while the code is held down would close
# WeChat's "Scan QR Code in Image" menu.
QR_REFRESH_SECONDS = 10
PROVIDER_DID_NOT_ANSWER = gettext_lazy("The payment page could not be opened: the payment provider did not answer. "
                                       "Please try again in a minute.")


def _variant_and_product(request):
    """The variant in ?variant= and its product, if they are on sale; else 404."""
    wanted = request.GET.get("variant", "")
    if not _ID_RE.fullmatch(wanted):  # other scripts' digits, numbers past 64 bits: not a variant
        raise Http404
    try:
        variant = variant_for_sale(variant_id=int(wanted))
        product = product_get_public(product_id=variant.product_id)
    except (DomainError, NotFound):
        raise Http404 from None
    return variant, product


@login_required
@require_http_methods(["GET", "POST"])
def buy(request):
    wanted, product = _variant_and_product(request)
    variants = list(product.variants.all())
    in_stock = [v for v in variants if v.in_stock]
    chosen = wanted if wanted.in_stock else (in_stock[0] if in_stock else None)
    addresses = list(address_list(user=request.user)[:MAX_ADDRESSES_SHOWN])
    initial = {
        "variant_id": chosen.id if chosen else None,
        "quantity": 1,
        "address_id": addresses[0].id if addresses else None,  # the default comes first
    }
    form = BuyForm(request.POST if request.method == "POST" else None, variants=variants, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = order_create_purchase(buyer=request.user, payer=payer_from_request(request), **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            payment = order.payments.get()
            if payment.checkout_url:
                return redirect(payment.checkout_url)
            messages.warning(request, _("Your order is saved, but the payment page could not be opened yet."))
            return redirect("orders:detail", order_id=order.id)
    if request.method == "GET" and not wanted.in_stock:
        messages.warning(request, _("%(name)s is sold out.") % {"name": wanted.name})
    selected_variant = form["variant_id"].value() if form.is_bound else initial["variant_id"]
    selected_address = form["address_id"].value() if form.is_bound else initial["address_id"]
    return render(
        request,
        "orders/buy.html",
        {
            "form": form,
            "product": product,
            "store": product.store,
            "cover": next(iter(product.images.all()), None),
            "variants": variants,
            "any_in_stock": bool(in_stock),
            "addresses": addresses,
            "selected_variant": str(selected_variant or ""),
            "selected_address": str(selected_address or ""),
            "quantity_max": form.fields["quantity"].max_value,
            "payment_window_minutes": settings.PAYMENT_WINDOW_MINUTES,
        },
    )


@login_required
@require_GET
def order_list(request):
    page = paging.page_of(selectors.order_list_for_buyer(user=request.user), request.GET.get("page"), PAGE_SIZE)
    return render(request, "orders/order_list.html", {"page": page, "orders": page.object_list})


@login_required
@require_GET
def order_detail(request, order_id):
    order = or_404(selectors.access_order_by_id, user=request.user, order_id=order_id)
    payment = selectors.order_payment(order)
    shipment = order.shipment if order.kind == Order.Kind.PURCHASE else None
    pending = order.status == Order.Status.PENDING_PAYMENT
    stage = selectors.order_payment_stage(order=order, payment=payment)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "lines": list(order.lines.all()),
            "payment": payment,
            "refunds": list(payment.refunds.all()) if payment else [],
            "shipment": shipment,
            "events": list(shipment.events.all()) if shipment else [],
            "pending": pending,
            "stage": stage,
            "refresh_seconds": PENDING_REFRESH_SECONDS if pending else None,
        },
    )


def pay_now(request, order, *, return_path, back):
    """"Pay now": to the provider's checkout, opened again if it could not be the first time
    (orders.services.checkout.payment_resume); else back with a message. Shared by the gift's page."""
    payment = payment_resume(order=order, actor=request.user, return_path=return_path,
                             payer=payer_from_request(request))
    if payment is not None and payment.checkout_url:
        return redirect(payment.checkout_url)
    if payment is not None:
        messages.error(request, PROVIDER_DID_NOT_ANSWER)
    else:
        messages.info(request, _("This order no longer waits for a payment."))
    return redirect(back)


@login_required
@require_POST
def pay(request, order_id):
    order = or_404(selectors.access_order_by_id, user=request.user, order_id=order_id)
    path = reverse("orders:detail", kwargs={"order_id": order.id})
    return pay_now(request, order, return_path=path, back=path)


@require_GET
def wechat_pay(request):
    """WeChat Pay's Native checkout: the order's code_url as a QR code to scan with WeChat (the
    provider made the link; we only draw it, from the token orders.payments.wechatpay signed)."""
    from orders.payments.wechatpay import page_read

    data = page_read(request.GET.get("c", ""))
    if data is None:
        raise Http404
    if not selectors.payment_waiting(provider="wechatpay", provider_ref=data["trade_no"]):
        return redirect(data["back"])  # paid (or given up): the order or gift page says which
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    qr.add_data(data["code_url"])
    png = io.BytesIO()
    qr.make_image().save(png, format="PNG")
    # An image, not inline SVG: WeChat's browser recognises a code only in an image held down,
    # and a phone saves an image to its photos.
    payer = payer_from_request(request)
    return render(request, "orders/wechat_pay.html", {
        "qr_src": "data:image/png;base64," + base64.b64encode(png.getvalue()).decode(),
        "back": data["back"], "in_wechat": payer.in_wechat, "phone": payer.phone,
        "refresh_seconds": QR_REFRESH_SECONDS,
    })


@require_GET
def wechat_h5(request):
    """WeChat Pay's H5 checkout in a phone's browser: a fresh h5_url for the payer's IP, asked for
    at the moment they go (orders.payments.wechatpay.h5_checkout_url), then WeChat Pay's page."""
    from orders.payments.wechatpay import h5_checkout_url, page_read

    data = page_read(request.GET.get("c", ""), h5=True)
    if data is None:
        raise Http404
    if not selectors.payment_waiting(provider="wechatpay", provider_ref=data["trade_no"]):
        return redirect(data["back"])
    try:
        return redirect(h5_checkout_url(data, payer=payer_from_request(request)))
    except ProviderError:
        messages.error(request, PROVIDER_DID_NOT_ANSWER)
        return redirect(data["back"])


@require_http_methods(["GET", "POST"])
def sandbox_checkout(request, ref):
    if not settings.SANDBOX_PAYMENTS_ENABLED:
        raise Http404
    charge = get_object_or_404(SandboxCharge, ref=ref)
    if request.method == "POST":
        outcome = request.POST.get("outcome")
        mode = request.POST.get("webhook_mode") or None
        if outcome in ("succeeded", "failed") and (mode is None or mode in WEBHOOK_MODES):
            sandbox_charge_complete(ref=charge.ref, outcome=outcome, webhook_mode=mode)
            return redirect(charge.return_url or "/")
    return render(request, "orders/sandbox_checkout.html", {"charge": charge, "webhook_modes": WEBHOOK_MODES})
