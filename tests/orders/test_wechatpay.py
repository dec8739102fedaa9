"""PAYMENT_PROVIDER=wechatpay against a fake WeChat Pay API v3 on loopback (tests/fakes/
wechatpay_server.py), with merchant and platform keys generated for the run: our requests are
signed and checked as v3 checks them, its answers and notifications are signed (and the resource
encrypted) as v3 does. A gift goes from payment to claimed and from expiry to refunded; tampered,
stale, replayed, wrong-serial and undecryptable notifications are refused."""

import base64
import io
import re
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db.models.functions import Now
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept
from gifts.services.lifecycle import gifts_expire_due
from gifts.services.sending import gift_create
from orders.models import Payment, Refund, WebhookEvent
from orders.payments import get_provider
from orders.payments.base import InvalidSignature, PaymentUpdate
from orders.services.refunds import refunds_reconcile
from tests.factories import AddressFactory, UserFactory, VariantFactory
from tests.fakes.wechatpay_server import FakeWeChatPay
from tests.fuzz_inputs import fuzz_settings, returns_or_raises
from tests.gifts.helpers import drain_outbox, ship_and_deliver

pytestmark = pytest.mark.django_db

PRICE = 6800
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/18.1 Mobile/15E148 Safari/604.1")
IN_WECHAT = IPHONE + " MicroMessenger/8.0.54(0x18003631) NetType/WIFI Language/zh_CN"


@pytest.fixture(scope="module")
def server():
    fake = FakeWeChatPay().start()
    yield fake
    fake.stop()


@pytest.fixture
def wechat(server, settings):
    for name, value in server.settings().items():
        setattr(settings, name, value)
    settings.DEFAULT_PAYMENT_PROVIDER = "wechatpay"
    server.refund_status = "SUCCESS"
    server.orders.clear()  # each test's database numbers its orders from 1 again
    server.requests.clear()
    server.h5_ips.clear()
    server.refunds.clear()
    return server


def deliver(notification):
    body, headers = notification
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return Client().post(reverse("payment-webhook", kwargs={"provider": "wechatpay"}), data=body,
                         content_type="application/json", **meta)


@pytest.fixture
def sender(db):
    return UserFactory(username="alice")


@pytest.fixture
def variant(db):
    return VariantFactory(stock=10, price_minor=PRICE)


def paid_gift(wechat, sender, variant, **kwargs):
    gift = gift_create(sender=sender, variant_id=variant.id, **kwargs)
    payment = gift.order.payments.get()
    assert payment.provider == "wechatpay" and payment.provider_ref == payment.idempotency_key.replace(":", "-")
    assert deliver(wechat.pay(payment.provider_ref)).status_code == 204
    drain_outbox()
    gift.refresh_from_db()
    return gift


def test_a_native_order_is_signed_by_the_merchant_and_its_qr_page_draws_the_code(wechat, sender, variant, client,
                                                                                settings):
    gift = gift_create(sender=sender, variant_id=variant.id, quantity=2)

    payment = gift.order.payments.get()
    order = wechat.orders[payment.provider_ref]
    assert order["amount"] == {"total": 2 * PRICE, "currency": "CNY"} and order["mchid"] == "1900000109"
    assert order["notify_url"].endswith("/api/v1/payments/webhooks/wechatpay/")
    page = client.get(payment.checkout_url)
    html = page.content.decode()
    assert page.status_code == 200 and "Open WeChat, tap Scan" in html and 'http-equiv="refresh"' in html
    src = re.search(r'<img src="data:image/png;base64,([^"]+)"', html)[1]
    assert base64.b64decode(src) == qr_png(f"weixin://wxpay/bizpayurl?pr={payment.provider_ref[-10:]}")
    assert client.get(reverse("orders:wechat-pay") + "?c=forged").status_code == 404
    in_wechat = Client(HTTP_USER_AGENT=IN_WECHAT).get(payment.checkout_url).content.decode()
    assert "Press and hold the code, then choose" in in_wechat

    assert deliver(wechat.pay(payment.provider_ref)).status_code == 204
    assert client.get(payment.checkout_url)["Location"] == f"{settings.SITE_URL}/gifts/{gift.id}/"  # paid: back


def qr_png(data):
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    qr.add_data(data)
    png = io.BytesIO()
    qr.make_image().save(png, format="PNG")
    return png.getvalue()


def test_a_gift_paid_with_wechat_pay_opens_is_claimed_and_delivered(wechat, sender, variant):
    gift = paid_gift(wechat, sender, variant)

    assert gift.status == Gift.Status.OPEN
    assert gift.order.payments.get().status == Payment.Status.SUCCEEDED
    friend = UserFactory()
    claim = claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id)
    assert ship_and_deliver(claim).status == Claim.Status.DELIVERED


