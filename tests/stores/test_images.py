"""Product photos through the merchant API: verified, re-encoded without metadata, thumbnailed;
anything else is refused before a byte is stored."""

import io
import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from stores import images, services
from stores.models import ProductImage
from tests.conftest import api_client_for
from tests.factories import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def bomb_png():
    """A 20000 x 20000 PNG (400 million pixels) that compresses to about 50 kB."""
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "PNG")
    return buf.getvalue()


def upload(client, product, data, name="photo.jpg", content_type="image/jpeg"):
    file = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(f"/api/v1/merchant/products/{product.id}/images/", {"image": file}, format="multipart")


def stored(image_field):
    with image_field.storage.open(image_field.name, "rb") as fh:
        data = fh.read()
    return data, Image.open(io.BytesIO(data))


def refused(response, status, code, media_files, before):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert ProductImage.objects.count() == 0
    assert media_files() == before, "nothing may be written for a refused upload"


# --- accepted ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mode", "name", "content_type"),
    [
        ("JPEG", "RGB", "a.jpg", "image/jpeg"),
        ("JPEG", "CMYK", "cmyk.jpg", "image/jpeg"),
        ("PNG", "RGBA", "a.png", "image/png"),
        ("PNG", "P", "palette.png", "image/png"),
        ("WEBP", "RGB", "a.webp", "image/webp"),
    ],
)
def test_jpeg_png_and_webp_are_accepted_and_re_encoded(user_api, product, make_image, fmt, mode, name, content_type):
    original = make_image(fmt, size=(640, 480), mode=mode)

    response = upload(user_api, product, original, name=name, content_type=content_type)

    assert response.status_code == 201, response.content
    body = response.json()
    photo = ProductImage.objects.get(product=product)
    assert body["id"] == photo.id
    assert body["url"] == f"http://testserver/media/{photo.image.name}"
    assert body["thumbnail_url"] == f"http://testserver/media/{photo.thumbnail.name}"
    assert (body["width"], body["height"]) == (640, 480) == (photo.width, photo.height)
    data, img = stored(photo.image)
    _thumb_data, thumb = stored(photo.thumbnail)
    assert img.format == fmt and thumb.format == fmt
    assert data != original  # re-encoded, never stored raw
    assert img.size == (640, 480)
    assert max(thumb.size) == images.THUMB_SIDE
    # Stored under a random name, not the uploader's (compare whole file names: a random hex
    # name may well end in "a.jpg").
    assert photo.image.name.rsplit("/", 1)[-1] != name


def test_exif_is_stripped(user_api, product, exif_jpeg):
    assert Image.open(io.BytesIO(exif_jpeg)).getexif()  # the upload really carries EXIF
    assert b"SpyCam" in exif_jpeg

    response = upload(user_api, product, exif_jpeg)

    assert response.status_code == 201
    photo = ProductImage.objects.get(product=product)
    for field in (photo.image, photo.thumbnail):
        data, img = stored(field)
        assert not img.getexif()
        assert "exif" not in img.info
        assert b"SpyCam" not in data and b"Exif" not in data


def test_png_text_chunks_are_stripped(user_api, product, make_image):
    meta = PngImagePlugin.PngInfo()
    meta.add_text("Author", "Secret Person")
    original = make_image("PNG", pnginfo=meta)
    assert b"Secret Person" in original

    response = upload(user_api, product, original, name="a.png", content_type="image/png")

    assert response.status_code == 201
    data, img = stored(ProductImage.objects.get(product=product).image)
    assert b"Secret Person" not in data
    assert "Author" not in img.info


def test_big_photos_are_scaled_down(user_api, product, make_image):
    response = upload(user_api, product, make_image("JPEG", size=(3000, 1500)))

    assert response.status_code == 201
    assert (response.json()["width"], response.json()["height"]) == (2000, 1000)


def test_staff_can_upload(staff_user, product, make_image):
    response = upload(api_client_for(staff_user), product, make_image("PNG"), name="a.png", content_type="image/png")

    assert response.status_code == 201


