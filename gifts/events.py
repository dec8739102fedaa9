"""What a store's webhook endpoints hear about its gifts (stores.webhooks): gift.paid, gift.claimed,
gift.declined, gift.expired, gift.refunded and gift.thanked.

Called by the gift services in the transaction that made the news, beside the people's notices
(gifts.notices). Each event has a business key, so a job or consumer run again tells once. The data
is what a merchant's system needs to follow its gifts: ids, statuses, units, the refund's amount.
Never a card token (a bearer link), a message, a note's text, a name, an address or a phone number:
the console and the API show what the merchant may see.
"""

from gifts.models import Claim, Gift
from orders.models import Refund
from stores.webhooks.services import webhook_emit


def _iso(moment):
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _gift(gift: Gift) -> dict:
    return {
        "id": gift.id,
        "order_id": gift.order_id,
        "mode": gift.mode,
        "claim_rule": gift.claim_rule,
        "status": gift.status,
        "quantity": gift.quantity,
        "claimed_units": gift.claimed_units,
        "variant_id": gift.variant_id,
        "expires_at": _iso(gift.expires_at),
    }


def _claim(claim: Claim) -> dict:
    return {
        "id": claim.id,
        "status": claim.status,
        "variant_id": claim.variant_id,
        "quantity": claim.quantity,
        "shipment_id": claim.shipment_id,
    }


def _emit(gift: Gift, event_type: str, key: str, **data) -> None:
    webhook_emit(store=gift.order.store, event_type=event_type, key=key, data={"gift": _gift(gift), **data})


def event_gift_paid(*, gift: Gift) -> None:
    _emit(gift, "gift.paid", f"gift.paid:{gift.id}")


def event_gift_claimed(*, claim: Claim) -> None:
    _emit(claim.gift, "gift.claimed", f"gift.claimed:{claim.id}", claim=_claim(claim))


def event_gift_declined(*, gift: Gift) -> None:
    _emit(gift, "gift.declined", f"gift.declined:{gift.id}")


def event_gift_expired(*, gift: Gift, units: int) -> None:
    _emit(gift, "gift.expired", f"gift.expired:{gift.id}", unclaimed_units=units)


def event_gift_thanked(*, claim: Claim) -> None:
    _emit(claim.gift, "gift.thanked", f"gift.thanked:{claim.id}", claim=_claim(claim))


def event_gift_refunded(*, refund: Refund, gift: Gift) -> None:
    _emit(gift, "gift.refunded", f"gift.refunded:{refund.id}", refund={
        "id": refund.id, "amount_minor": refund.amount_minor, "currency": refund.payment.currency,
        "reason": refund.reason,
    })
