from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class GiftshopConfig(AppConfig):
    name = "giftshop"
    verbose_name = "giftshop infrastructure"

    def ready(self):
        # Outbox consumers register themselves in each app's consumers.py.
        autodiscover_modules("consumers")
