"""Driving a purchase through HTTP and the sandbox provider (no mocks): its hosted page, its signed
webhooks to our real endpoint (delivered through the Django stack), and its switches."""

import json
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from giftshop import signing
from logistics.services.addresses import address_create
from orders.models import SandboxWebhook
from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_deliver_webhooks
from stores import services as store_services
from tests.factories import StoreFactory, UserFactory, member_of

ADDRESS = {
    "recipient_name": "Li Lei",
    "phone": "13800138000",
    "country": "CN",
    "region": "Shanghai",
    "city": "Shanghai",
    "district": "Xuhui",
    "street": "88 Tianyaoqiao Road",
    "postal_code": "200030",
}


def make_address(user, **fields):
    return address_create(user=user, **{**ADDRESS, **fields})


def make_variant(*, stock=5, price_minor=12800, store=None, title="Teapot", sku="TP-1", name="Small"):
    store = store or StoreFactory(owner=UserFactory())
    product = store_services.product_create(
        store=store,
        actor=member_of(store),
        title=title,
        variants=[{"name": name, "sku": sku, "price_minor": price_minor, "stock": stock}],
    )
    return product.variants.get()


def path_of(url):
    """The path of an absolute URL (checkout URLs are made with SITE_URL)."""
    return urlsplit(url).path


def create_order(api, variant, address, quantity=1, **headers):
    return api.post(
        "/api/v1/orders/",
        {"variant_id": variant.id, "quantity": quantity, "address_id": address.id},
        format="json",
        headers=headers,
    )


def press(client, payment, outcome="succeeded", webhook_mode=None):
    """The payer presses "Pay" or "Fail" on the sandbox's hosted page (payment.checkout_url)."""
    data = {"outcome": outcome}
    if webhook_mode:
        data["webhook_mode"] = webhook_mode
    return client.post(path_of(payment.checkout_url), data)


def deliver():
    """The sandbox's delivery job, once: every due webhook goes to our endpoint."""
    return sandbox_deliver_webhooks()


def make_all_webhooks_due():
    """Time passes for the sandbox: delayed (and reordered) notifications become due."""
    SandboxWebhook.objects.filter(delivered_at__isnull=True).update(deliver_after="2000-01-01T00:00:00Z")


def event_body(payment, *, status="succeeded", amount=None, currency=None, event_id="evt_test_1"):
    event = {
        "id": event_id,
        "type": f"payment.{status}",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": payment.provider_ref,
                "amount": payment.amount_minor if amount is None else amount,
                "currency": currency or payment.currency,
                "status": status,
            }
        },
    }
    return json.dumps(event, separators=(",", ":")).encode()


def post_webhook(client, body, *, secret=None, timestamp=None, signature=None):
    """POST a body to our real webhook endpoint, signed like the sandbox signs (or as told)."""
    headers = {}
    if signature is None:
        signature = signing.sign(secret or settings.SANDBOX_PAYMENT_SECRET, body, timestamp=timestamp)
    if signature is not False:
        headers[SIGNATURE_HEADER] = signature
    url = reverse("payment-webhook", kwargs={"provider": "sandbox"})
    return client.generic("POST", url, body, content_type="application/json", headers=headers)
