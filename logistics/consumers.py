"""Outbox consumers of logistics: subscribe a dispatched parcel, apply a verified carrier push."""

from giftshop.outbox import consumer
from logistics.carriers.base import TrackingUpdate
from logistics.services.tracking import TOPIC_APPLY, TOPIC_REGISTER, tracking_apply, tracking_register


@consumer(TOPIC_REGISTER)
def register_tracking(payload, *, key):
    tracking_register(shipment_id=payload["shipment_id"])


@consumer(TOPIC_APPLY)
def apply_tracking(payload, *, key):
    tracking_apply(update=TrackingUpdate.from_payload(payload))
