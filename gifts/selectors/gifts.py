"""Reads for gifts, and the access helpers: the only ways a view gets a gift.

- `access_gift_by_id(user, gift_id)`: the sender's own gift (404 for anyone else);
- `gift_by_card_token(request, token)`: the recipient side, by the card's token. Unknown, revoked
  and malformed tokens are one and the same 404, and failed lookups are rate-limited per IP (only
  failures count, so a whole office behind one address can still open a good card).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.db.models.functions import Now
from django.utils.translation import gettext as _
from django_ratelimit import ALL as ratelimit_all_methods
from django_ratelimit.core import get_usage

from gifts.models import Claim, Gift
from gifts.tokens import is_well_formed, token_hash
from giftshop.errors import NotFound
from giftshop.ratelimits import Throttled, seconds_left, seconds_limited
from orders.models import Order, Refund
from stores.models import ProductImage, Variant
from stores.selectors import is_platform_staff

TOKEN_FAILURE_GROUP = "gifts.card-token-failures"  # noqa: S105  # nosec B105: a rate-limit group name, not a secret


# --- the deadlines, on the database clock ---------------------------------------------------
# The guards that move a gift (claim, expiry, draw) compare with the database's now(); so do the
# reads that decide what a card shows and whether a claim is worth trying, or a web server whose
# clock drifts would show "open" on a gift the database has expired (or the reverse).

def _on_db_clock(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def with_deadlines(queryset: QuerySet[Gift]) -> QuerySet[Gift]:
    """Annotate each gift with the database clock's answers: db_before_expiry (expires_at is in the
    future) and db_draw_due (draw_at has come)."""
    return queryset.annotate(
        db_before_expiry=_on_db_clock(Q(expires_at__gt=Now())), db_draw_due=_on_db_clock(Q(draw_at__lte=Now()))
    )


def _deadlines(gift: Gift) -> tuple[bool, bool]:
    if not hasattr(gift, "db_before_expiry"):  # read without with_deadlines: ask the database now
        fresh = with_deadlines(Gift.objects.filter(id=gift.id)).values("db_before_expiry", "db_draw_due").first()
        gift.db_before_expiry, gift.db_draw_due = (fresh["db_before_expiry"], fresh["db_draw_due"]) if fresh else (
            False, False)
    return bool(gift.db_before_expiry), bool(gift.db_draw_due)


def gift_before_expiry(gift: Gift) -> bool:
    return _deadlines(gift)[0]


def gift_is_open(gift: Gift) -> bool:
    """The one "is this gift open" predicate: status open and before its expiry, on the database clock."""
    return gift.status == Gift.Status.OPEN and gift_before_expiry(gift)


def gift_draw_closed(gift: Gift) -> bool:
    """A lottery takes no more entries: drawn, or its draw time has come (database clock)."""
    return bool(gift.drawn_at) or _deadlines(gift)[1]


def gift_shown_status(gift: Gift) -> str:
    """The status a reader is shown: an open gift past its expiry reads "expired" before the sweep
    has moved it (reading never changes it)."""
    if gift.status == Gift.Status.OPEN and not gift_before_expiry(gift):
        return Gift.Status.EXPIRED
    return gift.status


def _gift_rows() -> QuerySet[Gift]:
    return with_deadlines(Gift.objects).select_related(
        "sender", "variant__product__store", "order__store"
    ).prefetch_related(
        Prefetch("variant__product__images", queryset=ProductImage.objects.order_by("position", "id")),
        "variant__product__variants", "order__lines",
    )


def _one_gift_row() -> QuerySet[Gift]:
    """One gift, with what every use of it reads (one query): its photos, the product's options
    and the order line are read only where they are shown (the card, a variant switch), since
    for one gift a prefetch costs the same query as reading them then."""
    return with_deadlines(Gift.objects).select_related("sender", "variant__product__store", "order__store")


def ensure_gift_sender(*, gift: Gift, actor) -> None:
    """The "sender only" rule (cancel, extend, the not-shipped refund): its sender, or platform
    staff for support; NotFound for anyone else, so another's gift is never told apart from none."""
    if is_platform_staff(actor):
        return
    if not getattr(actor, "is_authenticated", False) or gift.sender_id != actor.pk:
        raise NotFound()


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


