"""The sender's pages: compose a gift, my gifts, my gift (status, link, QR code, claims, refunds)
and its actions (cancel, extend, new link).

Every gift comes through gifts.selectors.gifts.access_gift_by_id (another user's gift is a 404, for
POSTs too, before any input is read); every change is one gifts.services call. The sender sees
prices and who claimed, never a recipient's address, phone or tracking number.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gifts.covers import COVERS, cover_for
from gifts.forms import COMPOSE_FIELD_MAP, ComposeForm, EmailCardForm, ExtendForm
from gifts.models import Gift
from gifts.selectors.gifts import (
    access_gift_by_id,
    claims_for_sender,
    gift_option_received,
    gift_sender_summary,
)
from gifts.selectors.wallet import decorate_sent, wallet_sent
from gifts.services.lifecycle import gift_cancel, gift_extend
from gifts.services.sending import gift_create, gift_email_card, gift_revoke_link
from gifts.tokens import gift_share_url
from giftshop import paging
from giftshop.errors import DomainError
from giftshop.forms import form_add_domain_error
from giftshop.views import or_404
from orders.models import Refund
from orders.payments.base import payer_from_request
from orders.selectors import order_payment_stage
from orders.services.checkout import variant_for_sale
from orders.views import pay_now

PAGE_SIZE = 20


def _own_gift(request, gift_id) -> Gift:
    return or_404(access_gift_by_id, user=request.user, gift_id=gift_id)


def _detail(gift):
    return redirect("gifts:detail", gift_id=gift.id)


def _variant_from_query(request):
    wanted = request.GET.get("variant", "")
    if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 18):
        raise Http404
    try:
        return variant_for_sale(variant_id=wanted)
    except DomainError:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def compose(request):
    variant = _variant_from_query(request)
    product = variant.product
    if not product.giftable:
        return render(request, "gifts/compose_unavailable.html", {"product": product, "store": product.store})
    variants = list(product.variants.all())
    in_stock = [v for v in variants if v.in_stock]
    chosen = variant if variant.in_stock else (in_stock[0] if in_stock else None)
    form = ComposeForm(request.POST if request.method == "POST" else None, variants=variants, chosen=chosen)
    if request.method == "POST" and form.is_valid():
        try:
            gift = gift_create(sender=request.user, payer=payer_from_request(request), **form.service_kwargs())
        except DomainError as exc:
            form_add_domain_error(form, exc, COMPOSE_FIELD_MAP)
        else:
            payment = gift.order.payments.get()
            if payment.checkout_url:
                return redirect(payment.checkout_url)
            messages.warning(request, _("The payment page could not be opened just now. Try “Pay now” in a moment."))
            return _detail(gift)
    return render(
        request,
        "gifts/compose.html",
        {
            "form": form, "product": product, "store": product.store, "chosen": chosen, "in_stock": in_stock,
            "cover_image": next(iter(product.images.all()), None), "covers": list(COVERS.values()),
        },
    )


@login_required
@require_GET
def gift_list(request):
    page = paging.page_of(wallet_sent(user=request.user), request.GET.get("page"), PAGE_SIZE)
    gifts = list(page.object_list)
    decorate_sent(gifts)  # the same list, and the same words, as the "Gifts sent" tab
    return render(request, "gifts/list.html", {"page": page, "gifts": gifts})


def _refund_summary(gift):
    refunds = list(Refund.objects.filter(payment__order_id=gift.order_id).order_by("created_at", "id"))
    return {
        "refunds": refunds,
        "refunded_minor": sum(r.amount_minor for r in refunds if r.status == Refund.Status.SUCCEEDED),
        "pending_minor": sum(r.amount_minor for r in refunds if r.status == Refund.Status.PENDING),
    }


@login_required
@require_GET
def detail(request, gift_id):
    gift = _own_gift(request, gift_id)
    is_open = gift.status == Gift.Status.OPEN
    payment = gift.order.payments.order_by("-id").first()
    claims = list(claims_for_sender(gift=gift))
    refunds = _refund_summary(gift)
    context = {
        "gift": gift,
        "product": gift.variant.product,
        "cover_image": next(iter(gift.variant.product.images.all()), None),
        "cover": cover_for(gift.cover),
        "sender_name": gift.sender.public_name,
        "payment": payment,
        "payment_stage": order_payment_stage(order=gift.order, payment=payment),
        "claims": claims,
        "summary": gift_sender_summary(
            gift=gift, refunded_minor=refunds["refunded_minor"], refund_pending_minor=refunds["pending_minor"]
        ),
        "gets": gift_option_received(gift=gift, claims=claims),
        "share_url": gift_share_url(gift=gift) if is_open else None,
        "is_open": is_open,
        "waiting": gift.status == Gift.Status.PENDING_PAYMENT,
        "extend_form": ExtendForm() if is_open and not gift.extended else None,
        "email_form": EmailCardForm() if is_open else None,
        **refunds,
    }
    return render(request, "gifts/detail.html", context)


@login_required
@require_GET
def qr(request, gift_id):
    """The QR code holds the card's link: the sender's eyes only, never a public address."""
    gift = _own_gift(request, gift_id)
    if not gift.qr_image:
        raise Http404
    try:
        with gift.qr_image.open("rb") as png:
            data = png.read()
    except OSError:
        raise Http404 from None
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, gift_id):
    gift = _own_gift(request, gift_id)
    if request.method == "GET":
        if gift.status != Gift.Status.OPEN:
            messages.info(request, _("This gift is no longer open, so there is nothing to cancel."))
            return _detail(gift)
        return render(request, "gifts/cancel_confirm.html", {"gift": gift, "product": gift.variant.product})
    try:
        gift_cancel(gift=gift, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Gift cancelled. What nobody claimed is being refunded to you."))
    return _detail(gift)


@login_required
@require_POST
def pay(request, gift_id):
    gift = _own_gift(request, gift_id)
    path = reverse("gifts:detail", kwargs={"gift_id": gift.id})
    return pay_now(request, gift.order, return_path=path, back=path)


@login_required
@require_POST
def extend(request, gift_id):
    gift = _own_gift(request, gift_id)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how many hours to add."))
        return _detail(gift)
    try:
        gift_extend(gift=gift, hours=form.cleaned_data["hours"], actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The claim window is longer now."))
    return _detail(gift)


@login_required
@require_POST
def revoke(request, gift_id):
    gift = _own_gift(request, gift_id)
    try:
        gift_revoke_link(gift=gift)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Here is a new link. The old one no longer works."))
    return _detail(gift)


@login_required
@require_POST
def email_card(request, gift_id):
    gift = _own_gift(request, gift_id)
    form = EmailCardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter an email address."))
        return _detail(gift)
    try:
        gift_email_card(gift=gift, email=form.cleaned_data["email"])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The card is on its way to %(email)s.") % {"email": form.cleaned_data["email"]})
    return _detail(gift)
