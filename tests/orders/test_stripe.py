"""PAYMENT_PROVIDER=stripe, the official `stripe` library pointed at a fake Stripe on loopback
(tests/fakes/stripe_server.py, STRIPE_API_BASE), its webhooks signed with the library's own helper
and posted to our endpoint through the whole Django stack. No mock of our code: the gift goes
from payment to claimed, and from expiry to refunded, as it would against Stripe."""

import json
import time
from datetime import timedelta

import pytest
import stripe
from django.db.models.functions import Now
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept
from gifts.services.lifecycle import gifts_expire_due
from gifts.services.merchant_refunds import shipment_refund_by_merchant
from gifts.services.sending import gift_create
from orders.models import Payment, Refund, WebhookEvent
from orders.payments import get_provider
from orders.payments.base import InvalidSignature, PaymentUpdate, ProviderError
from orders.payments.stripe_provider import PAYMENT_EVENTS, REFUND_EVENTS, StripeProvider
from orders.services.refunds import refunds_reconcile
from tests.factories import AddressFactory, UserFactory, VariantFactory, member_of
from tests.fakes.stripe_server import API_KEY, WEBHOOK_SECRET, FakeStripe
from tests.fuzz_inputs import fuzz_settings, returns_or_raises
from tests.gifts.helpers import drain_outbox, ship_and_deliver

pytestmark = pytest.mark.django_db

PRICE = 12800


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe().start()
    settings.DEFAULT_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield fake
    fake.stop()


def deliver(body_and_header, *, client=None):
    """POST a webhook as Stripe does: the raw body, its Stripe-Signature header."""
    body, header = body_and_header
    return (client or Client()).post(
        reverse("payment-webhook", kwargs={"provider": "stripe"}), data=body, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


@pytest.fixture
def sender(db):
    return UserFactory(username="alice", display_name="Alice")


@pytest.fixture
def variant(db):
    return VariantFactory(stock=10, price_minor=PRICE, product__title="Jasmine tea")


def a_paid_gift(fake_stripe, sender, variant, **kwargs) -> Gift:
    gift = gift_create(sender=sender, variant_id=variant.id, **kwargs)
    payment = gift.order.payments.get()
    assert payment.provider == "stripe" and payment.provider_ref.startswith("cs_test_")
    assert payment.checkout_url == f"https://checkout.stripe.com/c/pay/{payment.provider_ref}"  # as Stripe hosts it
    assert deliver(fake_stripe.pay(payment.provider_ref)).status_code == 200
    drain_outbox()
    gift.refresh_from_db()
    return gift


def test_a_checkout_session_carries_the_order_total_and_our_idempotency_key(fake_stripe, sender, variant):
    gift = gift_create(sender=sender, variant_id=variant.id, quantity=2)

    payment = gift.order.payments.get()
    session = fake_stripe.sessions[payment.provider_ref]
    assert (session["amount_total"], session["currency"], session["mode"]) == (2 * PRICE, "cny", "payment")
    assert session["success_url"].endswith(f"/gifts/{gift.id}/") and session["metadata"] == {
        "payment_key": payment.idempotency_key}
    assert ("POST", "/v1/checkout/sessions", payment.idempotency_key) in fake_stripe.requests


def test_a_gift_paid_through_stripe_opens_is_claimed_and_delivered(fake_stripe, sender, variant):
    gift = a_paid_gift(fake_stripe, sender, variant)

    assert gift.status == Gift.Status.OPEN
    payment = gift.order.payments.get()
    assert payment.status == Payment.Status.SUCCEEDED
    friend = UserFactory()
    claim = claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id)
    assert ship_and_deliver(claim).status == Claim.Status.DELIVERED


