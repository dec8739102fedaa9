"""A provider that delivers the same signed webhook many times at once (they do: Stripe and WeChat
Pay both retry and duplicate): the real endpoint, each copy on its own connection, must apply it
once. Runs on SQLite too, where the writers take turns."""

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from gifts.models import Gift
from gifts.services.sending import gift_create
from giftshop import signing
from giftshop.models import OutboxMessage, StatusChange
from logistics.models import Shipment
from orders.models import Order, Payment, SandboxWebhook, WebhookEvent
from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_charge_complete
from orders.services.checkout import order_create_purchase
from orders.services.payments import TOPIC_GIFT_PAID
from tests.concurrency.harness import run_concurrently
from tests.factories import AddressFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def paid_notice_body(payment) -> bytes:
    """The payer pressed "Pay": the sandbox records it and queues its notice, which we take
    instead of letting the sandbox deliver it."""
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded", webhook_mode="normal")
    return SandboxWebhook.objects.get(body__contains=payment.provider_ref).body.encode()


def post_webhook(body, signature):
    def task():
        response = Client(raise_request_exception=False).post(
            reverse("payment-webhook", kwargs={"provider": "sandbox"}), body, content_type="application/json",
            headers={SIGNATURE_HEADER: signature},
        )
        return response.status_code

    return task


def moves(obj, to_status):
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk), to_status=to_status
    ).count()


def test_a_gift_payment_notice_posted_20_times_at_once_opens_the_gift_once(scale):
    # given a gift waiting for its payment, and the provider's signed "succeeded" notice
    gift = gift_create(sender=UserFactory(), variant_id=VariantFactory(stock=3).id, quantity=1, message="Hi")
    payment = gift.order.payments.get()
    body = paid_notice_body(payment)
    signature = signing.sign(settings.SANDBOX_PAYMENT_SECRET, body)
    copies = 20 if scale.on_postgres else 10

    # when the same notice arrives that many times at once
    run = run_concurrently([post_webhook(body, signature)] * copies, max_workers=scale.workers)

    # then every copy was acknowledged (no 500), and it was applied once
    assert run.errors == [] and run.values == [200] * copies
    assert WebhookEvent.objects.count() == 1
    assert WebhookEvent.objects.get().outcome == "paid"
    payment.refresh_from_db()
    order = Order.objects.get(id=gift.order_id)
    assert payment.status == Payment.Status.SUCCEEDED and order.status == Order.Status.PAID
    assert moves(payment, Payment.Status.SUCCEEDED) == 1 and moves(order, Order.Status.PAID) == 1
    assert OutboxMessage.objects.filter(topic=TOPIC_GIFT_PAID).count() == 1
    # and the gift opened once
    drain_outbox()
    gift.refresh_from_db()
    assert gift.status == Gift.Status.OPEN and moves(gift, Gift.Status.OPEN) == 1


def test_a_purchase_payment_notice_posted_20_times_at_once_makes_one_shipment(scale):
    # given a purchase waiting for its payment, and the provider's signed "succeeded" notice
    buyer = UserFactory()
    order = order_create_purchase(
        buyer=buyer, variant_id=VariantFactory(stock=3).id, quantity=2, address_id=AddressFactory(user=buyer).id
    )
    payment = order.payments.get()
    body = paid_notice_body(payment)
    signature = signing.sign(settings.SANDBOX_PAYMENT_SECRET, body)
    copies = 20 if scale.on_postgres else 10

    # when the same notice arrives that many times at once
    run = run_concurrently([post_webhook(body, signature)] * copies, max_workers=scale.workers)

    # then the order is paid once and there is one parcel to ship
    assert run.errors == [] and run.values == [200] * copies
    assert WebhookEvent.objects.count() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and moves(order, Order.Status.PAID) == 1
    assert Shipment.objects.count() == 1 and order.shipment.recipient_id == buyer.id
    assert order.shipment.lines[0]["quantity"] == 2
