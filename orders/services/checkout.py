"""Creating orders and starting their payment.

Stock is reserved in the same transaction as the order (a conditional update), for the payment
window; the provider is called only after that transaction commits (no network call inside one).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from giftshop.errors import InvalidInput, NotFound
from logistics.selectors.addresses import access_address_by_id
from logistics.services.shipments import address_snapshot
from orders.errors import OutOfStock, VariantNotAvailable
from orders.models import Order, OrderLine, Payment
from orders.payments import get_provider
from orders.payments.base import Payer, ProviderError
from stores.models import Variant
from stores.stock import stock_reserve

logger = logging.getLogger(__name__)

MAX_PURCHASE_QUANTITY = 10


def variant_for_sale(*, variant_id, field="variant_id", giftable=False) -> Variant:
    """The variant, if its product and store are on sale (and the product giftable, when asked)."""
    variant = None
    if isinstance(variant_id, int) or (isinstance(variant_id, str) and variant_id.isdigit()):
        variant = (
            Variant.objects.select_related("product__store")
            .filter(id=variant_id, product__is_active=True, product__store__is_active=True)
            .first()
        )
    if variant is None:
        raise VariantNotAvailable(field=field)
    if giftable and not variant.product.giftable:
        raise VariantNotAvailable(_("This product cannot be sent as a gift."), field=field)
    return variant


def _check_quantity(quantity, maximum):
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= maximum:
        raise InvalidInput(_("Choose a quantity from 1 to %(max)s.") % {"max": maximum}, field="quantity")


def order_create(*, buyer, variant: Variant, quantity: int, kind: str, ship_to: dict | None = None) -> Order:
    """Reserve stock and write the order, its line and its payment row. Call inside a transaction."""
    total = variant.price_minor * quantity
    if total > settings.MAX_ORDER_TOTAL_MINOR:
        raise InvalidInput(_("This order is too large."), field="quantity")
    if not stock_reserve(variant_id=variant.id, quantity=quantity):
        raise OutOfStock()
    order = Order.objects.create(
        buyer=buyer,
        store=variant.product.store,
        kind=kind,
        total_minor=total,
        currency=variant.currency,
        ship_to=ship_to or {},
        pay_by=Now() + timedelta(minutes=settings.PAYMENT_WINDOW_MINUTES),
    )
    OrderLine.objects.create(
        order=order,
        variant=variant,
        quantity=quantity,
        unit_price_minor=variant.price_minor,
        currency=variant.currency,
        product_title=variant.product.title,
        variant_name=variant.name,
    )
    Payment.objects.create(
        order=order,
        provider=settings.DEFAULT_PAYMENT_PROVIDER,
        idempotency_key=f"pay:{order.id}:1",
        amount_minor=total,
        currency=variant.currency,
    )
    order.refresh_from_db(fields=["pay_by", "created_at"])
    return order


def order_create_purchase(*, buyer, variant_id, quantity, address_id, payer: Payer | None = None) -> Order:
    """Buying for yourself: an order to ship to one of your saved addresses. `payer` (from the
    buyer's request) lets the provider choose its checkout for the device."""
    variant = variant_for_sale(variant_id=variant_id)
    _check_quantity(quantity, MAX_PURCHASE_QUANTITY)
    try:
        address = access_address_by_id(user=buyer, address_id=address_id)
    except NotFound:  # another user's address, or none
        raise InvalidInput(_("Choose one of your saved addresses."), field="address_id") from None
    with transaction.atomic():
        order = order_create(
            buyer=buyer, variant=variant, quantity=quantity, kind=Order.Kind.PURCHASE,
            ship_to=address_snapshot(address),
        )
    payment_start(payment=order.payments.get(), return_path=f"/orders/{order.id}/", payer=payer)
    return order


def payment_start(*, payment: Payment, return_path: str, payer: Payer | None = None) -> Payment:
    """Open the provider's checkout for a payment (idempotent: the provider keeps our key)."""
    if payment.checkout_url or payment.status != Payment.Status.PENDING:
        return payment
    try:
        provider = get_provider(payment.provider)
    except NotFound:
        logger.error("payment %s: provider %r is not configured", payment.id, payment.provider)
        return payment
    try:
        checkout = provider.create_payment(
            idempotency_key=payment.idempotency_key,
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            description=f"giftshop order {payment.order_id}",
            return_url=settings.SITE_URL + return_path,
            payer=payer,
        )
    except ProviderError as exc:
        logger.warning("payment %s: provider could not open checkout: %s", payment.id, exc)
        return payment
    Payment.objects.filter(id=payment.id, provider_ref="").update(
        provider_ref=checkout.provider_ref, checkout_url=checkout.checkout_url
    )
    payment.refresh_from_db(fields=["provider_ref", "checkout_url"])
    return payment


def payment_resume(*, order: Order, actor, return_path: str, payer: Payer | None = None) -> Payment | None:
    """"Pay now" on an unpaid order: its payer (the buyer, or the gift's sender) gets the
    provider's checkout, opened again if the first call to the provider failed. None when the
    order no longer waits for a payment. The provider keeps our idempotency key, so a checkout
    that did open is the same one, never a second charge."""
    if getattr(actor, "pk", None) != order.buyer_id:
        raise NotFound()
    if order.status != Order.Status.PENDING_PAYMENT:
        return None
    payment = order.payments.filter(status=Payment.Status.PENDING).order_by("-id").first()
    if payment is None:
        return None
    return payment_start(payment=payment, return_path=return_path, payer=payer)
