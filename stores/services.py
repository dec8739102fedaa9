"""Writes for stores, members, products, variants and photos. Entry points call these only."""

from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from giftshop import page_cache
from giftshop.errors import Conflict, InvalidInput, NotFound, clean_or_raise
from giftshop.money import DEFAULT_CURRENCY
from stores import images
from stores.models import Product, ProductImage, Store, StoreMember, Variant
from stores.selectors import ensure_store_member, ensure_store_owner

PRODUCT_FIELDS = ("title", "description", "giftable", "is_active")
STORE_FIELDS = ("name", "description", "ship_within_hours", "is_active")
VARIANT_FIELDS = ("name", "sku", "price_minor", "stock")


@transaction.atomic
def store_create(*, owner: User, name: str, slug: str, description: str = "", ship_within_hours: int = 48) -> Store:
    slug = (slug or "").strip().lower()
    store = Store(name=name, slug=slug, description=description or "", ship_within_hours=ship_within_hours)
    clean_or_raise(store)
    try:
        with transaction.atomic():
            store.save()
    except IntegrityError:  # two requests raced for the same slug past clean()
        raise InvalidInput(_("This address is already taken."), field="slug") from None
    StoreMember.objects.create(store=store, user=owner, role=StoreMember.Role.OWNER)
    return store


@transaction.atomic
def store_update(*, store: Store, actor: User, **fields) -> Store:
    """Owners only (and platform staff): name, description, ship-by promise, open or closed."""
    ensure_store_owner(store=store, actor=actor)
    for name, value in fields.items():
        if name not in STORE_FIELDS:
            raise InvalidInput(_("This field cannot be changed."), field=name)
        setattr(store, name, value)
    clean_or_raise(store)
    store.save()
    return store


@transaction.atomic
def store_member_add(*, store: Store, actor: User, username: str, role: str = StoreMember.Role.STAFF) -> StoreMember:
    ensure_store_owner(store=store, actor=actor)
    if role not in StoreMember.Role.values:
        raise InvalidInput(_("Choose owner or staff."), field="role")
    user = User.objects.filter(username__iexact=(username or "").strip(), is_active=True).first()
    if user is None:
        raise InvalidInput(_("No account has this username."), field="username")
    member, created = StoreMember.objects.get_or_create(store=store, user=user, defaults={"role": role})
    if not created:
        raise InvalidInput(_("This person is already on the team."), field="username")
    return member


@transaction.atomic
def store_member_remove(*, store: Store, actor: User, member_id: int) -> None:
    ensure_store_owner(store=store, actor=actor)
    member = StoreMember.objects.select_for_update().filter(store=store, id=member_id).first()
    if member is None:  # not this store's (perhaps another store's member): not found, as any other id
        raise NotFound(_("This person is not on the team."))
    if member.role == StoreMember.Role.OWNER and store.members.filter(role=StoreMember.Role.OWNER).count() == 1:
        raise InvalidInput(_("A store needs at least one owner."), field="member")
    member.delete()


