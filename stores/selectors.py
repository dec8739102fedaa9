"""Reads for the catalog and the console, with their joins; and the access helpers, the only way a
view gets a store, product, variant or photo that a user may change (404 when it is not theirs)."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from giftshop.errors import NotFound, PermissionDenied
from stores.models import Product, ProductImage, Store, StoreMember, Variant


def store_list_public() -> QuerySet[Store]:
    # The count is a subquery per store, not a GROUP BY over every product: with ORDER BY and LIMIT,
    # PostgreSQL counts only the stores it shows (home: 12 of 10,000; bench/plans/page-home.txt).
    on_sale = Product.objects.filter(store=OuterRef("pk"), is_active=True).order_by().values("store")
    return (
        Store.objects.filter(is_active=True)
        .annotate(product_count=Coalesce(Subquery(on_sale.annotate(n=Count("*")).values("n")), 0))
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
    # No aggregate over the variants here: a GROUP BY over the join made PostgreSQL read every
    # product to sort 20 of them (500 ms at 100,000 products). The tiles' price and "sold out" come
    # from the prefetched variants instead (Product.min_price_minor, price_varies, sold_out).
    return products.select_related("store").prefetch_related("images", "variants").order_by("-created_at", "-id")


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


def user_has_store(user) -> bool:
    """Whether this user is a member (owner or staff) of any store: the header offers the merchant
    console to members and "Open a store" to everyone else signed in. One query."""
    if not getattr(user, "is_authenticated", False):
        return False
    return StoreMember.objects.filter(user_id=user.pk).exists()


def member_role(*, store: Store, user) -> str | None:
    return StoreMember.objects.filter(store=store, user=user).values_list("role", flat=True).first()


def is_platform_staff(user) -> bool:
    """Platform staff (the Django admin's users) may do what a store's owner may, for support."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def is_store_owner(*, store: Store, user) -> bool:
    if is_platform_staff(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return member_role(store=store, user=user) == StoreMember.Role.OWNER


def ensure_store_member(*, store_id: int, actor, platform_staff: bool = False) -> None:
    """The "members only" rule: owners and staff of the store (its catalogue; packing, dispatch and
    refunds of its parcels); with platform_staff=True, the admin's users too (catalogue support).
    NotFound otherwise, so another store's object is never told apart from a missing one."""
    if platform_staff and is_platform_staff(actor):
        return
    if not getattr(actor, "is_authenticated", False) or not StoreMember.objects.filter(
        store_id=store_id, user_id=actor.pk
    ).exists():
        raise NotFound()


def ensure_store_owner(*, store: Store, actor) -> None:
    """The one "owners only" rule (store settings, opening and closing, the team). Services call it
    with their actor; entry points may call it first, so access is refused before input is read."""
    if not is_store_owner(store=store, user=actor):
        raise PermissionDenied(_("Only the store's owners can do this."))


def access_store_by_slug(*, user, slug: str, owner: bool = False) -> Store:
    """A store this user is a member of (404 otherwise); with owner=True, one they own (403 for
    its staff, who can see it)."""
    store = Store.objects.filter(slug=slug, members__user=user).first() if user.is_authenticated else None
    if store is None:
        raise NotFound()
    if owner:
        ensure_store_owner(store=store, actor=user)
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
