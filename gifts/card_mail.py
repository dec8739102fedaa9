"""The gift card by email (DESIGN §2, issue 9): HTML with the card image inline and plain text,
the card link, the sender's name and message, never a price. Written in the recipient's language
when the shop knows it (an account with that address), else the sender's.

The outbox carries only the gift's id and the address (`TOPIC_CARD_EMAIL`): the link holds the card
token, which the database never keeps, so the consumer recomputes it when it sends. A message
relayed twice is sent once (the cache remembers its key). A gift no longer open is not mailed."""

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from gifts.models import Gift
from gifts.tokens import gift_share_url

TOPIC_CARD_EMAIL = "gifts.card_email"
SENT_MARK_SECONDS = 7 * 24 * 3600
CARD_CID = "gift-card"


def _language(gift: Gift, email: str) -> str:
    known = User.objects.filter(email__iexact=email).exclude(language="").values_list("language", flat=True).first()
    return known or gift.sender.language or settings.LANGUAGE_CODE


def card_email_send(*, gift_id: int, email: str, key: str) -> str:
    gift = Gift.objects.select_related("sender", "variant__product").filter(id=gift_id).first()
    if gift is None or gift.status != Gift.Status.OPEN:
        return "not open"
    mark = f"outbox:sent:{key}"
    if cache.get(mark):
        return "already sent"
    image = None
    if gift.card_image:
        with gift.card_image.open("rb") as handle:  # through the storage: works on S3 too
            image = handle.read()
    with translation.override(_language(gift, email)):
        context = {
            "sender": gift.sender.public_name,
            "message": gift.message,
            "product": gift.variant.product.title,
            "url": gift_share_url(gift=gift),
            "expires_at": gift.expires_at,
            "card_cid": CARD_CID if image else "",
        }
        message = EmailMultiAlternatives(
            subject=render_to_string("gifts/email/card_subject.txt", context).strip(),
            body=render_to_string("gifts/email/card.txt", context),
            to=[email],
        )
        message.attach_alternative(render_to_string("gifts/email/card.html", context), "text/html")
    if image:
        message.mixed_subtype = "related"
        picture = MIMEImage(image, "png")
        picture.add_header("Content-ID", f"<{CARD_CID}>")
        picture.add_header("Content-Disposition", "inline", filename="gift-card.png")
        message.attach(picture)
    message.send()
    cache.set(mark, True, SENT_MARK_SECONDS)
    return "sent"
