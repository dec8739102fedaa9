"""Sending a gift: the order, the payment, opening the card once the payment is confirmed."""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from gifts.card_mail import TOPIC_CARD_EMAIL
from gifts.card_sms import TOPIC_CARD_SMS, card_sms_key
from gifts.covers import COVERS, DEFAULT_COVER
from gifts.errors import GiftNotOpen
from gifts.events import event_gift_paid
from gifts.models import Gift
from gifts.services.cards import gift_render_card_image
from gifts.tokens import gift_token, token_hash
from giftshop import page_cache
from giftshop.errors import Conflict, InvalidInput
from giftshop.models import OutboxMessage
from giftshop.outbox import outbox_put
from giftshop.sms import phone_normalized
from giftshop.transitions import transition
from orders.models import Order
from orders.payments.base import Payer
from orders.services.checkout import order_create, payment_start, variant_for_sale
from stores.models import StoreMember

logger = logging.getLogger(__name__)

TOPIC_RENDER_CARD = "gifts.render_card"
MAX_SINGLE_QUANTITY = 10
MAX_GROUP_QUANTITY = 100
MIN_CLAIM_HOURS, MAX_CLAIM_HOURS = 1, 168
MAX_CARD_EMAILS = 5


def _int(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(_("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}, field=name)
    return value


def gift_create(
    *,
    sender,
    variant_id,
    quantity: int = 1,
    mode: str = Gift.Mode.SINGLE,
    claim_rule: str = Gift.ClaimRule.FIRST_COME,
    message: str = "",
    cover: str | None = None,
    claim_hours: int = 24,
    draw_at=None,
    friend_email: str = "",
    friend_phone: str = "",
    payer: Payer | None = None,
) -> Gift:
    """`friend_email`, `friend_phone`: where the worker mails and texts the card the moment it is
    paid (optional; the reminder before it closes goes there too). `payer` (from the sender's
    request) lets the provider choose its checkout for the device."""
    friend_email = _friend_email(friend_email)
    friend_phone = _friend_phone(friend_phone)
    errors = {}
    if mode not in Gift.Mode.values:
        errors["mode"] = [_("Choose single or group.")]
    single_lottery = mode == Gift.Mode.SINGLE and claim_rule != Gift.ClaimRule.FIRST_COME
    if claim_rule not in Gift.ClaimRule.values or single_lottery:
        errors["claim_rule"] = [_("A lottery needs a group gift.")]
    message = message or ""
    if not isinstance(message, str) or len(message) > 200:
        errors["message"] = [_("Keep the message to 200 characters.")]
    cover = cover or DEFAULT_COVER
    if cover not in COVERS:
        errors["cover"] = [_("Choose one of the cover themes.")]
    if errors:
        raise InvalidInput(fields=errors)
    _int(quantity, "quantity", 1, MAX_SINGLE_QUANTITY if mode == Gift.Mode.SINGLE else MAX_GROUP_QUANTITY)
    _int(claim_hours, "claim_hours", MIN_CLAIM_HOURS, MAX_CLAIM_HOURS)
    if claim_rule == Gift.ClaimRule.LOTTERY:
        now = timezone.now()
        if draw_at is None:
            raise InvalidInput(_("Choose when the draw takes place."), field="draw_at")
        # The card opens only once paid, up to a payment window later: a draw before that would
        # find no entries. And winners need at least an hour to give an address.
        earliest = now + timedelta(minutes=settings.PAYMENT_WINDOW_MINUTES)
        if not (earliest <= draw_at <= now + timedelta(hours=claim_hours - 1)):
            raise InvalidInput(
                _("The draw must be at least %(minutes)s minutes away and at least an hour before the claim "
                  "window ends.") % {"minutes": settings.PAYMENT_WINDOW_MINUTES},
                field="draw_at",
            )
    else:
        draw_at = None
    variant = variant_for_sale(variant_id=variant_id, giftable=True)
    if StoreMember.objects.filter(store_id=variant.product.store_id, user_id=sender.pk).exists():
        # A store's team sees its shipments' addresses: a gift from your own store would show you
        # your friend's address, which the sender must never see.
        raise InvalidInput(_("You cannot send a gift from a store you work in."), field="variant_id")
    if variant.price_minor * quantity > settings.GIFT_PRICE_CAP_MINOR:
        raise InvalidInput(_("Gifts are limited in value on this platform; choose fewer units."), field="quantity")
    with transaction.atomic():
        order = order_create(buyer=sender, variant=variant, quantity=quantity, kind=Order.Kind.GIFT)
        gift = Gift.objects.create(
            order=order, sender=sender, variant=variant, quantity=quantity, mode=mode, claim_rule=claim_rule,
            message=message.strip(), cover=cover, claim_hours=claim_hours, draw_at=draw_at,
            card_emailed_to=friend_email, card_texted_to=friend_phone,
        )
    payment_start(payment=order.payments.get(), return_path=f"/gifts/{gift.id}/", payer=payer)
    return gift


def gift_open(*, order_id: int) -> Gift | None:
    """The order behind a gift is paid: the card goes live and its claim window starts now."""
    gift = Gift.objects.select_related("sender", "variant__product", "order__store").filter(order_id=order_id).first()
    if gift is None or gift.status != Gift.Status.PENDING_PAYMENT:
        return gift
    # The card image first, outside the transaction (it takes tens of milliseconds of Pillow): a chat
    # app fetches the link's preview the moment it is pasted and keeps that first answer, so the
    # picture must exist before the link can be shown. If drawing fails, the gift opens all the same
    # and the outbox's render_card below draws it.
    try:
        gift_render_card_image(gift=gift)
    except Exception:
        logger.warning("card image for gift %s not drawn before opening; the outbox will retry", gift.id,
                       exc_info=True)
    with transaction.atomic():
        moved = transition(
            gift, Gift.Status.OPEN, reason="paid",
            extra={
                "expires_at": Now() + timedelta(hours=gift.claim_hours),
                "opened_at": Now(),
                "token_hash": token_hash(gift_token(gift_id=gift.id, version=gift.token_version)),
            },
        )
        if moved:
            event_gift_paid(gift=gift)
            outbox_put(topic=TOPIC_RENDER_CARD, key=f"card:{gift.id}", payload={"gift_id": gift.id})
            if gift.card_emailed_to:  # the sender gave the friend's address: the card goes out now
                outbox_put(topic=TOPIC_CARD_EMAIL, key=_card_email_key(gift, gift.card_emailed_to),
                           payload={"gift_id": gift.id, "email": gift.card_emailed_to})
            if gift.card_texted_to:
                outbox_put(topic=TOPIC_CARD_SMS, key=card_sms_key(gift, "card"),
                           payload={"gift_id": gift.id, "phone": gift.card_texted_to, "kind": "card"})
    return gift


def gift_mark_unpaid(*, order_id: int) -> None:
    gift = Gift.objects.filter(order_id=order_id, status=Gift.Status.PENDING_PAYMENT).first()
    if gift:
        transition(gift, Gift.Status.PAYMENT_FAILED, reason="not paid", extra={"closed_at": Now()})


@transaction.atomic
def gift_revoke_link(*, gift: Gift) -> Gift:
    """A leaked link stops working; the sender gets a new one, and a new QR code (the old one holds
    the old link), rendered again by the outbox."""
    if gift.status != Gift.Status.OPEN:
        raise GiftNotOpen()  # a closed card has nothing left to protect, and its page says so
    version = gift.token_version + 1
    old_qr = gift.qr_image.name
    moved = Gift.objects.filter(id=gift.id, token_version=gift.token_version).update(
        token_version=version, token_hash=token_hash(gift_token(gift_id=gift.id, version=version)), qr_image=""
    )
    gift.refresh_from_db(fields=["token_version", "token_hash", "qr_image"])
    if moved:
        page_cache.changed(gift)
        outbox_put(topic=TOPIC_RENDER_CARD, key=f"card:{gift.id}:v{version}", payload={"gift_id": gift.id})
        if old_qr:
            transaction.on_commit(lambda: gift.qr_image.storage.delete(old_qr))
    return gift


def gift_email_card(*, gift: Gift, email: str) -> Gift:
    """Send the card link by email (DESIGN §2); the address is kept so the friend gets the
    reminder before the window closes. The same address twice is one mail."""
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(_("Enter an email address."), field="email") from None
    if gift.status != Gift.Status.OPEN:
        raise GiftNotOpen()
    prefix = f"card-email:{gift.id}:"
    key = _card_email_key(gift, email)
    sent = OutboxMessage.objects.filter(key__startswith=prefix)
    if sent.count() >= MAX_CARD_EMAILS and not sent.filter(key=key).exists():
        # The sender's name goes out in the subject: the shop must not become a mail relay.
        raise Conflict(_("This card has been emailed enough times; share the link instead."), code="too_many_emails")
    with transaction.atomic():
        Gift.objects.filter(id=gift.id).update(card_emailed_to=email)
        outbox_put(topic=TOPIC_CARD_EMAIL, key=key, payload={"gift_id": gift.id, "email": email})
    gift.card_emailed_to = email
    return gift


def _card_email_key(gift: Gift, email: str) -> str:
    """One mail per gift, card link version and address."""
    return f"card-email:{gift.id}:v{gift.token_version}:{hashlib.sha256(email.encode()).hexdigest()[:24]}"


def _friend_phone(value) -> str:
    if value in (None, ""):
        return ""
    try:
        return phone_normalized(value)
    except ValueError:
        raise InvalidInput(
            _("Enter your friend's mobile number (digits, with + and the country code if abroad), or leave it empty."),
            field="friend_phone",
        ) from None


def _friend_email(value) -> str:
    email = (value or "").strip().lower() if isinstance(value, str) else ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                _("Enter your friend's email address, or leave it empty."), field="friend_email"
            ) from None
    return email
