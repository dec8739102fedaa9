"""The gift card by text message (issue 9): the sender gave the friend's phone number, and the
worker sends the card link as it opens, and a reminder before the window closes. Like the card
email (gifts.card_mail): no price, the link recomputed at sending (the database keeps no token),
in the sender's language (the shop knows no language for a phone number), once per key."""

from django.core.cache import cache
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from gifts.models import Gift
from gifts.tokens import gift_share_url
from giftshop.sms import sms_send

TOPIC_CARD_SMS = "gifts.card_sms"
SENT_MARK_SECONDS = 7 * 24 * 3600


def card_sms_key(gift: Gift, kind: str) -> str:
    return f"card-sms:{gift.id}:v{gift.token_version}:{kind}"


def card_sms_send(*, gift_id: int, phone: str, kind: str, key: str) -> str:
    """kind: "card" (it is yours, open it) or "reminder" (it closes soon)."""
    gift = Gift.objects.select_related("sender").filter(id=gift_id).first()
    if gift is None or gift.status != Gift.Status.OPEN:
        return "not open"
    mark = f"outbox:sent:{key}"
    if cache.get(mark):
        return "already sent"
    with translation.override(gift.sender.language or None):
        values = {"name": gift.sender.public_name, "url": gift_share_url(gift=gift),
                  "until": formats.date_format(timezone.localtime(gift.expires_at), "DATETIME_FORMAT")}
        if kind == "reminder":
            text = _("%(name)s's gift for you closes soon (%(until)s). Open it here: %(url)s") % values
        else:
            text = _("%(name)s sent you a gift! Choose where it goes by %(until)s: %(url)s") % values
    sms_send(to=phone, text=text)
    cache.set(mark, True, SENT_MARK_SECONDS)
    return "sent"