def _failures_wait(request) -> int:
    """0 while this IP has failed lookups left, else the seconds until its window ends: with "20/10m",
    20 failures are answered 404 and the 21st lookup is refused until the 10 minutes are over. (A
    check without increment must compare count >= limit: django-ratelimit's should_limit, count >
    limit, is meant for a count that includes this request.)"""
    usage = _failure_usage(request, increment=False)
    if usage is None or not (usage["should_limit"] or usage["count"] >= usage["limit"]):
        return 0
    return seconds_left(usage)


def gift_by_card_token(*, request, token) -> Gift:
    """The gift behind a card link. Never changes the gift (link previews fetch this)."""
    if wait := _failures_wait(request):
        raise Throttled(wait)
    gift = None
    if is_well_formed(token):
        gift = _one_gift_row().filter(token_hash=token_hash(token)).first()
    if gift is None:
        _failure_usage(request, increment=True)
        raise NotFound()
    return gift


def gift_list_sent(*, user) -> QuerySet[Gift]:
    return _gift_rows().filter(sender=user).prefetch_related(
        Prefetch("claims", queryset=Claim.objects.select_related("recipient").order_by("created_at", "id"))
    )


@dataclass(frozen=True)
class VariantOption:
    """An option a recipient may take: its id, its name, and whether it has the units a claim takes."""

    variant: Variant
    in_stock: bool

    @property
    def id(self) -> int:
        return self.variant.id

    @property
    def name(self) -> str:
        return self.variant.name


def claim_variant_options(*, gift: Gift) -> list[VariantOption]:
    """The one rule for "which option may the recipient choose" (the card page, the claims API and
    claim_accept all use it): the gift's own option, always in stock (its units are set aside), then
    the product's other options whose current price and currency are what the sender paid (the order
    line's), each in stock when it has the units this claim takes (all of a single gift's units, one
    of a group gift's). Uses the variants and the line that `_gift_rows` prefetches."""
    line = gift.order.lines.all()[0]
    units = gift.units_per_claim
    options = [VariantOption(variant=gift.variant, in_stock=True)]
    for variant in gift.variant.product.variants.all():  # the merchant's order (position, id)
        same_price = variant.price_minor == line.unit_price_minor and variant.currency == line.currency
        if variant.id != gift.variant_id and same_price:
            options.append(VariantOption(variant=variant, in_stock=variant.stock >= units))
    return options


SHIPPING = {Claim.Status.ACCEPTED, Claim.Status.SHIPPED, Claim.Status.OUT_FOR_DELIVERY, Claim.Status.DELIVERED,
            Claim.Status.RETURNED}


def card_state(*, gift: Gift, user, claim: Claim | None) -> str:
    """What a visitor of the card can see and do, the one definition for the card page and
    GET /claims/<token>/: "accept", "enter", "won" and "login" offer an action; "mine", "entered",
    "accepted", "lost", "refunded", "claimed", "draw_over", "declined", "cancelled" and "expired" do not."""
    window_open = gift_is_open(gift)
    if claim is not None:
        if claim.status == Claim.Status.ENTERED:
            return "entered"
        if claim.status == Claim.Status.WON:
            # After the draw the gift is "claimed"; a winner has until expires_at to give an address.
            return "won" if gift_before_expiry(gift) else "expired"
        if claim.status == Claim.Status.LOST:
            return "lost"
        if claim.status == Claim.Status.REFUNDED:
            return "refunded"
        return "accepted"
    if user.is_authenticated and gift.sender_id == user.id:
        return "mine"
    if gift.status in (Gift.Status.DECLINED, Gift.Status.CANCELLED):
        return gift.status
    if gift.status == Gift.Status.CLAIMED or (window_open and gift.remaining == 0 and not gift.is_lottery):
        return "draw_over" if gift.is_lottery else "claimed"
    if not window_open:
        return "expired"
    if gift.is_lottery:
        if gift_draw_closed(gift):
            return "draw_over"
        return "enter" if user.is_authenticated else "login"
    return "accept" if user.is_authenticated else "login"


def claim_for(*, gift: Gift, user) -> Claim | None:
    if not user.is_authenticated:
        return None
    return Claim.objects.filter(gift=gift, recipient=user).select_related("variant", "shipment").first()


def claims_for_sender(*, gift: Gift) -> QuerySet[Claim]:
    """What the sender may see of claims: who (display name), status, note. Never the shipment."""
    return Claim.objects.filter(gift=gift).select_related("recipient", "variant").order_by("created_at", "id")


