"""Claiming a gift: accept (one tap with a saved address), enter a lottery, a winner's address,
decline, thank.

Claims and expiry exclude each other through the gift row: a claim is one conditional UPDATE of
`claimed_units` that also requires status open and expires_at > now() on the database clock.
Zero rows updated means "no", and the reason is read afterwards. Locks are taken in one order:
gift, then variant (stock), then shipment, then payment.
"""

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import light_account_create
from accounts.signin_links import signin_link_queue
from gifts.errors import (
    AlreadyClaimed,
    CannotDeclineGroup,
    DrawClosed,
    GiftExpired,
    GiftFullyClaimed,
    GiftNotOpen,
    NotAWinner,
    NotClaimed,
    OwnGift,
    VariantNotAllowed,
)
from gifts.events import event_gift_claimed, event_gift_declined, event_gift_thanked
from gifts.models import Claim, Gift
from gifts.notices import notify_gift_claimed, notify_gift_declined, notify_gift_thanked
from gifts.selectors.gifts import (
    claim_variant_options,
    gift_draw_closed,
    gift_is_open,
    gift_shown_status,
    with_deadlines,
)
from gifts.services.claim_gate import gate_close
from gifts.services.refunding import give_back_units
from giftshop.errors import InvalidInput, NotFound
from giftshop.transitions import transition
from logistics.selectors.addresses import access_address_by_id
from logistics.services.addresses import address_create
from logistics.services.shipments import address_snapshot, shipment_create
from orders.errors import OutOfStock
from orders.models import Refund
from stores.models import Variant
from stores.stock import stock_release, stock_reserve


def gift_refusal(gift_id: int) -> Exception:
    """Why a conditional update on an open gift found nothing: read the row and say so."""
    gift = with_deadlines(Gift.objects).get(id=gift_id)
    if gift_shown_status(gift) == Gift.Status.EXPIRED:
        return GiftExpired()
    if gift.status == Gift.Status.CLAIMED or (gift.status == Gift.Status.OPEN and gift.claimed_units >= gift.quantity):
        return GiftFullyClaimed()
    return GiftNotOpen()


def _claim_refusal(gift: Gift, user) -> Exception:
    """Why this user's claim found the gift closed. Your own claim first: a retried tap on a gift
    your claim just closed is "already claimed", not "fully claimed" (which would read as "you did
    not get it"). Asked only when the claim failed: a claim that succeeds needs no such query, and
    a second claim on a group gift with units left meets the UNIQUE (gift, recipient) constraint."""
    if Claim.objects.filter(gift=gift, recipient=user).exists():
        return AlreadyClaimed()
    refusal = gift_refusal(gift.id)
    if isinstance(refusal, GiftFullyClaimed):
        gate_close(gift=gift)  # the gate was lost (or never made): the next losers meet it
    return refusal


def require_open(gift: Gift) -> None:
    """A friendly early answer; the conditional update stays the real guard."""
    if not gift_is_open(gift):
        raise gift_refusal(gift.id)


ADDRESS_INPUT_FIELDS = ("recipient_name", "phone", "country", "region", "city", "street", "district", "postal_code")
ADDRESS_REQUIRED_FIELDS = ("recipient_name", "phone", "country", "region", "city", "street")


def _ship_to(user, address_id, address) -> dict:
    if address is not None:
        if not isinstance(address, dict):
            raise InvalidInput(_("Enter the address's fields."), field="address")
        unknown = sorted(set(address) - set(ADDRESS_INPUT_FIELDS))
        missing = sorted(f for f in ADDRESS_REQUIRED_FIELDS if f not in address)
        if unknown or missing:
            fields = {f"address.{f}": [_("Unknown field.")] for f in unknown}
            fields.update({f"address.{f}": [_("This field is required.")] for f in missing})
            raise InvalidInput(fields=fields)
        try:
            saved = address_create(user=user, **address)  # saved to the book
        except InvalidInput as exc:  # its fields are the typed address's: named as they came in
            fields = {f"address.{name}": messages for name, messages in (exc.fields or {}).items()}
            raise InvalidInput(exc.detail, code=exc.code, fields=fields or None) from None
        return address_snapshot(saved)
    if address_id is None:
        raise InvalidInput(_("Choose an address or enter a new one."), field="address_id")
    try:
        return address_snapshot(access_address_by_id(user=user, address_id=address_id))
    except NotFound:
        raise InvalidInput(_("Choose one of your saved addresses."), field="address_id") from None


