"""Outbox consumers of stores: send a webhook delivery."""

from giftshop.outbox import consumer
from stores.webhooks.delivery import webhook_deliver
from stores.webhooks.services import TOPIC_DELIVER


@consumer(TOPIC_DELIVER)
def deliver_webhook(payload, *, key):
    webhook_deliver(delivery_id=payload["delivery_id"], once=payload.get("once", False))