def test_an_expired_gift_is_refunded_once_wechat_pay_confirms(wechat, sender, variant):
    gift = paid_gift(wechat, sender, variant, quantity=2, mode="group")
    wechat.refund_status = "PROCESSING"

    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))
    gifts_expire_due()
    drain_outbox()

    refund = Refund.objects.get(payment__order=gift.order)
    wire = refund.refund_ref.replace(":", "-")
    assert refund.status == Refund.Status.PENDING and wechat.refunds[wire]["amount"]["refund"] == 2 * PRICE
    news = wechat.settle_refund(wire, "SUCCESS")
    assert deliver(news).status_code == 204
    refund.refresh_from_db()
    payment = gift.order.payments.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert (payment.status, payment.refunded_minor) == (Payment.Status.REFUNDED, 2 * PRICE)


def test_a_refund_whose_notification_never_came_is_settled_by_asking(wechat, sender, variant):
    gift = paid_gift(wechat, sender, variant)
    wechat.refund_status = "PROCESSING"
    Gift.objects.filter(id=gift.id).update(expires_at=Now() - timedelta(seconds=1))
    gifts_expire_due()
    drain_outbox()
    refund = Refund.objects.get(payment__order=gift.order)
    wechat.settle_refund(refund.refund_ref.replace(":", "-"), "ABNORMAL")  # lost

    assert refunds_reconcile(older_than_seconds=0) == {"failed": 1}
    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED


def phone(agent=IPHONE, ip="203.0.113.7"):
    return Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)


def send_from_the_page(sender, variant, agent):
    browser = phone(agent)
    browser.force_login(sender)
    data = {"variant": variant.id, "quantity": 1, "mode": "single", "claim_rule": "first_come", "message": "",
            "cover": "birthday", "claim_hours": 24, "draw_at": ""}
    response = browser.post(f"{reverse('gifts:compose')}?variant={variant.id}", data)
    return response, Gift.objects.get(sender=sender)


def test_a_phone_browser_pays_by_h5_with_its_ip_and_comes_back_to_the_gift(wechat, sender, variant, settings):
    response, gift = send_from_the_page(sender, variant, IPHONE)

    # the H5 order exists at WeChat Pay, made with the phone's IP
    payment = gift.order.payments.get()
    order = wechat.orders[payment.provider_ref]
    assert order["trade_type"] == "MWEB" and order["amount"]["total"] == PRICE
    assert order["scene_info"] == {"payer_client_ip": "203.0.113.7", "h5_info": {"type": "Wap"}}
    # the checkout link is ours: it asks for a fresh h5_url (one lives five minutes) and goes there
    assert response["Location"] == payment.checkout_url
    assert payment.checkout_url.startswith(settings.SITE_URL + reverse("orders:wechat-h5") + "?c=")
    assert len(payment.checkout_url) < 400  # Payment.checkout_url: 500 characters
    later = phone(ip="198.51.100.23").get(payment.checkout_url)  # the same phone, on another network
    back = quote(f"{settings.SITE_URL}/gifts/{gift.id}/", safe="")
    assert later.status_code == 302
    assert later["Location"].startswith("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=")
    assert later["Location"].endswith(f"&redirect_url={back}")
    assert wechat.requests.count(("POST", "/v3/pay/transactions/h5")) == 2 and len(wechat.orders) == 1
    assert wechat.h5_ips == ["203.0.113.7", "198.51.100.23"]

    assert deliver(wechat.pay(payment.provider_ref)).status_code == 204
    drain_outbox()
    gift.refresh_from_db()
    assert gift.status == Gift.Status.OPEN
    # paid: the link goes back to the gift without asking WeChat Pay again
    assert phone().get(payment.checkout_url)["Location"] == f"{settings.SITE_URL}/gifts/{gift.id}/"
    assert wechat.requests.count(("POST", "/v3/pay/transactions/h5")) == 2


def test_an_h5_link_that_is_forged_is_a_404_and_one_whose_provider_is_down_goes_back_with_a_message(
    wechat, sender, variant, settings
):
    _response, gift = send_from_the_page(sender, variant, IPHONE)
    payment = gift.order.payments.get()
    assert phone().get(reverse("orders:wechat-h5") + "?c=forged").status_code == 404

    settings.WECHATPAY_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    browser = phone()
    answer = browser.get(payment.checkout_url, follow=True)

    assert answer.redirect_chain[0] == (f"{settings.SITE_URL}/gifts/{gift.id}/", 302)
    assert "The payment page could not be opened" in str(list(answer.context["messages"])[0])


