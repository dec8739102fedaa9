"""In-app notices. Producers call `notice_send` in their own transaction (usually an outbox
consumer), with a business key so that a re-run notifies once. The text is chosen by `kind` when
shown (templates/accounts/_notice.html), so each reader gets their own language."""

from django.db import IntegrityError, transaction

from accounts.models import Notice
from giftshop.outbox import outbox_put

TOPIC_EMAIL = "accounts.notice_email"  # the notice, by email too (accounts.mail.notice_email_send)

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
    "parcel_returned",  # to the recipient or buyer / the sender (milestone)
    "parcel_return_resolved",  # to the recipient and the sender: {outcome: resent | refunded}
    "shipment_overdue",  # to the merchant's members and the sender
    "order_refunded",  # to the buyer
    "refund_stuck",  # to the store's members: {amount, currency, order_id, attempts}
)


def notice_send(*, user, kind: str, key: str, params: dict | None = None, link: str = "") -> Notice | None:
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    try:
        with transaction.atomic():
            notice = Notice.objects.create(user=user, kind=kind, key=key[:200], params=params or {}, link=link[:300])
    except IntegrityError:
        return None  # already sent
    if user.email and user.email_notices:
        # In the same transaction as the notice (and so as the change it tells of): never one without the other.
        outbox_put(topic=TOPIC_EMAIL, key=f"notice-email:{notice.id}", payload={"notice_id": notice.id})
    return notice


def notices_mark_read(*, user) -> int:
    from django.utils import timezone

    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
