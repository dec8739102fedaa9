"""In-app notices. Producers call `notice_send` in their own transaction (usually an outbox
consumer), with a business key so that a re-run notifies once. The text is chosen by `kind` when
shown (templates/accounts/_notice.html), so each reader gets their own language."""

from django.db import IntegrityError, transaction

from accounts.models import Notice

KINDS = (
    "gift_claimed",  # to the sender: {friend}
    "gift_thanked",  # to the sender: {friend}
    "gift_declined",  # to the sender
    "gift_expired",  # to the sender: {units}
    "gift_refunded",  # to the sender: {amount, currency, reason}
    "lottery_won",  # to the winner
    "lottery_lost",  # to the entrant
    "parcel_shipped",  # to the recipient or buyer / the sender (milestone)
    "parcel_out_for_delivery",
    "parcel_delivered",
    "parcel_returned",
    "shipment_overdue",  # to the merchant's members and the sender
    "order_refunded",  # to the buyer
)


def notice_send(*, user, kind: str, key: str, params: dict | None = None, link: str = "") -> Notice | None:
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    try:
        with transaction.atomic():
            return Notice.objects.create(user=user, kind=kind, key=key[:200], params=params or {}, link=link[:300])
    except IntegrityError:
        return None  # already sent


def notices_mark_read(*, user) -> int:
    from django.utils import timezone

    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
