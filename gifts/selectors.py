"""Reads for gifts, and the access helpers: the only ways a view gets a gift.

- `access_gift_by_id(user, gift_id)`: the sender's own gift (404 for anyone else);
- `gift_by_card_token(request, token)`: the recipient side, by the card's token. Unknown, revoked
  and malformed tokens are one and the same 404, and failed lookups are rate-limited per IP (only
  failures count, so a whole office behind one address can still open a good card).
"""

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django_ratelimit import ALL as ratelimit_all_methods
from django_ratelimit.core import get_usage, is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from gifts.models import Claim, Gift
from gifts.tokens import is_well_formed, token_hash
from giftshop.errors import NotFound
from stores.models import ProductImage

TOKEN_FAILURE_GROUP = "gifts.card-token-failures"


def _gift_rows() -> QuerySet[Gift]:
    return Gift.objects.select_related("sender", "variant__product__store", "order").prefetch_related(
        Prefetch("variant__product__images", queryset=ProductImage.objects.order_by("position", "id")),
        "variant__product__variants",
    )


def access_gift_by_id(*, user, gift_id) -> Gift:
    gift = None
    if user.is_authenticated and str(gift_id).isdigit() and len(str(gift_id)) <= 18:
        gift = _gift_rows().filter(id=int(gift_id), sender=user).first()
    if gift is None:
        raise NotFound()
    return gift


def _failure_usage(request, increment: bool):
    return get_usage(
        request, group=TOKEN_FAILURE_GROUP, key="ip", rate=settings.RATELIMIT_TOKEN_FAILURES,
        method=ratelimit_all_methods, increment=increment,
    )


def _failures_exhausted(request) -> bool:
    """True once this IP has used up its failed lookups: with "20/10m", 20 failures are answered
    404 and the 21st lookup is refused. (A check without increment must compare count >= limit:
    django-ratelimit's should_limit, count > limit, is meant for a count that includes this request.)"""
    usage = _failure_usage(request, increment=False)
    return usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"])


def gift_by_card_token(*, request, token) -> Gift:
    """The gift behind a card link. Never changes the gift (link previews fetch this)."""
    if _failures_exhausted(request):
        raise Ratelimited()
    gift = None
    if is_well_formed(token):
        gift = _gift_rows().filter(token_hash=token_hash(token)).first()
    if gift is None:
        _failure_usage(request, increment=True)
        raise NotFound()
    return gift


def gift_list_sent(*, user) -> QuerySet[Gift]:
    return _gift_rows().filter(sender=user).prefetch_related(
        Prefetch("claims", queryset=Claim.objects.select_related("recipient").order_by("created_at", "id"))
    )


def claim_for(*, gift: Gift, user) -> Claim | None:
    if not user.is_authenticated:
        return None
    return Claim.objects.filter(gift=gift, recipient=user).select_related("variant", "shipment").first()


def claims_for_sender(*, gift: Gift) -> QuerySet[Claim]:
    """What the sender may see of claims: who (display name), status, note. Never the shipment."""
    return Claim.objects.filter(gift=gift).select_related("recipient").order_by("created_at", "id")


def claim_attempts_limited(*, request) -> bool:
    """Claim attempts (accept, enter, decline): RATELIMIT_CLAIMS per user, counted on each try."""
    return is_ratelimited(
        request, group="gifts.claims", key="user_or_ip", rate=settings.RATELIMIT_CLAIMS,
        method=ratelimit_all_methods, increment=True,
    )
