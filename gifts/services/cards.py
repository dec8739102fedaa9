"""Rendering a gift's card image and QR code, once each.

The card image holds no token: it is drawn before the gift opens (`gifts.services.sending.gift_open`),
so the first link preview a chat app fetches already has its picture. The QR code holds the link,
so it is drawn after, by the outbox (and again after a revoke); the outbox also draws a card image
that is still missing (its first drawing failed).
"""

import logging
import secrets

from django.core.files.base import ContentFile

from gifts.card_image import render_card, render_qr
from gifts.models import Gift
from gifts.tokens import gift_share_url
from giftshop import page_cache

logger = logging.getLogger(__name__)


def _card_png(gift: Gift) -> bytes:
    product = gift.variant.product
    cover_photo = product.images.order_by("position", "id").first()
    fields = {"sender_name": gift.sender.public_name, "message": gift.message, "product_title": product.title,
              "cover_code": gift.cover}
    if cover_photo is None:
        return render_card(**fields)
    try:
        photo = cover_photo.image.open("rb")
    except OSError:  # the file went missing from storage: a card without the photo beats no card
        logger.warning("card image for gift %s drawn without its photo (cannot be read)", gift.id)
        return render_card(**fields)
    with photo:
        return render_card(**fields, photo=photo)


def gift_render_card_image(*, gift: Gift) -> bool:
    """Draw the card image if the gift has none yet; True if it was drawn. Saves the field alone."""
    if gift.card_image:
        return False
    # An unguessable name: no id and no token in the public address.
    gift.card_image.save(f"{secrets.token_urlsafe(24)}.png", ContentFile(_card_png(gift)), save=False)
    if Gift.objects.filter(id=gift.id, card_image="").update(card_image=gift.card_image.name):
        page_cache.changed(gift)  # the card page's link preview image
    return True


def gift_render_card(*, gift_id: int) -> Gift:
    """The outbox's part: the QR code once the gift has its link, and a card image still missing."""
    gift = Gift.objects.select_related("sender", "variant__product").get(id=gift_id)
    gift_render_card_image(gift=gift)
    if not gift.qr_image and gift.token_hash:
        gift.qr_image.save(f"{secrets.token_urlsafe(24)}.png", ContentFile(render_qr(gift_share_url(gift=gift))),
                           save=False)
        Gift.objects.filter(id=gift.id).update(qr_image=gift.qr_image.name)
    return gift
