"""Who is told what, and when: the in-app notices of the gift and order flows.

Services and outbox consumers call these at the moment something happened, in their own
transaction. Each notice has a business key, so running a job or a consumer again notifies once
(accounts.notices.notice_send ignores a key it has seen). Only the kind and a few plain params are
stored; the sentence is chosen when the notice is shown (templates/accounts/_notice.html), in the
reader's language.

The privacy rules hold here too:
- the recipient's notices never carry a price (no amount, no order);
- the sender's notices carry the friend's display name and the milestone, never an address, a
  phone number, a tracking number or a shipment reference;
- no link holds a card token (tokens are never stored in clear): recipients are sent to their
  Orders & Cards page, which works the card link out when it is needed.
"""

from django.urls import reverse

from accounts.notices import notice_send
from gifts.models import Claim, Gift
from logistics.notices import RECIPIENT_PARCEL_KINDS
from orders.models import Refund

# The sender hears of three milestones only.
SENDER_MILESTONE_KINDS = {
    Claim.Status.SHIPPED: "parcel_shipped",
    Claim.Status.DELIVERED: "parcel_delivered",
    Claim.Status.RETURNED: "parcel_returned",
}


def wallet_link(tab: str, anchor: str = "") -> str:
    return f"{reverse('wallet:home')}?tab={tab}" + (f"#{anchor}" if anchor else "")


def _gift_link(gift: Gift) -> str:
    return reverse("gifts:detail", kwargs={"gift_id": gift.id})


def _title(variant) -> str:
    return variant.product.title


# --- the sender hears about the friends ----------------------------------------------------------


def notify_gift_claimed(*, claim: Claim) -> None:
    """A friend accepted the gift (or a lottery winner chose an address): tell the sender who."""
    gift = claim.gift
    notice_send(
        user=gift.sender, kind="gift_claimed", key=f"gift_claimed:{claim.id}",
        params={"friend": claim.recipient.public_name, "product": _title(claim.variant)},
        link=_gift_link(gift),
    )


def notify_gift_thanked(*, claim: Claim) -> None:
    """The first thank-you note of a claim (a later edit does not notify again)."""
    gift = claim.gift
    notice_send(
        user=gift.sender, kind="gift_thanked", key=f"gift_thanked:{claim.id}",
        params={"friend": claim.recipient.public_name, "note": claim.thank_you_note,
                "product": _title(claim.variant)},
        link=_gift_link(gift),
    )


def notify_gift_declined(*, gift: Gift, friend) -> None:
    notice_send(
        user=gift.sender, kind="gift_declined", key=f"gift_declined:{gift.id}",
        params={"friend": friend.public_name, "product": _title(gift.variant)},
        link=_gift_link(gift),
    )


def notify_gift_expired(*, gift: Gift, units: int) -> None:
    """The claim window closed with `units` unclaimed (they are being refunded)."""
    notice_send(
        user=gift.sender, kind="gift_expired", key=f"gift_expired:{gift.id}",
        params={"units": units, "product": _title(gift.variant)},
        link=_gift_link(gift),
    )


# --- lottery entrants --------------------------------------------------------------------------


def notify_lottery_result(*, claim: Claim) -> None:
    """After the draw (or a gift closed before it): winners choose an address, the others are told."""
    if claim.status not in (Claim.Status.WON, Claim.Status.LOST):
        return
    kind = "lottery_won" if claim.status == Claim.Status.WON else "lottery_lost"
    gift = claim.gift
    notice_send(
        user=claim.recipient, kind=kind, key=f"{kind}:{claim.id}",
        params={"sender": gift.sender.public_name, "product": _title(gift.variant)},
        link=wallet_link("received", f"claim-{claim.id}"),
    )


# --- parcels ------------------------------------------------------------------------------------


def notify_claim_parcel(*, claim: Claim) -> None:
    """The claim's parcel moved: the recipient hears its news (with where to follow it), the sender
    hears the milestones shipped and delivered (the friend's display name only)."""
    shipment = claim.shipment
    kind = RECIPIENT_PARCEL_KINDS.get(shipment.status) if shipment is not None else None
    gift = claim.gift
    product = _title(claim.variant)
    if kind:
        notice_send(
            user=claim.recipient, kind=kind, key=f"{kind}:shipment:{shipment.id}:recipient",
            params={"product": product, "gift": True, "sender": gift.sender.public_name},
            link=wallet_link("received", f"claim-{claim.id}"),
        )
    milestone = SENDER_MILESTONE_KINDS.get(claim.status)
    if milestone:
        notice_send(
            user=gift.sender, kind=milestone, key=f"{milestone}:claim:{claim.id}:sender",
            params={"product": product, "friend": claim.recipient.public_name, "role": "sender"},
            link=_gift_link(gift),
        )


def notify_return_resolved(*, claim: Claim, outcome: str) -> None:
    """The store shipped a returned parcel again ("resent") or refunded it ("refunded"): the
    recipient and the sender both hear which (the sender's refund notice, with the amount, follows
    when the money lands)."""
    gift = claim.gift
    product = _title(claim.variant)
    notice_send(
        user=claim.recipient, kind="parcel_return_resolved", key=f"return:{claim.id}:{outcome}:recipient",
        params={"outcome": outcome, "role": "recipient", "product": product, "sender": gift.sender.public_name},
        link=wallet_link("received", f"claim-{claim.id}"),
    )
    notice_send(
        user=gift.sender, kind="parcel_return_resolved", key=f"return:{claim.id}:{outcome}:sender",
        params={"outcome": outcome, "role": "sender", "product": product, "friend": claim.recipient.public_name},
        link=_gift_link(gift),
    )


# --- money back -----------------------------------------------------------------------------------


def notify_gift_refunded(*, refund: Refund, gift: Gift) -> None:
    """A refund of a gift landed (gifts.selectors.gifts.refunded_gift): its sender is told how much
    and why. Only ever to the person who paid: a recipient never hears of an amount. (A purchase's
    refund: orders.notices.)"""
    notice_send(
        user=gift.sender, kind="gift_refunded", key=f"refunded:{refund.id}",
        params={"amount": refund.amount_minor, "currency": refund.payment.currency, "reason": refund.reason,
                "product": _title(gift.variant)},
        link=_gift_link(gift),
    )
