"""Outbox consumers of orders: carry out a refund, tell the buyer it landed (and the store when it
cannot be made); news of a purchase's
parcel (moved, overdue, refund due, its address purged)."""

from giftshop.outbox import consumer
from logistics.services.overdue import TOPIC_OVERDUE, TOPIC_REFUND_DUE
from logistics.services.purge import TOPIC_ADDRESSES_PURGED
from logistics.services.tracking import TOPIC_UPDATED
from orders.notices import notify_purchase_parcel, notify_purchase_refunded, notify_refund_stuck
from orders.services.purge import order_purge_ship_to
from orders.services.refunds import TOPIC_EXECUTE, TOPIC_STUCK, TOPIC_SUCCEEDED, refund_execute
from orders.services.ship_by import order_announce_overdue, order_refund_overdue


@consumer(TOPIC_EXECUTE)
def execute_refund(payload, *, key):
    refund_execute(refund_id=payload["refund_id"])


@consumer(TOPIC_STUCK)
def tell_the_store_a_refund_is_stuck(payload, *, key):
    notify_refund_stuck(refund_id=payload["refund_id"])


@consumer(TOPIC_OVERDUE)
def announce_an_overdue_purchase(payload, *, key):
    order_announce_overdue(shipment_id=payload["shipment_id"])


@consumer(TOPIC_REFUND_DUE)
def refund_an_overdue_purchase(payload, *, key):
    order_refund_overdue(shipment_id=payload["shipment_id"])


@consumer(TOPIC_UPDATED)
def tell_the_buyer_about_the_parcel(payload, *, key):
    notify_purchase_parcel(shipment_id=payload["shipment_id"])


@consumer(TOPIC_SUCCEEDED)
def tell_the_buyer_about_a_refund(payload, *, key):
    notify_purchase_refunded(refund_id=payload["refund_id"])


@consumer(TOPIC_ADDRESSES_PURGED)
def redact_the_purchases_address(payload, *, key):
    order_purge_ship_to(shipment_ids=payload["shipment_ids"])
