""""Pay now" restarts a checkout whose call to the provider failed (issue 13): the order is kept,
its page offers the button, and pressing it asks the provider again under the same idempotency
key. Only the payer may; a paid order has nothing to pay."""

import pytest
from django.urls import reverse

from gifts.services.sending import gift_create
from orders.services.checkout import order_create_purchase
from tests.factories import UserFactory, VariantFactory
from tests.fakes.stripe_server import API_KEY, WEBHOOK_SECRET, FakeStripe
from tests.orders.helpers import make_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_down(settings):
    """PAYMENT_PROVIDER=stripe while Stripe cannot be reached (no key yet: every call fails)."""
    settings.DEFAULT_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = ""
    fake = FakeStripe().start()
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET

    def back_up():
        settings.STRIPE_SECRET_KEY = API_KEY
        return fake

    yield back_up
    fake.stop()


def test_pay_now_opens_the_checkout_that_could_not_open_before(client, user, stripe_down):
    order = order_create_purchase(buyer=user, variant_id=VariantFactory(stock=3).id, quantity=1,
                                  address_id=make_address(user).id)
    payment = order.payments.get()
    assert payment.checkout_url == "" and payment.provider_ref == ""
    client.force_login(user)
    page = client.get(reverse("orders:detail", kwargs={"order_id": order.id})).content.decode()
    assert f'action="{reverse("orders:pay", kwargs={"order_id": order.id})}"' in page

    # while the provider is still down: a message, and the order waits
    response = client.post(reverse("orders:pay", kwargs={"order_id": order.id}), follow=True)
    assert "could not be opened" in response.content.decode()

    # once it is back: to its checkout, opened under the payment's own key
    fake = stripe_down()
    response = client.post(reverse("orders:pay", kwargs={"order_id": order.id}))
    payment.refresh_from_db()
    assert payment.provider_ref.startswith("cs_test_") and response.url == payment.checkout_url
    assert ("POST", "/v1/checkout/sessions", payment.idempotency_key) in fake.requests
    again = client.post(reverse("orders:pay", kwargs={"order_id": order.id}))
    assert again.url == payment.checkout_url and len(fake.sessions) == 1


def test_the_gift_page_restarts_its_checkout_too(client, user, stripe_down):
    gift = gift_create(sender=user, variant_id=VariantFactory(stock=3).id)
    client.force_login(user)
    stripe_down()

    response = client.post(reverse("gifts:pay", kwargs={"gift_id": gift.id}))

    payment = gift.order.payments.get()
    assert response.url == payment.checkout_url != ""


def test_only_the_payer_may_and_a_settled_order_has_nothing_to_pay(client, user, stripe_down):
    order = order_create_purchase(buyer=user, variant_id=VariantFactory(stock=3).id, quantity=1,
                                  address_id=make_address(user).id)
    stripe_down()
    client.force_login(UserFactory())
    assert client.post(reverse("orders:pay", kwargs={"order_id": order.id})).status_code == 404

    order.status = "cancelled"
    order.save(update_fields=["status"])
    client.force_login(user)
    response = client.post(reverse("orders:pay", kwargs={"order_id": order.id}), follow=True)
    assert "no longer waits for a payment" in response.content.decode()
    assert order.payments.get().checkout_url == ""
