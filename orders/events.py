"""What a store's webhook endpoints hear about its orders (stores.webhooks): order.paid, for a
purchase and for the order behind a gift alike (a gift's card going live is gift.paid, from
gifts.events). Ids, kind, amount and status: never the buyer's name or address."""

from orders.models import Order
from stores.webhooks.services import webhook_emit


def event_order_paid(*, order: Order) -> None:
    webhook_emit(store=order.store, event_type="order.paid", key=f"order.paid:{order.id}", data={
        "order": {
            "id": order.id,
            "kind": order.kind,
            "status": order.status,
            "total_minor": order.total_minor,
            "currency": order.currency,
        }
    })