def test_an_expired_gift_is_refunded_through_stripe_once_stripe_confirms(fake_stripe, sender, variant):
    # given a paid gift of 2 that nobody claimed; Stripe answers new refunds "pending"
    gift = a_paid_gift(fake_stripe, sender, variant, quantity=2, mode="group")
    fake_stripe.refund_status = "pending"

    # when it expires
    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))
    assert gifts_expire_due()["expired"] == 1
    drain_outbox()

    # then Stripe was asked for the refund under our key, and it is pending in our books
    refund = Refund.objects.get(payment__order=gift.order)
    assert refund.status == Refund.Status.PENDING and refund.provider_ref.startswith("re_test_")
    stripe_refund = fake_stripe.refunds[refund.provider_ref]
    assert stripe_refund["amount"] == 2 * PRICE and stripe_refund["metadata"] == {"refund_ref": refund.refund_ref}
    assert ("POST", "/v1/refunds", refund.refund_ref) in fake_stripe.requests
    payment = gift.order.payments.get()
    assert (payment.status, payment.refunded_minor) == (Payment.Status.SUCCEEDED, 0)

    # when Stripe's refund.updated says it succeeded (and says it twice)
    news = fake_stripe.settle_refund(refund.provider_ref, "succeeded")
    assert deliver(news).status_code == 200
    assert deliver(news).status_code == 200

    # then the refund landed once
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert (payment.status, payment.refunded_minor) == (Payment.Status.REFUNDED, 2 * PRICE)
    assert list(WebhookEvent.objects.filter(event_type="refund.updated").values_list("outcome", flat=True)) == [
        "refunded"]


def test_charge_refunded_settles_every_refund_it_lists(fake_stripe, sender, variant):
    # given a group gift of 2: one parcel refunded by the store, the unclaimed unit at expiry; both pending
    gift = a_paid_gift(fake_stripe, sender, variant, quantity=2, mode="group")
    fake_stripe.refund_status = "pending"
    friend = UserFactory()
    claim = claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id)
    shipment_refund_by_merchant(shipment=claim.shipment, actor=member_of(variant))
    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))
    gifts_expire_due()
    drain_outbox()
    assert list(Refund.objects.values_list("status", flat=True)) == ["pending", "pending"]
    payment = gift.order.payments.get()

    # when Stripe's charge.refunded lists both as succeeded (and comes twice)
    news = fake_stripe.charge_refunded(fake_stripe.sessions[payment.provider_ref]["payment_intent"])
    assert deliver(news).status_code == 200
    assert deliver(news).status_code == 200

    # then both landed, once
    payment.refresh_from_db()
    assert list(Refund.objects.values_list("status", flat=True)) == ["succeeded", "succeeded"]
    assert (payment.status, payment.refunded_minor) == (Payment.Status.REFUNDED, 2 * PRICE)
    assert list(WebhookEvent.objects.filter(event_type="charge.refunded").values_list("outcome", flat=True)) == [
        "refunded"]


def test_a_refund_whose_webhook_never_came_is_settled_by_asking_stripe(fake_stripe, sender, variant):
    gift = a_paid_gift(fake_stripe, sender, variant)
    fake_stripe.refund_status = "pending"
    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))
    gifts_expire_due()
    drain_outbox()
    refund = Refund.objects.get(payment__order=gift.order)

    fake_stripe.settle_refund(refund.provider_ref, "failed")  # its webhook is lost
    assert refunds_reconcile(older_than_seconds=0) == {"failed": 1}

    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED and refund.retry_at is not None


def test_a_stripe_error_is_a_provider_error_and_a_retry_reuses_the_key(fake_stripe, settings, sender, variant):
    settings.STRIPE_SECRET_KEY = "sk_test_wrong"
    provider = get_provider("stripe")
    with pytest.raises(ProviderError):
        provider.create_payment(idempotency_key="pay:1:1", amount_minor=100, currency="CNY", description="x",
                                return_url="https://shop.example.com/")
    settings.STRIPE_SECRET_KEY = API_KEY
    first = provider.create_payment(idempotency_key="pay:1:1", amount_minor=100, currency="CNY", description="x",
                                    return_url="https://shop.example.com/")
    again = provider.create_payment(idempotency_key="pay:1:1", amount_minor=100, currency="CNY", description="x",
                                    return_url="https://shop.example.com/")
    assert again.provider_ref == first.provider_ref and len(fake_stripe.sessions) == 1
    with pytest.raises(ProviderError):  # the same key with other parameters
        provider.create_payment(idempotency_key="pay:1:1", amount_minor=999, currency="CNY", description="x",
                                return_url="https://shop.example.com/")


