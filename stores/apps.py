from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("Stores and catalog")

    def ready(self):
        from giftshop import page_cache
        from stores.models import Product, ProductImage, Store, Variant
        from stores.stock import store_of_variant

        # The pages that show a store's catalogue and stock (giftshop.page_cache) follow these.
        page_cache.watch(Store, lambda store: {"store": store.pk})
        page_cache.watch(Product, lambda product: {"store": product.store_id})
        page_cache.watch(Variant, lambda variant: {"store": store_of_variant(variant.pk)})
        page_cache.watch(ProductImage, lambda image: {"store": Product.objects.filter(
            id=image.product_id).values_list("store_id", flat=True).first()})
