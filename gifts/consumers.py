"""Outbox consumers: news from orders (paid, unpaid, refunded), parcels (moved, overdue, refund due),
and the card rendering."""

from django.db import transaction

from gifts.card_mail import TOPIC_CARD_EMAIL, card_email_send
from gifts.card_sms import TOPIC_CARD_SMS, card_sms_send
from gifts.events import event_gift_refunded
from gifts.notices import notify_gift_refunded
from gifts.selectors.gifts import refunded_gift
from gifts.services.cards import gift_render_card
from gifts.services.following import claim_follow_shipment
from gifts.services.sending import TOPIC_RENDER_CARD, gift_mark_unpaid, gift_open
from gifts.services.ship_by import claim_announce_overdue, claim_refund_overdue
from giftshop.outbox import consumer
from logistics.services.overdue import TOPIC_OVERDUE, TOPIC_REFUND_DUE
from logistics.services.tracking import TOPIC_UPDATED
from orders.services.payments import TOPIC_GIFT_PAID, TOPIC_GIFT_UNPAID
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
def tell_the_payer_and_the_store_about_a_refund(payload, *, key):
    found = refunded_gift(refund_id=payload["refund_id"])
    if found is not None:
        with transaction.atomic():
            notify_gift_refunded(refund=found.refund, gift=found.gift)
            event_gift_refunded(refund=found.refund, gift=found.gift)


@consumer(TOPIC_OVERDUE)
def announce_an_overdue_claim_parcel(payload, *, key):
    claim_announce_overdue(shipment_id=payload["shipment_id"])


@consumer(TOPIC_REFUND_DUE)
def refund_an_overdue_claim_parcel(payload, *, key):
    claim_refund_overdue(shipment_id=payload["shipment_id"])


@consumer(TOPIC_CARD_SMS)
def text_the_card(payload, *, key):
    card_sms_send(gift_id=payload["gift_id"], phone=payload["phone"], kind=payload["kind"], key=key)


@consumer(TOPIC_CARD_EMAIL)
def mail_the_card(payload, *, key):
    card_email_send(gift_id=payload["gift_id"], email=payload["email"], key=key)
