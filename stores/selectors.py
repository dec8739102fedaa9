"""Reads for the catalog and the console, with their joins; and the access helpers, the only way a
view gets a store, product, variant or photo that a user may change (404 when it is not theirs)."""

from django.db.models import Count, Min, Prefetch, Q, QuerySet

from giftshop.errors import NotFound
from stores.models import Product, ProductImage, Store, StoreMember, Variant


def store_list_public() -> QuerySet[Store]:
    # Explicit order: Meta.ordering is not applied to a query with an aggregate (GROUP BY).
    return (
        Store.objects.filter(is_active=True)
        .annotate(product_count=Count("products", filter=Q(products__is_active=True)))
        .order_by("name", "id")
    )


def store_get_public(*, slug: str) -> Store:
    store = Store.objects.filter(is_active=True, slug=slug).first()
    if store is None:
        raise NotFound()
    return store


def product_list_public(
    *, store: Store | None = None, store_slug: str | None = None, q: str | None = None
) -> QuerySet[Product]:
    products = Product.objects.filter(is_active=True, store__is_active=True)
    if store is not None:
        products = products.filter(store=store)
    if store_slug:
        products = products.filter(store__slug=store_slug)
    if q:
        products = products.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return (
        products.select_related("store")
        .prefetch_related("images", "variants")
        .annotate(min_price_minor=Min("variants__price_minor"))
        .order_by("-created_at", "-id")
    )


def product_get_public(*, product_id) -> Product:
    product = product_list_public().filter(id=product_id).first()
    if product is None:
        raise NotFound()
    return product


# --- console access -------------------------------------------------------------------------

def store_list_for_member(*, user) -> QuerySet[Store]:
    if not user.is_authenticated:
        return Store.objects.none()
    return (
        Store.objects.filter(members__user=user)
        .annotate(product_count=Count("products", distinct=True))
        .order_by("name", "id")
    )


def member_role(*, store: Store, user) -> str | None:
    return StoreMember.objects.filter(store=store, user=user).values_list("role", flat=True).first()


def access_store_by_slug(*, user, slug: str) -> Store:
    store = Store.objects.filter(slug=slug, members__user=user).first() if user.is_authenticated else None
    if store is None:
        raise NotFound()
    return store


def access_product_by_id(*, user, product_id) -> Product:
    product = None
    if user.is_authenticated and str(product_id).isdigit():
        product = Product.objects.select_related("store").filter(id=product_id, store__members__user=user).first()
    if product is None:
        raise NotFound()
    return product


def access_variant_by_id(*, user, variant_id) -> Variant:
    variant = None
    if user.is_authenticated and str(variant_id).isdigit():
        variant = (
            Variant.objects.select_related("product__store")
            .filter(id=variant_id, product__store__members__user=user)
            .first()
        )
    if variant is None:
        raise NotFound()
    return variant


def access_image_by_id(*, user, image_id) -> ProductImage:
    image = None
    if user.is_authenticated and str(image_id).isdigit():
        image = (
            ProductImage.objects.select_related("product__store")
            .filter(id=image_id, product__store__members__user=user)
            .first()
        )
    if image is None:
        raise NotFound()
    return image


def product_list_for_store(*, store: Store) -> QuerySet[Product]:
    return (
        store.products.all()
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")), "variants")
    )