# --- refused -------------------------------------------------------------------------------


def test_a_text_file_is_invalid_image(user_api, product, media_files):
    before = media_files()

    response = upload(user_api, product, b"just some words\n" * 100, name="notes.jpg")

    refused(response, 400, "invalid_image", media_files, before)
    assert "image" in response.json()["fields"]


def test_a_truncated_jpeg_is_invalid_image(user_api, product, make_image, media_files):
    whole = make_image("JPEG", size=(800, 600), color=(10, 200, 90))
    before = media_files()

    response = upload(user_api, product, whole[: len(whole) // 2])

    refused(response, 400, "invalid_image", media_files, before)


def test_a_decompression_bomb_is_invalid_image(user_api, product, bomb_png, media_files):
    assert len(bomb_png) < 100_000
    before = media_files()

    response = upload(user_api, product, bomb_png, name="bomb.png", content_type="image/png")

    refused(response, 400, "invalid_image", media_files, before)


def test_more_pixels_than_the_setting_allows_is_invalid_image(user_api, product, make_image, media_files):
    side = int(settings.IMAGE_MAX_PIXELS**0.5) + 100  # over our cap, under Pillow's own bomb limit
    data = make_image("PNG", size=(side, side), mode="1", color=0)
    before = media_files()

    response = upload(user_api, product, data, name="wide.png", content_type="image/png")

    refused(response, 400, "invalid_image", media_files, before)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_invalid_image(user_api, product, make_image, media_files, fmt):
    before = media_files()

    response = upload(user_api, product, make_image(fmt), name=f"a.{fmt.lower()}", content_type="image/jpeg")

    refused(response, 400, "invalid_image", media_files, before)


def test_an_empty_file_or_no_file_is_invalid_image(user_api, product, media_files):
    before = media_files()
    url = f"/api/v1/merchant/products/{product.id}/images/"

    refused(upload(user_api, product, b""), 400, "invalid_image", media_files, before)
    refused(user_api.post(url, {}, format="multipart"), 400, "invalid_image", media_files, before)
    refused(user_api.post(url, {"image": "a string"}, format="multipart"), 400, "invalid_image", media_files, before)


def test_json_is_unsupported_media_type(user_api, product, media_files):
    before = media_files()

    response = user_api.post(f"/api/v1/merchant/products/{product.id}/images/", {"image": "x"}, format="json")

    refused(response, 415, "unsupported_media_type", media_files, before)


def test_over_5_mb_is_413_and_nothing_is_stored(user_api, product, media_files):
    before = media_files()

    response = upload(user_api, product, os.urandom(6 * 1024 * 1024))

    refused(response, 413, "payload_too_large", media_files, before)


def test_one_byte_over_5_mb_is_413_from_the_photo_check(user_api, product, make_image, media_files):
    # A real JPEG padded to IMAGE_MAX_BYTES + 1: small enough to pass the request-size check, so the
    # photo check itself must refuse it.
    jpeg = make_image("JPEG")
    data = jpeg + b"\0" * (settings.IMAGE_MAX_BYTES + 1 - len(jpeg))
    before = media_files()

    response = upload(user_api, product, data)

    refused(response, 413, "payload_too_large", media_files, before)


def test_process_upload_refuses_a_file_that_grows_past_its_declared_size():
    class Lying(io.BytesIO):
        size = 10  # says small, is large

    with pytest.raises(images.PayloadTooLarge):
        images.process_upload(Lying(b"\xff" * (settings.IMAGE_MAX_BYTES + 10)))


def test_another_stores_product_is_404_even_with_a_valid_photo(other_api, product, make_image, media_files):
    before = media_files()

    response = upload(other_api, product, make_image("JPEG"))

    refused(response, 404, "not_found", media_files, before)


def test_another_stores_product_is_404_before_the_size_check(other_api, product, media_files):
    before = media_files()

    response = upload(other_api, product, os.urandom(6 * 1024 * 1024))

    refused(response, 404, "not_found", media_files, before)


def test_anonymous_upload_is_401(api, product, make_image, media_files):
    before = media_files()

    response = upload(api, product, make_image("JPEG"))

    refused(response, 401, "not_authenticated", media_files, before)
    assert "WWW-Authenticate" in response


# --- delete and reorder ----------------------------------------------------------------------


def add_photos(product, make_image, count):
    return [
        services.product_image_add(
            product=product,
            actor=member_of(product),
            upload=SimpleUploadedFile("p.png", make_image("PNG"), content_type="image/png"),
        )
        for _ in range(count)
    ]


def test_delete_a_photo_removes_row_and_files(user_api, product, make_image, django_capture_on_commit_callbacks):
    (photo,) = add_photos(product, make_image, 1)
    storage, names = photo.image.storage, [photo.image.name, photo.thumbnail.name]

    with django_capture_on_commit_callbacks(execute=True):
        response = user_api.delete(f"/api/v1/merchant/images/{photo.id}/")

    assert response.status_code == 204
    assert not ProductImage.objects.filter(id=photo.id).exists()
    assert not any(storage.exists(name) for name in names)


def test_another_stores_photo_cannot_be_deleted(other_api, product, make_image):
    (photo,) = add_photos(product, make_image, 1)

    response = other_api.delete(f"/api/v1/merchant/images/{photo.id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert ProductImage.objects.filter(id=photo.id).exists()
    assert photo.image.storage.exists(photo.image.name)


def test_reorder_photos_and_the_catalog_follows(user_api, api, product, make_image):
    a, b, c = add_photos(product, make_image, 3)

    response = user_api.post(
        f"/api/v1/merchant/products/{product.id}/images/reorder/", {"image_ids": [c.id, a.id, b.id]}, format="json"
    )

    assert response.status_code == 200
    assert [i["id"] for i in response.json()] == [c.id, a.id, b.id]
    public = api.get(f"/api/v1/products/{product.id}/").json()["images"]
    assert [i["url"].rsplit("/", 1)[1] for i in public] == [p.image.name.rsplit("/", 1)[1] for p in (c, a, b)]


@pytest.mark.parametrize(
    ("image_ids", "field"),
    [
        ("only-first", "image_ids"),
        ("first-twice", "image_ids"),
        (["x"], "image_ids.0"),
        ([10**30], "image_ids.0"),
        ("not-a-list", "image_ids"),
        (None, "image_ids"),
    ],
)
def test_reorder_bad_input_is_400(user_api, product, make_image, image_ids, field):
    a, b = add_photos(product, make_image, 2)
    named = {"only-first": [a.id], "first-twice": [a.id, a.id]}
    ids = named.get(image_ids, image_ids) if isinstance(image_ids, str) else image_ids

    response = user_api.post(
        f"/api/v1/merchant/products/{product.id}/images/reorder/", {"image_ids": ids}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert list(product.images.values_list("id", flat=True)) == [a.id, b.id]


def test_reorder_another_stores_photos_is_404(other_api, product, make_image):
    a, b = add_photos(product, make_image, 2)

    response = other_api.post(
        f"/api/v1/merchant/products/{product.id}/images/reorder/", {"image_ids": [b.id, a.id]}, format="json"
    )

    assert response.status_code == 404
    assert list(product.images.values_list("id", flat=True)) == [a.id, b.id]


def test_a_multi_picture_jpeg_from_a_phone_is_accepted_as_jpeg(user_api, product):
    buf = io.BytesIO()
    first, depth_map = Image.new("RGB", (64, 48), (200, 10, 10)), Image.new("RGB", (64, 48))
    first.save(buf, "MPO", save_all=True, append_images=[depth_map])
    assert Image.open(io.BytesIO(buf.getvalue())).format == "MPO"

    response = upload(user_api, product, buf.getvalue())

    assert response.status_code == 201, response.content
    _data, img = stored(ProductImage.objects.get(product=product).image)
    assert img.format == "JPEG"
    assert img.getpixel((10, 10))[0] > 150  # the first picture, not the depth map