def _unique_product_slug(store, title, exclude_id=None):
    base = slugify(title, allow_unicode=True)[:120] or "product"
    taken = set(
        Product.objects.filter(store=store, slug__startswith=base).exclude(id=exclude_id).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _variant_build(product, data, position):
    data = dict(data)
    currency = (data.pop("currency", None) or DEFAULT_CURRENCY).upper()
    unknown = set(data) - set(VARIANT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown variant fields."), fields={f: [_("Unknown field.")] for f in sorted(unknown)})
    variant = Variant(product=product, currency=currency, position=position, **data)
    clean_or_raise(variant, exclude=["product"])
    return variant


def _check_skus_unique_in_store(store, skus, exclude_variant_id=None):
    seen = set()
    for sku in skus:
        if sku in seen:
            raise InvalidInput(_("Each variant needs its own SKU."), field="sku")
        seen.add(sku)
    clash = Variant.objects.filter(product__store=store, sku__in=list(seen)).exclude(id=exclude_variant_id)
    if clash.exists():
        raise InvalidInput(_("This SKU is already used in this store."), field="sku")


def _ensure_catalogue(store_id: int, actor) -> None:
    """The catalogue is its store's members' to change (and platform staff's, for support)."""
    ensure_store_member(store_id=store_id, actor=actor, platform_staff=True)


@transaction.atomic
def product_create(
    *,
    store: Store,
    actor: User,
    title: str,
    description: str = "",
    giftable: bool = True,
    is_active: bool = True,
    variants: list[dict] | None = None,
) -> Product:
    _ensure_catalogue(store.id, actor)
    product = Product(store=store, title=(title or "").strip(), description=description or "", giftable=giftable,
                      is_active=is_active)
    product.slug = _unique_product_slug(store, product.title)
    clean_or_raise(product)
    product.save()
    built = [_variant_build(product, data, position) for position, data in enumerate(variants or [])]
    _check_skus_unique_in_store(store, [v.sku for v in built])
    for variant in built:
        variant.save()
    return product


@transaction.atomic
def product_update(*, product: Product, actor: User, **fields) -> Product:
    _ensure_catalogue(product.store_id, actor)
    for name, value in fields.items():
        if name not in PRODUCT_FIELDS:
            raise InvalidInput(_("This field cannot be changed."), field=name)
        setattr(product, name, value.strip() if name == "title" and isinstance(value, str) else value)
    if "title" in fields:
        product.slug = _unique_product_slug(product.store, product.title, exclude_id=product.id)
    clean_or_raise(product)
    product.save()
    return product


@transaction.atomic
def variant_create(*, product: Product, actor: User, name: str, sku: str, price_minor: int, stock: int = 0,
                   currency: str = DEFAULT_CURRENCY) -> Variant:
    _ensure_catalogue(product.store_id, actor)
    position = (product.variants.aggregate(m=Max("position"))["m"] or 0) + 1
    variant = _variant_build(
        product, {"name": name, "sku": sku, "price_minor": price_minor, "stock": stock, "currency": currency}, position
    )
    _check_skus_unique_in_store(product.store, [variant.sku])
    variant.save()
    return variant


@transaction.atomic
def variant_update(*, variant: Variant, actor: User, **fields) -> Variant:
    _ensure_catalogue(variant.product.store_id, actor)
    for name, value in fields.items():
        if name not in VARIANT_FIELDS:
            raise InvalidInput(_("This field cannot be changed."), field=name)
        setattr(variant, name, value)
    clean_or_raise(variant, exclude=["product"])
    if "sku" in fields:
        _check_skus_unique_in_store(variant.product.store, [variant.sku], exclude_variant_id=variant.id)
    # Only the fields asked for: a rename must never write back a stock value read earlier, while
    # orders were reserving and releasing units (stock moves by conditional updates elsewhere).
    variant.save(update_fields=list(fields))
    return variant


@transaction.atomic
def variant_delete(*, variant: Variant, actor: User) -> None:
    _ensure_catalogue(variant.product.store_id, actor)
    if variant.product.variants.count() == 1:
        raise InvalidInput(_("A product needs at least one variant."), field="variant")
    try:
        with transaction.atomic():
            variant.delete()
    except (ProtectedError, RestrictedError):
        # Order lines keep the variant they sold (PROTECT); the merchant can stop selling it instead.
        raise Conflict(
            _("This variant has been ordered and cannot be deleted. Set its stock to 0 instead."),
            code="variant_in_use",
        ) from None


def product_image_add(*, product: Product, actor: User, upload) -> ProductImage:
    _ensure_catalogue(product.store_id, actor)
    processed = images.process_upload(upload)  # decode and re-encode before any write
    with transaction.atomic():
        position = (product.images.aggregate(m=Max("position"))["m"] or 0) + 1
        image = ProductImage(product=product, position=position)
        image.image.save(processed.image.name, processed.image, save=False)
        image.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
        image.save()
    return image


@transaction.atomic
def product_images_reorder(*, product: Product, actor: User, image_ids: list[int]) -> None:
    """Put the product's photos in the given order (the first is the cover)."""
    _ensure_catalogue(product.store_id, actor)
    current = list(product.images.values_list("id", flat=True))
    if sorted(current) != sorted(int(i) for i in image_ids):
        raise InvalidInput(_("List every photo of this product exactly once."), field="image_ids")
    for position, image_id in enumerate(image_ids):
        ProductImage.objects.filter(product=product, id=image_id).update(position=position)
    page_cache.changed(product)


def product_image_move(*, image: ProductImage, actor: User, offset: int) -> None:
    """Move a photo one place earlier (-1) or later (+1)."""
    ids = list(image.product.images.values_list("id", flat=True))
    index = ids.index(image.id)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    product_images_reorder(product=image.product, actor=actor, image_ids=ids)


def product_image_delete(*, image: ProductImage, actor: User) -> None:
    _ensure_catalogue(image.product.store_id, actor)
    files = [image.image, image.thumbnail]
    with transaction.atomic():
        image.delete()
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files if f.name])