@pytest.mark.parametrize("agent", [IN_WECHAT, "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36"])
def test_wechats_own_browser_and_a_desktop_get_the_native_qr_code(wechat, sender, variant, agent, settings):
    response, gift = send_from_the_page(sender, variant, agent)

    assert wechat.orders[gift.order.payments.get().provider_ref]["trade_type"] == "NATIVE"
    assert response["Location"].startswith(reverse("orders:wechat-pay") + "?c=", len(settings.SITE_URL))


def test_pay_now_from_another_device_after_a_lost_answer_is_refused_and_the_payer_told(wechat, sender, variant):
    response, gift = send_from_the_page(sender, variant, IPHONE)
    payment = gift.order.payments.get()
    Payment.objects.filter(id=payment.id).update(provider_ref="", checkout_url="")  # our side never heard back
    desktop = Client(REMOTE_ADDR="203.0.113.7")
    desktop.force_login(sender)

    again = desktop.post(reverse("gifts:pay", kwargs={"gift_id": gift.id}), follow=True)

    assert wechat.orders[payment.idempotency_key.replace(":", "-")]["trade_type"] == "MWEB"  # one order only
    assert "The payment page could not be opened" in again.content.decode()
    assert Payment.objects.get(id=payment.id).checkout_url == ""


@pytest.fixture
def unpaid(wechat, sender, variant):
    return gift_create(sender=sender, variant_id=variant.id).order.payments.get()


@pytest.mark.parametrize("how", ["tampered", "stale", "future", "wrong serial", "wrong key", "wrong apiv3 key",
                                 "replayed nonce"])
def test_bad_notifications_are_refused_in_wechat_pays_shape(wechat, unpaid, how):
    kwargs = {}
    if how == "stale":
        kwargs = {"timestamp": int(time.time()) - 301}
    elif how == "future":
        kwargs = {"timestamp": int(time.time()) + 330}  # margin: a slow run brings it closer
    elif how == "wrong serial":
        kwargs = {"serial": "0000000000000000000000000000000000000000"}
    elif how == "wrong key":
        kwargs = {"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
    elif how == "wrong apiv3 key":
        kwargs = {"apiv3_key": "x" * 32}
    if how == "replayed nonce":
        first = wechat.pay(unpaid.provider_ref)
        body, headers = wechat.pay(unpaid.provider_ref, nonce=first[1]["Wechatpay-Nonce"])
        assert deliver(first).status_code == 204
    else:
        body, headers = wechat.pay(unpaid.provider_ref, **kwargs)
        if how == "tampered":
            body = body.replace(b'"TRANSACTION.SUCCESS"', b'"TRANSACTION.SUCCESS" ')

    response = deliver((body, headers))

    assert response.status_code == 400 and response.json()["code"] == "FAIL"
    if how != "replayed nonce":
        assert Payment.objects.get(id=unpaid.id).status == Payment.Status.PENDING


def test_a_notification_delivered_twice_is_applied_once(wechat, unpaid):
    body, _ = news = wechat.pay(unpaid.provider_ref)
    assert deliver(news).status_code == 204
    again = (body, wechat.signed_headers(body))  # WeChat Pay's retry: the same event, signed anew
    assert deliver(again).status_code == 204
    assert list(WebhookEvent.objects.filter(provider="wechatpay").values_list("outcome", flat=True)) == ["paid"]


def test_an_answer_not_signed_by_the_platform_is_a_provider_error(wechat, settings, sender, variant):
    settings.WECHATPAY_PLATFORM_KEYS = {"OTHER": wechat.settings()["WECHATPAY_PLATFORM_KEYS"].popitem()[1]}
    gift = gift_create(sender=sender, variant_id=variant.id)
    assert gift.order.payments.get().checkout_url == ""  # kept; "Pay now" tries again


@fuzz_settings(60)
@given(body=st.binary(max_size=300), stamp=st.one_of(st.none(), st.text(max_size=15)),
       signature=st.one_of(st.none(), st.text(max_size=50)))
def test_the_parser_returns_an_update_or_our_own_error(wechat, body, stamp, signature):
    headers = {"Wechatpay-Serial": "7132D72A03E93CDDF8C03BBD1F37EEDF204A3F6F", "Wechatpay-Nonce": "n",
               "Wechatpay-Timestamp": stamp, "Wechatpay-Signature": signature}
    returns_or_raises(lambda: get_provider("wechatpay").parse_webhook(headers=headers, body=body), InvalidSignature,
                      lambda update: isinstance(update, PaymentUpdate))
