"""Price and address privacy, end to end.

The recipient never sees the price: every recipient-facing page and API response is searched for
it, in every form it could take. The sender never sees the recipient's address, phone or tracking
number: every sender-facing page and response is searched for them. The gift is walked through
its whole life first (paid, claimed with a typed address, dispatched, thanked), so that all of
those values exist in the database and could leak.
"""

import re

import pytest
from django.urls import reverse

from gifts.tokens import gift_share_url
from logistics.services.tracking import shipment_dispatch
from tests.conftest import api_client_for
from tests.factories import ProductFactory, StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db

PRICE_MINOR = 987654  # ¥9,876.54
STREET = "77 Secretgarden Lane"
PHONE = "13800001111"
TRACKING = "DLV77777777"
TIMES = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+")


def price_forms():
    return ["9,876.54", "9876.54", "987654", "¥9,876"]


def secrets_of_the_recipient():
    return [STREET, PHONE, TRACKING, "Secretgarden"]


@pytest.fixture
def walked_gift(client):
    store = StoreFactory()
    variant = VariantFactory(product=ProductFactory(store=store, title="Jade tea set"), price_minor=PRICE_MINOR,
                             stock=5)
    VariantFactory(product=variant.product, price_minor=PRICE_MINOR, stock=5, name="Blue glaze")
    sender, friend = UserFactory(display_name="Sender Sun"), UserFactory(display_name="Friend Fang")
    gift = paid_gift(sender=sender, variant=variant, quantity=1, message="For you")
    token = gift_share_url(gift=gift).rstrip("/").rsplit("/", 1)[-1]
    friend_api = api_client_for(friend)
    response = friend_api.post(f"/api/v1/claims/{token}/", {"address": {
        "recipient_name": "Fang", "phone": PHONE, "country": "CN", "region": "Zhejiang", "city": "Hangzhou",
        "street": STREET}}, format="json")
    assert response.status_code == 201, response.content
    recipient_responses = [response.content.decode()]
    recipient_responses.append(
        friend_api.post(f"/api/v1/claims/{token}/thanks/", {"note": "Thank you!"}, format="json").content.decode()
    )
    gift.refresh_from_db()
    shipment = gift.claims.get().shipment
    shipment_dispatch(shipment=shipment, actor=member_of(shipment), carrier="sandbox", tracking_number=TRACKING)
    drain_outbox()
    return {"gift": gift, "token": token, "sender": sender, "friend": friend, "friend_api": friend_api,
            "recipient_responses": recipient_responses, "shipment": shipment}


def assert_absent(texts, needles, who):
    for text in texts:
        text = TIMES.sub("<time>", text)  # microseconds could spell anything
        for needle in needles:
            assert needle not in text, f"{who} can see {needle!r}"


def test_the_recipient_never_sees_the_price(client, walked_gift):
    token, friend = walked_gift["token"], walked_gift["friend"]
    friend_api = walked_gift["friend_api"]
    texts = list(walked_gift["recipient_responses"])
    texts.append(friend_api.get(f"/api/v1/claims/{token}/").content.decode())
    texts.append(friend_api.get(f"/api/v1/shipments/{walked_gift['shipment'].id}/").content.decode())
    client.force_login(friend)
    texts.append(client.get(reverse("gifts:card", kwargs={"token": token})).content.decode())
    for path in ("/me/", "/me/?tab=received", "/me/?tab=notices", "/api/v1/me/wallet/"):
        response = client.get(path)
        assert response.status_code == 200, path  # Orders & Cards (the friend has no orders of their own)
        texts.append(response.content.decode())
    anonymous = client.__class__().get(reverse("gifts:card", kwargs={"token": token}))
    texts.append(anonymous.content.decode())

    assert_absent(texts, price_forms(), "the recipient")
    assert "Jade tea set" in texts[-1]  # the card itself is there, only the price is not


def test_the_sender_never_sees_the_address_phone_or_tracking_number(client, walked_gift):
    gift, sender = walked_gift["gift"], walked_gift["sender"]
    sender_api = api_client_for(sender)
    client.force_login(sender)
    texts = [
        sender_api.get("/api/v1/gifts/").content.decode(),
        sender_api.get(f"/api/v1/gifts/{gift.id}/").content.decode(),
        client.get(reverse("gifts:detail", kwargs={"gift_id": gift.id})).content.decode(),
        client.get(reverse("gifts:list")).content.decode(),
        client.get(reverse("gifts:card", kwargs={"token": walked_gift["token"]})).content.decode(),
    ]
    for path in ("/me/", "/me/?tab=sent", "/me/?tab=notices", "/api/v1/me/wallet/"):
        response = client.get(path)
        assert response.status_code == 200, path
        texts.append(response.content.decode())
    shipment_response = sender_api.get(f"/api/v1/shipments/{walked_gift['shipment'].id}/")
    assert shipment_response.status_code == 404

    assert_absent(texts, secrets_of_the_recipient(), "the sender")
    assert "Friend Fang" in texts[1] and "Thank you!" in texts[1]  # what the sender may see is there


def test_the_card_page_sends_no_referer_onwards(client, walked_gift):
    response = client.get(reverse("gifts:card", kwargs={"token": walked_gift["token"]}))

    assert response["Referrer-Policy"] == "no-referrer"  # its images and links never leak the token
