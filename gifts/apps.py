from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GiftsConfig(AppConfig):
    name = "gifts"
    verbose_name = _("Gifts and claims")

    def ready(self):
        from gifts.models import Claim, Gift
        from giftshop import page_cache

        # The card page (giftshop.page_cache) follows its gift and the gift's claims.
        page_cache.watch(Gift, lambda gift: {"gift": gift.pk})
        page_cache.watch(Claim, lambda claim: {"gift": claim.gift_id})
