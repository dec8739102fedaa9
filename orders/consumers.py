from giftshop.outbox import consumer
from orders.services.refunds import TOPIC_EXECUTE, refund_execute


@consumer(TOPIC_EXECUTE)
def execute_refund(payload, *, key):
    refund_execute(refund_id=payload["refund_id"])
