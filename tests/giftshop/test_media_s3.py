"""MEDIA_STORAGE=s3 against a real S3 API: moto's server on loopback, a bucket of the tests' own.

The settings block is read as a deployment reads it (a fresh interpreter with MEDIA_STORAGE=s3 and
the AWS_* variables), and its STORAGES are the ones the tests run on: product photos and their
thumbnails land in the bucket, the card image of a paid gift is drawn from the photo read back
from the bucket and lands there too, the QR code lands under private/, the card page's og:image
answers from the bucket, and nothing is written under MEDIA_ROOT or PRIVATE_MEDIA_ROOT.
"""

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import environ
import pytest
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image
from storages.backends.s3 import S3Storage

from gifts.models import Gift
from gifts.tokens import gift_share_url
from giftshop.settings.media import media_storages
from stores.models import ProductImage
from stores.services import product_image_add, product_image_delete
from tests.conftest import api_client_for, make_image_bytes
from tests.factories import ProductFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import paid_gift

ROOT = Path(__file__).resolve().parent.parent.parent
BUCKET = "giftshop-media-tests"
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
PHOTO_COLOUR = (200, 40, 40)
# Loopback only, whatever proxy a machine's environment names.
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """A real moto server process on a free loopback port, with an empty bucket; stopped at the end."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto_server.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail(f"moto_server exited with {server.returncode}:\n{log_path.read_text()}")
            try:
                direct.open(endpoint + "/moto-api/", timeout=1).close()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not answer on {endpoint} within 30 s:\n{log_path.read_text()}")
                time.sleep(0.1)
        client(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        log.close()


def client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )


def deployment_settings(module, **env) -> dict:
    """What `module` holds when a process starts with `env`: media storages, SERVE_MEDIA, CSP img-src."""
    script = (
        f"import importlib, json; s = importlib.import_module({module!r}); print(json.dumps({{'STORAGES': s.STORAGES, "
        "'SERVE_MEDIA': s.SERVE_MEDIA, 'img_src': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_", "MEDIA_"))}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def s3_env(endpoint, **more):
    return {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": endpoint, **KEYS, **more}


@pytest.fixture(scope="module")
def s3_settings(s3_endpoint):
    return deployment_settings("giftshop.settings.local", **s3_env(s3_endpoint))


@pytest.fixture
def on_s3(s3_endpoint, s3_settings, tmp_path, monkeypatch):
    """The deployment's STORAGES in force (its media storages; the tests' static files), an empty
    bucket, and empty MEDIA_ROOT and PRIVATE_MEDIA_ROOT folders to prove nothing lands on disk."""
    for name, value in KEYS.items():  # where django-storages and boto3 read them in a deployment
        monkeypatch.setenv(name, value)
    bucket = client(s3_endpoint)
    for item in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        bucket.delete_object(Bucket=BUCKET, Key=item["Key"])
    media_root, private_root = tmp_path / "media", tmp_path / "private"
    media_root.mkdir()
    private_root.mkdir()
    media = {alias: s3_settings["STORAGES"][alias] for alias in ("default", "private")}
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        STORAGES={**media, "staticfiles": static}, MEDIA_ROOT=media_root, PRIVATE_MEDIA_ROOT=private_root
    ):
        # override_settings resets Django's storages (django.test.signals.storages_changed).
        assert isinstance(storages["default"], S3Storage) and default_storage.location == "public"
        assert Gift._meta.get_field("qr_image").storage.location == "private"  # gifts.models.PrivateStorage follows
        yield bucket
        assert sorted(media_root.rglob("*")) == [], "nothing may be written under MEDIA_ROOT"
        assert sorted(private_root.rglob("*")) == [], "nothing may be written under PRIVATE_MEDIA_ROOT"
    assert not isinstance(storages["default"], S3Storage)  # and back to the filesystem afterwards


def keys(bucket, prefix=""):
    return sorted(item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []))


def fetch(url) -> bytes:
    with direct.open(url, timeout=10) as answer:
        assert answer.status == 200
        return answer.read()


def photo_upload():
    return SimpleUploadedFile("teapot.jpg", make_image_bytes(color=PHOTO_COLOUR), "image/jpeg")


# --- the settings ---------------------------------------------------------------------------


def test_media_storage_s3_puts_public_and_private_media_on_the_bucket(s3_endpoint, s3_settings):
    public, private = s3_settings["STORAGES"]["default"], s3_settings["STORAGES"]["private"]

    assert public["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert public["OPTIONS"]["bucket_name"] == private["OPTIONS"]["bucket_name"] == BUCKET
    assert public["OPTIONS"]["endpoint_url"] == s3_endpoint
    assert (public["OPTIONS"]["location"], private["OPTIONS"]["location"]) == ("public", "private")
    assert public["OPTIONS"]["querystring_auth"] is True  # signed links unless told otherwise
    assert private["OPTIONS"]["querystring_auth"] is True and private["OPTIONS"]["custom_domain"] is None
    assert "access_key" not in public["OPTIONS"]  # credentials stay in the environment
    assert s3_settings["SERVE_MEDIA"] is False  # the bucket serves them, not /media/
    assert s3_endpoint in s3_settings["img_src"]  # pages may show images from the bucket


def test_a_custom_domain_serves_public_media_and_never_private_media(s3_endpoint):
    found = deployment_settings(
        "giftshop.settings.local",
        **s3_env(
            s3_endpoint,
            AWS_S3_CUSTOM_DOMAIN="media.shop.example",
            AWS_QUERYSTRING_AUTH="0",
            AWS_PRIVATE_STORAGE_BUCKET_NAME="giftshop-private",
        ),
    )

    public, private = found["STORAGES"]["default"]["OPTIONS"], found["STORAGES"]["private"]["OPTIONS"]
    assert (public["custom_domain"], public["querystring_auth"]) == ("media.shop.example", False)
    assert (private["custom_domain"], private["querystring_auth"], private["bucket_name"]) == (
        None,
        True,
        "giftshop-private",
    )
    assert found["img_src"][-1] == "https://media.shop.example"


def test_production_keeps_the_bucket(s3_endpoint):
    found = deployment_settings(
        "giftshop.settings.production",
        **s3_env(s3_endpoint),
        DJANGO_SECRET_KEY="k" + "0123456789abcdefghij" * 3,
        DJANGO_ALLOWED_HOSTS="shop.example.com",
        SANDBOX_PAYMENTS_ENABLED="1",
        SANDBOX_PAYMENT_SECRET="a-secret-of-this-deployment-only",
    )

    assert found["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert found["STORAGES"]["private"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert found["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_the_filesystem_stays_the_default():
    found = deployment_settings("giftshop.settings.local")

    assert found["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert found["STORAGES"]["private"] == {"BACKEND": "giftshop.storage.PrivateFileSystemStorage"}
    assert found["SERVE_MEDIA"] is True
    assert found["img_src"] == ["'self'", "data:", "blob:"]


@pytest.mark.parametrize(
    ("env", "complaint"),
    [({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE"), ({"MEDIA_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME")],
)
def test_a_media_storage_that_cannot_work_refuses_to_start(env, complaint):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_", "MEDIA_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import giftshop.settings.local"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr, result.stderr[-2000:]


# --- product photos -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_photo_uploaded_through_the_api_lands_in_the_bucket_with_its_thumbnail(on_s3, s3_endpoint):
    product = ProductFactory()

    response = api_client_for(member_of(product)).post(
        f"/api/v1/merchant/products/{product.id}/images/", {"image": photo_upload()}, format="multipart"
    )

    assert response.status_code == 201, response.content
    image = ProductImage.objects.get(product=product)
    assert keys(on_s3) == sorted([f"public/{image.image.name}", f"public/{image.thumbnail.name}"])
    assert image.image.name.startswith("products/") and image.thumbnail.name.endswith("_thumb.jpg")
    body = response.json()
    for field, side in (("url", 640), ("thumbnail_url", 480)):
        url = body[field]
        assert url.startswith(f"{s3_endpoint}/{BUCKET}/public/products/") and "X-Amz-Signature=" in url
        picture = Image.open(io.BytesIO(fetch(url)))
        assert picture.format == "JPEG" and max(picture.size) == side
    assert (image.width, image.height) == (640, 480)  # read back from the bucket


@pytest.mark.django_db
def test_a_deleted_photo_leaves_the_bucket(on_s3, django_capture_on_commit_callbacks):
    product = ProductFactory()
    image = product_image_add(product=product, actor=member_of(product), upload=photo_upload())
    assert len(keys(on_s3, "public/products/")) == 2

    with django_capture_on_commit_callbacks(execute=True):
        product_image_delete(image=image, actor=member_of(product))

    assert keys(on_s3) == []


# --- the card -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_paid_gifts_card_is_drawn_from_the_photo_in_the_bucket_and_served_from_it(on_s3, s3_endpoint, client):
    product = ProductFactory(title="Jade teapot")
    product_image_add(product=product, actor=member_of(product), upload=photo_upload())
    sender = UserFactory(display_name="Sam")

    gift = paid_gift(sender=sender, variant=VariantFactory(product=product))

    assert gift.status == Gift.Status.OPEN and gift.card_image and gift.qr_image
    assert f"public/{gift.card_image.name}" in keys(on_s3, "public/cards/")
    assert keys(on_s3, "private/") == [f"private/{gift.qr_image.name}"]
    # The card page's preview image is the bucket's object, and it answers.
    html = client.get(urlsplit(gift_share_url(gift=gift)).path).content.decode()
    og_image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1).replace("&amp;", "&")
    assert og_image.startswith(f"{s3_endpoint}/{BUCKET}/public/cards/")
    card = Image.open(io.BytesIO(fetch(og_image)))
    assert card.format == "PNG" and card.size == (1200, 630)
    # The photo box holds the product photo: it was read back through the storage API.
    pixel = card.convert("RGB").getpixel((940, 330))
    assert all(abs(got - want) <= 3 for got, want in zip(pixel, PHOTO_COLOUR, strict=True)), pixel  # JPEG-encoded
    # The QR code is served by our view alone, read from the bucket's private prefix.
    client.force_login(sender)
    qr = client.get(f"/gifts/{gift.id}/qr.png")
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert qr.content == on_s3.get_object(Bucket=BUCKET, Key=f"private/{gift.qr_image.name}")["Body"].read()


@pytest.mark.parametrize(
    ("env", "origins"),
    [
        ({}, ["https://shop-media.s3.amazonaws.com"]),
        (
            {"AWS_S3_REGION_NAME": "eu-west-1"},
            ["https://shop-media.s3.amazonaws.com", "https://shop-media.s3.eu-west-1.amazonaws.com"],
        ),
        (
            {"AWS_S3_REGION_NAME": "eu-west-1", "AWS_S3_ADDRESSING_STYLE": "path"},
            ["https://s3.eu-west-1.amazonaws.com"],
        ),
        ({"AWS_S3_ENDPOINT_URL": "http://minio:9000"}, ["http://minio:9000"]),
        (
            {"AWS_S3_ENDPOINT_URL": "https://s3.example.com", "AWS_S3_ADDRESSING_STYLE": "virtual"},
            ["https://shop-media.s3.example.com"],
        ),
        ({"AWS_S3_CUSTOM_DOMAIN": "media.shop.example"}, ["https://media.shop.example"]),
    ],
)
def test_pages_may_load_images_from_where_the_links_point(monkeypatch, env, origins):
    for name in ("AWS_S3_REGION_NAME", "AWS_S3_ADDRESSING_STYLE", "AWS_S3_ENDPOINT_URL", "AWS_S3_CUSTOM_DOMAIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "shop-media")
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    found, allowed = media_storages(environ.Env(), "s3")

    assert allowed == origins
    options = found["default"]["OPTIONS"]
    link = S3Storage(**options, access_key="k", secret_key="s").url("products/a.jpg")  # signed offline by boto3
    assert any(link.startswith(f"{origin}/") for origin in origins), link
