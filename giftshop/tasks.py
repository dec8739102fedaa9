"""The outbox's two tasks. Each delivery goes to its topic's queue (settings.OUTBOX_TOPIC_QUEUES),
so a slow webhook receiver or mail server never holds up a payment's news."""

from celery import shared_task
from django.conf import settings

from giftshop import outbox


def queue_for(topic: str) -> str:
    for prefix, queue in settings.OUTBOX_TOPIC_QUEUES:
        if topic.startswith(prefix):
            return queue
    return settings.CELERY_TASK_DEFAULT_QUEUE


@shared_task(name="giftshop.tasks.outbox_deliver")
def outbox_deliver(message_id):
    return outbox.outbox_deliver(message_id=message_id)


@shared_task(name="giftshop.tasks.relay_outbox")
def relay_outbox():
    result = outbox.outbox_relay(
        publish=lambda message_id, topic: outbox_deliver.apply_async((message_id,), queue=queue_for(topic))
    )
    return result["claimed"]