def _variant_for_claim(gift: Gift, variant_id) -> Variant:
    """The gift's variant, or one of the options claim_variant_options allows. A sold-out option is
    refused here as an early answer; stock_reserve's conditional update, inside the claim, stays the guard."""
    if variant_id in (None, "", gift.variant_id):
        return gift.variant
    if isinstance(variant_id, bool) or not str(variant_id).isdigit():
        raise VariantNotAllowed()
    option = next((o for o in claim_variant_options(gift=gift) if o.id == int(variant_id)), None)
    if option is None:
        raise VariantNotAllowed()
    if not option.in_stock:
        raise OutOfStock(_("That option is sold out; choose another."))
    return option.variant


def _packing_lines(variant, units):
    return [{"product_title": variant.product.title, "variant_name": variant.name, "sku": variant.sku,
             "quantity": units}]


def claim_accept(*, gift: Gift, user, address_id=None, address=None, variant_id=None) -> Claim:
    if gift.sender_id == user.id:
        raise OwnGift()
    if gift.is_lottery:
        return claim_enter(gift=gift, user=user)
    if not gift_is_open(gift):
        raise _claim_refusal(gift, user)
    variant = _variant_for_claim(gift, variant_id)
    single = gift.mode == Gift.Mode.SINGLE
    units = gift.units_per_claim
    try:
        with transaction.atomic():
            claim = _claim_rows(gift, user, variant, units, _ship_to(user, address_id, address))
            # The gift row decides, last: its row lock is held only from here to the commit, so
            # a crowd claiming one gift waits on each other for a few statements, not the whole claim.
            rows = Gift.objects.filter(id=gift.id, status=Gift.Status.OPEN, expires_at__gt=Now())
            if single:
                moved = rows.filter(claimed_units=0).update(claimed_units=F("quantity"))
            else:
                moved = rows.filter(claimed_units__lt=F("quantity")).update(claimed_units=F("claimed_units") + 1)
            if not moved:
                raise _GiftClosed()  # everything above is rolled back
            if single:  # the conditional UPDATE set claimed_units = quantity: no need to read it back
                gift.claimed_units = gift.quantity
            else:
                gift.refresh_from_db(fields=["claimed_units", "status"])
            if gift.claimed_units >= gift.quantity:
                if transition(gift, Gift.Status.CLAIMED, reason="all units claimed", actor=user,
                              where={"claimed_units": F("quantity")}, extra={"closed_at": Now()}):
                    gate_close(gift=gift)
            event_gift_claimed(claim=claim)  # carries the gift's units and status: after the update
    except _GiftClosed:
        raise _claim_refusal(gift, user) from None  # asked after the rollback: this claim is gone
    return claim


class _GiftClosed(Exception):
    """The conditional UPDATE found the gift closed (claim_accept turns it into the reason)."""


def _claim_rows(gift: Gift, user, variant, units: int, ship_to: dict) -> Claim:
    """The claim's own rows, before the gift row is taken: the stock of a variant switch, the
    parcel the merchant will ship, the claim, and the sender's notice."""
    if variant.id != gift.variant_id:
        if not stock_reserve(variant_id=variant.id, quantity=units):
            raise OutOfStock(_("That option is sold out; choose another."))
        stock_release(variant_id=gift.variant_id, quantity=units)
    shipment = shipment_create(
        store=gift.order.store, recipient=user, ship_to=ship_to, lines=_packing_lines(variant, units),
        is_gift=True, giver_name=gift.sender.public_name, gift_message=gift.message,
    )
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                gift=gift, recipient=user, variant=variant, quantity=units, status=Claim.Status.ACCEPTED,
                shipment=shipment, accepted_at=timezone.now(),
            )
    except IntegrityError:
        raise AlreadyClaimed() from None
    notify_gift_claimed(claim=claim)
    return claim


def claim_accept_as_guest(
    *, gift: Gift, contact: str, display_name: str = "", address=None, variant_id=None, language: str = "",
    card_path: str = "",
) -> Claim:
    """A visitor with no account accepts on the card's one screen (or enters its draw: no address
    then): a light account is made for them (accounts.services.light_account_create) in the same
    transaction as the claim, so a refused claim leaves no account behind. A sign-in link goes to
    the email or phone they gave, through the outbox, and brings them back to the card signed in.
    The caller signs the new account in inside the same transaction (the link's fingerprint holds
    the last login; see accounts.signin_links)."""
    with transaction.atomic():
        user = light_account_create(contact=contact, display_name=display_name, language=language)
        if gift.is_lottery:
            claim = claim_enter(gift=gift, user=user)
        else:
            if address is None:
                raise InvalidInput(_("Enter the address the gift goes to."), field="address")
            claim = claim_accept(gift=gift, user=user, address=address, variant_id=variant_id)
        signin_link_queue(user=user, via="phone" if user.phone else "email", next_path=card_path)
    return claim