def claim_attempts_limited(*, request) -> int:
    """Claim attempts (accept, enter, decline): RATELIMIT_CLAIMS per user, counted on each try. 0, or
    the seconds until another attempt is allowed (raise giftshop.ratelimits.Throttled with them)."""
    return seconds_limited(
        request, group="gifts.claims", key="user_or_ip", rate=settings.RATELIMIT_CLAIMS,
        method=ratelimit_all_methods, increment=True,
    )


@dataclass(frozen=True)
class RefundedGift:
    refund: Refund
    gift: Gift


def refunded_gift(*, refund_id: int) -> RefundedGift | None:
    """A refund that landed on a gift's payment, with its gift (None for a purchase's refund, or one
    that has not succeeded): what its sender and its store's endpoints are told of."""
    refund = Refund.objects.select_related("payment__order__store").filter(id=refund_id).first()
    if refund is None or refund.status != Refund.Status.SUCCEEDED or refund.payment.order.kind != Order.Kind.GIFT:
        return None
    gift = Gift.objects.select_related("sender", "variant__product").filter(order=refund.payment.order).first()
    if gift is None:
        return None
    gift.order = refund.payment.order
    return RefundedGift(refund=refund, gift=gift)


# --- what the sender is told: the gift's standing, the option the friend gets ----------------------

def _refund_words(*, refunded_minor: int, refund_pending_minor: int) -> bool:
    """True once the refund has landed (something refunded, nothing still on its way)."""
    return bool(refunded_minor) and not refund_pending_minor


def gift_sender_summary(*, gift: Gift, refunded_minor: int = 0, refund_pending_minor: int = 0) -> str:
    """One line that tells the sender where the gift stands, the one rule for the gift page, the
    "Gifts I sent" list and the "Gifts sent" tab: "2 of 3 claimed, 1 left" only while it can still
    be claimed; a declined, cancelled or expired gift says so, and whether its refund has landed."""
    status = gift_shown_status(gift)
    counts = {"claimed": gift.claimed_units, "quantity": gift.quantity, "remaining": gift.remaining}
    landed = _refund_words(refunded_minor=refunded_minor, refund_pending_minor=refund_pending_minor)
    if status == Gift.Status.PENDING_PAYMENT:
        return _("Payment not confirmed yet")
    if status == Gift.Status.PAYMENT_FAILED:
        return _("Not paid: the payment did not go through")
    if status == Gift.Status.OPEN:
        return _("%(claimed)s of %(quantity)s claimed, %(remaining)s left") % counts
    if status == Gift.Status.CLAIMED:
        if gift.mode == Gift.Mode.SINGLE:
            return _("Accepted")
        if gift.is_lottery and (refunded_minor or refund_pending_minor):  # a winner never chose an address
            return _("Drawn — unclaimed prizes refunded") if landed else _(
                "Drawn — unclaimed prizes are being refunded")
        return _("All %(quantity)s claimed") % counts
    if status == Gift.Status.DECLINED:
        return _("Declined — refunded") if landed else _("Declined — refund on its way")
    if status == Gift.Status.CANCELLED:
        if not gift.claimed_units:
            return _("Cancelled — refunded") if landed else _("Cancelled — refund on its way")
        if landed:
            return _("Cancelled — %(claimed)s of %(quantity)s claimed, the rest refunded") % counts
        return _("Cancelled — %(claimed)s of %(quantity)s claimed, the rest is being refunded") % counts
    if status == Gift.Status.EXPIRED:
        if not gift.claimed_units:
            return _("Expired — nobody claimed it; refunded") if landed else _(
                "Expired — nobody claimed it; refund on its way")
        if landed:
            return _("Expired — %(claimed)s of %(quantity)s claimed, the rest refunded") % counts
        return _("Expired — %(claimed)s of %(quantity)s claimed, the rest is being refunded") % counts
    return gift.get_status_display()


def gift_option_received(*, gift: Gift, claims) -> Variant:
    """The option the friend gets: a single gift's accepted claim holds the variant the friend
    chose (a switch to another option of the same price), else it is the one the sender chose.
    (A group gift's friends may each choose: each claim shows its own.)"""
    if gift.mode == Gift.Mode.SINGLE:
        for claim in claims:
            if claim.status in Claim.HOLDING and claim.variant_id:
                return claim.variant
    return gift.variant
