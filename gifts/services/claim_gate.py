"""The sold-out gate: a claim on a gift whose every unit is taken is refused from the cache.

A card dropped in a big group chat is tapped by hundreds of people at once; once its units are
gone, every further claim is a loser. PostgreSQL stays the truth for every winner (the conditional
UPDATE in gifts.services.claims.claim_accept); the gate only answers the losers sooner, without
touching the gift row or the database. It is set when a gift moves to `claimed` (after the
commit), and by the first refusal that finds a gift fully claimed (a gate lost from the cache is
made again that way). A claimed gift never reopens, so a gate is never wrong; it holds the
gift's sender and winners, whose requests go on to the service (a winner's retry gets their own
claim, or its idempotent replay; the sender gets "own gift"), so the gate changes no answer.
"""

from django.core.cache import cache
from django.db import transaction

from gifts.errors import GiftFullyClaimed
from gifts.models import Claim, Gift
from gifts.tokens import is_well_formed, token_hash

GATE_SECONDS = 24 * 3600  # a lost or expired gate is made again by the next refusal


def _key(hash_: str) -> str:
    return f"claimgate:{hash_}"


def gate_refusal(*, token, user) -> GiftFullyClaimed | None:
    """The answer for this user's claim if the gift is known to be fully claimed, else None."""
    if not is_well_formed(token):
        return None
    gate = cache.get(_key(token_hash(token)))
    if gate is None or user.pk in gate:
        return None
    return GiftFullyClaimed()


def gate_close(*, gift: Gift) -> None:
    """The gift has no units left: gate it once this transaction commits."""
    if not gift.token_hash:
        return
    gift_id, sender_id, hash_ = gift.id, gift.sender_id, gift.token_hash

    def close():
        if Gift.objects.filter(id=gift_id, status=Gift.Status.CLAIMED).exists():
            people = set(Claim.objects.filter(gift_id=gift_id).values_list("recipient_id", flat=True))
            cache.set(_key(hash_), frozenset(people | {sender_id}), GATE_SECONDS)

    transaction.on_commit(close)
