"""factory_boy factories. Build state through services where a rule is involved; these make rows."""

import factory
from django.contrib.auth import get_user_model

from logistics.models import Address
from stores.models import Product, Store, StoreMember, Variant


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.LazyAttribute(lambda u: u.username.title())
    language = "en"  # the language the shop speaks to it by default: no first-request UPDATE in query counts
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Store {n}")
    slug = factory.Sequence(lambda n: f"store-{n}")
    description = "A small shop."

    @factory.post_generation
    def owner(store, create, extracted, **kwargs):
        """StoreFactory(owner=user) makes `user` its owner; otherwise a new user is."""
        if create:
            StoreMember.objects.create(store=store, user=extracted or UserFactory(), role=StoreMember.Role.OWNER)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    store = factory.SubFactory(StoreFactory)
    title = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "Something nice."


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"Variant {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    price_minor = 9900
    currency = "CNY"
    stock = 10


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    recipient_name = "Li Lei"
    phone = "13800138000"
    country = "CN"
    region = "Shanghai"
    city = "Shanghai"
    district = "Xuhui"
    street = "88 Tianyaoqiao Road"
    postal_code = "200030"
    is_default = False


def member_of(thing):
    """A member (the first: the owner) of the store of a shipment, product, variant or photo, or of
    a store: who may dispatch its parcels and change its catalogue."""
    while not isinstance(thing, Store):
        thing = thing.store if hasattr(thing, "store") else thing.product
    store = thing
    return StoreMember.objects.select_related("user").filter(store=store).order_by("id").first().user
