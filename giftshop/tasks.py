from celery import shared_task

from giftshop import outbox


@shared_task(name="giftshop.tasks.outbox_deliver")
def outbox_deliver(message_id):
    return outbox.outbox_deliver(message_id=message_id)


@shared_task(name="giftshop.tasks.relay_outbox")
def relay_outbox():
    result = outbox.outbox_relay(publish=lambda message_id: outbox_deliver.delay(message_id))
    return result["claimed"]
