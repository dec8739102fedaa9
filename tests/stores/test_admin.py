"""Django admin for stores: platform staff see everything; other people are sent to log in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stores import services
from stores.models import ProductImage
from tests.factories import UserFactory, member_of

pytestmark = pytest.mark.django_db

CHANGELISTS = ["admin:stores_store_changelist", "admin:stores_product_changelist", "admin:stores_variant_changelist"]


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("name", CHANGELISTS)
def test_superuser_sees_the_changelists_with_search_and_filters(client, superuser, product, name):
    client.force_login(superuser)

    listed = client.get(reverse(name))
    searched = client.get(reverse(name), {"q": "tea"})

    assert listed.status_code == 200
    assert searched.status_code == 200
    assert listed.context["cl"].result_count == 1


@pytest.mark.parametrize("name", CHANGELISTS)
def test_a_normal_user_is_sent_to_the_admin_login(client, user, store, name):
    client.force_login(user)  # a merchant, but not platform staff

    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_the_admin_login(client, store):
    response = client.get(reverse("admin:stores_store_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_store_and_product_change_pages_show_their_inlines(client, superuser, store, product, make_image):
    services.product_image_add(
        product=product, actor=member_of(product), upload=SimpleUploadedFile("a.png", make_image("PNG"))
    )
    client.force_login(superuser)

    store_page = client.get(reverse("admin:stores_store_change", args=[store.id]))
    product_page = client.get(reverse("admin:stores_product_change", args=[product.id]))

    assert store_page.status_code == 200
    assert b"alice" in store_page.content  # the owner, in the members inline
    assert product_page.status_code == 200
    assert b"JAS-100" in product_page.content  # the variants inline
    assert ProductImage.objects.get().thumbnail.name.encode() in product_page.content


def test_the_store_list_filter_by_active(client, superuser, store, other_store):
    services.store_update(store=other_store, actor=other_store.members.get().user, is_active=False)
    client.force_login(superuser)

    response = client.get(reverse("admin:stores_store_changelist"), {"is_active__exact": "0"})

    assert response.status_code == 200
    assert [s.slug for s in response.context["cl"].result_list] == ["rival-shop"]


def test_admin_removes_a_photo_with_its_files(
    client, superuser, product, make_image, django_capture_on_commit_callbacks
):
    photo = services.product_image_add(
        product=product, actor=member_of(product), upload=SimpleUploadedFile("a.png", make_image("PNG"))
    )
    variant = product.variants.get()
    client.force_login(superuser)
    form = {
        "store": product.store_id,
        "title": product.title,
        "slug": product.slug,
        "description": "",
        "giftable": "on",
        "is_active": "on",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "1",
        "variants-0-id": variant.id,
        "variants-0-product": product.id,
        "variants-0-name": variant.name,
        "variants-0-sku": variant.sku,
        "variants-0-price_minor": variant.price_minor,
        "variants-0-currency": variant.currency,
        "variants-0-stock": variant.stock,
        "variants-0-position": variant.position,
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "1",
        "images-0-id": photo.id,
        "images-0-product": product.id,
        "images-0-position": photo.position,
        "images-0-DELETE": "on",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:stores_product_change", args=[product.id]), form)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert not ProductImage.objects.filter(id=photo.id).exists()
    assert not photo.image.storage.exists(photo.image.name)
    assert not photo.image.storage.exists(photo.thumbnail.name)


def test_the_store_admin_changes_a_store_through_the_service(client, superuser, store, monkeypatch):
    """What the admin saves goes through store_update, as the staff member (the rules and the actor
    of the console and the API), and only the fields that changed."""
    calls = []
    real = services.store_update

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "store_update", spy)
    client.force_login(superuser)
    url = reverse("admin:stores_store_change", args=[store.id])
    form = {"name": "Renamed", "description": store.description, "ship_within_hours": 72, "is_active": "on",
            "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"}

    saved = client.post(url, form)

    store.refresh_from_db()
    assert saved.status_code == 302 and (store.name, store.ship_within_hours) == ("Renamed", 72)
    assert [(c["actor"], sorted(k for k in c if k not in ("store", "actor"))) for c in calls] == [
        (superuser, ["name", "ship_within_hours"])
    ]
    assert client.get(reverse("admin:stores_store_add")).status_code == 403
