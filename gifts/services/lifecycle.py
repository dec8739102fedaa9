"""The sender's cancel and extend, and the periodic jobs: expire, draw lotteries, remind.

Each job takes due rows one at a time with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL), so two
overlapping runs split the work; the conditional status move is what guarantees "once" everywhere
(SQLite ignores the row lock and serialises writers instead).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from gifts.card_sms import TOPIC_CARD_SMS, card_sms_key
from gifts.errors import AlreadyExtended, GiftExpired, GiftFullyClaimed, GiftNotOpen
from gifts.events import event_gift_expired
from gifts.models import Claim, Gift
from gifts.notices import notify_gift_expired, notify_lottery_result
from gifts.selectors.gifts import ensure_gift_sender
from gifts.services.claims import gift_refusal, require_open
from gifts.services.refunding import give_back_units
from gifts.tokens import gift_share_url
from giftshop import page_cache
from giftshop.errors import InvalidInput
from giftshop.outbox import outbox_put
from giftshop.transitions import transition
from orders.models import Refund


def _take(queryset):
    """Lock one due row for this run, skipping rows another run holds (PostgreSQL)."""
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.first()


def _lose_entries(gift):
    for claim in Claim.objects.filter(gift=gift, status=Claim.Status.ENTERED):
        if transition(claim, Claim.Status.LOST, reason="gift closed"):
            claim.gift = gift
            notify_lottery_result(claim=claim)


def _not_open_for_sender(gift_id: int) -> GiftNotOpen:
    """The sender's cancel and extend answer `gift_not_open` for any gift that is not open
    (shared/API.md), with the specific reason (expired, all claimed, ...) as the detail."""
    return GiftNotOpen(gift_refusal(gift_id).detail)


def gift_cancel(*, gift: Gift, actor) -> Gift:
    """The sender takes back the unclaimed units (refunded); claims made so far stand."""
    ensure_gift_sender(gift=gift, actor=actor)
    try:
        require_open(gift)
    except (GiftExpired, GiftFullyClaimed, GiftNotOpen):
        raise _not_open_for_sender(gift.id) from None
    with transaction.atomic():
        if not transition(gift, Gift.Status.CANCELLED, reason="cancelled by sender", actor=actor,
                          where=Q(expires_at__gt=Now()), extra={"closed_at": Now()}):
            raise _not_open_for_sender(gift.id)
        gift.refresh_from_db(fields=["claimed_units"])
        _lose_entries(gift)
        give_back_units(gift=gift, units=gift.quantity - gift.claimed_units, reason=Refund.Reason.CANCELLED,
                        scope="unclaimed")
    return gift


def gift_extend(*, gift: Gift, hours, actor) -> Gift:
    """The sender gives the friends more time, once: 1 to 168 hours more."""
    ensure_gift_sender(gift=gift, actor=actor)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 168:
        raise InvalidInput(_("Extend by 1 to 168 hours."), field="hours")
    try:
        require_open(gift)
    except (GiftExpired, GiftFullyClaimed, GiftNotOpen):
        raise _not_open_for_sender(gift.id) from None
    moved = Gift.objects.filter(id=gift.id, status=Gift.Status.OPEN, extended=False, expires_at__gt=Now()).update(
        expires_at=F("expires_at") + timedelta(hours=hours), extended=True
    )
    gift.refresh_from_db()
    if moved:
        page_cache.changed(gift)
    if not moved:
        raise AlreadyExtended() if gift.extended else _not_open_for_sender(gift.id)
    return gift


EXPIRE_BATCH = 50  # due gifts locked and expired per transaction


def _take_batch(queryset, size: int) -> list:
    """Lock up to `size` due rows for this run, skipping rows another run holds (PostgreSQL)."""
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset[:size])


def _expire(gift) -> bool:
    """Close one locked due gift (the conditional UPDATE is the guard: once), give back and refund
    its unclaimed units, tell the sender and the store."""
    # claimed_units is read back by the same SELECT as closed_at, after the UPDATE: what the claims
    # left, since none can move it once the gift is closed (their UPDATEs require it open).
    if not transition(gift, Gift.Status.EXPIRED, reason="claim window closed", where=Q(expires_at__lte=Now()),
                      extra={"closed_at": Now(), "claimed_units": F("claimed_units")}):
        return False
    if gift.claim_rule == Gift.ClaimRule.LOTTERY or gift.draw_at is not None:  # only lotteries have entries
        _lose_entries(gift)
    unclaimed = gift.quantity - gift.claimed_units
    give_back_units(gift=gift, units=unclaimed, reason=Refund.Reason.EXPIRED, scope="unclaimed")
    notify_gift_expired(gift=gift, units=unclaimed)
    event_gift_expired(gift=gift, units=unclaimed)
    return True


def gifts_expire_due(*, limit: int = 200) -> dict:
    """Close open gifts past their window and refund what nobody claimed; refund lottery winners
    who never chose an address. Draws due lotteries first, so an entry always gets its draw.

    Due gifts are taken EXPIRE_BATCH at a time, locked in one SELECT with what the refund, the
    notice and the store's event read (order, store, sender, variant, product), and expired in one
    transaction."""
    done = {"drawn": gifts_draw_due(limit=limit), "expired": 0, "winners_refunded": 0}
    left = limit
    while left > 0:
        with transaction.atomic():
            due = (Gift.objects.filter(status=Gift.Status.OPEN, expires_at__lte=Now())
                   .select_related("order__store", "sender", "variant__product").order_by("expires_at", "id"))
            gifts = _take_batch(due, min(EXPIRE_BATCH, left))
            left -= len(gifts)
            for gift in gifts:
                done["expired"] += _expire(gift)
        if not gifts:
            break
    for _round in range(limit):
        with transaction.atomic():
            claim = _take(Claim.objects.filter(status=Claim.Status.WON, gift__expires_at__lte=Now()).order_by("id"))
            if claim is None:
                break
            if transition(claim, Claim.Status.REFUNDED, reason="winner chose no address in time",
                          where=Q(gift__expires_at__lte=Now())):
                give_back_units(gift=claim.gift, units=claim.quantity, reason=Refund.Reason.LOTTERY, scope=claim.id)
                done["winners_refunded"] += 1
    return done


def gifts_draw_due(*, limit: int = 200) -> int:
    """Draw lotteries whose draw time has come: N winners at random, the rest told they lost."""
    drawn = 0
    rng = secrets.SystemRandom()
    for _round in range(limit):
        with transaction.atomic():
            gift = _take(
                Gift.objects.filter(status=Gift.Status.OPEN, claim_rule=Gift.ClaimRule.LOTTERY,
                                    drawn_at__isnull=True, draw_at__lte=Now()).order_by("draw_at", "id")
            )
            if gift is None:
                break
            undrawn = Gift.objects.filter(id=gift.id, status=Gift.Status.OPEN, drawn_at__isnull=True)
            if not undrawn.update(drawn_at=Now()):
                continue
            entries = list(Claim.objects.filter(gift=gift, status=Claim.Status.ENTERED).order_by("id"))
            winners = {c.id for c in rng.sample(entries, min(len(entries), gift.quantity))}
            for claim in entries:
                if transition(claim, Claim.Status.WON if claim.id in winners else Claim.Status.LOST, reason="draw"):
                    claim.gift = gift
                    notify_lottery_result(claim=claim)
            Gift.objects.filter(id=gift.id).update(claimed_units=len(winners))
            gift.refresh_from_db(fields=["claimed_units"])
            if winners:
                transition(gift, Gift.Status.CLAIMED, reason="drawn")
            else:
                transition(gift, Gift.Status.EXPIRED, reason="drawn with no entries", extra={"closed_at": Now()})
                notify_gift_expired(gift=gift, units=gift.quantity)
                event_gift_expired(gift=gift, units=gift.quantity)
            give_back_units(gift=gift, units=gift.quantity - len(winners), reason=Refund.Reason.LOTTERY,
                            scope="unclaimed")
            drawn += 1
    return drawn


def gifts_remind_due(*, limit: int = 200) -> int:
    """Two hours before a window closes, remind the sender (who knows where the friend is) and the
    friend, when the card was emailed to them."""
    soon = Now() + timedelta(hours=settings.GIFT_REMINDER_HOURS_BEFORE)
    sent = 0
    for _round in range(limit):
        with transaction.atomic():
            gift = _take(
                Gift.objects.filter(status=Gift.Status.OPEN, reminded_at__isnull=True, expires_at__lte=soon,
                                    expires_at__gt=Now()).select_related("sender").order_by("expires_at", "id")
            )
            if gift is None:
                break
            if not Gift.objects.filter(id=gift.id, reminded_at__isnull=True).update(reminded_at=Now()):
                continue
            if gift.sender.email:
                outbox_put(
                    topic="accounts.email", key=f"gift-reminder:{gift.id}",
                    payload={
                        "to": [gift.sender.email],
                        "subject": _("Your gift has not been opened yet"),
                        "body": _("Your gift closes in about %(hours)s hours. Send the card again: %(url)s")
                        % {"hours": settings.GIFT_REMINDER_HOURS_BEFORE, "url": gift_share_url(gift=gift)},
                    },
                )
            if gift.card_texted_to:
                outbox_put(topic=TOPIC_CARD_SMS, key=card_sms_key(gift, "reminder"),
                           payload={"gift_id": gift.id, "phone": gift.card_texted_to, "kind": "reminder"})
            if gift.card_emailed_to:
                outbox_put(
                    topic="accounts.email", key=f"gift-reminder-friend:{gift.id}",
                    payload={
                        "to": [gift.card_emailed_to],
                        "subject": _("Your gift is waiting"),
                        "body": _("%(name)s's gift for you closes in about %(hours)s hours. Open it here: %(url)s")
                        % {"name": gift.sender.public_name, "hours": settings.GIFT_REMINDER_HOURS_BEFORE,
                           "url": gift_share_url(gift=gift)},
                    },
                )
            sent += 1
    return sent
