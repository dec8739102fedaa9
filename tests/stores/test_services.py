"""stores.services: slugs, SKUs, teams, variants and photo order."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError

from giftshop.errors import Conflict, InvalidInput, PermissionDenied
from stores import services
from stores.models import Product, ProductImage, Store, StoreMember, Variant
from tests.factories import UserFactory, member_of

pytestmark = pytest.mark.django_db


def variant(sku, price_minor=1000, stock=1, name=None):
    return {"name": name or sku, "sku": sku, "price_minor": price_minor, "stock": stock}


# --- stores ----------------------------------------------------------------------------------


def test_store_create_makes_the_creator_its_owner_and_lowercases_the_slug(user):
    store = services.store_create(owner=user, name="Tea House", slug="  Tea-House ")

    assert store.slug == "tea-house"
    assert list(store.members.values_list("user__username", "role")) == [("alice", "owner")]


def test_store_create_refuses_a_taken_slug(user, other_user, store):
    with pytest.raises(InvalidInput) as error:
        services.store_create(owner=other_user, name="Copy", slug="tea-house")

    assert "slug" in error.value.fields
    assert StoreMember.objects.filter(user=other_user).count() == 0


@pytest.mark.parametrize("hours", [0, 721])
def test_store_create_refuses_ship_within_hours_out_of_range(user, hours):
    with pytest.raises(InvalidInput) as error:
        services.store_create(owner=user, name="Slow", slug="slow", ship_within_hours=hours)

    assert "ship_within_hours" in error.value.fields


def test_store_update_changes_allowed_fields_and_refuses_others(store):
    services.store_update(store=store, actor=store.members.get().user, name="Tea Garden", is_active=False)
    store.refresh_from_db()
    assert (store.name, store.is_active) == ("Tea Garden", False)

    with pytest.raises(InvalidInput) as error:
        services.store_update(store=store, actor=store.members.get().user, slug="stolen")
    assert "slug" in error.value.fields


# --- team ------------------------------------------------------------------------------------


def test_owner_adds_staff_by_username_in_any_case(store, user):
    UserFactory(username="Bob")

    member = services.store_member_add(store=store, actor=user, username=" bob ", role="staff")

    assert (member.user.username, member.role) == ("Bob", "staff")


def test_staff_cannot_add_members(store, staff_user):
    UserFactory(username="carol")

    with pytest.raises(PermissionDenied):
        services.store_member_add(store=store, actor=staff_user, username="carol")

    assert not store.members.filter(user__username="carol").exists()


def test_outsider_cannot_add_members(store, other_user):
    UserFactory(username="carol")

    with pytest.raises(PermissionDenied):
        services.store_member_add(store=store, actor=other_user, username="carol")


@pytest.mark.parametrize(
    ("username", "role", "field"),
    [
        ("nobody", "staff", "username"),
        ("carol", "admin", "role"),
        ("bob", "staff", "username"),
        ("ghost", "staff", "username"),
    ],
)
def test_store_member_add_refuses_bad_input(store, user, staff_user, username, role, field):
    UserFactory(username="carol")
    UserFactory(username="ghost", is_active=False)

    with pytest.raises(InvalidInput) as error:
        services.store_member_add(store=store, actor=user, username=username, role=role)

    assert field in error.value.fields
    assert store.members.count() == 2  # alice and bob, nobody added


def test_the_last_owner_cannot_be_removed(store, user):
    owner = store.members.get(user=user)

    with pytest.raises(InvalidInput):
        services.store_member_remove(store=store, actor=user, member_id=owner.id)

    assert store.members.filter(id=owner.id).exists()


def test_an_owner_removes_staff_but_staff_cannot_remove_anyone(store, user, staff_user):
    bob = store.members.get(user=staff_user)
    alice = store.members.get(user=user)

    with pytest.raises(PermissionDenied):
        services.store_member_remove(store=store, actor=staff_user, member_id=alice.id)
    services.store_member_remove(store=store, actor=user, member_id=bob.id)

    assert list(store.members.values_list("user__username", flat=True)) == ["alice"]


# --- products and slugs ----------------------------------------------------------------------


def test_product_slugs_are_unique_within_a_store_only(store, other_store):
    first = services.product_create(store=store, actor=member_of(store), title="Jasmine Tea", variants=[variant("A")])
    second = services.product_create(store=store, actor=member_of(store), title="Jasmine Tea", variants=[variant("B")])
    third = services.product_create(store=store, actor=member_of(store), title="Jasmine  tea!", variants=[variant("C")])
    elsewhere = services.product_create(
        store=other_store, actor=member_of(other_store), title="Jasmine Tea", variants=[variant("A")]
    )

    assert [first.slug, second.slug, third.slug] == ["jasmine-tea", "jasmine-tea-2", "jasmine-tea-3"]
    assert elsewhere.slug == "jasmine-tea"


def test_product_slug_keeps_chinese_and_falls_back_when_empty(store):
    chinese = services.product_create(store=store, actor=member_of(store), title="茉莉花茶", variants=[variant("A")])
    symbols = services.product_create(store=store, actor=member_of(store), title="!!!", variants=[variant("B")])

    assert chinese.slug == "茉莉花茶"
    assert symbols.slug == "product"


def test_renaming_a_product_gives_it_a_fresh_unique_slug(store):
    services.product_create(store=store, actor=member_of(store), title="Oolong", variants=[variant("A")])
    product = services.product_create(store=store, actor=member_of(store), title="Green", variants=[variant("B")])

    services.product_update(product=product, actor=member_of(product), title="  Oolong ")
    assert (product.title, product.slug) == ("Oolong", "oolong-2")
    services.product_update(
        product=product, actor=member_of(product), title="Oolong"
    )  # its own slug does not count as taken
    assert product.slug == "oolong-2"


def test_product_update_refuses_unknown_fields_and_blank_titles(product):
    with pytest.raises(InvalidInput) as unknown:
        services.product_update(product=product, actor=member_of(product), store_id=123)
    with pytest.raises(InvalidInput) as blank:
        services.product_update(product=product, actor=member_of(product), title="   ")

    assert "store_id" in unknown.value.fields
    assert "title" in blank.value.fields


def test_product_create_writes_variants_in_order(store):
    product = services.product_create(
        store=store,
        actor=member_of(store),
        title="Box",
        variants=[variant("S", 1000), variant("M", 1500), variant("L", 2000)],
    )

    assert list(product.variants.values_list("sku", "position", "currency")) == [
        ("S", 0, "CNY"),
        ("M", 1, "CNY"),
        ("L", 2, "CNY"),
    ]


# --- SKUs and bounds -------------------------------------------------------------------------


def test_sku_must_be_unique_within_the_store(store, product):
    with pytest.raises(InvalidInput) as error:
        services.product_create(store=store, actor=member_of(store), title="Another", variants=[variant("JAS-100")])

    assert "sku" in error.value.fields
    assert Product.objects.filter(title="Another").count() == 0  # the whole create rolled back


def test_sku_repeated_inside_one_request_is_refused(store):
    with pytest.raises(InvalidInput):
        services.product_create(
            store=store, actor=member_of(store), title="Twins", variants=[variant("X"), variant("X")]
        )

    assert not Product.objects.filter(title="Twins").exists()


def test_the_same_sku_is_fine_in_another_store(product, other_store):
    other = services.product_create(
        store=other_store, actor=member_of(other_store), title="Copy", variants=[variant("JAS-100")]
    )

    assert other.variants.get().sku == "JAS-100"


def test_variant_create_and_update_refuse_a_sku_used_elsewhere_in_the_store(store, product):
    second = services.product_create(store=store, actor=member_of(store), title="Second", variants=[variant("SEC-1")])

    with pytest.raises(InvalidInput):
        services.variant_create(product=second, actor=member_of(second), name="Big", sku="JAS-100", price_minor=100)
    with pytest.raises(InvalidInput):
        services.variant_update(variant=second.variants.get(), actor=member_of(second.variants.get()), sku="JAS-100")
    services.variant_update(
        variant=second.variants.get(), actor=member_of(second.variants.get()), sku="SEC-1"
    )  # its own SKU is fine

    assert second.variants.get().sku == "SEC-1"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"price_minor": 0}, "price_minor"),
        ({"price_minor": 1_000_000_001}, "price_minor"),
        ({"stock": -1}, "stock"),
        ({"stock": 1_000_001}, "stock"),
        ({"name": ""}, "name"),
        ({"sku": "x" * 65}, "sku"),
    ],
)
def test_variant_update_enforces_bounds(product, fields, bad):
    target = product.variants.get()

    with pytest.raises(InvalidInput) as error:
        services.variant_update(variant=target, actor=member_of(target), **fields)

    assert bad in error.value.fields
    target.refresh_from_db()
    assert (target.price_minor, target.stock) == (4500, 7)


def test_variant_create_refuses_unknown_fields_and_bad_bounds(store):
    with pytest.raises(InvalidInput) as unknown:
        services.product_create(
            store=store, actor=member_of(store), title="X", variants=[{**variant("A"), "colour": "red"}]
        )
    with pytest.raises(InvalidInput) as price:
        services.product_create(store=store, actor=member_of(store), title="Y", variants=[variant("B", price_minor=0)])

    assert "colour" in unknown.value.fields
    assert "price_minor" in price.value.fields


# --- variants --------------------------------------------------------------------------------


def test_a_product_keeps_at_least_one_variant(product):
    only = product.variants.get()

    with pytest.raises(InvalidInput):
        services.variant_delete(variant=only, actor=member_of(only))

    assert Variant.objects.filter(id=only.id).exists()


def test_a_second_variant_can_be_deleted(product):
    extra = services.variant_create(
        product=product, actor=member_of(product), name="250 g", sku="JAS-250", price_minor=9000, stock=3
    )

    services.variant_delete(variant=extra, actor=member_of(extra))

    assert list(product.variants.values_list("sku", flat=True)) == ["JAS-100"]
    assert extra.position == 1


def test_deleting_a_variant_that_was_ordered_is_a_conflict(product, monkeypatch):
    extra = services.variant_create(
        product=product, actor=member_of(product), name="250 g", sku="JAS-250", price_minor=9000
    )

    def protected(self, *args, **kwargs):  # what an OrderLine's PROTECT foreign key raises
        raise ProtectedError("referenced", set())

    monkeypatch.setattr(Variant, "delete", protected)
    with pytest.raises(Conflict) as error:
        services.variant_delete(variant=extra, actor=member_of(extra))

    assert error.value.code == "variant_in_use"


# --- photos ----------------------------------------------------------------------------------


def add_photos(product, make_image, count):
    return [
        services.product_image_add(
            product=product,
            actor=member_of(product),
            upload=SimpleUploadedFile(f"p{i}.png", make_image("PNG"), content_type="image/png"),
        )
        for i in range(count)
    ]


def test_photos_are_added_last(product, make_image):
    a, b = add_photos(product, make_image, 2)

    assert list(product.images.values_list("id", flat=True)) == [a.id, b.id]
    assert a.position < b.position


def test_reorder_puts_photos_in_the_given_order(product, make_image):
    a, b, c = add_photos(product, make_image, 3)

    services.product_images_reorder(product=product, actor=member_of(product), image_ids=[c.id, a.id, b.id])

    assert list(product.images.values_list("id", "position")) == [(c.id, 0), (a.id, 1), (b.id, 2)]


@pytest.mark.parametrize("which", ["missing", "duplicate", "foreign"])
def test_reorder_needs_every_photo_exactly_once(product, other_product, make_image, which):
    a, b = add_photos(product, make_image, 2)
    (foreign,) = add_photos(other_product, make_image, 1)
    ids = {"missing": [b.id], "duplicate": [a.id, a.id], "foreign": [a.id, foreign.id]}[which]

    with pytest.raises(InvalidInput) as error:
        services.product_images_reorder(product=product, actor=member_of(product), image_ids=ids)

    assert "image_ids" in error.value.fields
    assert list(product.images.values_list("id", flat=True)) == [a.id, b.id]
    assert ProductImage.objects.get(id=foreign.id).product_id == other_product.id


def test_move_a_photo_earlier_and_past_the_ends(product, make_image):
    a, b, c = add_photos(product, make_image, 3)

    services.product_image_move(image=c, actor=member_of(c), offset=-1)
    assert list(product.images.values_list("id", flat=True)) == [a.id, c.id, b.id]
    services.product_image_move(image=a, actor=member_of(a), offset=-1)  # already first: stays
    assert list(product.images.values_list("id", flat=True)) == [a.id, c.id, b.id]


def test_deleting_a_photo_removes_its_files_after_commit(product, make_image, django_capture_on_commit_callbacks):
    (photo,) = add_photos(product, make_image, 1)
    storage, names = photo.image.storage, [photo.image.name, photo.thumbnail.name]
    assert all(storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        services.product_image_delete(image=photo, actor=member_of(photo))

    assert not ProductImage.objects.filter(product=product).exists()
    assert not any(storage.exists(name) for name in names)


def test_store_create_losing_a_slug_race_is_invalid_input_not_a_crash(user, other_user, store, monkeypatch):
    # Another request took the slug between our check and our insert: the unique index answers.
    monkeypatch.setattr(Store, "validate_unique", lambda self, exclude=None: None)

    with pytest.raises(InvalidInput) as error:
        services.store_create(owner=other_user, name="Copy", slug="tea-house")

    assert "slug" in error.value.fields
    assert Store.objects.filter(slug="tea-house").count() == 1


def test_the_catalogue_is_its_store_members_to_change_and_platform_staff_s(product, other_store):
    """Authority inside the services: whatever the entry point, another store's member (or a
    stranger) gets NotFound and nothing changes; support staff may change it."""
    from giftshop.errors import NotFound
    from tests.factories import UserFactory

    stranger, rival = UserFactory(), member_of(other_store)
    option = product.variants.get()
    attempts = [
        lambda who: services.product_create(store=product.store, actor=who, title="Fake", variants=[variant("FAKE-1")]),
        lambda who: services.product_update(product=product, actor=who, title="Hijacked"),
        lambda who: services.variant_create(product=product, actor=who, name="x", sku="X-1", price_minor=100),
        lambda who: services.variant_update(variant=option, actor=who, price_minor=1),
        lambda who: services.variant_delete(variant=option, actor=who),
        lambda who: services.product_images_reorder(product=product, actor=who, image_ids=[]),
    ]
    for who in (stranger, rival):
        for attempt in attempts:
            with pytest.raises(NotFound):
                attempt(who)
    product.refresh_from_db()
    option.refresh_from_db()
    assert product.title != "Hijacked" and option.price_minor != 1 and product.variants.count() == 1

    services.product_update(product=product, actor=UserFactory(is_staff=True), title="Fixed by support")
    product.refresh_from_db()
    assert product.title == "Fixed by support"