# --- the webhook's verification ------------------------------------------------------------------


@pytest.fixture
def session(fake_stripe, sender, variant):
    gift = gift_create(sender=sender, variant_id=variant.id)
    return gift.order.payments.get().provider_ref


def parse(body, header):
    return get_provider("stripe").parse_webhook(headers={"Stripe-Signature": header}, body=body)


def test_a_signed_completed_session_is_a_succeeded_update(fake_stripe, session):
    body, header = fake_stripe.pay(session)
    update = parse(body, header)
    assert (update.provider_ref, update.status, update.amount_minor, update.currency) == (session, "succeeded",
                                                                                          PRICE, "CNY")


@pytest.mark.parametrize("how", ["tampered", "wrong secret", "stale", "future", "no header", "other scheme"])
def test_tampered_stale_future_and_unsigned_events_are_refused(fake_stripe, session, how):
    body, header = fake_stripe.pay(session)
    if how == "tampered":
        body = body.replace(str(PRICE).encode(), b"1")
    elif how == "wrong secret":
        body, header = fake_stripe.event("checkout.session.completed", fake_stripe.sessions[session],
                                         secret="whsec_someone_else")
    elif how == "stale":
        body, header = fake_stripe.event("checkout.session.completed", fake_stripe.sessions[session],
                                         timestamp=int(time.time()) - 301)
    elif how == "future":
        body, header = fake_stripe.event("checkout.session.completed", fake_stripe.sessions[session],
                                         timestamp=int(time.time()) + 330)  # margin for a slow run
    elif how == "no header":
        header = ""
    else:
        header = header.replace("v1=", "v0=")

    with pytest.raises(InvalidSignature):
        parse(body, header)
    response = deliver((body, header))
    assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
    assert Payment.objects.get(provider_ref=session).status == Payment.Status.PENDING


def test_a_replayed_event_is_applied_once(fake_stripe, session):
    news = fake_stripe.pay(session)
    assert deliver(news).status_code == 200
    assert deliver(news).status_code == 200
    assert list(WebhookEvent.objects.filter(provider="stripe").values_list("outcome", flat=True)) == ["paid"]


def test_an_expired_session_fails_the_payment(fake_stripe, session):
    assert deliver(fake_stripe.expire(session)).status_code == 200
    assert Payment.objects.get(provider_ref=session).status == Payment.Status.FAILED


# --- fuzz: whatever arrives, an update or our own error ----------------------------------------------

stripe_objects = st.fixed_dictionaries({}, optional={
    "id": st.text(max_size=30) | st.integers(), "object": st.sampled_from(["checkout.session", "refund", "charge"]),
    "payment_status": st.sampled_from(["paid", "unpaid"]) | st.none(), "status": st.text(max_size=10) | st.none(),
    "amount_total": st.integers(-2, 10**20) | st.text(max_size=5) | st.none(),
    "amount": st.integers(-2, 10**20) | st.floats() | st.none(), "currency": st.text(max_size=5) | st.integers(),
    "payment_intent": st.text(max_size=30) | st.none(),
    "metadata": st.dictionaries(st.text(max_size=12), st.text(max_size=130)) | st.lists(st.integers()),
    "refunds": st.fixed_dictionaries({"data": st.lists(st.dictionaries(st.text(max_size=8), st.text(max_size=8)),
                                                       max_size=2)}) | st.text(max_size=3),
})
stripe_events = st.fixed_dictionaries({}, optional={
    "id": st.text(max_size=120) | st.integers(), "type": st.sampled_from(sorted(PAYMENT_EVENTS | REFUND_EVENTS))
    | st.text(max_size=20), "created": st.integers(-1, 2**70) | st.text(max_size=4),
    "data": st.fixed_dictionaries({"object": stripe_objects}) | st.text(max_size=4),
})


@fuzz_settings(120)
@given(event=stripe_events)
def test_the_stripe_parser_returns_an_update_or_our_own_error(settings, event):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET)
    returns_or_raises(
        lambda: StripeProvider().parse_webhook(headers={"Stripe-Signature": header}, body=body.encode()),
        InvalidSignature, lambda update: isinstance(update, PaymentUpdate),
    )
