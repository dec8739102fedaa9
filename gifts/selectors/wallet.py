"""Orders & Cards (订单与卡包): the reads behind /me/ and GET /api/v1/me/wallet/.

They combine gifts, orders, logistics and accounts, so they live in gifts, the leftmost app they
need. Each list is a queryset with its joins and prefetches, so a page of 1 row and a page of 20
cost the same number of queries.

The privacy rules are decided here, by what each read loads:
- received (the recipient's claims): no order, line or payment is joined or prefetched, so no
  price can reach the page or the API;
- sent (the sender's gifts): a claim brings the friend (display name), its milestone, the thank-you
  note and one boolean from its shipment (overdue); never the shipment's address, phone, tracking
  number or reference.
"""

from django.db.models import (
    BigIntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from accounts.models import Notice
from gifts.covers import cover_for
from gifts.models import Claim, Gift
from gifts.selectors.gifts import gift_option_received, gift_sender_summary, with_deadlines
from gifts.tokens import gift_share_url
from logistics.models import Address, TrackingEvent
from logistics.selectors.addresses import address_list
from logistics.selectors.shipments import with_overdue
from orders.models import Order, Refund
from orders.selectors import order_list_for_buyer
from stores.models import ProductImage

TABS = ("received", "sent", "orders", "addresses", "notices")
FIRST = 20  # the API's "first 20 of each"


def _images(path="variant__product__images"):
    return Prefetch(path, queryset=ProductImage.objects.order_by("position", "id"))


def _timeline():
    """Every checkpoint of the parcel, the newest on top."""
    return Prefetch("shipment__events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id"))


# --- received: the recipient's side -----------------------------------------------------------


def wallet_received(*, user) -> QuerySet[Claim]:
    """The user's claims (accepted gifts, lottery entries), newest first: card, sender, product,
    parcel and its timeline. Nothing with a price is loaded."""
    return (
        Claim.objects.filter(recipient=user)
        .select_related("gift__sender", "variant__product", "shipment")
        .prefetch_related(_images(), _timeline())
        .order_by("-created_at", "-id")
    )


def claim_card_url(claim: Claim) -> str | None:
    """The card link, only for a lottery winner who still has to choose an address there."""
    if claim.status != Claim.Status.WON:
        return None
    return gift_share_url(gift=claim.gift)


def decorate_received(claims) -> None:
    """What the page and the API show of each claim, from rows already loaded (no queries)."""
    for claim in claims:
        claim.cover = cover_for(claim.gift.cover)
        claim.photo = next(iter(claim.variant.product.images.all()), None)
        claim.sender_name = claim.gift.sender.public_name
        claim.card_url = claim_card_url(claim)
        claim.timeline = list(claim.shipment.events.all()) if claim.shipment_id else []


# --- sent: the sender's side ------------------------------------------------------------------


def _refunds_of_the_order(status):
    total = (
        Refund.objects.filter(payment__order_id=OuterRef("order_id"), status=status)
        .values("payment__order_id")
        .annotate(total=Sum("amount_minor"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(total, output_field=BigIntegerField()), 0, output_field=BigIntegerField())


def _claims_for_the_sender() -> QuerySet[Claim]:
    # A claim without a shipment (a lottery entry) is not overdue.
    return with_overdue(
        Claim.objects.select_related("recipient", "variant")
        .only("id", "gift", "recipient", "variant", "status", "created_at", "accepted_at", "thank_you_note",
              "thanked_at", "recipient__id", "recipient__username", "recipient__display_name",
              "recipient__first_name", "variant__id", "variant__name")
        .order_by("created_at", "id"),
        prefix="shipment__",
    )


def _sent(*, user) -> QuerySet[Gift]:
    """The gifts that count as sent: a gift whose payment failed (or was never made in time) was
    never sent, so it is not listed, counted or shown as the default tab; its own page still tells
    what happened. One waiting for its payment is listed, saying so."""
    return Gift.objects.filter(sender=user).exclude(status=Gift.Status.PAYMENT_FAILED)


def wallet_sent(*, user) -> QuerySet[Gift]:
    """The gifts the user sent (see `_sent`), newest first, each with its claims as the sender may
    see them (`sender_claims`) and what was refunded (`refunded_minor`, `refund_pending_minor`)."""
    return (
        with_deadlines(_sent(user=user))
        .select_related("variant__product", "order")
        .prefetch_related(_images(), Prefetch("claims", queryset=_claims_for_the_sender(), to_attr="sender_claims"))
        .annotate(
            refunded_minor=_refunds_of_the_order(Refund.Status.SUCCEEDED),
            refund_pending_minor=_refunds_of_the_order(Refund.Status.PENDING),
        )
        .order_by("-created_at", "-id")
    )


def decorate_sent(gifts) -> None:
    for gift in gifts:
        gift.photo = next(iter(gift.variant.product.images.all()), None)
        holding = [c for c in gift.sender_claims if c.status in Claim.HOLDING]
        gift.accepted_by = [c.recipient.public_name for c in holding if c.status != Claim.Status.WON]
        gift.won_by = [c.recipient.public_name for c in holding if c.status == Claim.Status.WON]
        gift.summary = gift_sender_summary(
            gift=gift, refunded_minor=gift.refunded_minor, refund_pending_minor=gift.refund_pending_minor
        )
        gift.gets = gift_option_received(gift=gift, claims=gift.sender_claims)


# --- orders, addresses, notices ------------------------------------------------------------------


def wallet_orders(*, user) -> QuerySet[Order]:
    """Purchases (a gift's order is followed in "sent"), with lines, payment, parcel and timeline."""
    return order_list_for_buyer(user=user).filter(kind=Order.Kind.PURCHASE)


def wallet_addresses(*, user) -> QuerySet[Address]:
    return address_list(user=user)


def wallet_notices(*, user) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user).order_by("-created_at", "-id")


def wallet_unread_count(*, user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


LISTS = {
    "received": wallet_received,
    "sent": wallet_sent,
    "orders": wallet_orders,
    "addresses": wallet_addresses,
    "notices": wallet_notices,
}
DECORATE = {"received": decorate_received, "sent": decorate_sent}


def wallet_list(*, user, tab: str):
    return LISTS[tab](user=user)


def wallet_decorate(*, tab: str, rows) -> None:
    decorate = DECORATE.get(tab)
    if decorate is not None:
        decorate(rows)


def wallet_default_tab(*, user) -> str:
    """Received gifts if there are any, else sent gifts, else orders; received (empty) otherwise."""
    if Claim.objects.filter(recipient=user).exists():
        return "received"
    if _sent(user=user).exists():
        return "sent"
    if Order.objects.filter(buyer=user, kind=Order.Kind.PURCHASE).exists():
        return "orders"
    return "received"


def wallet_overview(*, user) -> dict:
    """The API's answer: the first 20 of each list, and how many there are in all."""
    received = list(wallet_received(user=user)[:FIRST])
    decorate_received(received)
    sent = list(wallet_sent(user=user)[:FIRST])
    decorate_sent(sent)
    return {
        "received": received,
        "sent": sent,
        "orders": list(wallet_orders(user=user)[:FIRST]),
        "notices": list(wallet_notices(user=user)[:FIRST]),
        "counts": {
            "received": Claim.objects.filter(recipient=user).count(),
            "sent": _sent(user=user).count(),
            "orders": Order.objects.filter(buyer=user, kind=Order.Kind.PURCHASE).count(),
            "unread_notices": wallet_unread_count(user=user),
        },
    }
