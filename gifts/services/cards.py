"""Rendering a gift's card image and QR code, once, after it opens (an outbox consumer)."""

import secrets

from django.core.files.base import ContentFile

from gifts.card_image import render_card, render_qr
from gifts.models import Gift
from gifts.services.sending import gift_share_url


def gift_render_card(*, gift_id: int) -> Gift:
    gift = Gift.objects.select_related("sender", "variant__product").get(id=gift_id)
    changed = []
    if not gift.card_image:
        product = gift.variant.product
        cover_photo = product.images.order_by("position", "id").first()
        png = render_card(
            sender_name=gift.sender.public_name, message=gift.message, product_title=product.title,
            cover_code=gift.cover, photo_path=cover_photo.image.path if cover_photo else None,
        )
        # An unguessable name: no id and no token in the public address.
        gift.card_image.save(f"{secrets.token_urlsafe(24)}.png", ContentFile(png), save=False)
        changed.append("card_image")
    if not gift.qr_image and gift.token_hash:
        gift.qr_image.save(f"{secrets.token_urlsafe(24)}.png", ContentFile(render_qr(gift_share_url(gift=gift))),
                           save=False)
        changed.append("qr_image")
    if changed:
        Gift.objects.filter(id=gift.id).update(**{name: getattr(gift, name).name for name in changed})
    return gift