def claim_enter(*, gift: Gift, user) -> Claim:
    """A lottery entry: no address yet, no unit held until the draw."""
    if gift.sender_id == user.id:
        raise OwnGift()
    if Claim.objects.filter(gift=gift, recipient=user).exists():
        raise AlreadyClaimed()
    require_open(gift)
    if gift_draw_closed(gift):
        raise DrawClosed()
    with transaction.atomic():
        # Touch the gift row: the draw updates it too, so an entry and the draw never overlap.
        touched = Gift.objects.filter(
            id=gift.id, status=Gift.Status.OPEN, drawn_at__isnull=True, draw_at__gt=Now()
        ).update(draw_at=F("draw_at"))
        if not touched:
            raise DrawClosed()
        try:
            with transaction.atomic():
                return Claim.objects.create(
                    gift=gift, recipient=user, variant=gift.variant, quantity=1, status=Claim.Status.ENTERED
                )
        except IntegrityError:
            raise AlreadyClaimed() from None


def claim_set_address(*, gift: Gift, user, address_id=None, address=None, variant_id=None) -> Claim:
    """A lottery winner chooses where the prize goes, before the claim window ends."""
    claim = Claim.objects.filter(gift=gift, recipient=user).first()
    if claim is None or claim.status != Claim.Status.WON:
        raise NotAWinner()
    variant = _variant_for_claim(gift, variant_id)
    with transaction.atomic():
        ship_to = _ship_to(user, address_id, address)
        if variant.id != gift.variant_id:
            if not stock_reserve(variant_id=variant.id, quantity=claim.quantity):
                raise OutOfStock(_("That option is sold out; choose another."))
            stock_release(variant_id=gift.variant_id, quantity=claim.quantity)
        shipment = shipment_create(
            store=gift.order.store, recipient=user, ship_to=ship_to, lines=_packing_lines(variant, claim.quantity),
            is_gift=True, giver_name=gift.sender.public_name, gift_message=gift.message,
        )
        moved = transition(
            claim, Claim.Status.ACCEPTED, reason="winner's address", actor=user,
            where=Q(gift__expires_at__gt=Now()),
            extra={"shipment": shipment, "variant": variant, "accepted_at": timezone.now()},
        )
        if not moved:
            raise GiftExpired()
        claim.gift = gift
        notify_gift_claimed(claim=claim)
        event_gift_claimed(claim=claim)
    return claim


def claim_decline(*, gift: Gift, user) -> Gift:
    """A single gift's holder says no thanks: the sender is refunded in full."""
    if gift.mode == Gift.Mode.GROUP:
        raise CannotDeclineGroup()
    if gift.sender_id == user.id:
        raise OwnGift()
    require_open(gift)
    with transaction.atomic():
        moved = transition(
            gift, Gift.Status.DECLINED, reason="declined", actor=user,
            where=Q(expires_at__gt=Now(), claimed_units=0),
            extra={"declined_by": user, "closed_at": Now()},
        )
        if not moved:
            raise gift_refusal(gift.id)
        give_back_units(gift=gift, units=gift.quantity, reason=Refund.Reason.DECLINED, scope="unclaimed")
        notify_gift_declined(gift=gift, friend=user)
        event_gift_declined(gift=gift)
    return gift


def claim_thank(*, gift: Gift, user, note: str) -> Claim:
    note = (note or "").strip() if isinstance(note, str) else None
    if not note or len(note) > 200:
        raise InvalidInput(_("Write a note of up to 200 characters."), field="note")
    claim = Claim.objects.filter(gift=gift, recipient=user).first()
    thankable = {Claim.Status.ACCEPTED, Claim.Status.SHIPPED, Claim.Status.OUT_FOR_DELIVERY, Claim.Status.DELIVERED,
                 Claim.Status.RETURNED, Claim.Status.REFUNDED}
    if claim is None or claim.status not in thankable:
        raise NotClaimed()
    Claim.objects.filter(id=claim.id).update(thank_you_note=note, thanked_at=timezone.now())
    claim.refresh_from_db(fields=["thank_you_note", "thanked_at"])
    claim.gift = gift
    notify_gift_thanked(claim=claim)
    event_gift_thanked(claim=claim)
    return claim
