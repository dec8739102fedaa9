"""Outbox consumers: news from orders (paid, unpaid, refunded), parcels, and the card rendering."""

from gifts.notifications import notify_refund_succeeded
from gifts.services.cards import gift_render_card
from gifts.services.following import claim_follow_shipment
from gifts.services.sending import TOPIC_RENDER_CARD, gift_mark_unpaid, gift_open
from giftshop.outbox import consumer
from logistics.tracking import TOPIC_UPDATED
from orders.services.notices import TOPIC_GIFT_PAID, TOPIC_GIFT_UNPAID
from orders.services.refunds import TOPIC_SUCCEEDED as TOPIC_REFUND_SUCCEEDED


@consumer(TOPIC_GIFT_PAID)
def open_paid_gift(payload, *, key):
    gift_open(order_id=payload["order_id"])


@consumer(TOPIC_GIFT_UNPAID)
def close_unpaid_gift(payload, *, key):
    gift_mark_unpaid(order_id=payload["order_id"])


@consumer(TOPIC_RENDER_CARD)
def render_card(payload, *, key):
    gift_render_card(gift_id=payload["gift_id"])


@consumer(TOPIC_UPDATED)
def follow_shipment(payload, *, key):
    claim_follow_shipment(shipment_id=payload["shipment_id"])


@consumer(TOPIC_REFUND_SUCCEEDED)
def tell_the_payer_about_a_refund(payload, *, key):
    notify_refund_succeeded(refund_id=payload["refund_id"])
