"""The buy page, my orders and one order, through the HTTP client; and the whole purchase loop:
product page → buy page → sandbox checkout page → signed webhook → paid → shipment."""

import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gifts.services.sending import gift_create
from giftshop.outbox import outbox_relay
from logistics.models import Shipment
from orders.models import Order, Payment
from orders.services.sweeps import orders_cancel_unpaid
from stores import services as store_services
from stores.models import Variant
from tests.factories import StoreFactory, UserFactory, member_of
from tests.orders.helpers import deliver, make_address, make_variant, path_of, press

pytestmark = pytest.mark.django_db


def main_html(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def buy_url(variant):
    return f"{reverse('orders:buy')}?variant={variant.id}"


@pytest.fixture
def product():
    """A product with two variants: Small (5 in stock) and Large (sold out)."""
    store = StoreFactory(name="Tea House", slug="tea-house", owner=UserFactory(username="owner"))
    return store_services.product_create(
        store=store, actor=member_of(store),
        title="Teapot",
        variants=[
            {"name": "Small", "sku": "S", "price_minor": 12800, "stock": 5},
            {"name": "Large", "sku": "L", "price_minor": 15900, "stock": 0},
        ],
    )


@pytest.fixture
def small(product):
    return product.variants.get(sku="S")


@pytest.fixture
def large(product):
    return product.variants.get(sku="L")


@pytest.fixture
def alice(client, user):
    client.force_login(user)
    return client


def post_buy(client, variant, address, quantity=1, **extra):
    data = {"variant_id": variant.id, "quantity": quantity, "address_id": address.id if address else "", **extra}
    return client.post(buy_url(variant), data)


# --- the whole loop --------------------------------------------------------------------------


def test_buying_for_yourself_end_to_end(alice, user, product, small):
    # given: alice has two addresses, the second is her default
    make_address(user, recipient_name="Office")
    home = make_address(user, recipient_name="Home", street="1 Home Lane", is_default=True)
    product_page = alice.get(reverse("stores:product", kwargs={"store_slug": "tea-house", "product_id": product.id}))
    assert f'action="{reverse("orders:buy")}"' in main_html(product_page)

    # when: the product page's "Buy" (a GET form with the chosen variant) opens the buy page
    page = alice.get(reverse("orders:buy"), {"variant": small.id})
    assert page.status_code == 200
    assert re.search(rf'name="address_id" value="{home.id}"\s+checked', main_html(page))  # the default

    # and she buys two
    response = post_buy(alice, small, home, quantity=2)

    # then: the order is made, and she is sent to the provider's checkout page
    order = Order.objects.get(buyer=user)
    payment = order.payments.get()
    assert response.status_code == 302 and response["Location"] == payment.checkout_url
    assert order.status == Order.Status.PENDING_PAYMENT and order.total_minor == 25600
    assert Variant.objects.get(id=small.id).stock == 3

    checkout = alice.get(path_of(payment.checkout_url))
    assert checkout.status_code == 200 and "¥256.00" in main_html(checkout)

    # when: she presses "Pay"; the provider sends us its signed webhook
    paid = press(alice, payment, "succeeded")
    assert paid.status_code == 302 and path_of(paid["Location"]) == reverse("orders:detail", args=[order.id])
    waiting = alice.get(path_of(paid["Location"]))
    assert "Waiting for the payment to be confirmed" in main_html(waiting)  # not paid before the webhook
    assert deliver() == {"sent": 1, "failed": 0}

    # then: paid, and the store has a shipment to the address she chose (a snapshot)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    shipment = order.shipment
    assert shipment.store == product.store and shipment.recipient == user
    assert (shipment.ship_to_name, shipment.ship_to_street) == ("Home", "1 Home Lane")
    assert shipment.lines == [{"product_title": "Teapot", "variant_name": "Small", "sku": "S", "quantity": 2}]
    assert shipment.status == Shipment.Status.PENDING

    # and her order page says so, and stops refreshing itself
    detail = alice.get(reverse("orders:detail", args=[order.id]))
    html = detail.content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "Paid" in main_html(detail) and "waiting to be dispatched" in main_html(detail)


def test_a_failed_payment_ends_the_order_and_puts_the_stock_back(alice, user, small):
    address = make_address(user)
    post_buy(alice, small, address, quantity=3)
    order = Order.objects.get(buyer=user)
    assert Variant.objects.get(id=small.id).stock == 2

    press(alice, order.payments.get(), "failed")
    deliver()

    order.refresh_from_db()
    assert order.status == Order.Status.PAYMENT_FAILED
    assert order.payments.get().status == Payment.Status.FAILED
    assert Variant.objects.get(id=small.id).stock == 5
    assert not Shipment.objects.exists()
    assert "did not go through" in main_html(alice.get(reverse("orders:detail", args=[order.id])))


# --- the buy page ----------------------------------------------------------------------------


def test_buy_page_asks_anonymous_visitors_to_log_in_and_come_back(client, small):
    response = client.get(buy_url(small))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={quote(buy_url(small), safe='/')}"


def test_buy_page_offers_in_stock_variants_quantity_and_addresses(alice, user, small, large):
    make_address(user, recipient_name="Han Meimei")

    html = main_html(alice.get(buy_url(small)))

    assert "Teapot" in html and "¥128.00" in html and "¥159.00" in html
    assert re.search(rf'name="variant_id" value="{small.id}"\s+checked', html)
    assert re.search(rf'name="variant_id" value="{large.id}"\s+disabled', html)
    assert 'name="quantity"' in html and 'max="10"' in html
    assert "Han Meimei" in html
    add_address = f"{reverse('logistics:address_create')}?next={quote(buy_url(small), safe='')}"
    assert add_address in html


def test_buy_page_without_addresses_says_to_add_one_first(alice, small):
    html = main_html(alice.get(buy_url(small)))

    assert "No saved address yet" in html
    assert f'href="{reverse("logistics:address_create")}?next=' in html
    assert re.search(r"<button type=\"submit\" disabled>", html)


def test_buy_page_for_a_sold_out_variant_preselects_one_in_stock(alice, small, large):
    response = alice.get(buy_url(large))

    html = main_html(response)
    assert response.status_code == 200
    assert re.search(rf'name="variant_id" value="{small.id}"\s+checked', html)
    assert "Large is sold out." in response.content.decode()


def test_buy_page_when_everything_is_sold_out(alice, small, large):
    Variant.objects.filter(id=small.id).update(stock=0)

    html = main_html(alice.get(buy_url(small)))

    assert "Sold out" in html and "<form" not in html


@pytest.mark.parametrize("variant", ["", "abc", "²", "99999999999999999999999", "999999", "-1"])
def test_buy_page_for_no_such_variant_is_404(alice, variant):
    assert alice.get(reverse("orders:buy"), {"variant": variant}).status_code == 404


def test_buy_page_for_an_inactive_product_is_404(alice, product, small):
    product.is_active = False
    product.save()

    assert alice.get(buy_url(small)).status_code == 404
    assert post_buy(alice, small, None).status_code == 404


def test_buy_page_shows_the_services_errors_on_the_form(alice, user, other_user, small, large):
    mine = make_address(user)
    theirs = make_address(other_user)
    other_variant = make_variant(sku="OTHER")
    cases = [
        ({"address_id": theirs.id}, "Choose one of your saved addresses."),
        ({"address_id": ""}, "Choose where to send it."),
        ({"quantity": 11}, "Ensure this value is less than or equal to 10."),
        ({"quantity": "lots"}, "Enter a whole number."),
        ({"quantity": 6}, "Sorry, this is sold out."),  # only 5 left
        ({"variant_id": large.id}, "Sorry, this is sold out."),
        ({"variant_id": other_variant.id}, "Choose one of this product"),
        ({"variant_id": "x"}, "Choose one of this product"),
    ]
    for change, message in cases:
        data = {"variant_id": small.id, "quantity": 1, "address_id": mine.id, **change}
        response = alice.post(buy_url(small), data)
        assert response.status_code == 200, change
        assert message in response.content.decode().replace("&#x27;", "'"), change
    assert not Order.objects.exists()
    assert Variant.objects.get(id=small.id).stock == 5


def test_buy_page_keeps_the_choices_after_an_error(alice, user, small):
    make_address(user)
    second = make_address(user, recipient_name="Second")

    html = main_html(alice.post(buy_url(small), {"variant_id": small.id, "quantity": 99, "address_id": second.id}))

    assert re.search(rf'name="address_id" value="{second.id}"\s+checked', html)
    assert 'value="99"' in html


# --- my orders and one order -----------------------------------------------------------------


def test_order_page_while_pending_refreshes_itself_and_offers_to_pay(alice, user, small):
    post_buy(alice, small, make_address(user))
    order = Order.objects.get(buyer=user)

    response = alice.get(reverse("orders:detail", args=[order.id]))

    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "Waiting for the payment to be confirmed" in html
    assert f'href="{order.payments.get().checkout_url}"' in html and "Pay now" in html
    assert "¥128.00" in main_html(response)


def test_order_page_of_someone_else_is_404_and_anonymous_must_log_in(client, alice, user, other_user, small):
    post_buy(alice, small, make_address(user))
    order = Order.objects.get(buyer=user)
    url = reverse("orders:detail", args=[order.id])

    client.force_login(other_user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("orders:detail", args=[999999])).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_order_page_of_a_cancelled_order_paid_late_shows_the_refund(alice, user, small):
    # given: the window closed, then the money came anyway and went back
    post_buy(alice, small, make_address(user))
    order = Order.objects.get(buyer=user)
    Order.objects.filter(id=order.id).update(pay_by=Now())
    orders_cancel_unpaid()
    press(alice, order.payments.get())
    deliver()
    outbox_relay()
    # when
    response = alice.get(reverse("orders:detail", args=[order.id]))
    # then
    html = main_html(response)
    assert 'http-equiv="refresh"' not in response.content.decode()
    assert "Cancelled" in html and "not paid in time" in html
    assert "Refunds" in html and "The payment arrived after the order was cancelled" in html
    assert "Refunded so far: ¥128.00" in html


def test_order_page_of_a_paid_gift_points_to_the_gift_pages_and_shows_no_parcel(alice, user, small):
    gift = gift_create(sender=user, variant_id=small.id, quantity=1, mode="single")
    press(alice, gift.order.payments.get())
    deliver()

    html = main_html(alice.get(reverse("orders:detail", args=[gift.order_id])))

    assert "Gift" in html and "Paid" in html
    assert f'href="{reverse("gifts:list")}"' in html
    assert "Delivery" not in html and "Ship to" not in html


def test_my_orders_lists_mine_only(client, alice, user, other_user, small):
    post_buy(alice, small, make_address(user))
    client.force_login(other_user)
    post_buy(client, small, make_address(other_user), quantity=2)
    client.force_login(user)

    html = main_html(client.get(reverse("orders:list")))

    mine = Order.objects.get(buyer=user)
    assert reverse("orders:detail", args=[mine.id]) in html
    assert html.count('href="/orders/') == 1
    assert "waiting for payment" in html


def test_my_orders_empty_state(alice):
    html = main_html(alice.get(reverse("orders:list")))

    assert "No orders yet" in html and 'href="/"' in html


def test_my_orders_requires_login(client):
    response = client.get(reverse("orders:list"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_my_orders_is_paginated(alice, user):
    variant = make_variant(stock=100)
    address = make_address(user)
    for _ in range(21):
        post_buy(alice, variant, address)

    first = main_html(alice.get(reverse("orders:list")))
    second = main_html(alice.get(reverse("orders:list"), {"page": 2}))

    assert first.count('href="/orders/') == 20 and 'rel="next"' in first
    assert second.count('href="/orders/') == 1


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("orders:list")).status_code == 200
    return len(queries)


def test_my_orders_makes_as_many_queries_for_20_orders_as_for_1(alice, user):
    variant = make_variant(stock=100)
    address = make_address(user)

    def one_more_paid():
        post_buy(alice, variant, address)
        order = Order.objects.filter(buyer=user).first()
        press(alice, order.payments.get())
        deliver()

    one_more_paid()
    one = _list_queries(alice)
    for _ in range(19):
        one_more_paid()

    twenty = _list_queries(alice)

    assert Shipment.objects.count() == 20
    assert one == twenty, f"my orders: {one} queries for 1 order, {twenty} for 20: something is queried per row"
