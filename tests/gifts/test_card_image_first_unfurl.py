"""The first unfurl has its picture: a chat app fetches the card link's preview the moment it is
pasted and most keep that first answer, so the card page carries an og:image that answers with
the PNG as soon as the gift is open, before any worker has run the outbox's card rendering."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gifts.models import Gift
from gifts.services.cards import gift_render_card
from gifts.services.sending import TOPIC_RENDER_CARD, gift_create
from gifts.tokens import gift_share_url
from giftshop.models import OutboxMessage
from giftshop.outbox import outbox_deliver
from orders.payments.sandbox import sandbox_charge_complete, sandbox_deliver_webhooks
from stores.services import product_image_add
from tests.conftest import make_image_bytes
from tests.factories import ProductFactory, UserFactory, VariantFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant(db):
    product = ProductFactory(title="Jade teapot")
    product_image_add(
        product=product, actor=member_of(product), upload=SimpleUploadedFile("p.jpg", make_image_bytes(), "image/jpeg")
    )
    return VariantFactory(product=product, price_minor=9900, stock=5)


def open_without_the_render_consumer(gift):
    """Pay on the sandbox, process its signed webhook, then let the outbox deliver everything but
    the card rendering (the news that opens the gift): as on a worker that has not got to it yet."""
    payment = gift.order.payments.get()
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded")
    sandbox_deliver_webhooks()
    for _ in range(10):
        due = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exclude(topic=TOPIC_RENDER_CARD)
        if not due.exists():
            break
        for message_id in due.values_list("id", flat=True):
            outbox_deliver(message_id=message_id)
    gift.refresh_from_db()
    assert gift.status == Gift.Status.OPEN
    return gift


def test_card_page_has_its_og_image_the_moment_the_gift_opens(client, variant):
    gift = gift_create(sender=UserFactory(display_name="Sam"), variant_id=variant.id)
    assert not gift.card_image  # nothing is drawn for an unpaid gift

    gift = open_without_the_render_consumer(gift)

    assert OutboxMessage.objects.filter(topic=TOPIC_RENDER_CARD, status=OutboxMessage.Status.PENDING).exists()
    html = client.get(urlsplit(gift_share_url(gift=gift)).path).content.decode()
    image_url = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert image_url.endswith(".png") and gift.card_image.url in image_url
    image = client.get(gift.card_image.url)
    assert image.status_code == 200
    assert b"".join(image.streaming_content).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_photo_gone_from_storage_still_gives_a_card_and_an_open_gift(client, variant):
    photo = variant.product.images.get().image
    photo.storage.delete(photo.name)
    gift = gift_create(sender=UserFactory(), variant_id=variant.id)

    gift = open_without_the_render_consumer(gift)

    assert gift.card_image  # drawn without the photo
    assert client.get(gift.card_image.url).status_code == 200
    assert OutboxMessage.objects.filter(topic=TOPIC_RENDER_CARD).count() == 1


def test_the_outbox_draws_the_qr_code_and_keeps_the_card_image(variant):
    gift = open_without_the_render_consumer(gift_create(sender=UserFactory(), variant_id=variant.id))
    first = gift.card_image.name

    gift_render_card(gift_id=gift.id)

    gift.refresh_from_db()
    assert gift.card_image.name == first and gift.qr_image
